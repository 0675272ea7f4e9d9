//! The provider API (`/api/v1`): JSON, `Authorization: Bearer <access token>`. Every call
//! checks, at call time, the token (unexpired), the authorisation (still active), the
//! permission (basic, or custom and confirmed by the enterprise), the caller's address
//! (in the app's IP allow-list when it has one) and the app's rate (a token bucket per
//! app). Refusals are `{"error": {"code": …, "message": …}}` with a stable code.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::OnceLock;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use diesel::prelude::*;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use serde_json::{Value, json};

use super::custom_apps::CustomApp;
use super::permissions::{
    APP_DATA, DIRECTORY, MESSAGES, ORG_IDENTITY, PARTNERS, SCOPE_PEOPLE, SUBMIT,
};
use super::{api_store, consent};
use crate::auth::OrgScope;
use crate::db::schema::{orgs, space_orgs, spaces, submissions};
use crate::error::AppError;
use crate::web::client::{Peer, client_ip};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, PAGE_SIZE};

pub(crate) fn router() -> Routes {
    Routes::new()
        .post("/api/v1/token", Policy::ApiKey, token)
        .get("/api/v1/enterprise", Policy::ApiKey, enterprise)
        .get("/api/v1/scope/people", Policy::ApiKey, scope_people)
        .get("/api/v1/directory", Policy::ApiKey, directory)
        .get("/api/v1/partners", Policy::ApiKey, partners)
        .post("/api/v1/messages", Policy::ApiKey, messages)
        .get("/api/v1/forms", Policy::ApiKey, forms)
        .get(
            "/api/v1/forms/{id}/submissions",
            Policy::ApiKey,
            submissions_of,
        )
        .post("/api/v1/forms/{id}/submissions", Policy::ApiKey, submit)
}

/// Calls per second per app, and the burst a bucket holds (an addition).
pub(crate) const RATE_PER_SEC: u32 = 20;
pub(crate) const BURST: u32 = 40;

fn limiter() -> &'static DefaultKeyedRateLimiter<String> {
    static L: OnceLock<DefaultKeyedRateLimiter<String>> = OnceLock::new();
    L.get_or_init(|| {
        let q = Quota::per_second(NonZeroU32::new(RATE_PER_SEC).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN));
        RateLimiter::keyed(q)
    })
}

/// A refusal of the API.
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: &'static str) -> ApiError {
        ApiError {
            status,
            code,
            message,
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(json!({ "error": { "code": self.code, "message": self.message } })),
        )
            .into_response();
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        match e {
            AppError::NotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such resource.")
            }
            other => {
                tracing::warn!(error = %other, "api call failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong; try again.",
                )
            }
        }
    }
}

type ApiResult<T> = Result<T, ApiError>;

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let t = v.strip_prefix("Bearer ")?.trim();
    crate::tools::token_shape_ok(t).then(|| t.to_string())
}

/// Is `ip` in the allow-list (one address or CIDR block a line)?
pub(crate) fn allowed(list: &str, ip: &str) -> bool {
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    list.lines().map(str::trim).any(|entry| {
        let (net, bits) = match entry.split_once('/') {
            Some((n, b)) => (n, b.parse::<u32>().ok()),
            None => (entry, None),
        };
        match (net.parse::<IpAddr>(), ip) {
            (Ok(IpAddr::V4(n)), IpAddr::V4(a)) => {
                let bits = bits.unwrap_or(32).min(32);
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                (u32::from(n) & mask) == (u32::from(a) & mask)
            }
            (Ok(IpAddr::V6(n)), IpAddr::V6(a)) => {
                let bits = bits.unwrap_or(128).min(128);
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                (u128::from(n) & mask) == (u128::from(a) & mask)
            }
            _ => false,
        }
    })
}

/// The checks every call makes, in order; the custom app when all pass.
async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    peer: Peer,
    perm: &'static str,
) -> ApiResult<CustomApp> {
    let Some(token) = bearer(headers) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Send a valid access token as `Authorization: Bearer <token>`.",
        ));
    };
    let ip = client_ip(state, headers, peer);
    let found = state
        .db
        .run(move |conn| {
            let Some(c) = api_store::app_of_token(conn, &token)? else {
                return Ok(None);
            };
            let granted = consent::granted(conn, &c, perm)?;
            Ok(Some((c, granted)))
        })
        .await?;
    let Some((c, granted)) = found else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The access token is unknown or expired; get a new one from /api/v1/token.",
        ));
    };
    if !c.is_active() || c.app_id.is_none() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "authorisation_cancelled",
            "The enterprise cancelled the authorisation of this app.",
        ));
    }
    if !c.ip_allow_list.is_empty() && !allowed(&c.ip_allow_list, &ip) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "ip_not_allowed",
            "The caller's address is not in the app's IP allow-list.",
        ));
    }
    // Keyed by the app's random token, not its id: ids repeat across databases.
    if let Err(not_until) = limiter().check_key(&c.domain_token) {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many calls for this app; retry after the given seconds.",
        );
        e.retry_after = Some(wait.as_secs().max(1));
        return Err(e);
    }
    if !granted {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "permission_not_granted",
            "The enterprise has not confirmed the permission this call needs.",
        ));
    }
    Ok(c)
}

#[derive(Deserialize)]
struct TokenRequest {
    client_id: String,
    client_secret: String,
}

/// Exchanges the app id and secret for an access token valid two hours.
async fn token(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let Ok(req) = serde_json::from_slice::<TokenRequest>(&body) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Send JSON {\"client_id\": …, \"client_secret\": …}.",
        ));
    };
    let issued = state
        .db
        .run(move |conn| api_store::token_for(conn, &req.client_id, &req.client_secret))
        .await?;
    match issued {
        Some((token, secs)) => {
            Ok(Json(json!({ "access_token": token, "expires_in": secs })).into_response())
        }
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The app id or secret is wrong.",
        )),
    }
}

async fn enterprise(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = caller(&state, &headers, peer, ORG_IDENTITY).await?;
    let org = c.enterprise_org_id;
    let corp_id: String = state
        .db
        .run(move |conn| Ok(orgs::table.find(org).select(orgs::corp_id).first(conn)?))
        .await?;
    Ok(Json(json!({ "name": c.enterprise_name, "corp_id": corp_id })).into_response())
}

async fn scope_people(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = caller(&state, &headers, peer, SCOPE_PEOPLE).await?;
    let people = state
        .db
        .run(move |conn| api_store::people(conn, &c, true))
        .await?;
    Ok(Json(json!({ "people": people })).into_response())
}

async fn directory(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = caller(&state, &headers, peer, DIRECTORY).await?;
    let (departments, people) = state
        .db
        .run(move |conn| {
            Ok((
                api_store::departments(conn, &c)?,
                api_store::people(conn, &c, false)?,
            ))
        })
        .await?;
    Ok(Json(json!({ "departments": departments, "people": people })).into_response())
}

async fn partners(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = caller(&state, &headers, peer, PARTNERS).await?;
    let org = c.enterprise_org_id;
    let rows: Vec<(i64, String, String)> = state
        .db
        .run(move |conn| {
            let mine: Vec<i64> = space_orgs::table
                .filter(space_orgs::org_id.eq(org))
                .filter(space_orgs::status.eq("joined"))
                .select(space_orgs::space_id)
                .load(conn)?;
            Ok(space_orgs::table
                .inner_join(orgs::table)
                .inner_join(spaces::table)
                .filter(space_orgs::space_id.eq_any(&mine))
                .filter(space_orgs::org_id.ne(org))
                .filter(space_orgs::status.eq("joined"))
                .order(space_orgs::id.asc())
                .limit(1000)
                .select((space_orgs::space_id, spaces::name, orgs::name))
                .load(conn)?)
        })
        .await?;
    let partners: Vec<Value> = rows
        .into_iter()
        .map(|(space, space_name, org)| json!({ "space_id": space, "space": space_name, "organisation": org }))
        .collect();
    Ok(Json(json!({ "partners": partners })).into_response())
}

#[derive(Deserialize)]
struct MessageRequest {
    user_ids: Vec<i64>,
    text: String,
}

/// App messages to members: they arrive as Fenfa notifications linking to the app.
async fn messages(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let c = caller(&state, &headers, peer, MESSAGES).await?;
    let Ok(req) = serde_json::from_slice::<MessageRequest>(&body) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Send JSON {\"user_ids\": [...], \"text\": \"…\"}.",
        ));
    };
    let text = req.text.trim().to_string();
    if text.is_empty()
        || text.chars().count() > 500
        || req.user_ids.is_empty()
        || req.user_ids.len() > 1000
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_message",
            "A message has 1–500 characters for 1–1000 members.",
        ));
    }
    let sent = state
        .db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let members: Vec<i64> = crate::db::schema::memberships::table
                    .filter(crate::db::schema::memberships::org_id.eq(c.enterprise_org_id))
                    .filter(crate::db::schema::memberships::user_id.eq_any(&req.user_ids))
                    .select(crate::db::schema::memberships::user_id)
                    .load(conn)?;
                let link = c.app_id.map(|a| format!("/a/{a}")).unwrap_or_default();
                for u in &members {
                    crate::notifications::notify(
                        conn,
                        c.enterprise_org_id,
                        *u,
                        &format!("{}：{}", c.name, text),
                        "",
                        &link,
                    )?;
                }
                Ok::<usize, AppError>(members.len())
            })
        })
        .await?;
    Ok(Json(json!({ "sent": sent })).into_response())
}

async fn forms(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = caller(&state, &headers, peer, APP_DATA).await?;
    let list = state.db.run(move |conn| api_store::forms(conn, &c)).await?;
    let forms: Vec<Value> = list
        .into_iter()
        .map(|(id, name)| json!({ "id": id, "name": name }))
        .collect();
    Ok(Json(json!({ "forms": forms })).into_response())
}

#[derive(Deserialize)]
struct After {
    after: Option<i64>,
}

/// The form's submissions, newest first, 50 a page (`next` is the `after` of the next).
async fn submissions_of(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(page_id): Path<i64>,
    Query(q): Query<After>,
) -> ApiResult<Response> {
    let c = caller(&state, &headers, peer, APP_DATA).await?;
    let rows = state
        .db
        .run(move |conn| {
            if !api_store::forms(conn, &c)?.iter().any(|f| f.0 == page_id) {
                return Err(AppError::NotFound);
            }
            Ok(submissions::table
                .filter(submissions::page_id.eq(page_id))
                .filter(submissions::org_id.eq(c.enterprise_org_id))
                .filter(submissions::sample.eq(false))
                .filter(submissions::id.lt(q.after.unwrap_or(i64::MAX)))
                .order(submissions::id.desc())
                .limit(PAGE_SIZE + 1)
                .select((
                    submissions::id,
                    submissions::submitter_id,
                    submissions::data,
                    submissions::status,
                    submissions::created_at,
                ))
                .load::<(i64, i64, String, String, i64)>(conn)?)
        })
        .await?;
    let cursor = q
        .after
        .map_or(crate::web::Cursor::First, crate::web::Cursor::After);
    let page = crate::web::Page::from_rows(rows, PAGE_SIZE, cursor, |r| r.0);
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|(id, by, data, status, at)| {
            json!({
                "id": id,
                "submitter_id": by,
                "data": serde_json::from_str::<Value>(&data).unwrap_or(Value::Null),
                "status": status,
                "created_at": at,
            })
        })
        .collect();
    Ok(Json(json!({ "submissions": items, "next": page.next })).into_response())
}

#[derive(Deserialize)]
struct SubmitRequest {
    user_id: i64,
    values: HashMap<String, Value>,
}

/// Files a submission on a member's behalf: the member must be in the app's scope and
/// every field rule of the form applies, exactly as on the form page.
async fn submit(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(page_id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    let c = caller(&state, &headers, peer, SUBMIT).await?;
    let Ok(req) = serde_json::from_slice::<SubmitRequest>(&body) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Send JSON {\"user_id\": …, \"values\": {\"<field id>\": …}}.",
        ));
    };
    let values: HashMap<String, String> = req
        .values
        .into_iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (format!("f{k}"), s)
        })
        .collect();
    let storage = state.storage.clone();
    let outcome = state
        .db
        .run(move |conn| {
            if !api_store::forms(conn, &c)?.iter().any(|f| f.0 == page_id) {
                return Err(AppError::NotFound);
            }
            let is_member: i64 = crate::db::schema::memberships::table
                .filter(crate::db::schema::memberships::org_id.eq(c.enterprise_org_id))
                .filter(crate::db::schema::memberships::user_id.eq(req.user_id))
                .count()
                .get_result(conn)?;
            if is_member == 0 {
                return Err(AppError::NotFound);
            }
            let scope = OrgScope::member(c.enterprise_org_id, req.user_id);
            crate::forms::submit_values(conn, &scope, storage.as_ref(), page_id, values)
        })
        .await?;
    match outcome {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(errors) => {
            let fields: Vec<Value> = errors
                .into_iter()
                .map(|(f, k)| json!({ "field": f, "message": crate::i18n::Lang::En.t(k) }))
                .collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "error": { "code": "invalid_values", "message": "Some values were refused.", "fields": fields } })),
            )
                .into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn an_allow_list_takes_addresses_and_cidr_blocks_of_both_families() {
        let list = "10.0.0.0/8\n203.0.113.7\n2001:db8::/32";
        assert!(allowed(list, "10.1.2.3"));
        assert!(allowed(list, "203.0.113.7"));
        assert!(!allowed(list, "203.0.113.8"));
        assert!(allowed(list, "2001:db8::1"));
        assert!(!allowed(list, "2001:db9::1"));
        assert!(!allowed(list, "local"));
    }
}
