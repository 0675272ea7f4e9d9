//! Appending to, reading and verifying the audit chain. Appending is the only write.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::{GENESIS, RecordContent, Stored, Verification, chain_hash, check_link};
use crate::auth::OrgScope;
use crate::db::schema::{apps, audit_records, orgs, users};
use crate::db::{Conn, is_unique_violation, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::web::{Cursor, PAGE_SIZE, Page};

/// A record to append; the chain fields and the time are filled in here.
#[derive(Clone, Debug)]
pub struct NewRecord {
    pub customer_org_id: i64,
    pub provider_org_id: i64,
    pub app_id: i64,
    pub grant_id: Option<i64>,
    pub actor_id: i64,
    pub action: String,
    pub detail: String,
}

/// Concurrent appenders to one chain race for the same `prev_hash`; the unique index lets
/// one win and the others read the new head and try again.
const APPEND_ATTEMPTS: u32 = 64;

/// Appends one record to its customer organisation's chain (inside the caller's
/// transaction when there is one, as a savepoint).
pub fn append(conn: &mut Conn, r: &NewRecord) -> AppResult<i64> {
    for attempt in 0..APPEND_ATTEMPTS {
        let res = write_tx(conn, |conn| -> Result<i64, diesel::result::Error> {
            let prev: Option<String> = audit_records::table
                .filter(audit_records::customer_org_id.eq(r.customer_org_id))
                .order(audit_records::id.desc())
                .select(audit_records::hash)
                .first(conn)
                .optional()?;
            let prev = prev.unwrap_or_else(|| GENESIS.to_string());
            let created_at = now();
            let hash = chain_hash(
                &prev,
                &RecordContent {
                    customer_org_id: r.customer_org_id,
                    provider_org_id: r.provider_org_id,
                    app_id: r.app_id,
                    grant_id: r.grant_id,
                    actor_id: r.actor_id,
                    action: &r.action,
                    detail: &r.detail,
                    created_at,
                },
            );
            diesel::insert_into(audit_records::table)
                .values((
                    audit_records::customer_org_id.eq(r.customer_org_id),
                    audit_records::provider_org_id.eq(r.provider_org_id),
                    audit_records::app_id.eq(r.app_id),
                    audit_records::grant_id.eq(r.grant_id),
                    audit_records::actor_id.eq(r.actor_id),
                    audit_records::action.eq(&r.action),
                    audit_records::detail.eq(&r.detail),
                    audit_records::prev_hash.eq(&prev),
                    audit_records::hash.eq(&hash),
                    audit_records::created_at.eq(created_at),
                ))
                .returning(audit_records::id)
                .get_result(conn)
        });
        match res {
            Ok(id) => return Ok(id),
            Err(e) if is_unique_violation(&e) => {
                // Blocking pool: a short, growing pause lets the winner commit.
                let ms = u64::from(attempt.min(10)) + rand::random_range(0..5u64);
                std::thread::sleep(std::time::Duration::from_millis(ms));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::internal(
        "audit chain: too many concurrent appends",
    ))
}

type Row = (
    i64,
    i64,
    i64,
    i64,
    Option<i64>,
    i64,
    String,
    String,
    String,
    String,
    i64,
);

fn stored(r: &Row) -> Stored<'_> {
    Stored {
        id: r.0,
        prev_hash: &r.8,
        hash: &r.9,
        content: RecordContent {
            customer_org_id: r.1,
            provider_org_id: r.2,
            app_id: r.3,
            grant_id: r.4,
            actor_id: r.5,
            action: &r.6,
            detail: &r.7,
            created_at: r.10,
        },
    }
}

/// Walks a customer organisation's whole chain in id order, in batches.
pub fn verify_chain(conn: &mut Conn, customer_org_id: i64) -> AppResult<Verification> {
    const BATCH: i64 = 500;
    let mut expected = GENESIS.to_string();
    let mut after = 0i64;
    let mut n = 0usize;
    loop {
        let rows: Vec<Row> = audit_records::table
            .filter(audit_records::customer_org_id.eq(customer_org_id))
            .filter(audit_records::id.gt(after))
            .order(audit_records::id.asc())
            .limit(BATCH)
            .select((
                audit_records::id,
                audit_records::customer_org_id,
                audit_records::provider_org_id,
                audit_records::app_id,
                audit_records::grant_id,
                audit_records::actor_id,
                audit_records::action,
                audit_records::detail,
                audit_records::prev_hash,
                audit_records::hash,
                audit_records::created_at,
            ))
            .load(conn)?;
        let Some(last) = rows.last() else {
            return Ok(Verification::Intact { records: n });
        };
        after = last.0;
        for r in &rows {
            match check_link(&expected, &stored(r)) {
                Some(next) => expected = next,
                None => return Ok(Verification::Broken { record_id: r.0 }),
            }
            n += 1;
        }
    }
}

/// One chain's verification, as the audit page shows it.
#[derive(Clone, Debug)]
pub struct ChainCheck {
    pub customer_org_name: String,
    pub result: Verification,
}

/// Verifies every chain the caller may see: the own organisation's as a customer, and as
/// a provider the chains of the customers it holds records in.
pub fn verify_visible(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<ChainCheck>> {
    let mut customers: Vec<i64> = audit_records::table
        .filter(audit_records::provider_org_id.eq(scope.org_id()))
        .select(audit_records::customer_org_id)
        .distinct()
        .load(conn)?;
    customers.push(scope.org_id());
    customers.sort_unstable();
    customers.dedup();
    let names: BTreeMap<i64, String> = orgs::table
        .filter(orgs::id.eq_any(&customers))
        .select((orgs::id, orgs::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut out = vec![];
    for c in customers {
        let result = verify_chain(conn, c)?;
        if c == scope.org_id() && result == (Verification::Intact { records: 0 }) {
            continue;
        }
        out.push(ChainCheck {
            customer_org_name: names.get(&c).cloned().unwrap_or_default(),
            result,
        });
    }
    Ok(out)
}

/// One record as the trail and the CSV show it.
#[derive(Clone, Debug)]
pub struct RecordRow {
    pub id: i64,
    pub created_at: i64,
    pub customer_org: String,
    pub provider_org: String,
    pub app_name: String,
    pub grant_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub hash: String,
}

/// The records the caller's organisation may see (as customer or as provider), newest
/// first, keyset-paginated by id; `limit` is the page size.
pub fn list(conn: &mut Conn, scope: &OrgScope, cursor: Cursor) -> AppResult<Page<RecordRow>> {
    Page::fetch(
        cursor,
        |r: &RecordRow| r.id,
        |cursor| rows(conn, scope, cursor, PAGE_SIZE + 1),
    )
}

/// Up to `limit` records from the cursor, newest first (read the other way when going back).
fn rows(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
    limit: i64,
) -> AppResult<Vec<RecordRow>> {
    let org = scope.org_id();
    let q = audit_records::table
        .inner_join(apps::table)
        .inner_join(users::table)
        .filter(
            audit_records::customer_org_id
                .eq(org)
                .or(audit_records::provider_org_id.eq(org)),
        )
        .limit(limit)
        .select((
            audit_records::id,
            audit_records::created_at,
            audit_records::customer_org_id,
            audit_records::provider_org_id,
            apps::name,
            audit_records::grant_id,
            users::name,
            audit_records::action,
            audit_records::detail,
            audit_records::hash,
        ))
        .into_boxed();
    type R = (
        i64,
        i64,
        i64,
        i64,
        String,
        Option<i64>,
        String,
        String,
        String,
        String,
    );
    let rows: Vec<R> = crate::keyset!(q, cursor, audit_records::id, desc).load(conn)?;
    let mut ids: Vec<i64> = rows.iter().flat_map(|r| [r.2, r.3]).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: BTreeMap<i64, String> = orgs::table
        .filter(orgs::id.eq_any(&ids))
        .select((orgs::id, orgs::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|r| RecordRow {
            id: r.0,
            created_at: r.1,
            customer_org: name(r.2),
            provider_org: name(r.3),
            app_name: r.4,
            grant_id: r.5,
            actor: r.6,
            action: r.7,
            detail: r.8,
            hash: r.9,
        })
        .collect())
}

/// Every record the caller may see, for the CSV export (read in pages, oldest last).
pub fn all(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<RecordRow>> {
    let mut out = vec![];
    let mut cursor = Cursor::First;
    loop {
        let batch = rows(conn, scope, cursor, 1000)?;
        let full = batch.len() == 1000;
        cursor = batch.last().map_or(Cursor::First, |r| Cursor::After(r.id));
        out.extend(batch);
        if !full {
            return Ok(out);
        }
    }
}
