//! Handlers of the space admin's pages (invitations are in `invite_routes`, which uses
//! [`managed`] from here): the member
//! organisations with their review, visibility and removal, and the space's own
//! groups of member organisations. Each opens the space through `space_for` and refuses
//! anyone but a manager of the creating organisation.

use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::directory::{self, parse_group_name};
use super::pages::{GroupsPage, OrgActionPage, OrgsPage, VisibilityPage};
use super::{membership, parse_reason, review, store};
use crate::auth::InOrg;
use crate::error::{AppError, AppResult};
use crate::interconnect::OrgStatus;
use crate::interconnect::people::{SpaceAccess, space_for};
use crate::tools::CursorQuery;
use crate::tools::encode_query;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Cursor, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/interconnect/spaces/{id}/orgs", Policy::InOrg, orgs)
        .post(
            "/interconnect/spaces/{id}/orgs/{so}/approve",
            Policy::InOrg,
            approve,
        )
        .get(
            "/interconnect/spaces/{id}/orgs/{so}/reject",
            Policy::InOrg,
            reject_page,
        )
        .post(
            "/interconnect/spaces/{id}/orgs/{so}/reject",
            Policy::InOrg,
            reject,
        )
        .get(
            "/interconnect/spaces/{id}/orgs/{so}/visibility",
            Policy::InOrg,
            visibility_page,
        )
        .post(
            "/interconnect/spaces/{id}/orgs/{so}/visibility",
            Policy::InOrg,
            set_visibility,
        )
        .get(
            "/interconnect/spaces/{id}/orgs/{so}/remove",
            Policy::InOrg,
            remove_page,
        )
        .post(
            "/interconnect/spaces/{id}/orgs/{so}/remove",
            Policy::InOrg,
            remove,
        )
        .get(
            "/interconnect/spaces/{id}/org-groups",
            Policy::InOrg,
            groups,
        )
        .post(
            "/interconnect/spaces/{id}/org-groups",
            Policy::InOrg,
            create_group,
        )
        .post(
            "/interconnect/spaces/{id}/org-groups/{gid}/rename",
            Policy::InOrg,
            rename_group,
        )
        .post(
            "/interconnect/spaces/{id}/org-groups/{gid}/delete",
            Policy::InOrg,
            delete_group,
        )
        .post(
            "/interconnect/spaces/{id}/org-groups/assign",
            Policy::InOrg,
            assign_group,
        )
}

/// The space, for a manager of its creating organisation only.
pub(super) async fn managed(state: &AppState, g: &InOrg, id: i64) -> AppResult<SpaceAccess> {
    let scope = g.scope.clone();
    let a = state
        .db
        .run(move |conn| space_for(conn, &scope, id))
        .await?;
    if a.manages {
        Ok(a)
    } else {
        Err(AppError::Forbidden("interconnect.spaces.error.not_manager"))
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct OrgsQuery {
    status: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
}

async fn orgs(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    Query(q): Query<OrgsQuery>,
) -> AppResult<OrgsPage> {
    let a = managed(&state, &g, id).await?;
    let status = q.status.as_deref().and_then(OrgStatus::parse);
    let (page, scopes, exits) = state
        .db
        .run(move |conn| {
            let page =
                directory::orgs_page(conn, id, status, Cursor::from_query(q.after, q.before))?;
            let scopes = review::summaries(conn, &page.items)?;
            let exits = review::exits(conn, &page.items)?;
            Ok((page, scopes, exits))
        })
        .await?;
    let status_str = status.map(|s| s.as_str().to_string()).unwrap_or_default();
    let base = if status_str.is_empty() {
        format!("/interconnect/spaces/{id}/orgs")
    } else {
        format!(
            "/interconnect/spaces/{id}/orgs?status={}",
            encode_query(&status_str)
        )
    };
    Ok(OrgsPage {
        l: Layout::new(&g.ctx),
        a,
        page,
        status: status_str,
        statuses: OrgStatus::ALL,
        base,
        scopes,
        exits,
    })
}

async fn approve(
    State(state): State<AppState>,
    g: InOrg,
    Path((id, so)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let a = managed(&state, &g, id).await?;
    let reviewer = g.scope.user_id();
    state
        .db
        .run(move |conn| membership::review(conn, &a, reviewer, so, None))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{id}/orgs"),
        "interconnect.spaces.flash.approved",
    ))
}

async fn action_page(
    state: &AppState,
    g: &InOrg,
    id: i64,
    so: i64,
    action: &'static str,
    reason: String,
    error: Option<&'static str>,
) -> AppResult<OrgActionPage> {
    let a = managed(state, g, id).await?;
    let (row, exports, summary) = state
        .db
        .run(move |conn| {
            let row = directory::org_row(conn, id, so)?;
            let summary = review::summaries(conn, std::slice::from_ref(&row))?.remove(&so);
            Ok((row, store::export_pages(conn, id)?, summary))
        })
        .await?;
    if !row.is_member() {
        return Err(AppError::NotFound);
    }
    Ok(OrgActionPage {
        l: Layout::new(&g.ctx),
        a,
        row,
        exports,
        action,
        reason,
        error,
        summary,
    })
}

async fn reject_page(
    State(state): State<AppState>,
    g: InOrg,
    Path((id, so)): Path<(i64, i64)>,
) -> AppResult<OrgActionPage> {
    action_page(&state, &g, id, so, "reject", String::new(), None).await
}

#[derive(Deserialize, Default)]
pub(crate) struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn reject(
    State(state): State<AppState>,
    g: InOrg,
    Path((id, so)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<ReasonForm>,
) -> AppResult<Response> {
    let reason = match parse_reason(&f.reason) {
        Ok(r) => r,
        Err(key) => {
            let page = action_page(&state, &g, id, so, "reject", f.reason, Some(key)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let a = managed(&state, &g, id).await?;
    let reviewer = g.scope.user_id();
    state
        .db
        .run(move |conn| membership::review(conn, &a, reviewer, so, Some(&reason)))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{id}/orgs"),
        "interconnect.spaces.flash.rejected",
    ))
}

async fn remove_page(
    State(state): State<AppState>,
    g: InOrg,
    Path((id, so)): Path<(i64, i64)>,
) -> AppResult<OrgActionPage> {
    action_page(&state, &g, id, so, "remove", String::new(), None).await
}

async fn remove(
    State(state): State<AppState>,
    g: InOrg,
    Path((id, so)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let a = managed(&state, &g, id).await?;
    let by = g.scope.user_id();
    state
        .db
        .run(move |conn| membership::remove(conn, &a, by, so))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{id}/orgs"),
        "interconnect.spaces.flash.removed",
    ))
}

async fn visibility_page(
    State(state): State<AppState>,
    g: InOrg,
    Path((id, so)): Path<(i64, i64)>,
) -> AppResult<VisibilityPage> {
    let a = managed(&state, &g, id).await?;
    let a2 = a.clone();
    let (row, candidates, allowed) = state
        .db
        .run(move |conn| {
            let row = directory::org_row(conn, id, so)?;
            if !row.is_member() || !row.is_joined() {
                return Err(AppError::NotFound);
            }
            let (c, al) = directory::visibility(conn, &a2, row.org_id)?;
            Ok((row, c, al))
        })
        .await?;
    Ok(VisibilityPage {
        l: Layout::new(&g.ctx),
        a,
        row,
        candidates,
        allowed,
    })
}

async fn set_visibility(
    State(state): State<AppState>,
    g: InOrg,
    Path((id, so)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let chosen = super::forms::parse_ids(&body, "org")?;
    let a = managed(&state, &g, id).await?;
    state
        .db
        .run(move |conn| {
            let row = directory::org_row(conn, id, so)?;
            if !row.is_member() || !row.is_joined() {
                return Err(AppError::NotFound);
            }
            directory::set_visibility(conn, &a, row.org_id, &chosen)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{id}/orgs/{so}/visibility"),
        "interconnect.spaces.flash.visibility_saved",
    ))
}

async fn groups_page(
    state: &AppState,
    g: &InOrg,
    id: i64,
    cursor: Cursor,
    name: String,
    error: Option<&'static str>,
) -> AppResult<GroupsPage> {
    let a = managed(state, g, id).await?;
    let (groups, page) = state
        .db
        .run(move |conn| {
            Ok((
                directory::groups(conn, id)?,
                directory::orgs_page(conn, id, Some(OrgStatus::Joined), cursor)?,
            ))
        })
        .await?;
    Ok(GroupsPage {
        l: Layout::new(&g.ctx),
        base: format!("/interconnect/spaces/{id}/org-groups"),
        a,
        groups,
        page,
        name,
        error,
    })
}

async fn groups(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    Query(q): Query<CursorQuery>,
) -> AppResult<GroupsPage> {
    groups_page(&state, &g, id, q.cursor(), String::new(), None).await
}

#[derive(Deserialize, Default)]
pub(crate) struct NameForm {
    #[serde(default)]
    name: String,
}

async fn save_group(
    state: AppState,
    g: InOrg,
    id: i64,
    gid: Option<i64>,
    raw: String,
) -> AppResult<Response> {
    let refuse = async |key| -> AppResult<Response> {
        let page = groups_page(&state, &g, id, Cursor::First, raw.clone(), Some(key)).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let name = match parse_group_name(&raw) {
        Ok(n) => n,
        Err(key) => return refuse(key).await,
    };
    let a = managed(&state, &g, id).await?;
    let saved = state
        .db
        .run(move |conn| directory::save_group(conn, &a, gid, &name))
        .await?;
    match saved {
        Ok(()) => Ok(flash_redirect(
            &format!("/interconnect/spaces/{id}/org-groups"),
            "interconnect.spaces.flash.group_saved",
        )),
        Err(key) => refuse(key).await,
    }
}

async fn create_group(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<NameForm>,
) -> AppResult<Response> {
    save_group(state, g, id, None, f.name).await
}

async fn rename_group(
    State(state): State<AppState>,
    g: InOrg,
    Path((id, gid)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<NameForm>,
) -> AppResult<Response> {
    save_group(state, g, id, Some(gid), f.name).await
}

async fn delete_group(
    State(state): State<AppState>,
    g: InOrg,
    Path((id, gid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let a = managed(&state, &g, id).await?;
    state
        .db
        .run(move |conn| directory::delete_group(conn, &a, gid))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{id}/org-groups"),
        "interconnect.spaces.flash.group_deleted",
    ))
}

#[derive(Deserialize, Default)]
pub(crate) struct AssignForm {
    space_org_id: i64,
    #[serde(default)]
    group_id: String,
}

async fn assign_group(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<AssignForm>,
) -> AppResult<Response> {
    let gid = if f.group_id.is_empty() {
        None
    } else {
        Some(
            f.group_id
                .parse::<i64>()
                .map_err(|_| AppError::BadRequest("error.bad_request"))?,
        )
    };
    let a = managed(&state, &g, id).await?;
    state
        .db
        .run(move |conn| directory::assign_group(conn, &a, f.space_org_id, gid))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{id}/org-groups"),
        "interconnect.spaces.flash.group_saved",
    ))
}
