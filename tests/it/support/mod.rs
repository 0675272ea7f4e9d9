//! The test harness: a fresh database per test (a SQLite file, and a PostgreSQL schema
//! when PostgreSQL is reachable), requests in-process through the real router with a
//! cookie jar and the headers a browser sends, and builders for orgs, users and apps.

pub mod appcentre;
pub mod apps;
pub mod browser;
pub mod customdev;
pub mod distribution;
pub mod interconnect;
pub mod journey_distribution;
pub mod journey_interconnect;
pub mod permissions;
pub mod quickdeploy_deploy;
pub mod quickdeploy_provider;
pub mod quickdeploy_serials;
pub mod quickdeploy_team;
pub mod receiver;
pub mod s3;
pub mod server;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::config::Config;
use fenfa::db::schema::{departments, memberships, orgs, users};
use fenfa::web::AppState;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

/// The start of an inline QR code (`fenfa::tools::qr::qr_svg`); every page also draws the
/// navigation's icons as `<svg class="icon">`, so a bare `<svg` says nothing.
pub const QR_CODE: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\"";

static HASH: LazyLock<String> =
    LazyLock::new(|| fenfa::auth::password::hash_blocking(PASSWORD).expect("hash"));

static PG_NOTICE: std::sync::Once = std::sync::Once::new();

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub backend: &'static str,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// The PostgreSQL server URL of the suite (`FENFA_TEST_POSTGRES`), or `None` when it is `off`.
pub fn postgres_base() -> Option<String> {
    match std::env::var("FENFA_TEST_POSTGRES") {
        Ok(v) if v == "off" => None,
        Ok(v) => Some(v),
        Err(_) => Some("postgres://postgres@127.0.0.1:5432/test".into()),
    }
}

impl TestApp {
    pub fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = dir.path().join("test.db").to_string_lossy().into_owned();
        let config = Config::for_tests(url, dir.path().to_path_buf());
        let state = fenfa::build_state(config).expect("state");
        TestApp {
            router: fenfa::app::router(state.clone()),
            state,
            backend: "sqlite",
            pg: None,
            _dir: dir,
        }
    }

    /// A PostgreSQL app in a schema of its own, or `None` (said once) when unreachable.
    pub fn postgres() -> Option<TestApp> {
        let base = postgres_base()?;
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let created = PgConnection::establish(&base)
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                    .execute(&mut c)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = created {
            assert!(
                std::env::var("CI").is_err(),
                "PostgreSQL is required in CI but unreachable at {base}: {e}"
            );
            // Written to stderr directly: libtest captures `eprintln!`, and this note must
            // be seen in every run, not only in failing ones.
            PG_NOTICE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: PostgreSQL unreachable ({e}); the PostgreSQL runs of every test are SKIPPED"
                );
            });
            return None;
        }
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config::for_tests(url, dir.path().to_path_buf());
        let state = fenfa::build_state(config).expect("state");
        Some(TestApp {
            router: fenfa::app::router(state.clone()),
            state,
            backend: "postgres",
            pg: Some((base, schema)),
            _dir: dir,
        })
    }

    /// A second instance of the server on the same PostgreSQL database, as behind a load
    /// balancer (`None` on SQLite: one file, one instance).
    pub fn second_instance(&self) -> Option<Router> {
        let url = self.postgres_url()?;
        let config = Config::for_tests(url, self._dir.path().to_path_buf());
        let state = fenfa::build_state(config).expect("second instance");
        Some(fenfa::app::router(state))
    }

    /// The `DATABASE_URL` of this app's PostgreSQL schema, for other processes
    /// (`None` on SQLite).
    pub fn postgres_url(&self) -> Option<String> {
        let (base, schema) = self.pg.as_ref()?;
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(format!("{base}{sep}options=-csearch_path%3D{schema}"))
    }

    /// The same server (state, database) with its configuration changed, e.g. secure
    /// cookies on.
    pub fn configured(&self, f: impl FnOnce(&mut Config)) -> Router {
        let mut config = (*self.state.config).clone();
        f(&mut config);
        let mut state = self.state.clone();
        state.config = Arc::new(config);
        fenfa::app::router(state)
    }

    /// Another instance on the same database with a data directory of its own (no local
    /// uploads in common) and its configuration changed by `f`, e.g. its storage. The
    /// directory lives as long as the returned guard.
    pub fn elsewhere(&self, f: impl FnOnce(&mut Config)) -> (Router, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = (*self.state.config).clone();
        config.data_dir = dir.path().to_path_buf();
        f(&mut config);
        let state = fenfa::build_state(config).expect("another instance");
        (fenfa::app::router(state), dir)
    }

    /// Another server started on the same database: what a restart, or a second instance
    /// behind a load balancer, sees.
    pub fn restarted(&self) -> Router {
        let state = fenfa::build_state((*self.state.config).clone()).expect("restart");
        fenfa::app::router(state)
    }

    pub fn conn(&self) -> impl std::ops::DerefMut<Target = fenfa::db::Conn> {
        self.state.db.get().expect("conn")
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            jar: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A client already signed in as `login`.
    pub async fn signed_in(&self, login: &str) -> Client {
        let c = self.client();
        c.login(login, PASSWORD).await;
        c
    }

    pub fn org(&self, name: &str, corp_id: &str, edition: &str) -> i64 {
        diesel::insert_into(orgs::table)
            .values((
                orgs::name.eq(name),
                orgs::corp_id.eq(corp_id),
                orgs::edition.eq(edition),
                orgs::certified.eq(true),
                orgs::provider_level.eq("none"),
                orgs::created_at.eq(fenfa::db::now()),
            ))
            .returning(orgs::id)
            .get_result(&mut *self.conn())
            .expect("org")
    }

    pub fn user(&self, login: &str, name: &str) -> i64 {
        diesel::insert_into(users::table)
            .values((
                users::login.eq(login),
                users::name.eq(name),
                users::password_hash.eq(&*HASH),
                users::created_at.eq(fenfa::db::now()),
            ))
            .returning(users::id)
            .get_result(&mut *self.conn())
            .expect("user")
    }

    pub fn operator(&self, login: &str) -> i64 {
        let id = self.user(login, "Operator");
        diesel::update(users::table.find(id))
            .set(users::is_operator.eq(true))
            .execute(&mut *self.conn())
            .expect("operator");
        id
    }

    pub fn member(&self, org: i64, user: i64, role: Role) -> i64 {
        diesel::insert_into(memberships::table)
            .values((
                memberships::org_id.eq(org),
                memberships::user_id.eq(user),
                memberships::role.eq(role.as_str()),
                memberships::can_build_apps.eq(false),
                memberships::created_at.eq(fenfa::db::now()),
            ))
            .returning(memberships::id)
            .get_result(&mut *self.conn())
            .expect("membership")
    }

    /// A user who belongs to `org` with `role`.
    pub fn person(&self, org: i64, login: &str, role: Role) -> i64 {
        let id = self.user(login, login);
        self.member(org, id, role);
        id
    }

    /// A department of `org` (under `parent`).
    pub fn department(&self, org: i64, parent: Option<i64>, name: &str) -> i64 {
        diesel::insert_into(departments::table)
            .values((
                departments::org_id.eq(org),
                departments::parent_id.eq(parent),
                departments::name.eq(name),
                departments::created_at.eq(fenfa::db::now()),
            ))
            .returning(departments::id)
            .get_result(&mut *self.conn())
            .expect("department")
    }

    /// A seat of `pool`'s licence for `user` acting in `org` (granted by hand).
    pub fn seat(&self, pool: i64, org: i64, user: i64) {
        use fenfa::db::schema::seats;
        diesel::insert_into(seats::table)
            .values((
                seats::pool_org_id.eq(pool),
                seats::org_id.eq(org),
                seats::user_id.eq(user),
                seats::automatic.eq(false),
                seats::granted_at.eq(0),
            ))
            .execute(&mut *self.conn())
            .expect("seat");
    }

    /// Puts a member of `org` into a department.
    pub fn place(&self, org: i64, user: i64, dept: Option<i64>) {
        diesel::update(
            memberships::table
                .filter(memberships::org_id.eq(org))
                .filter(memberships::user_id.eq(user)),
        )
        .set(memberships::department_id.eq(dept))
        .execute(&mut *self.conn())
        .expect("place");
    }

    /// A fixture for tests of what happens inside a space (not of how one is created or
    /// joined): a partner space owned by `owner` (whole organisation linked) with `members`
    /// already joined, each with its scope (`"all"`, or `"departments"` / `"people"` with
    /// the department or user ids). Returns the space id.
    pub fn joined_space(&self, owner: i64, creator: i64, members: &[(i64, &str, &[i64])]) -> i64 {
        use fenfa::db::schema::{space_orgs, space_scope, spaces};
        let mut conn = self.conn();
        let now = fenfa::db::now();
        let space: i64 = diesel::insert_into(spaces::table)
            .values((
                spaces::owner_org_id.eq(owner),
                spaces::kind.eq("partner"),
                spaces::name.eq(format!("space of {owner}")),
                spaces::invite_token.eq(format!("tok-{owner}-{now}-{}", members.len())),
                spaces::created_by.eq(creator),
                spaces::created_at.eq(now),
            ))
            .returning(spaces::id)
            .get_result(&mut *conn)
            .expect("space");
        let mut rows: Vec<(i64, &str, &str, &[i64])> = vec![(owner, "owner", "all", &[])];
        rows.extend(members.iter().map(|(o, k, refs)| (*o, "member", *k, *refs)));
        for (org, role, kind, refs) in rows {
            let so: i64 = diesel::insert_into(space_orgs::table)
                .values((
                    space_orgs::space_id.eq(space),
                    space_orgs::org_id.eq(org),
                    space_orgs::role.eq(role),
                    space_orgs::status.eq("joined"),
                    space_orgs::scope_kind.eq(kind),
                    space_orgs::joined_at.eq(Some(now)),
                    space_orgs::created_at.eq(now),
                ))
                .returning(space_orgs::id)
                .get_result(&mut *conn)
                .expect("space org");
            let ref_kind = if kind == "departments" {
                "department"
            } else {
                "user"
            };
            for r in refs {
                diesel::insert_into(space_scope::table)
                    .values((
                        space_scope::space_org_id.eq(so),
                        space_scope::kind.eq(ref_kind),
                        space_scope::ref_id.eq(*r),
                    ))
                    .execute(&mut *conn)
                    .expect("scope");
            }
        }
        space
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.pg
            && let Ok(mut c) = PgConnection::establish(base)
        {
            let _ = diesel::sql_query(format!("DROP SCHEMA {schema} CASCADE")).execute(&mut c);
        }
    }
}

/// Runs a test body on SQLite, then on PostgreSQL when it is reachable.
pub async fn each_backend(f: impl AsyncFn(TestApp)) {
    f(TestApp::sqlite()).await;
    if let Some(app) = TestApp::postgres() {
        f(app).await;
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) -> &Resp {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Resp {
        assert!(
            self.body.contains(text),
            "expected {text:?} in the page ({}):\n{}",
            self.status,
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_lacks(&self, text: &str) -> &Resp {
        assert!(
            !self.body.contains(text),
            "did not expect {text:?} in the page:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_redirect(&self, to: &str) -> &Resp {
        assert!(
            self.status.is_redirection(),
            "expected a redirect, got {}: {}",
            self.status,
            self.body
        );
        assert!(
            self.location().starts_with(to),
            "redirect to {} not {to}",
            self.location()
        );
        self
    }
}

/// A browser-like client: keeps cookies and sends the same-origin headers of a real form.
#[derive(Clone)]
pub struct Client {
    router: Router,
    jar: Arc<Mutex<HashMap<String, String>>>,
}

impl Client {
    /// The same browser (cookie jar) talking to another instance.
    pub fn on(&self, router: Router) -> Client {
        Client {
            router,
            jar: self.jar.clone(),
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .lock()
            .expect("jar")
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().expect("jar").get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar
            .lock()
            .expect("jar")
            .insert(name.into(), value.into());
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap_or("");
            let first = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = first.split_once('=') {
                let expired = v.contains("Max-Age=0") || val.is_empty();
                let mut jar = self.jar.lock().expect("jar");
                if expired {
                    jar.remove(k.trim());
                } else {
                    jar.insert(k.trim().to_string(), val.to_string());
                }
            }
        }
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost")
            .header(header::COOKIE, self.cookie_header())
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.request("GET", path).body(Body::empty()).expect("req"))
            .await
    }

    /// A same-origin form post, as a browser sends it.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(form).expect("form");
        self.send(
            self.request("POST", path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .header(header::ORIGIN, "http://localhost")
                .body(Body::from(body))
                .expect("req"),
        )
        .await
    }

    /// A setup post that must succeed (a 2xx page or a redirect): a test's preparation
    /// that silently failed would make what it then checks meaningless.
    pub async fn post_ok(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        let r = self.post(path, form).await;
        assert!(
            r.status.is_success() || r.status.is_redirection(),
            "setup post {path} answered {}: {}",
            r.status,
            r.body
        );
        r
    }

    /// A multipart form post; files are (field, filename, content type, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> Resp {
        let boundary = "----fenfa-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (k, name, ctype, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: {ctype}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.send(
            self.request("POST", path)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("sec-fetch-site", "same-origin")
                .header(header::ORIGIN, "http://localhost")
                .body(Body::from(body))
                .expect("req"),
        )
        .await
    }

    pub async fn login(&self, login: &str, password: &str) -> Resp {
        let r = self
            .post("/login", &[("login", login), ("password", password)])
            .await;
        assert!(
            r.status.is_redirection(),
            "login of {login} failed: {} {}",
            r.status,
            r.body
        );
        r
    }
}

/// The first `value` of a hidden or visible input named `name` in a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("[name=\"{name}\"]")).ok()?;
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_string))
}
