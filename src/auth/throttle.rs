//! Throttling password guesses without handing anyone a way to lock an owner out
//! (OWASP's device-cookie scheme; the cookie itself is [`super::device`]).
//!
//! Every sign-in attempt is counted in one bucket before its password is verified:
//! - a browser whose device cookie verifies for the typed login counts in its own bucket
//!   (`device`, by the cookie's nonce): [`DEVICE_LIMIT`] attempts per window;
//! - every other browser counts in the typed login's shared bucket (`login`):
//!   [`UNTRUSTED_LIMIT`] attempts per window, whether that login exists or not, so that a
//!   refusal reads and takes the same for a known and an unknown login.
//!
//! Past its limit a bucket refuses every attempt, the right password included, until its
//! window ends. Guessing from anywhere new thus stops at the shared limit, while the
//! browsers that have signed in to the account before keep their own allowance and sign
//! in as usual. The count is one atomic upsert, so guesses sent at once cannot overshoot
//! the limit; a successful sign-in gives its attempt back. The per-address counter stays
//! as a second line for browsers without a device cookie.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::device::TrustedDevice;
use crate::db::schema::{login_throttle, users};
use crate::db::{Conn, now};
use crate::error::AppResult;

/// Attempts per window shared by every browser without a device cookie for the login.
pub const UNTRUSTED_LIMIT: i32 = 100;
/// Attempts per window of one browser that has signed in to the account before.
pub const DEVICE_LIMIT: i32 = 10;
/// Failed attempts per window from one address (browsers without a device cookie).
pub const IP_LIMIT: i32 = 1000;
/// The counting window, in seconds.
pub const WINDOW: i64 = 3600;

/// Where an attempt is counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bucket {
    /// Browsers without a device cookie for this (typed) login.
    Untrusted(String),
    /// One trusted browser, by its device cookie's nonce.
    Device(String),
}

impl Bucket {
    fn kind(&self) -> &'static str {
        match self {
            Bucket::Untrusted(_) => "login",
            Bucket::Device(_) => "device",
        }
    }

    fn subject(&self) -> &str {
        match self {
            Bucket::Untrusted(s) | Bucket::Device(s) => s,
        }
    }

    fn limit(&self) -> i32 {
        match self {
            Bucket::Untrusted(_) => UNTRUSTED_LIMIT,
            Bucket::Device(_) => DEVICE_LIMIT,
        }
    }
}

/// An attempt allowed to verify its password.
pub struct Attempt {
    pub bucket: Bucket,
    /// The account, when the login names one that is not disabled.
    pub user_id: Option<i64>,
    /// Its password hash; `None` verifies against the dummy hash.
    pub hash: Option<String>,
}

pub enum Gate {
    /// Too many attempts: refused without looking at the password, for `wait` seconds.
    Refused {
        wait: i64,
    },
    Open(Attempt),
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = BigInt)]
    window_start: i64,
}

/// Counts an attempt to sign in to `login` from a browser with `device` (a device cookie
/// already verified for this login) or none, and says whether it may go on.
pub fn begin(
    conn: &mut Conn,
    login: &str,
    device: Option<TrustedDevice>,
    ip: &str,
) -> AppResult<Gate> {
    let t = now();
    let bucket = match device {
        Some(d) => Bucket::Device(d.nonce),
        None => Bucket::Untrusted(login.to_string()),
    };
    if let Bucket::Untrusted(_) = bucket {
        let ip_row: Option<(i32, i64)> = crate::db::schema::ip_login_failures::table
            .find(ip)
            .select((
                crate::db::schema::ip_login_failures::failures,
                crate::db::schema::ip_login_failures::window_start,
            ))
            .first(conn)
            .optional()?;
        if let Some((n, start)) = ip_row
            && n >= IP_LIMIT
            && start + WINDOW > t
        {
            return Ok(Gate::Refused {
                wait: start + WINDOW - t,
            });
        }
    }
    // The count goes up to limit + 1 and stays there until the window ends: attempts
    // 1..=limit go on, every later one is refused.
    let c: Count = diesel::sql_query(
        "INSERT INTO login_throttle (kind, subject, failures, window_start) \
         VALUES ($1, $2, 1, $3) \
         ON CONFLICT (kind, subject) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_start + $4 <= $3 THEN 1 \
                           WHEN login_throttle.failures > $5 THEN login_throttle.failures \
                           ELSE login_throttle.failures + 1 END, \
           window_start = CASE WHEN login_throttle.window_start + $4 <= $3 THEN $3 \
                               ELSE login_throttle.window_start END \
         RETURNING failures, window_start",
    )
    .bind::<Text, _>(bucket.kind())
    .bind::<Text, _>(bucket.subject())
    .bind::<BigInt, _>(t)
    .bind::<BigInt, _>(WINDOW)
    .bind::<Integer, _>(bucket.limit())
    .get_result(conn)?;
    if c.failures > bucket.limit() {
        return Ok(Gate::Refused {
            wait: (c.window_start + WINDOW - t).max(1),
        });
    }
    if c.failures == 1 {
        // A new window: forget the buckets whose windows have ended.
        diesel::delete(login_throttle::table.filter(login_throttle::window_start.le(t - WINDOW)))
            .execute(conn)?;
    }
    let user: Option<(i64, String, bool)> = users::table
        .filter(users::login.eq(login))
        .select((users::id, users::password_hash, users::disabled))
        .first(conn)
        .optional()?;
    let (user_id, hash) = match user {
        Some((id, hash, false)) => (Some(id), Some(hash)),
        // A disabled account is refused exactly like an unknown one.
        _ => (None, None),
    };
    Ok(Gate::Open(Attempt {
        bucket,
        user_id,
        hash,
    }))
}

/// A wrong password (or an unknown login): its attempt stays counted in its bucket, and
/// the address gets a failure.
pub fn failed(conn: &mut Conn, ip: &str) -> AppResult<()> {
    diesel::sql_query(
        "INSERT INTO ip_login_failures (ip, failures, window_start) VALUES ($1, 1, $2) \
         ON CONFLICT (ip) DO UPDATE SET \
           failures = CASE WHEN ip_login_failures.window_start + $3 <= $2 THEN 1 \
                           ELSE ip_login_failures.failures + 1 END, \
           window_start = CASE WHEN ip_login_failures.window_start + $3 <= $2 THEN $2 \
                               ELSE ip_login_failures.window_start END",
    )
    .bind::<Text, _>(ip)
    .bind::<BigInt, _>(now())
    .bind::<BigInt, _>(WINDOW)
    .execute(conn)?;
    Ok(())
}

/// A successful sign-in gives its attempt back. A trusted browser's bucket is dropped
/// altogether: the browser receives a new device cookie, with a new nonce.
pub fn succeeded(conn: &mut Conn, bucket: &Bucket) -> AppResult<()> {
    let row = login_throttle::table.find((bucket.kind(), bucket.subject()));
    match bucket {
        Bucket::Untrusted(_) => {
            diesel::update(row.filter(login_throttle::failures.gt(0)))
                .set(login_throttle::failures.eq(login_throttle::failures - 1))
                .execute(conn)?;
        }
        Bucket::Device(_) => {
            diesel::delete(row).execute(conn)?;
        }
    }
    Ok(())
}

/// Lifts the throttle on an account's shared bucket (a new password was set for it).
pub fn clear_account(conn: &mut Conn, user_id: i64) -> AppResult<()> {
    let login: Option<String> = users::table
        .find(user_id)
        .select(users::login)
        .first(conn)
        .optional()?;
    if let Some(login) = login {
        let bucket = Bucket::Untrusted(login);
        diesel::delete(login_throttle::table.find((bucket.kind(), bucket.subject())))
            .execute(conn)?;
    }
    Ok(())
}
