//! Durable jobs: work that must happen after a change commits, even if the process dies
//! in between (signed callbacks now; notifications and the next domains may follow). A
//! caller writes a job with [`enqueue`] inside its own write transaction (an outbox: the
//! change and its job commit together or not at all). A runner ([`run_forever`], started
//! by `fenfa serve`) leases due jobs with a deadline, runs the handler registered for the
//! job's kind, and retries a failure with exponential backoff for [`RETRY_FOR`] before it
//! marks the job dead. A runner killed mid-job leaves a lease that runs out, after which
//! the job is claimed again: delivery is at least once, so handlers must be idempotent or
//! carry a stable id. On PostgreSQL several runners share the queue (`FOR UPDATE SKIP
//! LOCKED`); on SQLite the claim is an IMMEDIATE write transaction. This module knows no
//! domain: handlers are registered at assembly (`app.rs`), like directory listeners.

pub mod store;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::config::Config;
use crate::db::{Conn, Db, now};
use crate::error::AppResult;

/// How long a job may be retried, counted from when it was (re)queued; then it is dead.
pub const RETRY_FOR: i64 = 24 * 3600;
/// How long a claimed job stays leased to its runner. Longer than [`HANDLER_DEADLINE`],
/// so a live runner never loses a lease it still works under.
pub const LEASE: i64 = 120;
/// The most a handler may take before its attempt counts as failed.
pub const HANDLER_DEADLINE: Duration = Duration::from_secs(60);
/// Jobs claimed per pass.
const BATCH: i64 = 16;

/// A job as its handler sees it: `attempt` counts from 1.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempt: i32,
    pub created_at: i64,
}

/// What a handler may use: the database and the configuration (outbound settings).
#[derive(Clone)]
pub struct JobContext {
    pub db: Db,
    pub config: Arc<Config>,
}

/// A handler's future. `Err` carries a short reason (no secrets) kept as the job's last
/// error; the job is then retried.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Runs the jobs of one kind.
pub trait JobHandler: Send + Sync {
    fn kind(&self) -> &'static str;
    fn run<'a>(&'a self, ctx: &'a JobContext, job: &'a Job) -> JobFuture<'a>;
}

/// The handlers are part of the program: registered once at assembly (the first
/// registration stands; every assembly registers the same).
static HANDLERS: OnceLock<Vec<Arc<dyn JobHandler>>> = OnceLock::new();

pub fn register(handlers: Vec<Arc<dyn JobHandler>>) {
    let _ = HANDLERS.set(handlers);
}

fn handler(kind: &str) -> Option<Arc<dyn JobHandler>> {
    HANDLERS.get()?.iter().find(|h| h.kind() == kind).cloned()
}

/// Writes a job due now. Call it inside the transaction of the change it follows.
pub fn enqueue(conn: &mut Conn, kind: &str, payload: &serde_json::Value) -> AppResult<i64> {
    store::insert(conn, kind, &payload.to_string(), now())
}

/// How many jobs wait to run or be retried (the queue depth the metrics show).
pub fn pending(conn: &mut Conn) -> AppResult<i64> {
    store::pending_count(conn)
}

/// Seconds to wait after the `attempts`-th failed attempt: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> i64 {
    let doublings = u32::try_from(attempts.max(1) - 1).unwrap_or(0).min(12);
    (30_i64 << doublings).min(3600)
}

/// When to try again after the `attempts`-th failure at `now`, or `None` when that would
/// fall beyond [`RETRY_FOR`] after the job was queued (the job is then dead).
pub fn next_run(queued_at: i64, now: i64, attempts: i32) -> Option<i64> {
    let at = now + backoff(attempts);
    (at <= queued_at + RETRY_FOR).then_some(at)
}

/// One pass: claims the due jobs (up to a batch), runs them concurrently and records
/// each outcome. Returns how many ran.
pub async fn run_due(ctx: &JobContext) -> AppResult<usize> {
    run_batch(ctx, BATCH).await
}

/// [`run_due`] claiming at most `limit` jobs.
pub async fn run_batch(ctx: &JobContext, limit: i64) -> AppResult<usize> {
    let t = now();
    let backend = ctx.db.backend();
    // Diesel is synchronous: the claim runs on the blocking pool like every query.
    let claimed = ctx
        .db
        .run(move |c| store::claim(c, backend, t, t + LEASE, limit))
        .await?;
    let n = claimed.len();
    let mut set = tokio::task::JoinSet::new();
    for job in claimed {
        let ctx = ctx.clone();
        set.spawn(async move {
            let outcome = match handler(&job.kind) {
                Some(h) => tokio::time::timeout(HANDLER_DEADLINE, h.run(&ctx, &job))
                    .await
                    .unwrap_or_else(|_| Err("timed out".into())),
                None => Err(format!("no handler for {}", job.kind)),
            };
            if let Err(e) = &outcome {
                tracing::warn!(job.id = job.id, job.kind = %job.kind, job.attempt = job.attempt, error = %e, "job failed");
            }
            let finished = ctx
                .db
                .run(move |c| store::finish(c, &job, outcome, now()))
                .await;
            if let Err(e) = finished {
                tracing::error!(error = %e, "could not record a job's outcome");
            }
        });
    }
    while set.join_next().await.is_some() {}
    Ok(n)
}

/// The runner: a pass every second while there is nothing to do, at once while there is.
pub async fn run_forever(ctx: JobContext) {
    run_until(ctx, std::future::pending()).await;
}

/// [`run_forever`] until `stop` resolves: a pass under way finishes first (its leased
/// jobs are run or released with their outcome), then the runner returns. Used by a
/// graceful shutdown; a runner stopped harder leaves leases that run out instead.
pub async fn run_until(ctx: JobContext, stop: impl Future<Output = ()>) {
    let mut stop = std::pin::pin!(stop);
    loop {
        let wait = match run_due(&ctx).await {
            Ok(0) => Duration::from_secs(1),
            Ok(_) => Duration::ZERO,
            Err(e) => {
                tracing::error!(error = %e, "the job runner could not claim jobs");
                Duration::from_secs(5)
            }
        };
        tokio::select! {
            biased;
            () = &mut stop => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(backoff).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(0), 30);
        assert_eq!(backoff(i32::MAX), 3600);
    }

    #[test]
    fn a_job_is_retried_for_a_day_and_then_dead() {
        let queued = 1_000_000;
        assert_eq!(next_run(queued, queued + 10, 1), Some(queued + 40));
        // The schedule from the first failure on: about 30 attempts in 24 hours.
        let mut t = queued;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match next_run(queued, t, attempts) {
                Some(at) => t = at,
                None => break,
            }
        }
        assert!(t <= queued + RETRY_FOR && t > queued + RETRY_FOR - 3600);
        assert!((25..=35).contains(&attempts), "{attempts}");
        assert_eq!(next_run(queued, queued + RETRY_FOR - 10, 1), None);
    }
}
