//! The space admin's invitations: the link and its QR code (regenerable), a batch of
//! CorpIDs pasted or uploaded, and the key of the batch-invitation API.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::admin_routes::managed;
use super::pages::InvitePage;
use super::{InviteOutcome, parse_corp_ids, store};
use crate::auth::InOrg;
use crate::error::AppResult;
use crate::interconnect::people::SpaceAccess;
use crate::tools::qr_svg;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
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
async fn read_batch(mp: Multipart) -> AppResult<String> {
    let mut text = String::new();
    for s in crate::web::input::multipart_texts(mp, &["corp_ids", "file"]).await? {
        if !text.is_empty() && !s.trim().is_empty() {
            text.push('\n');
        }
        text.push_str(s.trim_start_matches('\u{feff}'));
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
