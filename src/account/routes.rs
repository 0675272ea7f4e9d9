//! Sign in and out, language and organisation switching.

use crate::web::client::{Peer, client_ip};
use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::throttle::{self, Gate};
use crate::auth::{Ctx, SESSION_ORG, SESSION_USER, Signed, device, store};
use crate::error::{AppError, AppResult};
use crate::i18n::{LANG_COOKIE, Lang};
use crate::web::{AppState, Layout, flash_redirect, safe_next};

pub fn router() -> Routes {
    Routes::new()
        .get("/", Policy::Public, home)
        .get("/login", Policy::Public, login_page)
        .post("/login", Policy::Public, login)
        .post("/logout", Policy::Public, logout)
        .post("/lang", Policy::Public, set_lang)
        .post("/switch-org", Policy::Signed, switch_org)
}

/// The start page: the workbench for members, the operator console for the operator.
async fn home(ctx: Ctx) -> Redirect {
    match &ctx.user {
        None => Redirect::to("/login"),
        Some(u) if u.current().is_none() && u.is_operator => Redirect::to("/operator/orgs"),
        Some(_) => Redirect::to("/workbench"),
    }
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    l: Layout,
    login: String,
    next: String,
    error: Option<String>,
}

async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> LoginPage {
    LoginPage {
        l: Layout::new(&ctx),
        login: String::new(),
        next: safe_next(q.next.as_deref()),
        error: None,
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let ip = client_ip(&state, &headers, peer);
    let login = form.login.trim().to_string();
    let next = safe_next(form.next.as_deref());
    let refuse = |error: String| {
        let page = LoginPage {
            l: Layout::new(&ctx),
            login: login.clone(),
            next: next.clone(),
            error: Some(error),
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };

    // A device cookie counts only when it verifies for the login typed (OWASP's device
    // cookies: see `throttle`); a forged, tampered or foreign one leaves the browser unknown.
    let secure = state.config.secure_cookies;
    let device = crate::tools::cookie(&headers, device::cookie_name(secure))
        .and_then(|v| state.device_key.verify(&v, &login, crate::db::now()));
    let (l, i) = (login.clone(), ip.clone());
    let gate = state
        .db
        .run(move |conn| throttle::begin(conn, &l, device, &i))
        .await?;
    let attempt = match gate {
        // The same words for every login, known or not.
        Gate::Refused { wait } => {
            let minutes = (wait + 59) / 60;
            return refuse(
                ctx.lang
                    .tf("auth.throttled", &[("minutes", &minutes.to_string())]),
            );
        }
        Gate::Open(attempt) => attempt,
    };
    let ok = state.hasher.verify(form.password, attempt.hash).await?;
    let uid = match (ok, attempt.user_id) {
        (true, Some(uid)) => uid,
        _ => {
            state
                .db
                .run(move |conn| throttle::failed(conn, &ip))
                .await?;
            return refuse(ctx.lang.t("auth.invalid").into_owned());
        }
    };
    let bucket = attempt.bucket;
    let memberships = state
        .db
        .run(move |conn| {
            throttle::succeeded(conn, &bucket)?;
            store::record_success(conn, uid)
        })
        .await?;
    // A new id at login defeats session fixation.
    let session = &ctx.session;
    session.cycle_id().await.map_err(AppError::internal)?;
    session
        .insert(SESSION_USER, uid)
        .await
        .map_err(AppError::internal)?;
    if let Some(m) = memberships.first() {
        session
            .insert(SESSION_ORG, m.org_id)
            .await
            .map_err(AppError::internal)?;
    }
    tracing::info!(user.id = uid, "signed in");
    // This browser is now trusted for this login, with a fresh nonce.
    let mut resp = Redirect::to(&next).into_response();
    let cookie = device::set_cookie(secure, &state.device_key.issue(&login, crate::db::now()));
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(AppError::internal)?,
    );
    Ok(resp)
}

async fn logout(ctx: Ctx) -> AppResult<Response> {
    ctx.session.flush().await.map_err(AppError::internal)?;
    Ok(flash_redirect("/login", "auth.signed_out"))
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

/// Back to the page the switch was pressed on, when that page answers GET; a page shown
/// at a POST-only address (a form that failed validation) sends the user home instead of
/// to a 405.
async fn set_lang(Form(form): Form<LangForm>) -> AppResult<Response> {
    let lang = Lang::parse(&form.lang).ok_or(AppError::BadRequest("error.bad_request"))?;
    let next = safe_next(form.next.as_deref());
    let next = if crate::web::policy::is_get_page(&next) {
        next
    } else {
        "/".into()
    };
    let mut resp = Redirect::to(&next).into_response();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(AppError::internal)?,
    );
    Ok(resp)
}

#[derive(Deserialize)]
pub struct SwitchForm {
    org_id: i64,
}

/// Everything a user does happens in the organisation selected here.
async fn switch_org(signed: Signed, Form(form): Form<SwitchForm>) -> AppResult<Response> {
    if !signed
        .user
        .memberships
        .iter()
        .any(|m| m.org_id == form.org_id)
    {
        return Err(AppError::NotFound);
    }
    signed
        .ctx
        .session
        .insert(SESSION_ORG, form.org_id)
        .await
        .map_err(AppError::internal)?;
    Ok(flash_redirect("/workbench", "auth.org_switched"))
}
