//! Handlers of the space admin's pages: invitations (link, QR code, batch, API key), the
//! member organisations with their review, visibility and removal, and the space's own
//! groups of member organisations. Each opens the space through `space_for` and refuses
//! anyone but a manager of the creating organisation.

use axum::extract::{Multipart, Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::directory::{self, parse_group_name};
use super::pages::{GroupsPage, InvitePage, OrgActionPage, OrgsPage, VisibilityPage};
use super::{InviteOutcome, membership, parse_corp_ids, parse_reason, store};
use crate::auth::InOrg;
use crate::distribution::links::qr_svg;
use crate::error::{AppError, AppResult};
use crate::interconnect::OrgStatus;
use crate::interconnect::people::{SpaceAccess, space_for};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout, encode_query, flash_redirect};

pub fn router() -> Routes {
    Routes::new()
        .get("/interconnect/spaces/{id}/invite", Policy::InOrg, invite)
        .post(
            "/interconnect/spaces/{id}/invite/regenerate",
            Policy::InOrg,
            regenerate,
        )
        .post(
            "/interconnect/spaces/{id}/invite/batch",
            Policy::InOrg,
            batch,
        )
        .post(
            "/interconnect/spaces/{id}/invite/api-key",
            Policy::InOrg,
            api_key,
        )
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
async fn managed(state: &AppState, g: &InOrg, id: i64) -> AppResult<SpaceAccess> {
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

struct Batch {
    text: String,
    results: Vec<(String, InviteOutcome)>,
    error: Option<&'static str>,
    new_key: Option<String>,
}

async fn invite_page(
    state: &AppState,
    g: &InOrg,
    a: SpaceAccess,
    b: Batch,
) -> AppResult<InvitePage> {
    let sid = a.space_id;
    let (token, has_key) = state
        .db
        .run(move |conn| store::invite_facts(conn, sid))
        .await?;
    let url = format!("{}/interconnect/join/{token}", state.config.public_base());
    Ok(InvitePage {
        l: Layout::new(&g.ctx),
        qr_svg: qr_svg(&url),
        url,
        has_key,
        new_key: b.new_key,
        api_path: format!("/api/interconnect/spaces/{sid}/invitations"),
        batch_text: b.text,
        results: b.results,
        error: b.error,
        a,
    })
}

fn empty_batch() -> Batch {
    Batch {
        text: String::new(),
        results: vec![],
        error: None,
        new_key: None,
    }
}

async fn invite(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
) -> AppResult<InvitePage> {
    let a = managed(&state, &g, id).await?;
    invite_page(&state, &g, a, empty_batch()).await
}

async fn regenerate(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let a = managed(&state, &g, id).await?;
    state
        .db
        .run(move |conn| store::regenerate_token(conn, &a))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{id}/invite"),
        "interconnect.spaces.flash.link_regenerated",
    ))
}

async fn api_key(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
) -> AppResult<InvitePage> {
    let a = managed(&state, &g, id).await?;
    let a2 = a.clone();
    let key = state
        .db
        .run(move |conn| store::regenerate_api_key(conn, &a2))
        .await?;
    let b = Batch {
        new_key: Some(key),
        ..empty_batch()
    };
    invite_page(&state, &g, a, b).await
}

/// The pasted list and the uploaded file (text, one CorpID a line) of a batch.
async fn read_batch(mut mp: Multipart) -> AppResult<String> {
    let mut text = String::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.bad_request"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|_| AppError::BadRequest("error.bad_request"))?;
        if name == "corp_ids" || name == "file" {
            let s = String::from_utf8_lossy(&bytes);
            if !text.is_empty() && !s.trim().is_empty() {
                text.push('\n');
            }
            text.push_str(s.trim_start_matches('\u{feff}'));
        }
    }
    Ok(text)
}

async fn batch(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let a = managed(&state, &g, id).await?;
    let text = read_batch(mp).await?;
    let ids = match parse_corp_ids(&text) {
        Ok(ids) => ids,
        Err(key) => {
            let b = Batch {
                text,
                error: Some(key),
                ..empty_batch()
            };
            let page = invite_page(&state, &g, a, b).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let sid = a.space_id;
    let results = state
        .db
        .run(move |conn| store::invite_batch(conn, sid, &ids))
        .await?;
    let b = Batch {
        results,
        ..empty_batch()
    };
    Ok(invite_page(&state, &g, a, b).await?.into_response())
}

#[derive(Deserialize, Default)]
pub struct OrgsQuery {
    status: Option<String>,
    after: Option<i64>,
}

async fn orgs(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    Query(q): Query<OrgsQuery>,
) -> AppResult<OrgsPage> {
    let a = managed(&state, &g, id).await?;
    let status = q.status.as_deref().and_then(OrgStatus::parse);
    let page = state
        .db
        .run(move |conn| directory::orgs_page(conn, id, status, q.after))
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
    let (row, exports) = state
        .db
        .run(move |conn| {
            Ok((
                directory::org_row(conn, id, so)?,
                store::export_pages(conn, id)?,
            ))
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
pub struct ReasonForm {
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
    state
        .db
        .run(move |conn| membership::remove(conn, &a, so))
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

#[derive(Deserialize, Default)]
pub struct AfterQuery {
    after: Option<i64>,
}

async fn groups_page(
    state: &AppState,
    g: &InOrg,
    id: i64,
    after: Option<i64>,
    name: String,
    error: Option<&'static str>,
) -> AppResult<GroupsPage> {
    let a = managed(state, g, id).await?;
    let (groups, page) = state
        .db
        .run(move |conn| {
            Ok((
                directory::groups(conn, id)?,
                directory::orgs_page(conn, id, Some(OrgStatus::Joined), after)?,
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
    Query(q): Query<AfterQuery>,
) -> AppResult<GroupsPage> {
    groups_page(&state, &g, id, q.after, String::new(), None).await
}

#[derive(Deserialize, Default)]
pub struct NameForm {
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
        let page = groups_page(&state, &g, id, None, raw.clone(), Some(key)).await?;
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
pub struct AssignForm {
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
