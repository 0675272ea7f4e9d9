//! The signed-in steps after the team: the serial number, 立即授权, 使用范围设置 and
//! 开始使用 (the team step is `flow_team`). Each acts on the deployment of the
//! organisation the visitor is in now, so another organisation's deployment is never
//! reachable; [`At`] lets only the team's admins take them, and each in order.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::deploy::{Stage, clean_serial};
use super::deploy_store as store;
use super::flow_step::{At, AuthoriseStep, ScopeStep, SerialStep, StartStep};
use super::flow_team::{create_team, team_page};
use super::funnel_steps::{Step, record};
use super::model::{Application, SerialSource};
use super::redeem::{self, Check, Redeemed};
use crate::appcentre::ProductRef;
use crate::db::schema::orgs;
use crate::error::{AppError, AppResult};
use crate::org::{Picker, ScopeForm, ScopeKind};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/qd/{token}/team", Policy::Signed, team_page)
        .post("/qd/{token}/team", Policy::Signed, create_team)
        .get("/qd/{token}/serial", Policy::Signed, serial_page)
        .post("/qd/{token}/serial", Policy::Signed, redeem_serial)
        .get("/qd/{token}/authorise", Policy::Signed, authorise_page)
        .post("/qd/{token}/authorise", Policy::Signed, authorise)
        .get("/qd/{token}/scope", Policy::Signed, scope_page)
        .post("/qd/{token}/scope", Policy::Signed, save_scope)
        .get("/qd/{token}/start", Policy::Signed, start_page)
        .post("/qd/{token}/start", Policy::Signed, start)
}

/// The header every step shows: the app, its provider and where the visitor is.
pub(crate) struct Head {
    pub token: String,
    pub product: ProductRef,
    pub provider: String,
    pub step: &'static str,
}

impl Head {
    pub(super) fn of(token: &str, app: &Application, product: &ProductRef, step: Stage) -> Head {
        Head {
            token: token.to_string(),
            product: product.clone(),
            provider: app.provider_name.clone(),
            step: step.label_key(),
        }
    }
}

impl<W> At<W> {
    fn head(&self, step: Stage) -> Head {
        Head::of(&self.token, &self.app, &self.product, step)
    }
}

// ---- 序列号 ----

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/deploy_serial.html")]
pub(crate) struct SerialPage {
    l: Layout,
    head: Head,
    serial: String,
    errors: Errors,
}

async fn serial_page(at: At<SerialStep>) -> SerialPage {
    SerialPage {
        l: Layout::new(&at.ctx),
        head: at.head(Stage::Serial),
        serial: String::new(),
        errors: Errors::default(),
    }
}

#[derive(Deserialize)]
pub(crate) struct SerialForm {
    #[serde(default)]
    serial: String,
}

async fn redeem_serial(
    State(state): State<AppState>,
    at: At<SerialStep>,
    axum::Form(form): axum::Form<SerialForm>,
) -> AppResult<Response> {
    let refuse = |key: &'static str| {
        let mut errors = Errors::default();
        errors.add("serial", key);
        let page = SerialPage {
            l: Layout::new(&at.ctx),
            head: at.head(Stage::Serial),
            serial: form.serial.trim().to_string(),
            errors,
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let serial = match clean_serial(&form.serial) {
        Ok(s) => s,
        Err(key) => return refuse(key),
    };
    let (app_id, org, uid) = (at.app.id, at.scope.org_id(), at.scope.user_id());
    let outcome = match at.app.serial_source() {
        SerialSource::List => {
            let s = serial.clone();
            state
                .db
                .run(move |conn| redeem::redeem_listed(conn, app_id, &s, org, uid))
                .await?
        }
        SerialSource::Endpoint => {
            let s = serial.clone();
            let (known, corp_id, org_name) = state
                .db
                .run(move |conn| {
                    use diesel::prelude::*;
                    let known = redeem::known_endpoint_outcome(conn, app_id, &s, org, uid)?;
                    let (corp, name): (String, String) = orgs::table
                        .find(org)
                        .select((orgs::corp_id, orgs::name))
                        .first(conn)?;
                    Ok((known, corp, name))
                })
                .await?;
            match known {
                Some(o) => o,
                None => {
                    let check = Check {
                        serial: serial.clone(),
                        corp_id,
                        org_name,
                        application_id: app_id,
                    };
                    let answer = redeem::ask_endpoint(
                        &at.app.verify_url,
                        &at.app.verify_secret,
                        &check,
                        &state.config.outbound(),
                    )
                    .await;
                    let s = serial.clone();
                    state
                        .db
                        .run(move |conn| {
                            redeem::record_endpoint_answer(conn, app_id, &s, org, uid, answer)
                        })
                        .await?
                }
            }
        }
    };
    if let Some(key) = outcome.error_key() {
        return refuse(key);
    }
    debug_assert_eq!(outcome, Redeemed::Accepted);
    let visitor = at.visitor.clone();
    state
        .db
        .run(move |conn| record(conn, app_id, Step::SerialAccepted, &visitor))
        .await?;
    Ok(crate::web::flash_redirect(
        &Stage::Authorise.path(&at.token),
        "quickdeploy.deploy.flash.serial_accepted",
    ))
}

// ---- 立即授权 ----

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/deploy_authorise.html")]
pub(crate) struct AuthorisePage {
    l: Layout,
    head: Head,
    org_name: String,
    /// The features the app uses that the team's edition lacks (label keys): said before
    /// authorising, so that the admin knows what waits for an upgrade.
    lacking: Vec<&'static str>,
    edition: &'static str,
}

impl AuthorisePage {
    fn lacking_intro(&self) -> String {
        let edition = self.l.t(self.edition);
        self.l
            .tf("quickdeploy.deploy.authorise.lacking", "edition", &edition)
    }
}

async fn authorise_page(
    State(state): State<AppState>,
    at: At<AuthoriseStep>,
) -> AppResult<AuthorisePage> {
    let (org, source) = (at.dep.org_id, at.product.app_id);
    let (lacking, edition) = state
        .db
        .run(move |conn| store::lacking(conn, org, source))
        .await?;
    Ok(AuthorisePage {
        l: Layout::new(&at.ctx),
        head: at.head(Stage::Authorise),
        org_name: at
            .ctx
            .user
            .as_ref()
            .and_then(|u| u.current())
            .map(|m| m.org_name.clone())
            .unwrap_or_default(),
        lacking,
        edition,
    })
}

async fn authorise(State(state): State<AppState>, at: At<AuthoriseStep>) -> AppResult<Response> {
    let (app, dep, uid) = (at.app.clone(), at.dep.id, at.scope.user_id());
    let visitor = at.visitor.clone();
    state
        .db
        .run(move |conn| {
            store::authorise(conn, &app, dep, uid)?;
            record(conn, app.id, Step::Authorised, &visitor)
        })
        .await?;
    Ok(crate::web::flash_redirect(
        &Stage::Scope.path(&at.token),
        "quickdeploy.deploy.flash.authorised",
    ))
}

// ---- 使用范围设置 ----

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/deploy_scope.html")]
pub(crate) struct ScopePage {
    l: Layout,
    head: Head,
    form: ScopeForm,
    picker: Picker,
    scope_kinds: [ScopeKind; 3],
    error: Option<&'static str>,
}

impl ScopePage {
    fn scope(&self) -> &ScopeForm {
        &self.form
    }
}

async fn scope_view(
    state: &AppState,
    at: &At<ScopeStep>,
    typed: Option<ScopeForm>,
    error: Option<&'static str>,
) -> AppResult<ScopePage> {
    let scope = at.scope.clone();
    let copy = at.dep.app_id.ok_or(AppError::NotFound)?;
    let (stored, picker) = state
        .db
        .run(move |conn| {
            let stored = crate::apps::usage_scope(conn, &scope, copy)?;
            Ok((stored, crate::org::picker(conn, scope.org_id())?))
        })
        .await?;
    let form = typed.unwrap_or_else(|| {
        // Nothing chosen yet (the copy starts with its admins only): offer everyone.
        if at.dep.scoped_at.is_none() {
            return ScopeForm::whole();
        }
        let (kind, refs) = stored;
        ScopeForm {
            scope_kind: kind.as_str().into(),
            departments: if kind == ScopeKind::Departments {
                refs.clone()
            } else {
                vec![]
            },
            people: if kind == ScopeKind::People {
                refs
            } else {
                vec![]
            },
        }
    });
    Ok(ScopePage {
        l: Layout::new(&at.ctx),
        head: at.head(Stage::Scope),
        form,
        picker,
        scope_kinds: ScopeKind::ALL,
        error,
    })
}

async fn scope_page(State(state): State<AppState>, at: At<ScopeStep>) -> AppResult<ScopePage> {
    scope_view(&state, &at, None, None).await
}

async fn save_scope(
    State(state): State<AppState>,
    at: At<ScopeStep>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let form = ScopeForm::from_body(&body)?;
    let (kind, refs) = match form.parse() {
        Ok(c) => c,
        Err(key) => {
            let page = scope_view(&state, &at, Some(form), Some(key)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let copy = at.dep.app_id.ok_or(AppError::NotFound)?;
    let (scope, dep) = (at.scope.clone(), at.dep.id);
    let done = state
        .db
        .write(move |conn| {
            let done = crate::apps::set_usage_scope(conn, &scope, copy, kind, &refs)?;
            if done.is_ok() {
                store::mark_scoped(conn, dep)?;
            }
            Ok(done)
        })
        .await?;
    if let Err(key) = done {
        let page = scope_view(&state, &at, Some(form), Some(key)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok(crate::web::flash_redirect(
        &Stage::Start.path(&at.token),
        "quickdeploy.deploy.flash.scoped",
    ))
}

// ---- 开始使用 ----

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/deploy_start.html")]
pub(crate) struct StartPage {
    l: Layout,
    head: Head,
}

async fn start_page(at: At<StartStep>) -> StartPage {
    StartPage {
        l: Layout::new(&at.ctx),
        head: at.head(Stage::Start),
    }
}

async fn start(State(state): State<AppState>, at: At<StartStep>) -> AppResult<Response> {
    let (app_id, dep, visitor) = (at.app.id, at.dep.id, at.visitor.clone());
    state
        .db
        .run(move |conn| {
            store::mark_started(conn, dep)?;
            record(conn, app_id, Step::Started, &visitor)
        })
        .await?;
    Ok(crate::web::flash_redirect(
        "/workbench",
        "quickdeploy.deploy.flash.started",
    ))
}
