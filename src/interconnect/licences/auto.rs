//! Automatic grants (伙伴智能入职 / 伙伴智能离职): the member departments whose people
//! receive a seat of the pool when they join and lose it when they leave, and the
//! reconciliation after every directory or space change.

use std::collections::HashSet;

use diesel::prelude::*;

use super::super::MAX_SEAT_ORGS;
use super::super::people::{self};
use super::store::{insert_seats, member_org, pool_linked_ids, without_seat};
use crate::auth::OrgScope;
use crate::db::schema::{departments, memberships, seat_auto_departments, seats, spaces};
use crate::db::{Conn, write_tx};
use crate::error::{AppError, AppResult};

/// A department of a member organisation on the automatic-grant form.
#[derive(Clone, Debug)]
pub(crate) struct AutoDept {
    pub id: i64,
    pub name: String,
    pub depth: usize,
    pub chosen: bool,
}

/// The member organisation's departments as a tree (depth-first), with the pool's choice.
pub(crate) fn auto_departments(
    conn: &mut Conn,
    scope: &OrgScope,
    org_id: i64,
) -> AppResult<Vec<AutoDept>> {
    let pool = scope.org_id();
    member_org(conn, pool, org_id)?;
    let all: Vec<(i64, Option<i64>, String)> = departments::table
        .filter(departments::org_id.eq(org_id))
        .order((departments::name.asc(), departments::id.asc()))
        .select((departments::id, departments::parent_id, departments::name))
        .load(conn)?;
    let chosen: HashSet<i64> = chosen_roots(conn, pool, org_id)?.into_iter().collect();
    let known: HashSet<i64> = all.iter().map(|d| d.0).collect();
    let mut out = Vec::with_capacity(all.len());
    let mut stack: Vec<(i64, usize)> = all
        .iter()
        .rev()
        .filter(|d| d.1.is_none_or(|p| !known.contains(&p)))
        .map(|d| (d.0, 0))
        .collect();
    let mut seen = HashSet::new();
    while let Some((id, depth)) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(d) = all.iter().find(|d| d.0 == id) {
            out.push(AutoDept {
                id,
                name: d.2.clone(),
                depth,
                chosen: chosen.contains(&id),
            });
        }
        stack.extend(
            all.iter()
                .rev()
                .filter(|c| c.1 == Some(id))
                .map(|c| (c.0, depth + 1)),
        );
    }
    Ok(out)
}

/// The departments of `org_id` chosen for automatic grants from `pool`.
fn chosen_roots(conn: &mut Conn, pool: i64, org_id: i64) -> AppResult<Vec<i64>> {
    Ok(seat_auto_departments::table
        .inner_join(departments::table)
        .filter(seat_auto_departments::pool_org_id.eq(pool))
        .filter(departments::org_id.eq(org_id))
        .select(seat_auto_departments::department_id)
        .load(conn)?)
}

/// Replaces the automatic-grant departments of member `org_id` and applies the choice at
/// once: people already in a chosen department receive a seat while the pool has room,
/// automatic seats outside the chosen departments are released.
pub(crate) fn set_auto_departments(
    conn: &mut Conn,
    scope: &OrgScope,
    org_id: i64,
    dept_ids: &[i64],
) -> AppResult<()> {
    let pool = scope.org_id();
    write_tx(conn, |conn| {
        people::lock_org(conn, pool)?;
        member_org(conn, pool, org_id)?;
        let own: HashSet<i64> = departments::table
            .filter(departments::org_id.eq(org_id))
            .select(departments::id)
            .load::<i64>(conn)?
            .into_iter()
            .collect();
        if dept_ids.iter().any(|d| !own.contains(d)) {
            return Err(AppError::NotFound);
        }
        diesel::delete(
            seat_auto_departments::table
                .filter(seat_auto_departments::pool_org_id.eq(pool))
                .filter(seat_auto_departments::department_id.eq_any(own)),
        )
        .execute(conn)?;
        for d in dept_ids {
            diesel::insert_into(seat_auto_departments::table)
                .values((
                    seat_auto_departments::pool_org_id.eq(pool),
                    seat_auto_departments::department_id.eq(*d),
                ))
                .execute(conn)?;
        }
        reconcile_pool(conn, pool, org_id)
    })
}

/// Seats of `org_id`'s people after a change to its directory or its spaces (called by
/// [`people::reconcile_org`] inside the caller's transaction): for every pool it holds
/// seats of or has automatic departments in, seats of people no longer linked are
/// released, automatic seats of people no longer in a chosen department are released
/// (伙伴智能离职), and linked people in a chosen department receive a seat while the pool
/// has room and the three-organisation cap allows (伙伴智能入职). A pool owner's own use
/// changes with its members, so its alerts are re-evaluated too.
pub(crate) fn reconcile_seats(conn: &mut Conn, org_id: i64) -> AppResult<()> {
    let mut pools: Vec<i64> = seats::table
        .filter(seats::org_id.eq(org_id))
        .select(seats::pool_org_id)
        .distinct()
        .load(conn)?;
    pools.extend(
        seat_auto_departments::table
            .inner_join(departments::table)
            .filter(departments::org_id.eq(org_id))
            .select(seat_auto_departments::pool_org_id)
            .load::<i64>(conn)?,
    );
    pools.sort_unstable();
    pools.dedup();
    for pool in pools {
        people::lock_org(conn, pool)?;
        reconcile_pool(conn, pool, org_id)?;
    }
    let owns_space: i64 = spaces::table
        .filter(spaces::owner_org_id.eq(org_id))
        .count()
        .get_result(conn)?;
    if owns_space > 0 {
        people::alert_on_use(conn, org_id)?;
    }
    Ok(())
}

/// One pool's part of [`reconcile_seats`]; the caller holds the pool lock.
fn reconcile_pool(conn: &mut Conn, pool: i64, org_id: i64) -> AppResult<()> {
    let linked = pool_linked_ids(conn, pool, org_id)?;
    let roots = chosen_roots(conn, pool, org_id)?;
    let depts: Vec<i64> = people::with_descendants(conn, org_id, &roots)?
        .into_iter()
        .collect();
    let mut in_auto: Vec<i64> = if depts.is_empty() {
        Vec::new()
    } else {
        memberships::table
            .filter(memberships::org_id.eq(org_id))
            .filter(memberships::department_id.eq_any(&depts))
            .order(memberships::id.asc())
            .select(memberships::user_id)
            .load(conn)?
    };
    let held: Vec<(i64, i64, bool)> = seats::table
        .filter(seats::pool_org_id.eq(pool))
        .filter(seats::org_id.eq(org_id))
        .select((seats::id, seats::user_id, seats::automatic))
        .load(conn)?;
    let gone: Vec<i64> = held
        .iter()
        .filter(|(_, u, auto)| !linked.contains(u) || (*auto && !in_auto.contains(u)))
        .map(|(id, _, _)| *id)
        .collect();
    if !gone.is_empty() {
        diesel::delete(seats::table.filter(seats::id.eq_any(&gone))).execute(conn)?;
        super::usage::record(conn, pool, org_id)?;
        tracing::info!(
            org.id = pool,
            member_org.id = org_id,
            seats = gone.len(),
            "seats released automatically"
        );
    }
    // People whose seat an admin released by hand wait for a grant by hand.
    let released = super::released::released_ids(conn, pool, org_id)?;
    in_auto.retain(|u| linked.contains(u) && !released.contains(u));
    let mut fresh = without_seat(conn, pool, org_id, in_auto)?;
    if !fresh.is_empty() {
        // A full pool or the three-organisation cap stops automatic grants quietly: the
        // licence page shows who is still without a seat.
        let holding: Vec<i64> = seats::table
            .filter(seats::pool_org_id.eq(pool))
            .select(seats::org_id)
            .distinct()
            .load(conn)?;
        let capped = !holding.contains(&org_id) && holding.len() as i64 >= MAX_SEAT_ORGS;
        let room = people::seat_use(conn, pool)?.remaining();
        fresh.truncate(usize::try_from(room).unwrap_or(0));
        if !capped && !fresh.is_empty() {
            insert_seats(conn, pool, org_id, &fresh, true, None)?;
            tracing::info!(
                org.id = pool,
                member_org.id = org_id,
                seats = fresh.len(),
                "seats granted automatically"
            );
        }
    }
    people::alert_on_use(conn, pool)
}
