//! 应用序列号 on the customer's side: a number typed by a team's admin is checked against
//! the provider's list (redeemed with one conditional UPDATE: of organisations racing for
//! one number exactly one wins) or by the provider's verification endpoint (a signed POST
//! with a 5 s timeout; a number it accepts is recorded, once per application). Every try
//! is recorded, accepted or not: a number tried by several organisations is the
//! leaked-QR case the provider sees flagged.

use std::time::Duration;

use diesel::prelude::*;

use crate::db::schema::{qd_deployments as d, qd_serial_tries as tr, qd_serials as s};
use crate::db::{Conn, TxError, now, write_tx};
use crate::error::AppResult;
use crate::tools::outbound::{self, Outbound};

/// The provider's endpoint must answer within this.
pub(crate) const ENDPOINT_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_ANSWER: usize = 16 * 1024;

/// What a serial number came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redeemed {
    /// Redeemed by this organisation (now, or earlier: a second try is not a second use).
    Accepted,
    /// Not a number of this application (not on the list, or the endpoint said invalid).
    Unknown,
    /// Already redeemed by another organisation.
    UsedElsewhere,
    /// The provider's endpoint did not answer usably (timeout, error, not JSON): nothing
    /// was redeemed.
    NoAnswer,
}

impl Redeemed {
    /// The message beside the field (none when accepted).
    pub(crate) fn error_key(self) -> Option<&'static str> {
        match self {
            Redeemed::Accepted => None,
            Redeemed::Unknown => Some("quickdeploy.deploy.error.serial_unknown"),
            Redeemed::UsedElsewhere => Some("quickdeploy.deploy.error.serial_used"),
            Redeemed::NoAnswer => Some("quickdeploy.deploy.error.serial_no_answer"),
        }
    }
}

fn record_try(
    conn: &mut Conn,
    application: i64,
    serial: &str,
    org: i64,
    user: i64,
    accepted: bool,
) -> AppResult<()> {
    diesel::insert_into(tr::table)
        .values((
            tr::application_id.eq(application),
            tr::serial.eq(serial),
            tr::org_id.eq(org),
            tr::user_id.eq(user),
            tr::accepted.eq(accepted),
            tr::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The organisation a number of `application` is redeemed by, if it is known: `Some(None)`
/// on the list and free, `None` unknown.
fn holder(conn: &mut Conn, application: i64, serial: &str) -> AppResult<Option<Option<i64>>> {
    Ok(s::table
        .filter(s::application_id.eq(application))
        .filter(s::serial.eq(serial))
        .select(s::redeemed_org_id)
        .first(conn)
        .optional()?)
}

/// The deployment of `application` in `org` holds the number from now (when it has none).
fn note_on_deployment(conn: &mut Conn, application: i64, org: i64, serial: &str) -> AppResult<()> {
    diesel::update(
        d::table
            .filter(d::application_id.eq(application))
            .filter(d::org_id.eq(org))
            .filter(d::serial.is_null()),
    )
    .set((d::serial.eq(Some(serial)), d::serial_at.eq(Some(now()))))
    .execute(conn)?;
    Ok(())
}

fn outcome_for(org: i64, held: Option<Option<i64>>) -> Redeemed {
    match held {
        None => Redeemed::Unknown,
        Some(Some(o)) if o == org => Redeemed::Accepted,
        Some(Some(_)) => Redeemed::UsedElsewhere,
        // Free a moment ago and not ours now: taken between the two statements.
        Some(None) => Redeemed::UsedElsewhere,
    }
}

/// Redeems a number of the provider's list for `org`: one UPDATE … WHERE redeemed_org_id
/// IS NULL, so of concurrent redemptions exactly one changes the row. The try and the
/// deployment's number are written in the same transaction.
pub fn redeem_listed(
    conn: &mut Conn,
    application: i64,
    serial: &str,
    org: i64,
    user: i64,
) -> AppResult<Redeemed> {
    write_tx(conn, |conn| {
        let won = diesel::update(
            s::table
                .filter(s::application_id.eq(application))
                .filter(s::serial.eq(serial))
                .filter(s::redeemed_org_id.is_null()),
        )
        .set((
            s::redeemed_org_id.eq(Some(org)),
            s::redeemed_by.eq(Some(user)),
            s::redeemed_at.eq(Some(now())),
        ))
        .execute(conn)?;
        let outcome = if won == 1 {
            Redeemed::Accepted
        } else {
            outcome_for(org, holder(conn, application, serial)?)
        };
        let accepted = outcome == Redeemed::Accepted;
        record_try(conn, application, serial, org, user, accepted)?;
        if accepted {
            note_on_deployment(conn, application, org, serial)?;
        }
        Ok(outcome)
    })
}

/// Before calling the provider's endpoint: a number it accepted earlier is recorded, so
/// another organisation's try is refused here without asking again.
pub(crate) fn known_endpoint_outcome(
    conn: &mut Conn,
    application: i64,
    serial: &str,
    org: i64,
    user: i64,
) -> AppResult<Option<Redeemed>> {
    let held = holder(conn, application, serial)?;
    let Some(held) = held else { return Ok(None) };
    let outcome = outcome_for(org, Some(held));
    write_tx(conn, |conn| {
        record_try(
            conn,
            application,
            serial,
            org,
            user,
            outcome == Redeemed::Accepted,
        )?;
        if outcome == Redeemed::Accepted {
            note_on_deployment(conn, application, org, serial)?;
        }
        Ok(Some(outcome))
    })
}

/// Records what the provider's endpoint said: an accepted number becomes this
/// organisation's (unique per application: a concurrent twin of another organisation
/// that the endpoint also accepted is refused as used).
pub(crate) fn record_endpoint_answer(
    conn: &mut Conn,
    application: i64,
    serial: &str,
    org: i64,
    user: i64,
    answer: Redeemed,
) -> AppResult<Redeemed> {
    if answer != Redeemed::Accepted {
        write_tx(conn, |conn| {
            record_try(conn, application, serial, org, user, false)
        })?;
        return Ok(answer);
    }
    let done = write_tx(conn, |conn| -> Result<(), TxError> {
        let t = now();
        diesel::insert_into(s::table)
            .values((
                s::application_id.eq(application),
                s::serial.eq(serial),
                s::source.eq("endpoint"),
                s::created_at.eq(t),
                s::redeemed_org_id.eq(Some(org)),
                s::redeemed_by.eq(Some(user)),
                s::redeemed_at.eq(Some(t)),
            ))
            .execute(conn)?;
        record_try(conn, application, serial, org, user, true)?;
        note_on_deployment(conn, application, org, serial)?;
        Ok(())
    });
    match done {
        Ok(()) => Ok(Redeemed::Accepted),
        Err(TxError::Duplicate) => {
            Ok(
                known_endpoint_outcome(conn, application, serial, org, user)?
                    .unwrap_or(Redeemed::UsedElsewhere),
            )
        }
        Err(TxError::App(e)) => Err(e),
    }
}

/// What Fenfa posts to the provider's verification endpoint.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct Check {
    pub serial: String,
    pub corp_id: String,
    pub org_name: String,
    pub application_id: i64,
}

/// Asks the provider's endpoint whether the number is valid: a POST of the JSON body
/// signed like custom apps' callbacks (`x-fenfa-timestamp`, `x-fenfa-nonce`,
/// `x-fenfa-signature` over "{timestamp}\n{nonce}\n{body}" with the application's
/// secret); 200 with `{"valid": true|false}` is an answer, anything else within or after
/// 5 s is none.
pub(crate) async fn ask_endpoint(
    url: &str,
    secret: &str,
    check: &Check,
    settings: &Outbound,
) -> Redeemed {
    let body = match serde_json::to_string(check) {
        Ok(b) => b,
        Err(_) => return Redeemed::NoAnswer,
    };
    let asked = tokio::time::timeout(ENDPOINT_TIMEOUT, async {
        let (client, to) = outbound::client_for(url, settings).await.ok()?;
        let timestamp = now();
        let nonce = crate::tools::new_token();
        let resp = client
            .post(to)
            .timeout(ENDPOINT_TIMEOUT)
            .header("content-type", "application/json")
            .header("x-fenfa-event", "quickdeploy.serial")
            .header("x-fenfa-timestamp", timestamp.to_string())
            .header("x-fenfa-nonce", &nonce)
            .header(
                "x-fenfa-signature",
                crate::customdev::sign_callback(secret, timestamp, &nonce, &body),
            )
            .body(body.clone())
            .send()
            .await
            .ok()?;
        if resp.status().as_u16() != 200 {
            return None;
        }
        let bytes = outbound::read_capped(resp, MAX_ANSWER).await.ok()?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        v.get("valid").and_then(serde_json::Value::as_bool)
    })
    .await;
    match asked {
        Ok(Some(true)) => Redeemed::Accepted,
        Ok(Some(false)) => Redeemed::Unknown,
        Ok(None) | Err(_) => {
            tracing::warn!(url = url, "a provider's serial endpoint did not answer");
            Redeemed::NoAnswer
        }
    }
}
