//! The licence pool's seats (席位): what the pool holds, who may hold a seat, granting one
//! under the pool's limit, and the 80/90/100 % alerts.

use diesel::prelude::*;

use super::{in_space, lock_org};
use crate::db::schema::{memberships, orgs, seat_alerts, seats, space_orgs, spaces};
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};
use crate::interconnect::{OrgStatus, SeatUse};
use crate::org::Edition;

/// The pool of `pool_org_id` as the licence page shows it.
pub fn seat_use(conn: &mut Conn, pool_org_id: i64) -> AppResult<SeatUse> {
    let (edition, pool): (String, Option<i32>) = orgs::table
        .find(pool_org_id)
        .select((orgs::edition, orgs::seat_pool))
        .first(conn)?;
    let base = pool.map(i64::from).unwrap_or_else(|| {
        crate::interconnect::default_seat_pool(Edition::parse(&edition).unwrap_or(Edition::Free))
    });
    // Seats the organisation bought itself, for the orders whose term runs now.
    let bought =
        base + crate::interconnect::licences::purchase::purchased_seats(conn, pool_org_id, now())?;
    let main_org: i64 = memberships::table
        .filter(memberships::org_id.eq(pool_org_id))
        .count()
        .get_result(conn)?;
    let downstream: i64 = seats::table
        .filter(seats::pool_org_id.eq(pool_org_id))
        .count()
        .get_result(conn)?;
    Ok(SeatUse {
        bought,
        main_org,
        downstream,
    })
}

/// Whether `user_id` of `org_id` is linked into any joined space that `pool_org_id` owns.
pub fn linked_to_pool(
    conn: &mut Conn,
    pool_org_id: i64,
    org_id: i64,
    user_id: i64,
) -> AppResult<bool> {
    let space_ids: Vec<i64> = space_orgs::table
        .inner_join(spaces::table)
        .filter(spaces::owner_org_id.eq(pool_org_id))
        .filter(space_orgs::org_id.eq(org_id))
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .select(space_orgs::space_id)
        .load(conn)?;
    for s in space_ids {
        if in_space(conn, s, org_id, user_id)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Grants one seat of `pool_org_id`'s licence to a linked person of member `org_id`.
/// Runs inside the caller's write transaction; refuses past the pool, beyond three
/// member organisations, or for someone not in any of the pool owner's spaces. Exactly
/// once: a second grant of the same seat is a no-op that returns `false`.
pub fn grant_seat(
    conn: &mut Conn,
    pool_org_id: i64,
    org_id: i64,
    user_id: i64,
    automatic: bool,
    by: Option<i64>,
) -> AppResult<bool> {
    lock_org(conn, pool_org_id)?;
    if org_id == pool_org_id {
        return Err(AppError::BadRequest("interconnect.error.seat_own_org"));
    }
    if !linked_to_pool(conn, pool_org_id, org_id, user_id)? {
        return Err(AppError::Conflict("interconnect.error.seat_not_linked"));
    }
    let held: i64 = seats::table
        .filter(seats::pool_org_id.eq(pool_org_id))
        .filter(seats::org_id.eq(org_id))
        .filter(seats::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if held > 0 {
        return Ok(false);
    }
    let orgs_holding: Vec<i64> = seats::table
        .filter(seats::pool_org_id.eq(pool_org_id))
        .select(seats::org_id)
        .distinct()
        .load(conn)?;
    if !orgs_holding.contains(&org_id)
        && orgs_holding.len() as i64 >= crate::interconnect::MAX_SEAT_ORGS
    {
        return Err(AppError::Conflict("interconnect.error.seat_orgs_limit"));
    }
    seat_use(conn, pool_org_id)?.check_grant(1)?;
    diesel::insert_into(seats::table)
        .values((
            seats::pool_org_id.eq(pool_org_id),
            seats::org_id.eq(org_id),
            seats::user_id.eq(user_id),
            seats::automatic.eq(automatic),
            seats::granted_by.eq(by),
            seats::granted_at.eq(now()),
        ))
        .execute(conn)?;
    crate::interconnect::licences::usage::record(conn, pool_org_id, org_id)?;
    alert_on_use(conn, pool_org_id)?;
    Ok(true)
}

/// Sends one alert when the use newly reaches 80 / 90 / 100 % to the pool owner's main admins, and
/// forgets those no longer reached so that they fire again next time.
pub fn alert_on_use(conn: &mut Conn, pool_org_id: i64) -> AppResult<()> {
    let usage = seat_use(conn, pool_org_id)?;
    let reached = usage.reached_alerts();
    let sent: Vec<i32> = seat_alerts::table
        .filter(seat_alerts::pool_org_id.eq(pool_org_id))
        .select(seat_alerts::threshold)
        .load(conn)?;
    let below: Vec<i32> = sent
        .iter()
        .copied()
        .filter(|t| !reached.contains(&i64::from(*t)))
        .collect();
    if !below.is_empty() {
        diesel::delete(
            seat_alerts::table
                .filter(seat_alerts::pool_org_id.eq(pool_org_id))
                .filter(seat_alerts::threshold.eq_any(below)),
        )
        .execute(conn)?;
    }
    let fresh: Vec<i64> = reached
        .into_iter()
        .filter(|t| !sent.contains(&(*t as i32)))
        .collect();
    for t in &fresh {
        diesel::insert_into(seat_alerts::table)
            .values((
                seat_alerts::pool_org_id.eq(pool_org_id),
                seat_alerts::threshold.eq(*t as i32),
                seat_alerts::sent_at.eq(now()),
            ))
            .execute(conn)?;
    }
    // One notice per change, however many thresholds it crossed: the sentence gives the
    // use in words ("已使用 4/5 个名额（80%），另有 1 人待分配").
    if !fresh.is_empty() {
        let admins: Vec<i64> = memberships::table
            .filter(memberships::org_id.eq(pool_org_id))
            .filter(memberships::role.eq(crate::auth::Role::MainAdmin.as_str()))
            .select(memberships::user_id)
            .load(conn)?;
        let body = crate::interconnect::licences::alert::body(&usage);
        for a in admins {
            crate::notifications::notify(
                conn,
                pool_org_id,
                a,
                "interconnect.notify.seat_alert",
                &body,
                "/interconnect/licences",
            )?;
        }
    }
    Ok(())
}
