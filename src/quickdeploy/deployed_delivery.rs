//! Delivers the "deployed" event ([`super::events::DEPLOYED`]) to the application's
//! callback URL, signed exactly like custom apps' callbacks (the `x-fenfa-*` headers,
//! HMAC-SHA256 with the application's secret) through the outbound client and its
//! timeouts. A failure is the job runner's to retry. The event id is the deployment's, so
//! it stays the same across attempts and the receiver can drop a repeat.

use diesel::prelude::*;
use serde_json::json;

use super::deployment_list;
use super::events::DEPLOYED;
use crate::db::now;
use crate::db::schema::qd_applications as a;
use crate::jobs::{Job, JobContext, JobFuture, JobHandler};
use crate::tools::outbound;

/// The most of a receiver's answer read.
const MAX_ANSWER: usize = 16 * 1024;

pub(crate) struct Deliverer;

impl JobHandler for Deliverer {
    fn kind(&self) -> &'static str {
        DEPLOYED
    }
    fn run<'a>(&'a self, ctx: &'a JobContext, job: &'a Job) -> JobFuture<'a> {
        Box::pin(deliver(ctx, job))
    }
}

/// The event's stable id.
pub(crate) fn event_id(deployment: i64) -> String {
    format!("qd-deployed-{deployment}")
}

async fn deliver(ctx: &JobContext, job: &Job) -> Result<(), String> {
    let id = serde_json::from_str::<serde_json::Value>(&job.payload)
        .ok()
        .and_then(|v| v.get("deployment_id")?.as_i64())
        .ok_or("payload without a deployment id")?;
    let created_at = job.created_at;
    let found = ctx
        .db
        .run(move |conn| {
            let Some(d) = deployment_list::find(conn, id)? else {
                return Ok(None);
            };
            let (url, secret): (String, String) = a::table
                .find(d.application_id)
                .select((a::callback_url, a::verify_secret))
                .first(conn)?;
            Ok(Some((d, url, secret)))
        })
        .await
        .map_err(|_| "database error".to_string())?;
    // The deployment is gone, or the provider removed its callback URL since.
    let Some((d, url, secret)) = found else {
        return Ok(());
    };
    if url.is_empty() {
        return Ok(());
    }
    let event = event_id(d.id);
    let body = json!({
        "id": event,
        "type": "deployed",
        "created_at": created_at,
        "application_id": d.application_id,
        "product_code": d.product_code,
        "enterprise": { "corp_id": d.corp_id, "name": d.org_name },
        "data": { "serial": d.serial, "authorised_at": d.authorised_at },
    })
    .to_string();
    let (client, to) = outbound::client_for(&url, &ctx.config.outbound())
        .await
        .map_err(|e| e.as_str().to_string())?;
    let timestamp = now();
    let nonce = crate::tools::new_token();
    let resp = client
        .post(to)
        .header("content-type", "application/json")
        .header("x-fenfa-event", "deployed")
        .header("x-fenfa-event-id", &event)
        .header("x-fenfa-timestamp", timestamp.to_string())
        .header("x-fenfa-nonce", &nonce)
        .header(
            "x-fenfa-signature",
            crate::customdev::sign_callback(&secret, timestamp, &nonce, &body),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| outbound::classify(&e).as_str().to_string())?;
    let status = resp.status().as_u16();
    // The answer is not used; read a little of it so the connection ends cleanly.
    let _ = outbound::read_capped(resp, MAX_ANSWER).await;
    if (200..300).contains(&status) {
        tracing::info!(deployment.id = id, "deployed event delivered");
        Ok(())
    } else {
        Err(format!("HTTP {status}"))
    }
}
