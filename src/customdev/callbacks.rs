//! Signed callbacks (seed 003's 回调 URL): Fenfa verifies a template's or custom app's
//! callback URL when the provider saves it, and then posts the custom app's events to it
//! through the durable job runner. Both are signed with the endpoint's callback token:
//! `signature = hex(HMAC-SHA256(token, "{timestamp}\n{nonce}\n{data}"))`, where `data` is
//! the echo string of a verification and the raw JSON body of an event. Each event is
//! written (a delivery row and its job) in the same transaction as the change it
//! reports, carries a stable id across attempts and redeliveries, and is delivered at
//! least once. All SQL of the callbacks lives here too.

use std::time::Instant;

use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::custom_apps;
use crate::auth::OrgScope;
use crate::db::schema::{cd_custom_apps as ca, cd_deliveries as d, cd_templates, jobs, orgs};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::jobs::{Job, JobContext, JobFuture, JobHandler};
use crate::tools::outbound::{self, Outbound, OutboundError};
use crate::web::{AppState, Cursor, PAGE_SIZE, Page};

/// The job kind of an event's delivery.
pub(crate) const JOB_KIND: &str = "customdev_callback_delivery";
/// The most of a receiver's answer read.
const MAX_ANSWER: usize = 16 * 1024;

/// The signature of `data` sent at `timestamp` with `nonce`.
pub(crate) fn sign(token: &str, timestamp: i64, nonce: &str, data: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(token.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(format!("{timestamp}\n{nonce}\n{data}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Why a callback URL failed its verification, each with its message beside the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    NotHttps,
    Unreachable,
    Tls,
    Timeout,
    WrongAnswer,
    AddressRefused,
}

impl Refusal {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Refusal::NotHttps => "customdev.callback.not_https",
            Refusal::Unreachable => "customdev.callback.unreachable",
            Refusal::Tls => "customdev.callback.tls",
            Refusal::Timeout => "customdev.callback.timeout",
            Refusal::WrongAnswer => "customdev.callback.wrong_answer",
            Refusal::AddressRefused => "customdev.callback.address_refused",
        }
    }
}

impl From<OutboundError> for Refusal {
    fn from(e: OutboundError) -> Self {
        match e {
            OutboundError::NotHttps => Refusal::NotHttps,
            OutboundError::AddressRefused => Refusal::AddressRefused,
            OutboundError::Unreachable => Refusal::Unreachable,
            OutboundError::Tls => Refusal::Tls,
            OutboundError::Timeout => Refusal::Timeout,
            OutboundError::TooLarge => Refusal::WrongAnswer,
        }
    }
}

/// Calls `url` with `timestamp`, `nonce`, `echostr` and `signature` in the query (GET);
/// the receiver must answer the echo string (2xx, surrounding white space ignored).
pub(crate) async fn verify(url: &str, token: &str, settings: &Outbound) -> Result<(), Refusal> {
    let mut u = url::Url::parse(url).map_err(|_| Refusal::NotHttps)?;
    let timestamp = now();
    let nonce = crate::tools::new_token();
    let echostr = crate::tools::new_token();
    u.query_pairs_mut()
        .append_pair("timestamp", &timestamp.to_string())
        .append_pair("nonce", &nonce)
        .append_pair("echostr", &echostr)
        .append_pair("signature", &sign(token, timestamp, &nonce, &echostr));
    let (client, target) = outbound::client_for(u.as_str(), settings).await?;
    let resp = client
        .get(target)
        .send()
        .await
        .map_err(|e| outbound::classify(&e))?;
    if !resp.status().is_success() {
        return Err(Refusal::WrongAnswer);
    }
    let body = outbound::read_capped(resp, MAX_ANSWER).await?;
    if String::from_utf8_lossy(&body).trim() == echostr {
        Ok(())
    } else {
        Err(Refusal::WrongAnswer)
    }
}

/// Verifies `url` when it differs from `current`; the refusal's message key, if any.
async fn refusal_if_changed(
    state: &AppState,
    url: &str,
    current: &str,
    token: &str,
) -> Option<&'static str> {
    let url = url.trim();
    if !state.config.verify_callbacks || url.is_empty() || url == current {
        return None;
    }
    let refused = verify(url, token, &state.config.outbound()).await.err()?;
    tracing::info!(reason = ?refused, "callback URL verification failed");
    Some(refused.key())
}

/// The template form's check: a new or changed callback URL must pass verification. A
/// new template has no token yet, so its first verification is signed with a one-time
/// token and proves only that the URL answers the echo string; its token is shown on the
/// template's callback page from then on.
pub(crate) async fn template_url_refusal(
    state: &AppState,
    scope: &OrgScope,
    id: Option<i64>,
    url: &str,
) -> AppResult<Option<&'static str>> {
    let (current, token) = match id {
        Some(id) => {
            let scope = scope.clone();
            state
                .db
                .run(move |conn| template_callback(conn, &scope, id))
                .await
                .map(|(_, url, token)| (url, token))?
        }
        None => (String::new(), crate::tools::new_token()),
    };
    Ok(refusal_if_changed(state, url, &current, &token).await)
}

/// The custom app configuration's check: a changed callback URL must pass verification.
pub(crate) async fn app_url_refusal(
    state: &AppState,
    scope: &OrgScope,
    id: i64,
    url: &str,
) -> AppResult<Option<&'static str>> {
    let scope = scope.clone();
    let (current, token) = state
        .db
        .run(move |conn| {
            let c = custom_apps::for_provider(conn, &scope, id)?;
            let token: String = ca::table.find(id).select(ca::callback_token).first(conn)?;
            Ok((c.callback_url, token))
        })
        .await?;
    Ok(refusal_if_changed(state, url, &current, &token).await)
}

/// A template's current callback URL and token.
pub(crate) fn template_callback(
    conn: &mut Conn,
    scope: &OrgScope,
    id: i64,
) -> AppResult<(String, String, String)> {
    let tpl = super::store::find_template(conn, scope, id)?;
    let token: String = cd_templates::table
        .find(id)
        .select(cd_templates::callback_token)
        .first(conn)?;
    Ok((tpl.name().to_string(), tpl.latest.callback_url, token))
}

/// The template's token, which a custom app starts with when it is authorised.
pub(crate) fn template_token(conn: &mut Conn, template_id: i64) -> AppResult<String> {
    Ok(cd_templates::table
        .find(template_id)
        .select(cd_templates::callback_token)
        .first(conn)?)
}

/// What happened to a custom app, as its callback receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    Authorised,
    Cancelled,
    AppLive,
    PermissionAgreed,
    PermissionDeclined,
    UsageScopeChanged,
    MemberOpened,
    MemberMessage,
}

impl Event {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Event::Authorised => "authorised",
            Event::Cancelled => "cancelled",
            Event::AppLive => "app_live",
            Event::PermissionAgreed => "permission_agreed",
            Event::PermissionDeclined => "permission_declined",
            Event::UsageScopeChanged => "usage_scope_changed",
            Event::MemberOpened => "member_opened",
            Event::MemberMessage => "member_message",
        }
    }
}

/// Writes the event for custom app `cid` to the outbox, inside the caller's transaction:
/// a delivery with a new event id and the job that delivers it. Nothing when the app has
/// no callback URL.
pub(crate) fn enqueue(
    conn: &mut Conn,
    cid: i64,
    event: Event,
    data: serde_json::Value,
) -> AppResult<()> {
    let (url, template_id, corp_id, org_name): (String, i64, String, String) = ca::table
        .inner_join(orgs::table.on(orgs::id.eq(ca::enterprise_org_id)))
        .filter(ca::id.eq(cid))
        .select((ca::callback_url, ca::template_id, orgs::corp_id, orgs::name))
        .first(conn)?;
    if url.is_empty() {
        return Ok(());
    }
    let event_id = uuid::Uuid::new_v4().to_string();
    let at = now();
    let body = json!({
        "id": event_id,
        "type": event.as_str(),
        "created_at": at,
        "custom_app_id": cid,
        "template_id": template_id,
        "enterprise": { "corp_id": corp_id, "name": org_name },
        "data": data,
    })
    .to_string();
    let job = crate::jobs::enqueue(conn, JOB_KIND, &json!({ "event_id": event_id }))?;
    diesel::insert_into(d::table)
        .values((
            d::custom_app_id.eq(cid),
            d::event_id.eq(&event_id),
            d::event_type.eq(event.as_str()),
            d::body.eq(&body),
            d::job_id.eq(job),
            d::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Delivers events: the job handler registered at assembly.
pub(crate) struct Deliverer;

impl JobHandler for Deliverer {
    fn kind(&self) -> &'static str {
        JOB_KIND
    }
    fn run<'a>(&'a self, ctx: &'a JobContext, job: &'a Job) -> JobFuture<'a> {
        Box::pin(deliver(ctx, job))
    }
}

/// What one delivery attempt needs.
struct Target {
    id: i64,
    event_id: String,
    event_type: String,
    body: String,
    url: String,
    token: String,
}

fn target(conn: &mut Conn, event_id: &str) -> AppResult<Option<Target>> {
    let row: Option<(i64, String, String, String, String)> = d::table
        .inner_join(ca::table)
        .filter(d::event_id.eq(event_id))
        .select((
            d::id,
            d::event_type,
            d::body,
            ca::callback_url,
            ca::callback_token,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|r| Target {
        id: r.0,
        event_id: event_id.to_string(),
        event_type: r.1,
        body: r.2,
        url: r.3,
        token: r.4,
    }))
}

/// Posts the event to the app's current callback URL, signed with its current token.
async fn post(t: &Target, settings: &Outbound) -> Result<u16, OutboundError> {
    let (client, to) = outbound::client_for(&t.url, settings).await?;
    let timestamp = now();
    let nonce = crate::tools::new_token();
    let resp = client
        .post(to)
        .header("content-type", "application/json")
        .header("x-fenfa-event", &t.event_type)
        .header("x-fenfa-event-id", &t.event_id)
        .header("x-fenfa-timestamp", timestamp.to_string())
        .header("x-fenfa-nonce", &nonce)
        .header(
            "x-fenfa-signature",
            sign(&t.token, timestamp, &nonce, &t.body),
        )
        .body(t.body.clone())
        .send()
        .await
        .map_err(|e| outbound::classify(&e))?;
    let status = resp.status().as_u16();
    // The answer is not used; read a little of it so the connection ends cleanly.
    let _ = outbound::read_capped(resp, MAX_ANSWER).await;
    Ok(status)
}

async fn deliver(ctx: &JobContext, job: &Job) -> Result<(), String> {
    let event_id = serde_json::from_str::<serde_json::Value>(&job.payload)
        .ok()
        .and_then(|v| v.get("event_id")?.as_str().map(str::to_string))
        .ok_or("payload without an event id")?;
    let found = ctx
        .db
        .run(move |conn| target(conn, &event_id))
        .await
        .map_err(|_| "database error".to_string())?;
    // The delivery is gone: nothing left to do.
    let Some(t) = found else { return Ok(()) };
    let started = Instant::now();
    let outcome = if t.url.is_empty() {
        Err("no callback URL".to_string())
    } else {
        post(&t, &ctx.config.outbound())
            .await
            .map_err(|e| e.as_str().to_string())
            .and_then(|s| {
                if (200..300).contains(&s) {
                    Ok(s)
                } else {
                    Err(format!("HTTP {s}"))
                }
            })
    };
    let latency = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let status = match &outcome {
        Ok(s) => Some(i32::from(*s)),
        Err(e) => e.strip_prefix("HTTP ").and_then(|s| s.parse().ok()),
    };
    let error = outcome.as_ref().err().cloned().unwrap_or_default();
    let ok = outcome.is_ok();
    let id = t.id;
    ctx.db
        .run(move |conn| {
            diesel::update(d::table.find(id))
                .set((
                    d::attempts.eq(d::attempts + 1),
                    d::status_code.eq(status),
                    d::latency_ms.eq(Some(latency)),
                    d::error.eq(&error),
                    d::delivered_at.eq(ok.then(now)),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .map_err(|_| "database error".to_string())?;
    outcome.map(|_| ())
}

/// One row of a custom app's delivery log.
#[derive(Queryable, Debug, Clone)]
pub(crate) struct Delivery {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub attempts: i32,
    pub status_code: Option<i32>,
    pub latency_ms: Option<i64>,
    pub error: String,
    pub delivered_at: Option<i64>,
    pub created_at: i64,
    pub state: String,
    pub next_at: i64,
}

impl Delivery {
    pub(crate) fn state_key(&self) -> &'static str {
        match self.state.as_str() {
            crate::jobs::store::DONE => "customdev.callback.state_done",
            crate::jobs::store::DEAD => "customdev.callback.state_dead",
            _ if self.attempts == 0 => "customdev.callback.state_queued",
            _ => "customdev.callback.state_retrying",
        }
    }
    pub(crate) fn badge(&self) -> &'static str {
        match self.state.as_str() {
            crate::jobs::store::DONE => "ok",
            crate::jobs::store::DEAD => "bad",
            _ => "warn",
        }
    }
    pub(crate) fn is_pending(&self) -> bool {
        self.state == crate::jobs::store::PENDING
    }
}

/// The provider's custom app's deliveries, newest first.
pub(crate) fn deliveries(
    conn: &mut Conn,
    scope: &OrgScope,
    cid: i64,
    cursor: Cursor,
) -> AppResult<Page<Delivery>> {
    custom_apps::for_provider(conn, scope, cid)?;
    Page::fetch(
        cursor,
        |r: &Delivery| r.id,
        |cursor| {
            let q = d::table
                .inner_join(jobs::table)
                .filter(d::custom_app_id.eq(cid))
                .limit(PAGE_SIZE + 1)
                .select((
                    d::id,
                    d::event_id,
                    d::event_type,
                    d::attempts,
                    d::status_code,
                    d::latency_ms,
                    d::error,
                    d::delivered_at,
                    d::created_at,
                    jobs::state,
                    jobs::run_at,
                ))
                .into_boxed();
            Ok(crate::keyset!(q, cursor, d::id, desc).load(&mut *conn)?)
        },
    )
}

/// The custom app's callback token.
pub(crate) fn app_token(conn: &mut Conn, scope: &OrgScope, cid: i64) -> AppResult<String> {
    custom_apps::for_provider(conn, scope, cid)?;
    Ok(ca::table.find(cid).select(ca::callback_token).first(conn)?)
}

/// Delivers an event again now, with the same event id (done or dead alike).
pub(crate) fn redeliver(
    conn: &mut Conn,
    scope: &OrgScope,
    cid: i64,
    delivery: i64,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        custom_apps::for_provider(conn, scope, cid)?;
        let job: i64 = d::table
            .filter(d::id.eq(delivery))
            .filter(d::custom_app_id.eq(cid))
            .select(d::job_id)
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        crate::jobs::store::requeue(conn, job, now())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hex_hmac_sha256_over_timestamp_nonce_and_data() {
        // HMAC-SHA256("key", "1700000000\nn1\necho"), computed independently.
        let s = sign("key", 1_700_000_000, "n1", "echo");
        assert_eq!(
            s,
            "925f79a90313ba345f11aa63adf1bc7faaed9b6e92a65c8a0816f1c1eb907db2"
        );
        assert_ne!(s, sign("key2", 1_700_000_000, "n1", "echo"));
        assert_ne!(s, sign("key", 1_700_000_001, "n1", "echo"));
    }
}
