//! Operations: the probes `/healthz` and `/readyz` answer outside the session layer (no
//! cookie set, no session row read into a write), `/readyz` says 503 with its reason while
//! the database does not answer, a migration is pending or the storage takes no file; the
//! Prometheus metrics are served only by their own router, count requests by route
//! template, and show the queue's depth; and the real binary with `FENFA_LOG_FORMAT=json`
//! logs JSON lines that carry the request id.

use std::time::Duration;

use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::db::schema::sessions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use crate::support::distribution::world;
use crate::support::server::{Fenfa, free_port};
use crate::support::{Resp, TestApp, each_backend};

fn session_rows(app: &TestApp) -> Vec<(String, String, i64)> {
    sessions::table
        .select((sessions::id, sessions::data, sessions::expires_at))
        .order(sessions::id)
        .load(&mut *app.conn())
        .expect("sessions")
}

#[track_caller]
fn assert_plain_without_cookie(r: &Resp, status: StatusCode, body: &str) {
    assert_eq!(r.status, status, "body: {}", r.body);
    assert!(r.body.starts_with(body), "{:?} is not {body:?}", r.body);
    assert!(
        r.headers.get(header::SET_COOKIE).is_none(),
        "a probe set a cookie: {:?}",
        r.headers
    );
    let ctype = r.headers.get(header::CONTENT_TYPE).expect("a content type");
    assert!(ctype.to_str().expect("ascii").starts_with("text/plain"));
}

/// Every `fenfa_http_requests_total` sample of `route` with `method` and `status`.
fn requests_counted(metrics: &str, route: &str, method: &str, status: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with("fenfa_http_requests_total{"))
        .filter(|l| {
            l.contains(&format!("route=\"{route}\""))
                && l.contains(&format!("method=\"{method}\""))
                && l.contains(&format!("status=\"{status}\""))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn scrape(app: &TestApp) -> String {
    let resp = fenfa::web::metrics::router(app.state.clone())
        .oneshot(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .expect("req"),
        )
        .await
        .expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

#[tokio::test]
async fn the_probes_answer_without_a_cookie_or_a_session_write_signed_in_or_not() {
    each_backend(async |app| {
        let anonymous = app.client();
        let r = anonymous.get("/healthz").await;
        assert_plain_without_cookie(&r, StatusCode::OK, "ok");
        let r = anonymous.get("/readyz").await;
        assert_plain_without_cookie(&r, StatusCode::OK, "ready");
        assert!(session_rows(&app).is_empty(), "a probe created a session");

        world(&app);
        let c = app.signed_in("padmin").await;
        let before = session_rows(&app);
        assert_eq!(before.len(), 1);
        // A session past its idle time would be ended by the session layer on any page;
        // the probes never reach it, so the row stays as it was.
        diesel::update(sessions::table)
            .set(sessions::expires_at.eq(fenfa::db::now() - 1))
            .execute(&mut *app.conn())
            .expect("expire");
        let expired = session_rows(&app);
        for path in ["/healthz", "/readyz", "/healthz"] {
            let r = c.get(path).await;
            assert!(r.headers.get(header::SET_COOKIE).is_none(), "{path}");
            assert!(r.status.is_success(), "{path}: {}", r.status);
        }
        assert_eq!(session_rows(&app), expired, "a probe wrote a session");
        // The probes are outside CSRF too: a cross-site GET is answered the same.
        let r = c
            .send(
                c.request("GET", "/readyz")
                    .header("sec-fetch-site", "cross-site")
                    .body(axum::body::Body::empty())
                    .expect("req"),
            )
            .await;
        assert_plain_without_cookie(&r, StatusCode::OK, "ready");
    })
    .await;
}

#[tokio::test]
async fn readiness_fails_while_a_migration_is_pending_and_recovers_when_it_is_applied() {
    each_backend(async |app| {
        assert_eq!(fenfa::web::health::readiness(&app.state).await, Ok(()));
        // The newest migration forgotten: the schema is older than this binary.
        let newest: String = diesel::sql_query(
            "SELECT version FROM __diesel_schema_migrations ORDER BY version DESC LIMIT 1",
        )
        .get_result::<Version>(&mut *app.conn())
        .expect("a migration")
        .version;
        diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = $1")
            .bind::<diesel::sql_types::Text, _>(&newest)
            .execute(&mut *app.conn())
            .expect("forget");
        let r = app.client().get("/readyz").await;
        assert_plain_without_cookie(&r, StatusCode::SERVICE_UNAVAILABLE, "migrations: pending");
        app.client()
            .get("/healthz")
            .await
            .assert_status(StatusCode::OK);
        diesel::sql_query("INSERT INTO __diesel_schema_migrations (version) VALUES ($1)")
            .bind::<diesel::sql_types::Text, _>(&newest)
            .execute(&mut *app.conn())
            .expect("remember");
        app.client()
            .get("/readyz")
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

#[tokio::test]
async fn readiness_fails_while_the_database_gives_no_connection_or_storage_takes_no_file() {
    each_backend(async |app| {
        // Every pooled connection held elsewhere: the probe gets none within its wait.
        let held: Vec<_> = (0..app.state.config.db_pool)
            .map(|_| app.state.db.get().expect("conn"))
            .collect();
        let r = app.client().get("/readyz").await;
        assert_plain_without_cookie(&r, StatusCode::SERVICE_UNAVAILABLE, "database: ");
        app.client()
            .get("/healthz")
            .await
            .assert_status(StatusCode::OK);
        drop(held);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(fenfa::web::health::readiness(&app.state).await, Ok(()));

        std::fs::remove_dir_all(app.state.config.upload_dir()).expect("remove uploads");
        let r = app.client().get("/readyz").await;
        assert_plain_without_cookie(&r, StatusCode::SERVICE_UNAVAILABLE, "storage: ");
    })
    .await;
}

#[tokio::test]
async fn metrics_are_not_served_on_the_public_port_but_count_route_templates_on_their_own() {
    each_backend(async |app| {
        world(&app);
        let anonymous = app.client();
        anonymous
            .get("/metrics")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let c = app.signed_in("padmin").await;
        for _ in 0..3 {
            c.get("/provider/projects")
                .await
                .assert_status(StatusCode::OK);
        }
        c.get("/provider/projects/987654").await;
        anonymous.get("/no/such/page/123").await;
        anonymous.get("/healthz").await;
        fenfa::jobs::enqueue(&mut app.conn(), "test.nothing", &serde_json::json!({}))
            .expect("a job");

        let m = scrape(&app).await;
        assert_eq!(
            requests_counted(&m, "/provider/projects", "GET", "2xx"),
            3.0
        );
        assert!(
            requests_counted(&m, "/provider/projects/{id}", "GET", "4xx") >= 1.0,
            "a concrete id is counted under its template:\n{m}"
        );
        assert!(
            !m.contains("987654"),
            "a concrete path leaked into the series"
        );
        assert!(requests_counted(&m, "other", "GET", "4xx") >= 2.0, "{m}");
        assert_eq!(requests_counted(&m, "/healthz", "GET", "2xx"), 1.0);
        assert!(requests_counted(&m, "/login", "POST", "3xx") >= 1.0, "{m}");
        assert!(m.contains("fenfa_http_request_duration_seconds_bucket{"));
        assert!(m.contains("route=\"/provider/projects\""));
        for series in [
            "fenfa_db_pool_connections{state=\"in_use\"}",
            "fenfa_db_pool_connections{state=\"idle\"}",
            "fenfa_argon2_permits_in_use 0",
            "fenfa_argon2_permits ",
            "fenfa_jobs_pending 1",
        ] {
            assert!(m.contains(series), "{series} missing:\n{m}");
        }
    })
    .await;
}

/// A request over a real socket; the whole answer.
async fn http_get(port: u16, path: &str, request_id: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-request-id: {request_id}\r\n\
         Connection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_string(&mut out))
        .await
        .expect("an answer in time")
        .expect("read");
    out
}

#[tokio::test]
async fn the_binary_logs_json_lines_with_the_request_id_and_serves_metrics_apart() {
    let metrics_port = free_port();
    let bind = format!("127.0.0.1:{metrics_port}");
    let fenfa = Fenfa::start(
        "127.0.0.1",
        &[
            ("FENFA_LOG_FORMAT", "json"),
            ("FENFA_LOG", "info,tower_http=debug"),
            ("FENFA_METRICS_BIND", bind.as_str()),
        ],
        true,
    )
    .await;
    let ok = http_get(fenfa.port, "/healthz", "ops-test-healthz").await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert!(
        ok.to_ascii_lowercase()
            .contains("x-request-id: ops-test-healthz")
    );
    let public = http_get(fenfa.port, "/metrics", "ops-test-public").await;
    assert!(public.starts_with("HTTP/1.1 404"), "{public}");
    let metrics = http_get(metrics_port, "/metrics", "ops-test-scrape").await;
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(
        metrics.contains("route=\"/healthz\""),
        "the probe is counted: {metrics}"
    );
    let out = fenfa.stop();

    let lines: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(!lines.is_empty(), "no JSON lines in:\n{out}");
    let of_request = |id: &str| {
        lines
            .iter()
            .filter(|v| v["span"]["request_id"] == id)
            .count()
    };
    assert!(of_request("ops-test-healthz") >= 1, "{out}");
    assert!(of_request("ops-test-public") >= 1, "{out}");
    for v in &lines {
        assert!(v["timestamp"].is_string() && v["level"].is_string(), "{v}");
    }
}
