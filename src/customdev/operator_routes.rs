//! The operator's side: the go-live review queue (oldest first, with the waiting time)
//! and the lists templates choose from (categories, industries, banned words).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{CataloguePage, QueuePage};
use super::rules::BANNED_WORDS;
use super::{review, store};
use crate::auth::Operator;
use crate::error::{AppError, AppResult};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Cursor, CursorQuery, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/operator/custom-dev", Policy::Operator, queue)
        .post(
            "/operator/custom-dev/tickets/{id}",
            Policy::Operator,
            decide,
        )
        .get(
            "/operator/custom-dev/catalogue",
            Policy::Operator,
            catalogue,
        )
        .post(
            "/operator/custom-dev/catalogue",
            Policy::Operator,
            catalogue_add,
        )
        .post(
            "/operator/custom-dev/catalogue/{id}/remove",
            Policy::Operator,
            catalogue_remove,
        )
}

async fn queue_page(
    state: &AppState,
    op: &Operator,
    cursor: Cursor,
    error: Option<(i64, &'static str)>,
) -> AppResult<QueuePage> {
    let page = state
        .db
        .run(move |conn| review::queue(conn, cursor))
        .await?;
    Ok(QueuePage {
        l: Layout::new(&op.ctx),
        page,
        now: crate::db::now(),
        error,
    })
}

async fn queue(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<CursorQuery>,
) -> AppResult<QueuePage> {
    queue_page(&state, &op, q.cursor(), None).await
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> AppResult<Response> {
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    if !approve && f.reason.trim().is_empty() {
        let page = queue_page(
            &state,
            &op,
            Cursor::First,
            Some((id, "customdev.error.reason_required")),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let by = op.user_id;
    let reason = f.reason.clone();
    state
        .db
        .run(move |conn| review::decide(conn, by, id, approve, &reason))
        .await?;
    tracing::info!(review.id = id, approve, "go-live review decided");
    Ok(flash_redirect(
        "/operator/custom-dev",
        if approve {
            "customdev.flash.approved"
        } else {
            "customdev.flash.rejected"
        },
    ))
}

async fn catalogue_page(
    state: &AppState,
    op: &Operator,
    kind: String,
    name: String,
    errors: Errors,
) -> AppResult<CataloguePage> {
    let rows = state.db.run(store::catalogue_rows).await?;
    Ok(CataloguePage {
        l: Layout::new(&op.ctx),
        rows,
        seed_words: BANNED_WORDS,
        kind,
        typed_name: name,
        errors,
    })
}

async fn catalogue(State(state): State<AppState>, op: Operator) -> AppResult<CataloguePage> {
    catalogue_page(&state, &op, String::new(), String::new(), Errors::default()).await
}

#[derive(Deserialize)]
pub(crate) struct EntryForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

async fn catalogue_add(
    State(state): State<AppState>,
    op: Operator,
    Form(f): Form<EntryForm>,
) -> AppResult<Response> {
    let name = f.name.trim().to_string();
    let mut errors = Errors::default();
    if ![store::CATEGORY, store::INDUSTRY, store::BANNED].contains(&f.kind.as_str()) {
        errors.add("kind", "customdev.error.catalogue_kind");
    }
    let n = name.chars().count();
    if n == 0 || n > 20 {
        errors.add("name", "customdev.error.catalogue_name");
    }
    if errors.is_empty() {
        let (by, kind, n2) = (op.user_id, f.kind.clone(), name.clone());
        let added = state
            .db
            .run(move |conn| store::add_catalogue(conn, by, &kind, &n2))
            .await?;
        if added {
            tracing::info!(operator.id = op.user_id, kind = %f.kind, name = %name, "catalogue entry added");
            return Ok(flash_redirect(
                "/operator/custom-dev/catalogue",
                "customdev.flash.catalogue",
            ));
        }
        errors.add("name", "customdev.error.catalogue_exists");
    }
    let page = catalogue_page(&state, &op, f.kind, f.name, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn catalogue_remove(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = state
        .db
        .run(move |conn| store::remove_catalogue(conn, id))
        .await?;
    tracing::info!(operator.id = op.user_id, kind = %row.kind, name = %row.name, "catalogue entry removed");
    Ok(flash_redirect(
        "/operator/custom-dev/catalogue",
        "customdev.flash.catalogue",
    ))
}
