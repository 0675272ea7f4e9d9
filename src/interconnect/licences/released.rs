//! Seats released by hand (释放名额) are remembered per person: automatic grants by
//! department (伙伴智能入职) skip them, so the next directory change (the person moved,
//! someone else joining the department) does not hand the seat straight back. Only a
//! grant by hand clears the record. Automatic releases (伙伴智能离职) are not recorded:
//! the rule that took the seat gives it back when it applies again.

use std::collections::HashSet;

use diesel::prelude::*;

use crate::db::schema::seat_releases;
use crate::db::{Conn, now};
use crate::error::AppResult;

/// Records that the seats of `user_ids` (member `org_id`, pool `pool`) were released by
/// `by`. Runs in the caller's write transaction; recording twice keeps one row.
pub(crate) fn record(
    conn: &mut Conn,
    pool: i64,
    org_id: i64,
    user_ids: &[i64],
    by: i64,
) -> AppResult<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    clear(conn, pool, org_id, user_ids)?;
    let at = now();
    for u in user_ids {
        diesel::insert_into(seat_releases::table)
            .values((
                seat_releases::pool_org_id.eq(pool),
                seat_releases::org_id.eq(org_id),
                seat_releases::user_id.eq(*u),
                seat_releases::released_by.eq(Some(by)),
                seat_releases::released_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets the manual releases of `user_ids` (an admin granted them a seat by hand).
pub(crate) fn clear(conn: &mut Conn, pool: i64, org_id: i64, user_ids: &[i64]) -> AppResult<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    diesel::delete(
        seat_releases::table
            .filter(seat_releases::pool_org_id.eq(pool))
            .filter(seat_releases::org_id.eq(org_id))
            .filter(seat_releases::user_id.eq_any(user_ids)),
    )
    .execute(conn)?;
    Ok(())
}

/// The people of member `org_id` whose seat of `pool` was released by hand.
pub(crate) fn released_ids(conn: &mut Conn, pool: i64, org_id: i64) -> AppResult<HashSet<i64>> {
    Ok(seat_releases::table
        .filter(seat_releases::pool_org_id.eq(pool))
        .filter(seat_releases::org_id.eq(org_id))
        .select(seat_releases::user_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}
