//! Crashes: the real `fenfa` binary on a SQLite file is killed with SIGKILL in the middle of
//! a write load of purchases and form submissions, and started again, over and over. Every
//! write the server acknowledged must exist exactly once afterwards (a submission by its
//! form's one-time key, a purchase by its distribution link), and the database must pass
//! `PRAGMA integrity_check` and `PRAGMA foreign_key_check`.
//!
//! The data is the benchmark's scale set (`fenfa seed-scale`): it has an approved project
//! with thousands of fresh purchase links for its buyer organisation, and a form.

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

use fenfa::scale;

use crate::figures::{figure, size};

type Http = Client<HttpConnector, Full<Bytes>>;

struct Server {
    child: Child,
    base: String,
}

/// Starts the binary on `dir` and waits until it answers.
async fn start(dir: &std::path::Path) -> Server {
    let port = crate::support::server::free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_fenfa"))
        .args(["serve"])
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

/// Signs in and returns the session cookie.
async fn sign_in(http: &Http, base: &str, login: &str) -> String {
    let body = serde_urlencoded::to_string([("login", login), ("password", scale::PASSWORD)])
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
    a.cookie.expect("a session cookie")
}

/// Signs in as the scale provider admin and returns (cookie, form path, form fields).
async fn prepare(http: &Http, base: &str) -> (String, String, Vec<(String, String)>) {
    let cookie = sign_in(http, base, scale::ADMIN).await;
    let path = format!("/f/{}", scale::FORM_PAGE);
    let form = call(http, "GET", &format!("{base}{path}"), &cookie, None, vec![])
        .await
        .expect("form page");
    assert_eq!(form.status, 200, "{}", form.body);
    let (_, f) = crate::support::permissions::forms_of(&form.body)
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
struct Key {
    #[diesel(sql_type = Text)]
    key: String,
}

/// Fresh purchase links in the scale set, far more than 50 cycles of load can use.
const BUY_LINKS: i64 = 40_000;

/// Creates the scale data set (a small one) in `dir` with the real binary.
fn seed(dir: &std::path::Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_fenfa"))
        .args([
            "seed-scale",
            "--orders",
            "100",
            "--buy-links",
            &BUY_LINKS.to_string(),
        ])
        .env("FENFA_DATA_DIR", dir)
        .env("FENFA_LOG", "error")
        .env_remove("DATABASE_URL")
        .output()
        .expect("fenfa seed-scale runs");
    assert!(
        out.status.success(),
        "seed-scale failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Posts form submissions, each with a one-time key of its own, until the server dies;
/// records each acknowledged key.
async fn submit_until_killed(
    http: Http,
    url: String,
    cookie: String,
    fields: Vec<(String, String)>,
    prefix: String,
    acked: Arc<Mutex<Vec<String>>>,
) {
    for n in 0.. {
        let key = format!("{prefix}n{n}");
        let f: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| {
                let v = if k == "idem" { key.clone() } else { v.clone() };
                (k.clone(), v)
            })
            .collect();
        let (ctype, body) = multipart(&f);
        match call(&http, "POST", &url, &cookie, Some(&ctype), body).await {
            Ok(a) if a.status == 303 && a.location.starts_with("/submissions/") => {
                acked.lock().expect("acked").push(key);
            }
            Ok(a) => panic!("a submission was refused: {} {}", a.status, a.body),
            Err(_) => return,
        }
    }
}

/// Buys through fresh links, taken one at a time from `next`, until the server dies;
/// records each acknowledged link token.
async fn buy_until_killed(
    http: Http,
    base: String,
    cookie: String,
    next: Arc<std::sync::atomic::AtomicI64>,
    acked: Arc<Mutex<Vec<String>>>,
) {
    loop {
        let k = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        assert!(k < BUY_LINKS, "the scale set ran out of purchase links");
        let token = scale::buy_token(k);
        let url = format!("{base}/d/{token}");
        let ctype = Some("application/x-www-form-urlencoded");
        match call(&http, "POST", &url, &cookie, ctype, vec![]).await {
            Ok(a) if a.status == 303 && a.location == format!("/d/{token}/done") => {
                acked.lock().expect("acked").push(token);
            }
            Ok(a) => panic!("a purchase was refused: {} {}", a.status, a.body),
            Err(_) => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_purchases_and_submissions_survive_kill_9_and_the_database_stays_consistent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("fenfa.db");
    seed(dir.path());
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let cycles = size(50, 3);
    let submitted: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(vec![]));
    let bought: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(vec![]));
    let next_link = Arc::new(std::sync::atomic::AtomicI64::new(0));
    for cycle in 0..cycles {
        let mut server = start(dir.path()).await;
        let (admin, path, fields) = prepare(&http, &server.base).await;
        let buyer = sign_in(&http, &server.base, scale::BUYER).await;
        // Two writers submit the form and two buy, until the kill.
        let mut writers = tokio::task::JoinSet::new();
        for w in 0..2 {
            writers.spawn(submit_until_killed(
                http.clone(),
                format!("{}{path}", server.base),
                admin.clone(),
                fields.clone(),
                format!("c{cycle}w{w}"),
                submitted.clone(),
            ));
            writers.spawn(buy_until_killed(
                http.clone(),
                server.base.clone(),
                buyer.clone(),
                next_link.clone(),
                bought.clone(),
            ));
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
    let stored = |sql: &str, c: &mut SqliteConnection| -> Vec<String> {
        let rows: Vec<Key> = diesel::sql_query(sql).load(c).expect("keys");
        rows.into_iter().map(|k| k.key).collect()
    };
    // (acknowledged, lost, duplicated) for one kind of write.
    let tally = |acked: &Arc<Mutex<Vec<String>>>, stored: Vec<String>| {
        let unique: HashSet<&String> = stored.iter().collect();
        let acked = acked.lock().expect("acked").clone();
        let lost: Vec<String> = acked
            .iter()
            .filter(|k| !unique.contains(k))
            .cloned()
            .collect();
        (acked.len(), lost, stored.len() - unique.len())
    };
    let (subs, subs_lost, subs_dup) = tally(
        &submitted,
        stored(
            "SELECT idem AS key FROM submissions WHERE idem IS NOT NULL",
            &mut c,
        ),
    );
    let (buys, buys_lost, buys_dup) = tally(
        &bought,
        stored(
            "SELECT l.token AS key FROM orders o JOIN distribution_links l ON l.id = o.link_id \
             WHERE l.token LIKE 'buy-%'",
            &mut c,
        ),
    );
    figure(
        "kill -9 cycles under a write load (sqlite)",
        format!(
            "{cycles} (50 with FENFA_SLOW_TESTS=1): {buys} acknowledged purchases, lost {} (goal 0), duplicated {buys_dup} (goal 0); {subs} acknowledged submissions, lost {} (goal 0), duplicated {subs_dup} (goal 0); integrity {:?}, foreign-key violations {fk} (goal 0)",
            buys_lost.len(),
            subs_lost.len(),
            integrity
                .first()
                .map(|c| c.integrity_check.as_str())
                .unwrap_or("?")
        ),
    );
    assert!(buys > 0, "the load acknowledged no purchase");
    assert!(subs > 0, "the load acknowledged no submission");
    assert!(
        buys_lost.is_empty(),
        "acknowledged purchases lost: {buys_lost:?}"
    );
    assert!(
        subs_lost.is_empty(),
        "acknowledged submissions lost: {subs_lost:?}"
    );
    assert_eq!(buys_dup, 0, "a link has two orders");
    assert_eq!(subs_dup, 0, "a key has two submissions");
    assert_eq!(integrity.len(), 1);
    assert_eq!(integrity[0].integrity_check, "ok");
    assert_eq!(fk, 0);
}
