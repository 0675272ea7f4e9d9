//! The batch-invitation API for large customers (seed: 针对大客户有批量邀请的API):
//! `POST /api/interconnect/spaces/{id}/invitations` with `Authorization: Bearer <key>`,
//! the space's own key (shown once to the space admin, stored hashed, regenerable), and a
//! JSON body `{"corp_ids": [...]}` (or a bare list). The answer lists each CorpID with
//! `invited`, `unknown_corp_id` or `already_member`. A wrong or missing key, or a space
//! that does not exist, answers the same 401.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{MAX_BATCH, store};
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::policy::{Policy, Routes};

pub(crate) fn router() -> Routes {
    Routes::new().post(
        "/api/interconnect/spaces/{id}/invitations",
        Policy::ApiKey,
        invitations,
    )
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Body {
    Wrapped { corp_ids: Vec<String> },
    List(Vec<String>),
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let key = v.strip_prefix("Bearer ")?.trim();
    (!key.is_empty() && key.len() <= 128).then(|| key.to_string())
}

fn error(status: StatusCode, code: &str) -> Response {
    (status, Json(json!({ "error": code }))).into_response()
}

async fn invitations(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let Some(key) = bearer(&headers) else {
        return Ok(error(StatusCode::UNAUTHORIZED, "unauthorized"));
    };
    let found = state
        .db
        .run(move |conn| store::space_by_key(conn, id, &key))
        .await?;
    let Some(space_id) = found else {
        return Ok(error(StatusCode::UNAUTHORIZED, "unauthorized"));
    };
    let list = match serde_json::from_slice::<Body>(&body) {
        Ok(Body::Wrapped { corp_ids }) | Ok(Body::List(corp_ids)) => corp_ids,
        Err(_) => return Ok(error(StatusCode::BAD_REQUEST, "bad_json")),
    };
    let ids = match super::parse_corp_ids(&list.join("\n")) {
        Ok(ids) => ids,
        Err(_) if list.len() > MAX_BATCH => {
            return Ok(error(StatusCode::PAYLOAD_TOO_LARGE, "too_many_corp_ids"));
        }
        Err(_) => return Ok(error(StatusCode::BAD_REQUEST, "no_corp_ids")),
    };
    let results = state
        .db
        .run(move |conn| store::invite_batch(conn, space_id, &ids))
        .await?;
    let results: Vec<_> = results
        .into_iter()
        .map(|(corp_id, outcome)| json!({ "corp_id": corp_id, "result": outcome.as_str() }))
        .collect();
    Ok((StatusCode::OK, Json(json!({ "results": results }))).into_response())
}
