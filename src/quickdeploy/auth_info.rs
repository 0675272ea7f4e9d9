//! `GET /api/v1/quick-deploy/auth-info` (the seed's `/service/get_auth_info`): the
//! organisations that deployed any of the calling provider's quick-deploy apps, each with
//! its serial number, authorisation, the usage scope of its copy of the app and its team
//! invitation link. `Authorization: Bearer <key>` with the key the provider issued in its
//! console; refusals are `{"error": {"code": …, "message": …}}` like the rest of `/api/v1`.
//! Another provider's organisations are never returned: its CorpID answers exactly like
//! an unknown one.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use super::api_keys;
use super::deployment_list::{self, Deployment};
use crate::db::Conn;
use crate::db::now;
use crate::db::schema::qd_team_links as tl;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::policy::{Policy, Routes};

pub(crate) fn router() -> Routes {
    Routes::new().get("/api/v1/quick-deploy/auth-info", Policy::ApiKey, auth_info)
}

/// The page size when none is asked for, and the most one page holds.
pub(crate) const LIMIT_DEFAULT: i64 = 50;
pub(crate) const LIMIT_MAX: i64 = 200;

/// A refusal of the API, in the shape of `/api/v1`'s.
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: &'static str) -> ApiError {
        ApiError {
            status,
            code,
            message,
        }
    }
    fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such resource.")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": { "code": self.code, "message": self.message } })),
        )
            .into_response()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        match e {
            AppError::NotFound => ApiError::not_found(),
            other => {
                tracing::warn!(error = %other, "quick-deploy api call failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong; try again.",
                )
            }
        }
    }
}

/// The query as sent (parsed here, so that a bad value is a JSON refusal).
#[derive(Deserialize, Default)]
pub(crate) struct AuthInfoQuery {
    after: Option<String>,
    limit: Option<String>,
    corp_id: Option<String>,
}

/// The query understood: (after, limit, corp_id), or what is wrong with it.
pub(crate) fn parse_query(
    q: &AuthInfoQuery,
) -> Result<(Option<i64>, i64, Option<String>), &'static str> {
    let after = match q.after.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<i64>()
                .map_err(|_| "`after` must be a deployment id from `next`.")?,
        ),
    };
    let limit = match q.limit.as_deref().map(str::trim) {
        None | Some("") => LIMIT_DEFAULT,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=LIMIT_MAX).contains(&n) => n,
            _ => return Err("`limit` must be a number from 1 to 200."),
        },
    };
    let corp_id = q
        .corp_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok((after, limit, corp_id))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    Some(v.strip_prefix("Bearer ")?.trim().to_string())
}

/// The organisation's newest team invitation link that still works, as a full URL.
fn team_link(conn: &mut Conn, public_base: &str, org: i64) -> AppResult<Option<String>> {
    let token: Option<String> = tl::table
        .filter(tl::org_id.eq(org))
        .filter(tl::revoked_at.is_null())
        .filter(tl::expires_at.gt(now()))
        .order(tl::id.desc())
        .select(tl::token)
        .first(conn)
        .optional()?;
    Ok(token.map(|t| format!("{}/qd/team/{t}", public_base.trim_end_matches('/'))))
}

/// One deployment as the API answers it.
fn item(conn: &mut Conn, public_base: &str, d: &Deployment) -> AppResult<Value> {
    let scope = match d.app_id {
        Some(app) => crate::apps::usage_scope_in(conn, d.org_id, app)?
            .map(|(kind, ids)| json!({ "kind": kind.as_str(), "ids": ids })),
        None => None,
    };
    Ok(json!({
        "deployment_id": d.id,
        "application_id": d.application_id,
        "product_code": d.product_code,
        "organisation": { "id": d.org_id, "name": d.org_name, "corp_id": d.corp_id },
        "deployed_at": d.created_at,
        "serial": d.serial,
        "authorised": d.authorised_at.is_some(),
        "authorised_at": d.authorised_at,
        "started_at": d.started_at,
        "usage_scope": scope,
        "team_invitation_link": team_link(conn, public_base, d.org_id)?,
    }))
}

async fn auth_info(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AuthInfoQuery>,
) -> Result<Response, ApiError> {
    let Some(key) = bearer(&headers) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_key",
            "Send the quick-deploy API key as `Authorization: Bearer <key>`.",
        ));
    };
    let (after, limit, corp_id) =
        parse_query(&q).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m))?;
    let base = state.config.public_base();
    let found = state
        .db
        .run(move |conn| {
            let Some(provider) = api_keys::provider_of(conn, &key)? else {
                return Ok(None);
            };
            // One more than the page: whether there is a next one.
            let rows =
                deployment_list::of_provider(conn, provider, after, corp_id.as_deref(), limit + 1)?;
            let more = usize::try_from(limit).is_ok_and(|l| rows.len() > l);
            let shown = &rows[..rows.len().min(usize::try_from(limit).unwrap_or(0))];
            let items = shown
                .iter()
                .map(|d| item(conn, &base, d))
                .collect::<AppResult<Vec<Value>>>()?;
            let next = if more {
                shown.last().map(|d| d.id)
            } else {
                None
            };
            Ok(Some((provider, items, next)))
        })
        .await?;
    let Some((provider, items, next)) = found else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_key",
            "The key is unknown or was rotated; issue one in the provider console.",
        ));
    };
    if q.corp_id.as_deref().is_some_and(|c| !c.trim().is_empty()) && items.is_empty() {
        return Err(ApiError::not_found());
    }
    tracing::info!(
        org.id = provider,
        count = items.len(),
        "quick-deploy auth info read"
    );
    Ok(Json(json!({ "items": items, "next": next })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(after: Option<&str>, limit: Option<&str>, corp: Option<&str>) -> AuthInfoQuery {
        AuthInfoQuery {
            after: after.map(str::to_string),
            limit: limit.map(str::to_string),
            corp_id: corp.map(str::to_string),
        }
    }

    #[test]
    fn the_page_size_defaults_to_fifty_and_stops_at_two_hundred() {
        assert_eq!(parse_query(&q(None, None, None)), Ok((None, 50, None)));
        assert_eq!(
            parse_query(&q(Some("12"), Some("200"), Some(" qdabc "))),
            Ok((Some(12), 200, Some("qdabc".to_string())))
        );
        assert!(parse_query(&q(None, Some("201"), None)).is_err());
        assert!(parse_query(&q(None, Some("0"), None)).is_err());
        assert!(parse_query(&q(Some("x"), None, None)).is_err());
    }
}
