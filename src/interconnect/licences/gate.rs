//! The seat gate (seed 004, licence统一管理: "下游组织工作台：200人可使用宜搭的来自上游应用"):
//! a person acting in a member organisation uses an app the pool owner published to it
//! only while holding a seat of the owner's pool. [`require_seat`] is called by
//! `publish::store::usable_app`, the one door every page, form, submission, approval,
//! report, data view and download of a published app goes through, so no route can forget
//! it. The pool owner's own people are its main-organisation use ([`super::super::SeatUse`]
//! counts every member), so they pass as before.

use std::collections::{BTreeMap, HashSet};

use diesel::prelude::*;

use crate::apps::App;
use crate::auth::{OrgScope, Perm, Role};
use crate::db::Conn;
use crate::db::schema::{memberships, orgs, seats, users};
use crate::error::{AppError, AppResult, Refusal};

/// Whether `user_id`, acting in member `org_id`, holds a seat of `pool_org_id`'s licence.
pub(crate) fn holds_seat(
    conn: &mut Conn,
    pool_org_id: i64,
    org_id: i64,
    user_id: i64,
) -> AppResult<bool> {
    let n: i64 = seats::table
        .filter(seats::pool_org_id.eq(pool_org_id))
        .filter(seats::org_id.eq(org_id))
        .filter(seats::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The pools among `pools` in which the caller holds a seat in their current organisation.
pub(crate) fn pools_with_seat(
    conn: &mut Conn,
    scope: &OrgScope,
    pools: &[i64],
) -> AppResult<HashSet<i64>> {
    if pools.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(seats::table
        .filter(seats::org_id.eq(scope.org_id()))
        .filter(seats::user_id.eq(scope.user_id()))
        .filter(seats::pool_org_id.eq_any(pools))
        .select(seats::pool_org_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

/// The people who can grant a seat of `pool_org_id`'s licence: its main admins and its
/// sub-admins holding the interconnection permission point (those who manage the pool),
/// enabled, by name.
pub(crate) fn granting_admins(conn: &mut Conn, pool_org_id: i64) -> AppResult<Vec<String>> {
    let rows: Vec<(String, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(pool_org_id))
        .filter(memberships::role.eq_any([Role::MainAdmin.as_str(), Role::SubAdmin.as_str()]))
        .filter(users::disabled.eq(false))
        .order((users::name.asc(), users::id.asc()))
        .select((users::name, memberships::role, memberships::permissions))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, role, perms)| {
            role == Role::MainAdmin.as_str()
                || Perm::parse_list(perms).contains(&Perm::Interconnect)
        })
        .map(|(name, _, _)| name)
        .collect())
}

/// Refuses the caller the published `app` unless they hold a seat of its organisation's
/// pool: a 403 page naming the app, the upstream organisation and the admins who can grant
/// one. The app's own organisation always passes (main-organisation use).
pub(crate) fn require_seat(conn: &mut Conn, scope: &OrgScope, app: &App) -> AppResult<()> {
    if app.org_id == scope.org_id()
        || holds_seat(conn, app.org_id, scope.org_id(), scope.user_id())?
    {
        return Ok(());
    }
    let upstream: String = orgs::table
        .find(app.org_id)
        .select(orgs::name)
        .first(conn)?;
    let contacts = granting_admins(conn, app.org_id)?;
    tracing::info!(
        org.id = scope.org_id(),
        user.id = scope.user_id(),
        app.id = app.id,
        "published app refused without a seat"
    );
    let key = if contacts.is_empty() {
        "interconnect.seats.no_seat_no_admin"
    } else {
        "interconnect.seats.no_seat"
    };
    Err(AppError::Refused(Box::new(Refusal {
        key,
        args: vec![("app", app.name.clone()), ("upstream", upstream)],
        contacts,
    })))
}

/// A published app's seat state on the caller's workbench.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeatState {
    Held,
    /// No seat; the admins who can grant one.
    Missing(Vec<String>),
}

/// The caller's seat state for each pool owner in `pools` (their current organisation).
pub(crate) fn seat_states(
    conn: &mut Conn,
    scope: &OrgScope,
    pools: &[i64],
) -> AppResult<BTreeMap<i64, SeatState>> {
    let held = pools_with_seat(conn, scope, pools)?;
    let mut out = BTreeMap::new();
    for pool in pools {
        if out.contains_key(pool) {
            continue;
        }
        let state = if held.contains(pool) {
            SeatState::Held
        } else {
            SeatState::Missing(granting_admins(conn, *pool)?)
        };
        out.insert(*pool, state);
    }
    Ok(out)
}
