//! Maintenance grants as a delegation source: what `auth` asks of a grant (is it live,
//! lock it for an action, audit the action), answered from the grants table and the
//! customer's hash-chained audit trail.

use super::live::{grant_facts, live_membership, lock_grant};
use super::{is_live, store};
use crate::auth::{Delegation, DelegationSource, MembershipView};
use crate::db::{Conn, now};
use crate::error::AppResult;

/// The session's name for a maintenance grant.
pub(crate) const KIND: &str = "maintenance";

pub(crate) struct MaintenanceGrants;

impl DelegationSource for MaintenanceGrants {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn resolve(
        &self,
        conn: &mut Conn,
        grant_id: i64,
        user_id: i64,
        memberships: &[MembershipView],
    ) -> AppResult<Option<MembershipView>> {
        live_membership(conn, grant_id, user_id, memberships)
    }

    fn lock_live(&self, conn: &mut Conn, grant_id: i64, user_id: i64) -> AppResult<bool> {
        // Lock first: closing maintenance updates this row, so the close either came
        // first (and is seen below) or waits until the action has committed.
        lock_grant(conn, grant_id)?;
        Ok(grant_facts(conn, grant_id)?.is_some_and(|f| is_live(&f, user_id, now())))
    }

    fn record(
        &self,
        conn: &mut Conn,
        user_id: i64,
        user_name: &str,
        d: &Delegation,
        action: &str,
    ) -> AppResult<()> {
        // The grant pages (enter, leave) write their own, more telling record.
        if action
            .split(' ')
            .nth(1)
            .is_some_and(|p| p.starts_with("/maintenance/"))
        {
            return Ok(());
        }
        store::record_action(conn, user_id, user_name, d, action, action).map(|_| ())
    }

    fn ended_key(&self) -> &'static str {
        "distribution.maintenance.error.not_live"
    }
}
