//! The grant lists of `/maintenance`: the customer's, the developer's own and the
//! provider organisation's, newest first, keyset-paginated by id.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::GrantStatus;
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::db::schema::{apps, maintenance_grants as mg, orgs, users};
use crate::error::AppResult;
use crate::web::{Cursor, PAGE_SIZE, Page};

/// One grant as the lists show it.
#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug)]
pub(crate) struct GrantRow {
    pub id: i64,
    pub app_id: i64,
    pub app_name: String,
    pub customer_org: String,
    pub provider_org: String,
    pub developer_id: i64,
    pub developer: String,
    pub reason: String,
    pub duration_secs: i64,
    pub status: String,
    pub requested_at: i64,
    pub expires_at: Option<i64>,
}

impl GrantRow {
    pub(crate) fn status(&self, now: i64) -> GrantStatus {
        super::effective_status(&self.status, self.expires_at, now)
    }
}

/// Which list of grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// Grants on the scope's organisation's apps (customer admins).
    Customer,
    /// The scope's organisation's grants in customers' apps (provider admins).
    Provider,
    /// The caller's own grants from the scope's organisation.
    Mine,
}

pub(crate) fn list(
    conn: &mut Conn,
    scope: &OrgScope,
    side: Side,
    cursor: Cursor,
) -> AppResult<Page<GrantRow>> {
    Page::fetch(
        cursor,
        |g: &GrantRow| g.id,
        |cursor| rows(conn, scope, side, cursor),
    )
}

fn rows(conn: &mut Conn, scope: &OrgScope, side: Side, cursor: Cursor) -> AppResult<Vec<GrantRow>> {
    let org = scope.org_id();
    let mut q = mg::table
        .inner_join(apps::table)
        .inner_join(users::table.on(users::id.eq(mg::developer_id)))
        .inner_join(orgs::table.on(orgs::id.eq(mg::customer_org_id)))
        .limit(PAGE_SIZE + 1)
        .select((
            mg::id,
            mg::app_id,
            apps::name,
            orgs::name,
            mg::provider_org_id,
            mg::developer_id,
            users::name,
            mg::reason,
            mg::duration_secs,
            mg::status,
            mg::requested_at,
            mg::expires_at,
        ))
        .into_boxed();
    q = match side {
        Side::Customer => q.filter(mg::customer_org_id.eq(org)),
        Side::Provider => q.filter(mg::provider_org_id.eq(org)),
        Side::Mine => q
            .filter(mg::provider_org_id.eq(org))
            .filter(mg::developer_id.eq(scope.user_id())),
    };
    type R = (
        i64,
        i64,
        String,
        String,
        i64,
        i64,
        String,
        String,
        i64,
        String,
        i64,
        Option<i64>,
    );
    let rows: Vec<R> = crate::keyset!(q, cursor, mg::id, desc).load(conn)?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.4).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: BTreeMap<i64, String> = orgs::table
        .filter(orgs::id.eq_any(&ids))
        .select((orgs::id, orgs::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| GrantRow {
            id: r.0,
            app_id: r.1,
            app_name: r.2,
            customer_org: r.3,
            provider_org: names.get(&r.4).cloned().unwrap_or_default(),
            developer_id: r.5,
            developer: r.6,
            reason: r.7,
            duration_secs: r.8,
            status: r.9,
            requested_at: r.10,
            expires_at: r.11,
        })
        .collect())
}
