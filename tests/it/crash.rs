//! Crashes: the real `fenfa` binary on a SQLite file is killed with SIGKILL in the middle of
//! a write load and started again, over and over. Every submission the server acknowledged
//! (by its form's one-time key) must exist exactly once afterwards, and the database must
//! pass `PRAGMA integrity_check` and `PRAGMA foreign_key_check`.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use diesel::prelude::*;
use diesel::sql_types::Text;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::figures::{figure, size};

type Http = Client<HttpConnector, Full<Bytes>>;

struct Server {
    child: Child,
    base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts the binary on `dir` and waits until it answers.
async fn start(dir: &std::path::Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_fenfa"))
        .args(["serve", "--demo"])
        .env("FENFA_DATA_DIR", dir)
        .env("FENFA_BIND", format!("127.0.0.1:{port}"))
        .env("FENFA_SECURE_COOKIES", "false")
        .env("FENFA_LOG", "error")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the fenfa binary starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "fenfa did not start listening");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

struct Answer {
    status: u16,
    location: String,
    cookie: Option<String>,
    body: String,
}

async fn call(
    http: &Http,
    method: &str,
    url: &str,
    cookie: &str,
    ctype: Option<&str>,
    body: Vec<u8>,
) -> Result<Answer, String> {
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(url)
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = ctype {
        req = req.header("content-type", c);
    }
    let req = req
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let resp = http.request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("fenfa_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Answer {
        status,
        location,
        cookie,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn multipart(fields: &[(String, String)]) -> (String, Vec<u8>) {
    let boundary = "----fenfa-crash";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Signs in as the demo developer and returns (cookie, form path, form fields).
async fn prepare(http: &Http, base: &str, page: i64) -> (String, String, Vec<(String, String)>) {
    let body = serde_urlencoded::to_string([
        ("login", "provider.dev"),
        ("password", fenfa::demo::PASSWORD),
    ])
    .expect("form");
    let a = call(
        http,
        "POST",
        &format!("{base}/login"),
        "",
        Some("application/x-www-form-urlencoded"),
        body.into_bytes(),
    )
    .await
    .expect("login");
    let cookie = a.cookie.expect("a session cookie");
    let path = format!("/f/{page}");
    let form = call(http, "GET", &format!("{base}{path}"), &cookie, None, vec![])
        .await
        .expect("form page");
    assert_eq!(form.status, 200, "{}", form.body);
    let (_, f) = crate::permissions::forms_of(&form.body)
        .into_iter()
        .find(|(a, _)| *a == path)
        .expect("the fill form");
    (cookie, path, f.fields)
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct Violation {
    #[diesel(sql_type = Text, column_name = "table")]
    _table: String,
}

#[derive(QueryableByName)]
struct Idem {
    #[diesel(sql_type = Text)]
    idem: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9_and_the_database_stays_consistent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("fenfa.db");
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let cycles = size(50, 3);
    let acked: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(vec![]));
    let mut page = 0i64;
    for cycle in 0..cycles {
        let mut server = start(dir.path()).await;
        if page == 0 {
            let mut c = SqliteConnection::establish(&db.to_string_lossy()).expect("sqlite");
            page = fenfa::db::schema::pages::table
                .filter(fenfa::db::schema::pages::name.eq("供应商登记"))
                .select(fenfa::db::schema::pages::id)
                .first(&mut c)
                .expect("page");
        }
        let (cookie, path, fields) = prepare(&http, &server.base, page).await;
        // Four writers post submissions, each with a key of its own, until the kill.
        let mut writers = tokio::task::JoinSet::new();
        for w in 0..4 {
            let (http, base, cookie, path, fields, acked) = (
                http.clone(),
                server.base.clone(),
                cookie.clone(),
                path.clone(),
                fields.clone(),
                acked.clone(),
            );
            writers.spawn(async move {
                for n in 0.. {
                    let key = format!("c{cycle}w{w}n{n}");
                    let f: Vec<(String, String)> = fields
                        .iter()
                        .map(|(k, v)| {
                            if k == "idem" {
                                (k.clone(), key.clone())
                            } else {
                                (k.clone(), v.clone())
                            }
                        })
                        .collect();
                    let (ctype, body) = multipart(&f);
                    match call(
                        &http,
                        "POST",
                        &format!("{base}{path}"),
                        &cookie,
                        Some(&ctype),
                        body,
                    )
                    .await
                    {
                        Ok(a) if a.status == 303 && a.location.starts_with("/submissions/") => {
                            acked.lock().expect("acked").push(key);
                        }
                        Ok(a) => panic!("a write was refused: {} {}", a.status, a.body),
                        Err(_) => return,
                    }
                }
            });
        }
        // Kill at a varying point of the load.
        tokio::time::sleep(Duration::from_millis(100 + (cycle as u64 * 37) % 400)).await;
        server.child.kill().expect("kill -9");
        server.child.wait().expect("reaped");
        while let Some(r) = writers.join_next().await {
            if let Err(e) = r
                && e.is_panic()
            {
                std::panic::resume_unwind(e.into_panic());
            }
        }
    }
    // A last start proves the database opens after the last kill; then check it.
    let mut server = start(dir.path()).await;
    server.child.kill().expect("kill");
    server.child.wait().expect("reaped");
    let mut c = SqliteConnection::establish(&db.to_string_lossy()).expect("sqlite");
    let integrity: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut c)
        .expect("integrity");
    let fk = diesel::sql_query("PRAGMA foreign_key_check")
        .load::<Violation>(&mut c)
        .expect("fk")
        .len();
    let stored: Vec<Idem> =
        diesel::sql_query("SELECT idem FROM submissions WHERE idem IS NOT NULL")
            .load(&mut c)
            .expect("keys");
    let stored: Vec<String> = stored.into_iter().map(|i| i.idem).collect();
    let unique: HashSet<&String> = stored.iter().collect();
    let acked = acked.lock().expect("acked").clone();
    let lost: Vec<&String> = acked.iter().filter(|k| !unique.contains(k)).collect();
    let duplicated = stored.len() - unique.len();
    figure(
        "kill -9 cycles under a write load (sqlite)",
        format!(
            "{cycles} (50 with FENFA_SLOW_TESTS=1): {} acknowledged writes, lost {} (goal 0), duplicated {duplicated} (goal 0), integrity {:?}, foreign-key violations {fk} (goal 0)",
            acked.len(),
            lost.len(),
            integrity
                .first()
                .map(|c| c.integrity_check.as_str())
                .unwrap_or("?")
        ),
    );
    assert!(!acked.is_empty(), "the load acknowledged no write");
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    assert_eq!(duplicated, 0);
    assert_eq!(integrity.len(), 1);
    assert_eq!(integrity[0].integrity_check, "ok");
    assert_eq!(fk, 0);
}
