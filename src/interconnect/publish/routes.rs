//! `/interconnect/spaces/{id}/apps`: the apps published in a space. The space owner's
//! managers publish, re-target and withdraw; the space's people see what reaches them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::parse_targets;
use super::store::{self, Publication, Targets};
use crate::auth::InOrg;
use crate::error::{AppError, AppResult};
use crate::interconnect::people::{SpaceAccess, space_for};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/interconnect/spaces/{id}/apps", Policy::InOrg, apps_page)
        .post("/interconnect/spaces/{id}/apps", Policy::InOrg, publish)
        .post(
            "/interconnect/spaces/{id}/apps/{sa}/targets",
            Policy::InOrg,
            retarget,
        )
        .post(
            "/interconnect/spaces/{id}/apps/{sa}/unpublish",
            Policy::InOrg,
            unpublish,
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/publish/apps.html")]
pub(crate) struct AppsPage {
    l: Layout,
    space: SpaceAccess,
    /// The owner's enabled apps (managers only).
    apps: Vec<(i64, String)>,
    /// The joined member organisations (managers only).
    members: Vec<(i64, String)>,
    pubs: Vec<Publication>,
    org_id: i64,
    errors: Errors,
    /// What was chosen, kept when the form comes back with an error.
    typed_app: Option<i64>,
}

impl AppsPage {
    pub(crate) fn org_name(&self, id: &i64) -> String {
        self.members
            .iter()
            .find(|m| m.0 == *id)
            .map(|m| m.1.clone())
            .unwrap_or_else(|| format!("#{id}"))
    }
    pub(crate) fn targets_me(&self, p: &Publication) -> bool {
        p.all_orgs || p.targets.contains(&self.org_id)
    }
    pub(crate) fn is_target(&self, p: &Publication, org: &i64) -> bool {
        !p.all_orgs && p.targets.contains(org)
    }
    pub(crate) fn typed(&self, app: &i64) -> bool {
        self.typed_app == Some(*app)
    }
}

struct Loaded {
    space: SpaceAccess,
    apps: Vec<(i64, String)>,
    members: Vec<(i64, String)>,
    pubs: Vec<Publication>,
}

fn load(conn: &mut crate::db::Conn, scope: &crate::auth::OrgScope, id: i64) -> AppResult<Loaded> {
    let space = space_for(conn, scope, id)?;
    let (apps, members) = if space.manages {
        (
            store::publishable_apps(conn, space.owner_org_id)?,
            store::member_orgs(conn, id)?,
        )
    } else {
        (vec![], store::member_orgs(conn, id)?)
    };
    let pubs = store::publications(conn, id)?;
    Ok(Loaded {
        space,
        apps,
        members,
        pubs,
    })
}

/// 应用发布: the publish form and list for managers; the published apps for people.
async fn apps_page(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<AppsPage> {
    let org_id = scope.org_id();
    let d = state.db.run(move |conn| load(conn, &scope, id)).await?;
    Ok(AppsPage {
        l: Layout::new(&ctx),
        space: d.space,
        apps: d.apps,
        members: d.members,
        pubs: d.pubs,
        org_id,
        errors: Errors::default(),
        typed_app: None,
    })
}

/// Only the space owner's managers (main admin, interconnect sub-admin) publish.
fn require_manager(space: &SpaceAccess) -> AppResult<()> {
    if space.manages {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "interconnect.publish.error.managers_only",
        ))
    }
}

async fn publish(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let app_id = pairs
        .iter()
        .find(|(k, _)| k == "app_id")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let targets = parse_targets(&pairs)?;
    let org_id = scope.org_id();
    let outcome = state
        .db
        .run(move |conn| {
            let space = space_for(conn, &scope, id)?;
            require_manager(&space)?;
            let mut errors = Errors::default();
            if app_id.is_none() {
                errors.add("app_id", "interconnect.publish.error.no_app");
            }
            if targets == Targets::Chosen(vec![]) {
                errors.add("org", "interconnect.publish.error.no_targets");
            }
            match app_id {
                Some(app) if errors.is_empty() => {
                    store::publish(conn, &scope, id, space.owner_org_id, app, targets)?;
                    Ok(Ok(()))
                }
                _ => Ok(Err((load(conn, &scope, id)?, errors))),
            }
        })
        .await?;
    match outcome {
        Ok(()) => Ok(flash_redirect(
            &format!("/interconnect/spaces/{id}/apps"),
            "interconnect.publish.flash.published",
        )),
        Err((d, errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            AppsPage {
                l: Layout::new(&ctx),
                space: d.space,
                apps: d.apps,
                members: d.members,
                pubs: d.pubs,
                org_id,
                errors,
                typed_app: app_id,
            },
        )
            .into_response()),
    }
}

/// Changes where a publication goes (all member organisations or the chosen ones).
async fn retarget(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, sa)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let targets = parse_targets(&pairs)?;
    if targets == Targets::Chosen(vec![]) {
        return Err(AppError::BadRequest(
            "interconnect.publish.error.no_targets",
        ));
    }
    state
        .db
        .run(move |conn| {
            let space = space_for(conn, &scope, id)?;
            require_manager(&space)?;
            let app = store::publication_app(conn, id, sa)?;
            store::publish(conn, &scope, id, space.owner_org_id, app, targets)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{id}/apps"),
        "interconnect.publish.flash.retargeted",
    ))
}

async fn unpublish(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, sa)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .run(move |conn| {
            let space = space_for(conn, &scope, id)?;
            require_manager(&space)?;
            store::unpublish(conn, id, sa)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{id}/apps"),
        "interconnect.publish.flash.unpublished",
    ))
}
