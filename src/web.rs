//! The HTTP shell: application state, the router with its layers, the page layout every
//! template embeds, flash messages, static files and small request helpers.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_http::csrf::{CsrfLayer, ProtectionError};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{DeadlineBody, RequestBodyDeadlineLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::auth::session_store::DieselStore;
use crate::auth::{AuthState, Ctx, CtxSlot, Delegation, Delegations, MembershipView};
use crate::config::Config;
use crate::db::Db;
use crate::error::ErrorPage;
use crate::i18n::Lang;
use crate::storage::Storage;
pub use page::{PAGE_SIZE, Page};
use policy::{Guards, Policy, Routes};

pub mod client;
mod errors;
pub mod health;
pub mod input;
pub mod metrics;
mod nav;
mod page;
pub mod policy;
mod refused;
mod time_format;

pub use crate::tools::{Cursor, CursorQuery};
pub use time_format::format_time;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub hasher: crate::auth::password::Hasher,
    /// The device cookies' HMAC key, kept in the database (see `auth::device`).
    pub device_key: crate::auth::device::DeviceKey,
    pub storage: Arc<dyn Storage>,
    /// The delegation sources the domains registered (see `auth::delegation`).
    pub delegations: Delegations,
    /// The policy guards the domains registered (see [`policy::Guards`]).
    pub guards: Guards,
    /// The Prometheus series (served by [`metrics::router`] when configured).
    pub metrics: Arc<metrics::Metrics>,
}

impl FromRef<AppState> for AuthState {
    fn from_ref(s: &AppState) -> AuthState {
        AuthState {
            db: s.db.clone(),
            sessions: s.config.session_policy(),
            delegations: s.delegations.clone(),
        }
    }
}

impl FromRef<AppState> for () {
    fn from_ref(_: &AppState) {}
}

pub use crate::tools::http::FLASH_COOKIE;
pub const SESSION_COOKIE: &str = "fenfa_session";
/// The session cookie's name with secure cookies on: the `__Host-` prefix makes browsers
/// insist on `Secure`, `Path=/` and no `Domain`, so no other host can plant or overwrite
/// it. Over plain http browsers refuse such a cookie, so the plain name stays there.
pub const SECURE_SESSION_COOKIE: &str = "__Host-fenfa_session";

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The router of `routes` (every domain's, joined by the composition root) inside the
/// shared layers.
pub fn router(state: AppState, routes: Routes) -> Router {
    let store = DieselStore::new(state.db.clone(), state.config.session_policy());
    let sessions = SessionManagerLayer::new(store)
        .with_name(session_cookie_name(state.config.secure_cookies))
        .with_secure(state.config.secure_cookies)
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnSessionEnd);
    let max_body = state.config.max_upload_bytes() + 64 * 1024;
    let csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
               object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    // Secure cookies mean the portal is served over https: browsers are then told to
    // use nothing else.
    let hsts = state
        .config
        .secure_cookies
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));

    let routes = routes
        .into_router(&state)
        .fallback(not_found)
        .with_state(state.clone());
    // The shared layers wrap the router once, as one service, instead of through
    // `Router::layer`, which wraps every route's handler in each of them: a request then
    // cloned some eighty boxed services (and allocated as many boxes) before it ran.
    // Outermost first. The portal proper: error pages, timeouts, input checks, CSRF,
    // sessions.
    let portal = tower::ServiceBuilder::new()
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            errors::render_errors,
        ))
        // Slow clients and stuck requests: the whole request has a deadline (answered
        // 503, rendered as a page), and so has the body however it trickles (a byte every
        // two seconds is cut off at the deadline, 408). The header read timeout is
        // hyper's, in `crate::serve`.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.config.request_timeout(),
        ))
        .layer(RequestBodyDeadlineLayer::new(state.config.body_timeout()))
        .map_request(|req: Request<DeadlineBody<Body>>| req.map(Body::new))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            input::check_input,
        ))
        .layer(CsrfLayer::new())
        .layer(sessions)
        .layer(middleware::from_fn(refused::keep_refused_forms))
        .service(routes);
    // The probes sit beside the portal, outside its sessions, CSRF and error pages (a
    // probe's plain-text 503 stays plain); the layers below wrap both.
    let split = health::router(state.clone()).fallback_service(portal);
    let app = tower::ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::count,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // Path only: query strings may carry tokens and must not reach the log; the
            // distribution link path is itself a bearer token, so it is masked too.
            let path = req.uri().path();
            let path = if path.starts_with("/d/") {
                "/d/<token>"
            } else {
                path
            };
            tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response| hsts.clone(),
        ))
        // Pages show a signed-in person's data: no browser or proxy may keep them. Only
        // the static files say otherwise.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .service(split);
    Router::new().fallback_service(app)
}

/// The routes `web` serves itself: the static files.
pub fn routes() -> Routes {
    Routes::new().get("/static/{file}", Policy::Public, static_file)
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

/// What the base layout needs, built from the request context.
#[derive(Clone)]
pub struct Layout {
    pub lang: Lang,
    pub path: String,
    pub user_name: Option<String>,
    pub is_operator: bool,
    pub orgs: Vec<(i64, String)>,
    pub org: Option<MembershipView>,
    pub flash: Option<String>,
    /// The maintenance grant being acted under, for the banner on every page.
    pub grant: Option<Delegation>,
    pub unread: i64,
    /// The moment the page is drawn: every "3 分钟前" on it counts from the same one.
    pub now: i64,
}

impl Layout {
    pub fn new(ctx: &Ctx) -> Layout {
        let user = ctx.user.as_ref();
        Layout {
            lang: ctx.lang,
            path: ctx.path.clone(),
            user_name: user.map(|u| u.name.clone()),
            is_operator: user.is_some_and(|u| u.is_operator),
            orgs: user
                .map(|u| {
                    u.memberships
                        .iter()
                        // The virtual membership of a maintenance grant is not switchable.
                        .filter(|m| m.grant.is_none())
                        .map(|m| (m.org_id, m.org_name.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            org: user.and_then(|u| u.current().cloned()),
            flash: ctx.flash.clone(),
            unread: user.map_or(0, |u| u.unread),
            grant: user.and_then(|u| u.current()).and_then(|m| m.grant.clone()),
            now: crate::db::now(),
        }
    }

    pub fn anonymous(lang: Lang, path: String) -> Layout {
        Layout {
            lang,
            path,
            user_name: None,
            is_operator: false,
            orgs: vec![],
            org: None,
            flash: None,
            grant: None,
            unread: 0,
            now: crate::db::now(),
        }
    }

    /// "You are acting as app admin in ORG for APP under grant #G — time left".
    pub fn grant_banner(&self) -> String {
        match &self.grant {
            Some(g) => g.banner(self.lang, crate::db::now()),
            None => String::new(),
        }
    }

    pub fn t(&self, key: &str) -> std::borrow::Cow<'static, str> {
        self.lang.t(key)
    }

    /// The translation of `yes` when `cond` holds, else of `no`: a title that names what
    /// the page does (edit or new) in one expression, as the page head takes it.
    pub fn t_if(&self, cond: bool, yes: &str, no: &str) -> std::borrow::Cow<'static, str> {
        self.lang.t(if cond { yes } else { no })
    }

    pub fn tf(&self, key: &str, name: &str, value: &dyn std::fmt::Display) -> String {
        self.lang.tf(key, &[(name, &value.to_string())])
    }

    /// The unread badge: the count, or "99+" beyond [`crate::auth::store::UNREAD_CAP`].
    pub fn unread_badge(&self) -> String {
        if self.unread > crate::auth::store::UNREAD_CAP {
            format!("{}+", crate::auth::store::UNREAD_CAP)
        } else {
            self.unread.to_string()
        }
    }

    pub fn unread_label(&self) -> String {
        self.tf("nav.unread", "count", &self.unread_badge())
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }

    /// Whether the page has the left navigation: someone signed in with an organisation
    /// to act in or the operator console to use.
    pub fn has_nav(&self) -> bool {
        self.signed_in() && (self.org.is_some() || self.is_operator)
    }

    pub fn is_current_org(&self, id: &i64) -> bool {
        self.org.as_ref().is_some_and(|o| o.org_id == *id)
    }

    pub fn is_admin(&self) -> bool {
        self.org.as_ref().is_some_and(|o| {
            matches!(
                o.role,
                crate::auth::Role::MainAdmin | crate::auth::Role::PlatformAdmin
            )
        })
    }

    pub fn can_manage_members(&self) -> bool {
        self.is_admin()
            || self.org.as_ref().is_some_and(|o| {
                o.role == crate::auth::Role::SubAdmin
                    && o.perms.contains(&crate::auth::Perm::Members)
            })
    }

    pub fn can_build_apps(&self) -> bool {
        self.is_admin()
            || self.org.as_ref().is_some_and(|o| {
                o.can_build_apps
                    || (o.role == crate::auth::Role::SubAdmin
                        && o.perms.contains(&crate::auth::Perm::Apps))
            })
    }

    /// A Unix time shown in China Standard Time, the platform's home zone.
    /// A moment in the page's language: how long ago when recent, else date and time.
    pub fn time(&self, ts: &i64) -> String {
        time_format::format_when(self.lang, *ts, self.now)
    }

    /// The page's path without its query.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// Whether the page is `prefix` or below it (a filtered list is still its page).
    pub fn nav_active(&self, prefix: &str) -> bool {
        self.path_only()
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }

    /// Whether the page is exactly `path`, whatever its query.
    pub fn nav_is(&self, path: &str) -> bool {
        self.path_only() == path
    }

    /// The left navigation, drawn once per language, role and place (see `nav`).
    pub fn sidebar(&self) -> Arc<str> {
        nav::sidebar(self)
    }
}

/// Redirect after a successful POST, with a flash message for the next page.
pub fn flash_redirect(to: &str, key: &'static str) -> Response {
    let mut resp = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={key}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// Only local paths are followed after login or a language switch (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                // Browsers drop tabs and newlines and read `\` as `/` in a URL, so
                // "/\t/evil" or "/\\evil" would leave the site.
                && !n.bytes().any(|b| b.is_ascii_control() || b == b'\\' || b == b' ') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The static files, compiled into the binary so an instance needs nothing beside it.
/// An uploaded image (already checked to be one when stored), for the people the handler
/// let see it: cached privately, typed by its content.
pub fn image_response(bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                crate::storage::FileKind::sniff(&bytes).mime(),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        Body::from(bytes),
    )
        .into_response()
}

async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, ctype): (&'static [u8], &str) = match file.as_str() {
        "pico.min.css" => (
            include_bytes!("../static/vendor/pico.min.css"),
            "text/css; charset=utf-8",
        ),
        "app.css" => (
            include_bytes!("../static/app.css"),
            "text/css; charset=utf-8",
        ),
        "app.js" => (
            include_bytes!("../static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        // The navigation's icons, one sprite assembled by `build.rs` from
        // `static/vendor/icons/`.
        "icons.svg" => (
            include_bytes!(concat!(env!("OUT_DIR"), "/icons.svg")),
            "image/svg+xml",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        Body::from(body),
    )
        .into_response()
}

/// Validation messages of one form: field name → i18n key. Not an error: the form is shown
/// again (422) with what was typed and these beside the fields.
#[derive(Clone, Debug, Default)]
pub struct Errors(std::collections::BTreeMap<String, &'static str>);

impl Errors {
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.get(field).copied()
    }
    pub fn add(&mut self, field: &str, key: &'static str) {
        self.0.entry(field.to_string()).or_insert(key);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn keys(&self) -> Vec<&'static str> {
        self.0.values().copied().collect()
    }
    /// (field, i18n key) of every error.
    pub fn pairs(&self) -> Vec<(String, &'static str)> {
        self.0.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}
