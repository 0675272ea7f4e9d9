//! Operating several instances: the real binary started four times at once on one empty
//! PostgreSQL database migrates it and loads the demo exactly once (the start-up lock),
//! and SIGTERM lets the requests in flight finish before the process exits 0.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::figures::figure;
use crate::support::server::{Fenfa, free_port};

/// A database of its own on the suite's PostgreSQL server, dropped at the end.
struct TempDatabase {
    server: String,
    name: String,
    url: String,
}

impl TempDatabase {
    /// `None` (said once) when PostgreSQL is off or unreachable outside CI.
    fn create() -> Option<TempDatabase> {
        let Some(base) = crate::support::postgres_base() else {
            note("FENFA_TEST_POSTGRES=off");
            return None;
        };
        let name = format!("fenfa_startup_{}", uuid::Uuid::new_v4().simple());
        let created = PgConnection::establish(&base)
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = created {
            assert!(
                std::env::var("CI").is_err(),
                "PostgreSQL is required in CI but unreachable at {base}: {e}"
            );
            note(&format!("PostgreSQL unreachable ({e})"));
            return None;
        }
        // The same server and credentials, another database: the path's last part.
        let (url, query) = base.split_once('?').unwrap_or((&base, ""));
        let (server, _) = url.rsplit_once('/').expect("a database in the URL");
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        Some(TempDatabase {
            url: format!("{server}/{name}{query}"),
            server: base.clone(),
            name,
        })
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = PgConnection::establish(&self.server) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut c);
        }
    }
}

fn note(why: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "NOTE: {why}; n_instances_started_at_once_migrate_and_load_the_demo_exactly_once is SKIPPED"
    );
}

/// A raw HTTP/1.1 exchange on its own connection: the status and whether the response
/// came whole (its declared length, or the last chunk) before the server closed.
async fn fetch(port: u16, request: &[u8]) -> std::io::Result<(u16, bool)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
    s.write_all(request).await?;
    read_response(&mut s).await
}

async fn read_response(s: &mut TcpStream) -> std::io::Result<(u16, bool)> {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    Ok(parse_response(&raw))
}

fn parse_response(raw: &[u8]) -> (u16, bool) {
    let text = String::from_utf8_lossy(raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return (0, false);
    };
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    let body_len = raw.len() - (head.len() + 4);
    let whole = match (header("content-length"), header("transfer-encoding")) {
        (Some(n), _) => n.parse() == Ok(body_len),
        (None, Some(te)) if te.eq_ignore_ascii_case("chunked") => body.ends_with("0\r\n\r\n"),
        _ => false,
    };
    (status, whole)
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").into_bytes()
}

/// The instances of a test, killed if it fails half-way.
struct Instances(Vec<Child>);

impl Drop for Instances {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits for `child` to exit, at most `limit`.
fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn sigterm(child: &Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "SIGTERM sent");
}

/// The log without its colours.
fn plain(log: &str) -> String {
    let mut out = String::new();
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test]
async fn n_instances_started_at_once_migrate_and_load_the_demo_exactly_once() {
    let Some(db) = TempDatabase::create() else {
        return;
    };
    const N: usize = 4;
    let dirs: Vec<tempfile::TempDir> = (0..N).map(|_| tempfile::tempdir().expect("dir")).collect();
    let ports: Vec<u16> = (0..N).map(|_| free_port()).collect();
    let started = Instant::now();
    let mut children = Instances(
        (0..N)
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_fenfa"))
                    .args(["serve", "--demo"])
                    .env("DATABASE_URL", &db.url)
                    .env("FENFA_DATA_DIR", dirs[i].path())
                    .env("FENFA_BIND", format!("127.0.0.1:{}", ports[i]))
                    .env("FENFA_SECURE_COOKIES", "false")
                    .env("FENFA_LOG", "info")
                    .env("NO_COLOR", "1")
                    .env_remove("FENFA_PUBLIC_URL")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("the fenfa binary starts")
            })
            .collect(),
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    for &port in &ports {
        loop {
            if let Ok((200, true)) = fetch(port, &get("/login")).await {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "instance on {port} never answered"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    figure(
        "concurrent start-up: 4 instances answering after (s)",
        format!("{:.1}", started.elapsed().as_secs_f64()),
    );

    let mut c = PgConnection::establish(&db.url).expect("the test database");
    #[derive(QueryableByName)]
    struct Counted {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count = |c: &mut PgConnection, sql: &str| {
        diesel::sql_query(sql)
            .get_result::<Counted>(c)
            .expect(sql)
            .n
    };
    let embedded = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .expect("migrations")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count() as i64;
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) AS n FROM __diesel_schema_migrations"
        ),
        embedded,
        "every migration recorded once"
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(DISTINCT version) AS n FROM __diesel_schema_migrations"
        ),
        embedded
    );
    // One demo load: its 16 organisations and 22 users (as in demo.rs), not a multiple.
    assert_eq!(count(&mut c, "SELECT count(*) AS n FROM orgs"), 16);
    assert_eq!(count(&mut c, "SELECT count(*) AS n FROM users"), 22);
    assert_eq!(count(&mut c, "SELECT count(*) AS n FROM server_secrets"), 1);
    drop(c);

    // Every instance serves, then stops on SIGTERM with status 0.
    for &port in &ports {
        assert_eq!(
            fetch(port, &get("/login")).await.expect("login"),
            (200, true)
        );
    }
    let mut outputs = Vec::new();
    for child in &mut children.0 {
        sigterm(child);
        let status = wait_exit(child, Duration::from_secs(35)).expect("exits after SIGTERM");
        assert!(status.success(), "exit status {status}");
    }
    for child in std::mem::take(&mut children.0) {
        let out = child.wait_with_output().expect("output");
        outputs.push(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            plain(&String::from_utf8_lossy(&out.stderr))
        ));
    }
    let loaded = outputs
        .iter()
        .filter(|o| o.contains("Demo data loaded."))
        .count();
    let found = outputs
        .iter()
        .filter(|o| o.contains("The database already has data"))
        .count();
    let migrated = outputs
        .iter()
        .filter(|o| o.contains("migrations applied"))
        .count();
    let waited = outputs
        .iter()
        .filter(|o| o.contains("another instance is starting up"))
        .count();
    assert_eq!((loaded, found), (1, N - 1), "{outputs:#?}");
    assert_eq!(migrated, 1, "one instance migrated: {outputs:#?}");
    figure(
        "concurrent start-up: instances that migrated / loaded the demo / waited on the lock",
        format!("{migrated} / {loaded} / {waited} of {N}"),
    );
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    const IN_FLIGHT: usize = 16;
    let mut server = Fenfa::start(
        "127.0.0.1",
        &[("FENFA_LOG", "info"), ("NO_COLOR", "1")],
        true,
    )
    .await;
    let port = server.port;
    // Sign-ins whose form is sent in two halves: the server has read each head and waits
    // in the middle of its body when the signal comes; the rest follows after it.
    let mut open = Vec::new();
    for i in 0..IN_FLIGHT {
        let body = format!("login=nobody{i}&password=not-the-password-{i}");
        let (first, rest) = body.split_at(body.len() / 2);
        let head = format!(
            "POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nSec-Fetch-Site: same-origin\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{first}",
            body.len()
        );
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        s.write_all(head.as_bytes()).await.expect("head");
        open.push((s, rest.to_string()));
    }
    // An idle keep-alive connection beside them: closed at once, not waited for.
    let mut idle = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    idle.write_all(format!("GET /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes())
        .await
        .expect("idle request");
    tokio::time::sleep(Duration::from_millis(500)).await;

    let signalled = Instant::now();
    sigterm(&server.child);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = TcpStream::connect(("127.0.0.1", port)).await.is_err();
    assert!(refused, "a new connection after SIGTERM is refused");

    // The rest of every body; every request gets its whole answer.
    let finishing = open.into_iter().map(|(mut s, rest)| {
        tokio::spawn(async move {
            s.write_all(rest.as_bytes()).await?;
            read_response(&mut s).await
        })
    });
    let mut completed = 0;
    let mut cut_off = Vec::new();
    for task in finishing.collect::<Vec<_>>() {
        match task.await.expect("task") {
            Ok((status, true)) if status > 0 => completed += 1,
            other => cut_off.push(format!("{other:?}")),
        }
    }
    let idle_answer = read_response(&mut idle).await.expect("idle connection");
    assert_eq!(
        idle_answer,
        (200, true),
        "the idle connection's answer came whole"
    );

    let status =
        wait_exit(&mut server.child, Duration::from_secs(35)).expect("exits within the grace");
    let drain = signalled.elapsed();
    let log = plain(&server.stop());
    assert!(status.success(), "exit status {status}: {log}");
    assert!(cut_off.is_empty(), "cut off: {cut_off:?}\n{log}");
    assert!(
        log.contains("every open connection finished"),
        "the drain is logged: {log}"
    );
    assert!(log.contains("closing the database pool"), "{log}");
    let open_at_signal = log
        .lines()
        .find(|l| l.contains("shutting down: no new connections"))
        .and_then(|l| l.split("open_connections=").nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<usize>().ok())
        .expect("the open connections are logged");
    assert!(
        open_at_signal >= IN_FLIGHT,
        "{open_at_signal} open at the signal"
    );
    figure("SIGTERM: requests in flight at the signal", IN_FLIGHT);
    figure(
        "SIGTERM: connections open at the signal (server's count)",
        open_at_signal,
    );
    figure("SIGTERM: requests completed", completed);
    figure(
        "SIGTERM: requests cut off",
        format!("{} (goal 0)", cut_off.len()),
    );
    figure(
        "SIGTERM: signal to exit (ms, bound 30000)",
        drain.as_millis(),
    );
}
