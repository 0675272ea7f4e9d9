//! The deploy link's public pages (mobile first, no JavaScript needed): the guide page
//! with the provider, the app and the steps ahead; the app's icon; registration right
//! there (the only self-registration in Fenfa, capped per address); and the welcome link
//! a person entered on the spot sets a password with.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::deploy::{Stage, stage_of};
use super::deploy_store::{self as store, Entered};
use super::funnel_steps::{self, Step, VISITOR_COOKIE, record};
use super::model::{Application, LinkState, by_token};
use super::signup::{self, Refused, RegisterForm};
use crate::appcentre::ProductRef;
use crate::auth::Ctx;
use crate::error::{AppError, AppResult};
use crate::org::NewPassword;
use crate::web::client::Peer;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/qd/{token}", Policy::Public, guide)
        .get("/qd/{token}/icon", Policy::Public, icon)
        .get("/qd/{token}/register", Policy::Public, register_page)
        .post("/qd/{token}/register", Policy::Public, register)
        .get("/qd/welcome/{token}", Policy::Public, welcome_page)
        .post("/qd/welcome/{token}", Policy::Public, welcome)
}

/// The application behind a link that exists (approved); paused and suspended ones too.
pub(super) async fn linked(
    state: &AppState,
    token: String,
) -> AppResult<(Application, ProductRef)> {
    let (app, product, ()) = linked_with(state, token, |_, _| Ok(())).await?;
    Ok((app, product))
}

/// [`linked`], and what `more` reads for that application in the same trip to the
/// database (a step's deployment).
pub(super) async fn linked_with<T, F>(
    state: &AppState,
    token: String,
    more: F,
) -> AppResult<(Application, ProductRef, T)>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::db::Conn, &Application) -> AppResult<T> + Send + 'static,
{
    if !crate::tools::token_shape_ok(&token) {
        return Err(AppError::NotFound);
    }
    let found = state
        .db
        .run(move |conn| {
            let app = by_token(conn, &token)?;
            if app.link_state() == LinkState::None {
                return Err(AppError::NotFound);
            }
            let product = crate::appcentre::product_ref(conn, app.target_product())?;
            let extra = more(conn, &app)?;
            Ok((app, product, extra))
        })
        .await?;
    Ok(found)
}

/// Every step refuses on a paused or suspended link.
pub(super) fn require_live(app: &Application) -> AppResult<()> {
    match app.link_state() {
        LinkState::Live => Ok(()),
        LinkState::Paused => Err(AppError::Conflict("quickdeploy.deploy.refused_paused")),
        LinkState::Suspended => Err(AppError::Conflict("quickdeploy.deploy.refused_suspended")),
        LinkState::None => Err(AppError::NotFound),
    }
}

/// One step as the guide lists it.
pub(crate) struct StepRow {
    pub label: &'static str,
    pub done: bool,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/deploy_guide.html")]
pub(crate) struct GuidePage {
    l: Layout,
    token: String,
    app: Application,
    product: ProductRef,
    state: LinkState,
    steps: Vec<StepRow>,
    next: Option<String>,
    next_label: &'static str,
    entered: Vec<Entered>,
    base: String,
}

impl GuidePage {
    fn live(&self) -> bool {
        self.state == LinkState::Live
    }
    fn state_key(&self) -> &'static str {
        match self.state {
            LinkState::Paused => "quickdeploy.deploy.paused_notice",
            _ => "quickdeploy.deploy.suspended_notice",
        }
    }
}

async fn guide(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (app, product) = linked(&state, token.clone()).await?;
    let user = ctx.user.clone();
    let org = user.as_ref().and_then(|u| u.current()).map(|m| m.org_id);
    let admin = user.as_ref().and_then(|u| u.current()).is_some_and(|m| {
        matches!(
            m.role,
            crate::auth::Role::MainAdmin | crate::auth::Role::PlatformAdmin
        )
    });
    // Every browser gets a funnel id here, signed in or not, and keeps it through the
    // steps: one person is one visitor from opening the link to starting.
    let cookie = funnel_steps::cookie_visitor(&headers);
    let fresh = cookie.is_none().then(crate::tools::new_token);
    let visitor = cookie.or_else(|| fresh.clone()).unwrap_or_default();
    let app_id = app.id;
    let (dep, entered) = state
        .db
        .run(move |conn| {
            record(conn, app_id, Step::Opened, &visitor)?;
            let dep = match org {
                Some(o) => store::deployment_of(conn, app_id, o)?,
                None => None,
            };
            let entered = match &dep {
                Some(d) if admin => store::entered_of(conn, d.org_id)?
                    .into_iter()
                    .filter(|e| !e.used)
                    .collect(),
                _ => vec![],
            };
            Ok((dep, entered))
        })
        .await?;
    let at = stage_of(
        user.is_some(),
        dep.as_ref().map(|d| d.progress()),
        app.verify_serials,
    );
    let steps = Stage::SHOWN
        .into_iter()
        .filter(|s| *s != Stage::Serial || app.verify_serials)
        .map(|s| StepRow {
            label: s.label_key(),
            done: s < at,
            current: s == at,
        })
        .collect();
    let live = app.link_state() == LinkState::Live;
    let next = live.then(|| at.path(&token));
    let page = GuidePage {
        l: Layout::new(&ctx),
        base: state.config.public_base(),
        state: app.link_state(),
        token,
        app,
        product,
        steps,
        next,
        next_label: if at == Stage::Done {
            "quickdeploy.deploy.open_workbench"
        } else {
            at.label_key()
        },
        entered,
    };
    let mut resp = page.into_response();
    if let Some(f) = fresh {
        let secure = if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        let v = format!(
            "{VISITOR_COOKIE}={f}; Path=/qd; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}"
        );
        resp.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(&v).map_err(AppError::internal)?,
        );
    }
    Ok(resp)
}

async fn icon(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let (app, _) = linked(&state, token).await?;
    if app.icon_key.is_empty() {
        return Err(AppError::NotFound);
    }
    let storage = state.storage.clone();
    let key = app.icon_key.clone();
    let bytes = tokio::task::spawn_blocking(move || storage.get(&key))
        .await
        .map_err(AppError::internal)??;
    Ok(crate::web::image_response(bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/deploy_register.html")]
pub(crate) struct RegisterPage {
    l: Layout,
    token: String,
    product: ProductRef,
    provider: String,
    form: RegisterForm,
    errors: Errors,
    refusal: Option<&'static str>,
}

async fn register_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (app, product) = linked(&state, token.clone()).await?;
    require_live(&app)?;
    if ctx.user.is_some() {
        return Ok(Redirect::to(&Stage::Team.path(&token)).into_response());
    }
    Ok(RegisterPage {
        l: Layout::new(&ctx),
        token,
        product,
        provider: app.provider_name,
        form: RegisterForm::default(),
        errors: Errors::default(),
        refusal: None,
    }
    .into_response())
}

async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    peer: Peer,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<RegisterForm>,
) -> AppResult<Response> {
    let (app, product) = linked(&state, token.clone()).await?;
    require_live(&app)?;
    if ctx.user.is_some() {
        return Ok(Redirect::to(&Stage::Team.path(&token)).into_response());
    }
    let (status, errors, refusal) =
        match signup::register(&state, &ctx, peer, &headers, &form).await? {
            Ok(uid) => {
                let (app_id, visitor) = (app.id, funnel_steps::visitor(&headers, uid));
                state
                    .db
                    .run(move |conn| record(conn, app_id, Step::SignedIn, &visitor))
                    .await?;
                return Ok(Redirect::to(&Stage::Team.path(&token)).into_response());
            }
            Err(Refused::Throttled(why)) => {
                (StatusCode::TOO_MANY_REQUESTS, Errors::default(), Some(why))
            }
            Err(Refused::Fields(e)) => (StatusCode::UNPROCESSABLE_ENTITY, e, None),
        };
    let page = RegisterPage {
        l: Layout::new(&ctx),
        token,
        product,
        provider: app.provider_name,
        form: form.kept(),
        errors,
        refusal,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct WelcomeForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/deploy_welcome.html")]
pub(crate) struct WelcomePage {
    l: Layout,
    token: String,
    name: String,
    login: String,
    team: String,
    errors: Errors,
}

async fn welcome_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<WelcomePage> {
    let t = token.clone();
    let (name, login, team) = state
        .db
        .run(move |conn| store::welcome(conn, &t))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(WelcomePage {
        l: Layout::new(&ctx),
        token,
        name,
        login,
        team,
        errors: Errors::default(),
    })
}

async fn welcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<WelcomeForm>,
) -> AppResult<Response> {
    let t = token.clone();
    let (name, login, team) = state
        .db
        .run(move |conn| store::welcome(conn, &t))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Errors::default();
    let password = NewPassword::parse(&form.password)
        .map_err(|k| errors.add("password", k))
        .ok();
    if form.password != form.password_confirm {
        errors.add(
            "password_confirm",
            "quickdeploy.deploy.error.password_mismatch",
        );
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        let page = WelcomePage {
            l: Layout::new(&ctx),
            token,
            name,
            login,
            team,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hash = state.hasher.hash(password.into_inner()).await?;
    let used = state
        .db
        .run(move |conn| store::use_welcome(conn, &token, &hash))
        .await?;
    let (uid, org) = used.ok_or(AppError::NotFound)?;
    signup::sign_in(&ctx, uid, Some(org)).await?;
    Ok(crate::web::flash_redirect(
        "/workbench",
        "quickdeploy.deploy.flash.welcome",
    ))
}
