//! 创建团队: the first signed-in step of a deploy link. The visitor creates a one-person
//! or a multi-person team as the application configured, or picks an organisation they
//! administer; the team is where every later step happens.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::deploy::{MAX_ROWS, MIN_TEAM, RowInput, Stage, TeamKind, check_rows, offered};
use super::deploy_routes::{linked, linked_with, require_live};
use super::deploy_store::{self as store, TeamChoice};
use super::flow_routes::Head;
use super::funnel_steps::{self, Step, record};
use crate::auth::{Role, SESSION_ORG, Signed};
use crate::error::{AppError, AppResult};
use crate::org::OrgName;
use crate::web::{AppState, Errors, Layout};

/// The rows shown for a multi-person team when the page opens (the creator is the sixth).
const DEFAULT_ROWS: usize = 6;

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

pub(super) async fn team_page(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<RowsQuery>,
) -> AppResult<Response> {
    let visitor = funnel_steps::visitor(&headers, signed.user.id);
    let org = signed.user.current().map(|m| m.org_id);
    let (app, product, dep) = linked_with(&state, token.clone(), move |conn, app| {
        record(conn, app.id, Step::SignedIn, &visitor)?;
        match org {
            Some(o) => store::deployment_of(conn, app.id, o),
            None => Ok(None),
        }
    })
    .await?;
    require_live(&app)?;
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
        min_team: MIN_TEAM,
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

pub(super) async fn create_team(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
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
                min_team: MIN_TEAM,
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
    let visitor = funnel_steps::visitor(&headers, uid);
    state
        .db
        .run(move |conn| record(conn, app_id, Step::TeamCreated, &visitor))
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
