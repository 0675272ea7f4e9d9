//! The SQL of the job queue.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::{Job, next_run};
use crate::db::schema::jobs;
use crate::db::{Backend, Conn, write_tx};
use crate::error::AppResult;

pub const PENDING: &str = "pending";
pub const DONE: &str = "done";
pub const DEAD: &str = "dead";

pub(super) fn insert(conn: &mut Conn, kind: &str, payload: &str, at: i64) -> AppResult<i64> {
    Ok(diesel::insert_into(jobs::table)
        .values((
            jobs::kind.eq(kind),
            jobs::payload.eq(payload),
            jobs::state.eq(PENDING),
            jobs::run_at.eq(at),
            jobs::created_at.eq(at),
        ))
        .returning(jobs::id)
        .get_result(conn)?)
}

pub(super) fn pending_count(conn: &mut Conn) -> AppResult<i64> {
    Ok(jobs::table
        .filter(jobs::state.eq(PENDING))
        .count()
        .get_result(conn)?)
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    payload: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = BigInt)]
    created_at: i64,
}

/// Leases up to `limit` due jobs until `until`: their `run_at` moves to the end of the
/// lease, so they are due again only if this runner does not finish them. On PostgreSQL
/// rows another runner is claiming are skipped, not waited for.
pub(super) fn claim(
    conn: &mut Conn,
    backend: Backend,
    now: i64,
    until: i64,
    limit: i64,
) -> AppResult<Vec<Job>> {
    let lock = match backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        // The IMMEDIATE transaction already holds the database's write lock.
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET run_at = $1, leased_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND run_at <= $2 \
         ORDER BY run_at, id LIMIT $3 {lock}) \
         RETURNING id, kind, payload, attempts, created_at"
    );
    let rows: Vec<Claimed> = write_tx(conn, |conn| {
        crate::native!(conn, |c| diesel::sql_query(sql.as_str())
            .bind::<BigInt, _>(until)
            .bind::<BigInt, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<Claimed>(c))
    })?;
    Ok(rows
        .into_iter()
        .map(|r| Job {
            id: r.id,
            kind: r.kind,
            payload: r.payload,
            attempt: r.attempts,
            created_at: r.created_at,
        })
        .collect())
}

/// Records an attempt's outcome, unless the lease was lost (another runner claimed the
/// job again after it ran out: its outcome is the one that counts).
pub(super) fn finish(
    conn: &mut Conn,
    job: &Job,
    outcome: Result<(), String>,
    now: i64,
) -> AppResult<()> {
    let mine = jobs::table
        .filter(jobs::id.eq(job.id))
        .filter(jobs::attempts.eq(job.attempt))
        .filter(jobs::state.eq(PENDING));
    match outcome {
        Ok(()) => diesel::update(mine)
            .set((
                jobs::state.eq(DONE),
                jobs::leased_until.eq(None::<i64>),
                jobs::last_error.eq(""),
                jobs::finished_at.eq(Some(now)),
            ))
            .execute(conn)?,
        Err(e) => {
            let e: String = e.chars().take(300).collect();
            match next_run(job.created_at, now, job.attempt) {
                Some(at) => diesel::update(mine)
                    .set((
                        jobs::run_at.eq(at),
                        jobs::leased_until.eq(None::<i64>),
                        jobs::last_error.eq(e),
                    ))
                    .execute(conn)?,
                None => diesel::update(mine)
                    .set((
                        jobs::state.eq(DEAD),
                        jobs::leased_until.eq(None::<i64>),
                        jobs::last_error.eq(e),
                        jobs::finished_at.eq(Some(now)),
                    ))
                    .execute(conn)?,
            }
        }
    };
    Ok(())
}

/// Runs a job again now (a redelivery), done or dead alike, with a fresh retry window.
pub fn requeue(conn: &mut Conn, id: i64, now: i64) -> AppResult<()> {
    diesel::update(jobs::table.find(id))
        .set((
            jobs::state.eq(PENDING),
            jobs::run_at.eq(now),
            jobs::created_at.eq(now),
            jobs::leased_until.eq(None::<i64>),
            jobs::finished_at.eq(None::<i64>),
        ))
        .execute(conn)?;
    Ok(())
}
