//! The signed-in steps of a deploy link: create the team (or pick an organisation one
//! administers), the serial number, 立即授权, 使用范围设置 and 开始使用. Each step acts
//! on the deployment of the organisation the visitor is in now, so another
//! organisation's deployment is never reachable; only the team's admins take the steps
//! after the team, and each in order.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::deploy::{MAX_ROWS, RowInput, Stage, TeamKind, check_rows, clean_serial, may_take};
use super::deploy::{offered, stage_of};
use super::deploy_routes::{linked, require_live};
use super::deploy_store::{self as store, Deployment, TeamChoice};
use super::funnel_steps::{Step, record};
use super::model::{Application, SerialSource};
use super::redeem::{self, Check, Redeemed};
use crate::appcentre::ProductRef;
use crate::auth::{Ctx, OrgScope, Role, SESSION_ORG, Signed};
use crate::db::schema::orgs;
use crate::error::{AppError, AppResult};
use crate::org::{OrgName, Picker, ScopeForm, ScopeKind};
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

/// The rows shown for a multi-person team when the page opens (the creator is the sixth).
const DEFAULT_ROWS: usize = 6;

/// What a step's handler works on: the link, its product, the deployment of the current
/// organisation and the admin's scope in it.
struct At {
    app: Application,
    product: ProductRef,
    dep: Deployment,
    scope: OrgScope,
}

/// The step `wanted` for the signed-in admin of the current organisation's deployment;
/// a visitor not there yet is sent to the page they should be on.
async fn step(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    wanted: Stage,
) -> AppResult<Result<At, Response>> {
    let (app, product) = linked(state, token.to_string()).await?;
    require_live(&app)?;
    let team = || Ok(Err(Redirect::to(&Stage::Team.path(token)).into_response()));
    let Ok(scope) = ctx.scope() else {
        return team();
    };
    let (app_id, org) = (app.id, scope.org_id());
    let Some(dep) = state
        .db
        .run(move |conn| store::deployment_of(conn, app_id, org))
        .await?
    else {
        return team();
    };
    if !scope.is_admin() {
        return Err(AppError::Forbidden("quickdeploy.deploy.error.admin_only"));
    }
    let at = stage_of(true, Some(dep.progress()), app.verify_serials);
    if let Err(go) = may_take(at, wanted) {
        return Ok(Err(Redirect::to(&go.path(token)).into_response()));
    }
    Ok(Ok(At {
        app,
        product,
        dep,
        scope,
    }))
}

/// The header every step shows: the app, its provider and where the visitor is.
pub(crate) struct Head {
    pub token: String,
    pub product: ProductRef,
    pub provider: String,
    pub step: &'static str,
}

impl Head {
    fn of(token: &str, app: &Application, product: &ProductRef, step: Stage) -> Head {
        Head {
            token: token.to_string(),
            product: product.clone(),
            provider: app.provider_name.clone(),
            step: step.label_key(),
        }
    }
}

// ---- 创建团队 ----

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/deploy_team.html")]
pub(crate) struct TeamPage {
    l: Layout,
    head: Head,
    kind: TeamKind,
    team_name: String,
    rows: Vec<RowInput>,
    more_rows: usize,
    admin_of: Vec<(i64, String)>,
    errors: Errors,
    min_team: usize,
}

impl TeamPage {
    fn many(&self) -> bool {
        self.kind == TeamKind::Many
    }
    fn name_err(&self, prefix: &str, i: &usize) -> Option<&'static str> {
        self.errors.get(&format!("{prefix}_{i}"))
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct RowsQuery {
    rows: Option<usize>,
}

/// The organisations the user administers (the team may be one of them).
fn admin_of(signed: &Signed) -> Vec<(i64, String)> {
    signed
        .user
        .memberships
        .iter()
        .filter(|m| m.grant.is_none() && matches!(m.role, Role::MainAdmin | Role::PlatformAdmin))
        .map(|m| (m.org_id, m.org_name.clone()))
        .collect()
}

async fn team_page(
    State(state): State<AppState>,
    signed: Signed,
    Path(token): Path<String>,
    Query(q): Query<RowsQuery>,
) -> AppResult<Response> {
    let (app, product) = linked(&state, token.clone()).await?;
    require_live(&app)?;
    let (app_id, uid) = (app.id, signed.user.id);
    let org = signed.user.current().map(|m| m.org_id);
    let dep = state
        .db
        .run(move |conn| {
            record(conn, app_id, Step::SignedIn, &format!("u{uid}"))?;
            match org {
                Some(o) => store::deployment_of(conn, app_id, o),
                None => Ok(None),
            }
        })
        .await?;
    // Coming back continues the deployment of the organisation one is in.
    if dep.is_some() {
        return Ok(Redirect::to(&format!("/qd/{token}")).into_response());
    }
    let n = q.rows.unwrap_or(DEFAULT_ROWS).clamp(DEFAULT_ROWS, MAX_ROWS);
    Ok(TeamPage {
        l: Layout::new(&signed.ctx),
        head: Head::of(&token, &app, &product, Stage::Team),
        kind: offered(app.directory()),
        team_name: String::new(),
        rows: vec![RowInput::default(); n],
        more_rows: (n + 6).min(MAX_ROWS),
        admin_of: admin_of(&signed),
        errors: Errors::default(),
        min_team: super::deploy::MIN_TEAM,
    }
    .into_response())
}

/// The team form: `kind`, `name`, `org_id`, and rows `row_name_{i}` / `row_login_{i}`.
fn parse_team_form(body: &[u8]) -> (String, String, Option<i64>, Vec<RowInput>) {
    let (mut kind, mut name, mut org) = (String::new(), String::new(), None);
    let mut rows: Vec<RowInput> = Vec::new();
    let slot = |rows: &mut Vec<RowInput>, i: usize| {
        if rows.len() <= i {
            rows.resize(i + 1, RowInput::default());
        }
    };
    for (k, v) in url::form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "kind" => kind = v,
            "name" => name = v,
            "org_id" => org = v.parse().ok(),
            k => {
                let (field, i) = match k.rsplit_once('_') {
                    Some((f, i)) => (f, i.parse::<usize>().ok()),
                    None => (k, None),
                };
                let Some(i) = i.filter(|i| *i < MAX_ROWS) else {
                    continue;
                };
                match field {
                    "row_name" => {
                        slot(&mut rows, i);
                        rows[i].name = v;
                    }
                    "row_login" => {
                        slot(&mut rows, i);
                        rows[i].login = v;
                    }
                    _ => {}
                }
            }
        }
    }
    (kind, name, org, rows)
}

async fn create_team(
    State(state): State<AppState>,
    signed: Signed,
    Path(token): Path<String>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let (app, product) = linked(&state, token.clone()).await?;
    require_live(&app)?;
    let (kind, name, org_id, mut rows) = parse_team_form(&body);
    let kind = TeamKind::parse(&kind).ok_or(AppError::BadRequest("error.bad_request"))?;
    let offer = offered(app.directory());
    if kind != TeamKind::Existing && kind != offer {
        return Err(AppError::BadRequest(
            "quickdeploy.deploy.error.team_not_offered",
        ));
    }
    let mut errors = Errors::default();
    let choice = match kind {
        TeamKind::Existing => {
            let org = org_id.ok_or(AppError::BadRequest("error.bad_request"))?;
            Some(TeamChoice::Existing(org))
        }
        TeamKind::One | TeamKind::Many => {
            let name = OrgName::parse(&name)
                .map_err(|k| errors.add("name", k))
                .ok();
            if kind == TeamKind::Many
                && let Err(e) = check_rows(&rows, &signed.user.login)
            {
                for (f, k) in e.pairs() {
                    errors.add(&f, k);
                }
            }
            match (name, kind) {
                (Some(n), TeamKind::One) => Some(TeamChoice::One(n)),
                (Some(n), _) => Some(TeamChoice::Many(n, rows.clone())),
                (None, _) => None,
            }
        }
    };
    let (app_id, uid) = (app.id, signed.user.id);
    let made = match choice.filter(|_| errors.is_empty()) {
        None => Err(errors),
        Some(choice) => {
            let a = app.clone();
            state
                .db
                .run(move |conn| store::create_team(conn, &a, uid, &choice))
                .await?
        }
    };
    let (org, _dep) = match made {
        Ok(x) => x,
        Err(errors) => {
            let n = rows.len().clamp(DEFAULT_ROWS, MAX_ROWS);
            rows.resize(n, RowInput::default());
            let page = TeamPage {
                l: Layout::new(&signed.ctx),
                head: Head::of(&token, &app, &product, Stage::Team),
                kind: offer,
                team_name: name,
                more_rows: (n + 6).min(MAX_ROWS),
                rows,
                admin_of: admin_of(&signed),
                errors,
                min_team: super::deploy::MIN_TEAM,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    // The team is where everything after this happens.
    signed
        .ctx
        .session
        .insert(SESSION_ORG, org)
        .await
        .map_err(AppError::internal)?;
    state
        .db
        .run(move |conn| record(conn, app_id, Step::TeamCreated, &format!("u{uid}")))
        .await?;
    // A multi-person team's welcome links are on the guide page, to share.
    let next = match kind {
        TeamKind::Many => format!("/qd/{token}"),
        _ if app.verify_serials => Stage::Serial.path(&token),
        _ => Stage::Authorise.path(&token),
    };
    Ok(crate::web::flash_redirect(
        &next,
        "quickdeploy.deploy.flash.team_created",
    ))
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

async fn serial_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let at = match step(&state, &ctx, &token, Stage::Serial).await? {
        Ok(at) => at,
        Err(go) => return Ok(go),
    };
    if !at.app.verify_serials || at.dep.serial.is_some() {
        return Ok(Redirect::to(&Stage::Authorise.path(&token)).into_response());
    }
    Ok(SerialPage {
        l: Layout::new(&ctx),
        head: Head::of(&token, &at.app, &at.product, Stage::Serial),
        serial: String::new(),
        errors: Errors::default(),
    }
    .into_response())
}

#[derive(Deserialize)]
pub(crate) struct SerialForm {
    #[serde(default)]
    serial: String,
}

async fn redeem_serial(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<SerialForm>,
) -> AppResult<Response> {
    let at = match step(&state, &ctx, &token, Stage::Serial).await? {
        Ok(at) => at,
        Err(go) => return Ok(go),
    };
    if !at.app.verify_serials || at.dep.serial.is_some() {
        return Ok(Redirect::to(&Stage::Authorise.path(&token)).into_response());
    }
    let refuse = |key: &'static str| {
        let mut errors = Errors::default();
        errors.add("serial", key);
        let page = SerialPage {
            l: Layout::new(&ctx),
            head: Head::of(&token, &at.app, &at.product, Stage::Serial),
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
    state
        .db
        .run(move |conn| record(conn, app_id, Step::SerialAccepted, &format!("u{uid}")))
        .await?;
    Ok(crate::web::flash_redirect(
        &Stage::Authorise.path(&token),
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
}

async fn authorise_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let at = match step(&state, &ctx, &token, Stage::Authorise).await? {
        Ok(at) => at,
        Err(go) => return Ok(go),
    };
    if at.dep.authorised_at.is_some() {
        return Ok(Redirect::to(&Stage::Scope.path(&token)).into_response());
    }
    let org_name = ctx
        .user
        .as_ref()
        .and_then(|u| u.current())
        .map(|m| m.org_name.clone())
        .unwrap_or_default();
    Ok(AuthorisePage {
        l: Layout::new(&ctx),
        head: Head::of(&token, &at.app, &at.product, Stage::Authorise),
        org_name,
    }
    .into_response())
}

async fn authorise(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let at = match step(&state, &ctx, &token, Stage::Authorise).await? {
        Ok(at) => at,
        Err(go) => return Ok(go),
    };
    let (app, dep, uid) = (at.app.clone(), at.dep.id, at.scope.user_id());
    state
        .db
        .run(move |conn| {
            store::authorise(conn, &app, dep, uid)?;
            record(conn, app.id, Step::Authorised, &format!("u{uid}"))
        })
        .await?;
    Ok(crate::web::flash_redirect(
        &Stage::Scope.path(&token),
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
    ctx: &Ctx,
    token: &str,
    at: &At,
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
        l: Layout::new(ctx),
        head: Head::of(token, &at.app, &at.product, Stage::Scope),
        form,
        picker,
        scope_kinds: ScopeKind::ALL,
        error,
    })
}

async fn scope_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let at = match step(&state, &ctx, &token, Stage::Scope).await? {
        Ok(at) => at,
        Err(go) => return Ok(go),
    };
    Ok(scope_view(&state, &ctx, &token, &at, None, None)
        .await?
        .into_response())
}

async fn save_scope(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let at = match step(&state, &ctx, &token, Stage::Scope).await? {
        Ok(at) => at,
        Err(go) => return Ok(go),
    };
    let form = ScopeForm::from_body(&body)?;
    let (kind, refs) = match form.parse() {
        Ok(c) => c,
        Err(key) => {
            let page = scope_view(&state, &ctx, &token, &at, Some(form), Some(key)).await?;
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
        let page = scope_view(&state, &ctx, &token, &at, Some(form), Some(key)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok(crate::web::flash_redirect(
        &Stage::Start.path(&token),
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

async fn start_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let at = match step(&state, &ctx, &token, Stage::Start).await? {
        Ok(at) => at,
        Err(go) => return Ok(go),
    };
    Ok(StartPage {
        l: Layout::new(&ctx),
        head: Head::of(&token, &at.app, &at.product, Stage::Start),
    }
    .into_response())
}

async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let at = match step(&state, &ctx, &token, Stage::Start).await? {
        Ok(at) => at,
        Err(go) => return Ok(go),
    };
    let (app_id, dep, uid) = (at.app.id, at.dep.id, at.scope.user_id());
    state
        .db
        .run(move |conn| {
            store::mark_started(conn, dep)?;
            record(conn, app_id, Step::Started, &format!("u{uid}"))
        })
        .await?;
    Ok(crate::web::flash_redirect(
        "/workbench",
        "quickdeploy.deploy.flash.started",
    ))
}
