//! Queries of the licence pool. The pool is always the scope's own organisation; a member
//! organisation is reachable only while it is joined to one of the pool owner's spaces
//! (otherwise the same 404 as a missing id).

use std::collections::{BTreeMap, HashSet};

use diesel::prelude::*;

use super::super::people::{self, LinkedOrg};
use super::super::{MAX_SEAT_ORGS, OrgStatus, ScopeKind, SeatUse};
use crate::auth::OrgScope;
use crate::db::schema::{
    departments, memberships, orgs, seat_auto_departments, seats, space_orgs, spaces, users,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::web::{Cursor, PAGE_SIZE, Page};

/// A member organisation as the pool page lists it.
#[derive(Clone, Debug)]
pub(crate) struct PoolOrg {
    pub org_id: i64,
    pub name: String,
    pub corp_id: String,
    /// Seats of the pool its people hold.
    pub granted: i64,
    /// Departments chosen for automatic grants.
    pub auto_departments: i64,
    /// Still joined to one of the pool owner's spaces (seats of an organisation that left
    /// are released by reconciliation; this is only a safeguard for the display).
    pub linked: bool,
}

/// The one view of the pool: its arithmetic and the downstream organisations.
#[derive(Clone, Debug)]
pub(crate) struct Overview {
    pub usage: SeatUse,
    pub orgs: Vec<PoolOrg>,
    /// Member organisations holding seats (at most [`MAX_SEAT_ORGS`]).
    pub holding_orgs: i64,
}

/// Member organisations joined to any space `pool` owns (the owner itself excluded).
pub(crate) fn member_org_ids(conn: &mut Conn, pool: i64) -> AppResult<Vec<i64>> {
    let mut ids: Vec<i64> = space_orgs::table
        .inner_join(spaces::table)
        .filter(spaces::owner_org_id.eq(pool))
        .filter(space_orgs::org_id.ne(pool))
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .select(space_orgs::org_id)
        .distinct()
        .load(conn)?;
    ids.sort_unstable();
    Ok(ids)
}

/// The pool page: the seed's sum (main organisation + downstream) and each member
/// organisation with its granted seats.
pub(crate) fn overview(conn: &mut Conn, scope: &OrgScope) -> AppResult<Overview> {
    let pool = scope.org_id();
    let usage = people::seat_use(conn, pool)?;
    let members = member_org_ids(conn, pool)?;
    let held: Vec<i64> = seats::table
        .filter(seats::pool_org_id.eq(pool))
        .select(seats::org_id)
        .load(conn)?;
    let mut granted: BTreeMap<i64, i64> = BTreeMap::new();
    for o in &held {
        *granted.entry(*o).or_default() += 1;
    }
    let autos: Vec<i64> = seat_auto_departments::table
        .inner_join(departments::table)
        .filter(seat_auto_departments::pool_org_id.eq(pool))
        .select(departments::org_id)
        .load(conn)?;
    let mut all: Vec<i64> = members.clone();
    all.extend(granted.keys().copied());
    all.sort_unstable();
    all.dedup();
    let names: Vec<(i64, String, String)> = orgs::table
        .filter(orgs::id.eq_any(&all))
        .select((orgs::id, orgs::name, orgs::corp_id))
        .load(conn)?;
    let mut list: Vec<PoolOrg> = names
        .into_iter()
        .map(|(org_id, name, corp_id)| PoolOrg {
            org_id,
            name,
            corp_id,
            granted: granted.get(&org_id).copied().unwrap_or(0),
            auto_departments: autos.iter().filter(|o| **o == org_id).count() as i64,
            linked: members.contains(&org_id),
        })
        .collect();
    list.sort_by(|a, b| b.granted.cmp(&a.granted).then(a.name.cmp(&b.name)));
    Ok(Overview {
        usage,
        holding_orgs: granted.len() as i64,
        orgs: list,
    })
}

/// A member organisation of the pool: (name, CorpID), or 404.
pub(crate) fn member_org(conn: &mut Conn, pool: i64, org_id: i64) -> AppResult<(String, String)> {
    if org_id == pool || !member_org_ids(conn, pool)?.contains(&org_id) {
        return Err(AppError::NotFound);
    }
    Ok(orgs::table
        .find(org_id)
        .select((orgs::name, orgs::corp_id))
        .first(conn)?)
}

/// Everyone of `org_id` linked into any joined space that `pool` owns, computed once
/// (the per-person [`people::linked_to_pool`] would recompute each space per person).
pub(crate) fn pool_linked_ids(conn: &mut Conn, pool: i64, org_id: i64) -> AppResult<HashSet<i64>> {
    let rows: Vec<(i64, String)> = space_orgs::table
        .inner_join(spaces::table)
        .filter(spaces::owner_org_id.eq(pool))
        .filter(space_orgs::org_id.eq(org_id))
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .select((space_orgs::id, space_orgs::scope_kind))
        .load(conn)?;
    let mut out = HashSet::new();
    for (space_org_id, scope) in rows {
        let linked = LinkedOrg {
            space_org_id,
            org_id,
            scope: ScopeKind::parse(&scope).unwrap_or(ScopeKind::People),
        };
        out.extend(people::linked_user_ids(conn, &linked)?);
    }
    Ok(out)
}

/// A linked person of a member organisation, on the grant list.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub user_id: i64,
    pub name: String,
    pub login: String,
    pub department: Option<String>,
    pub has_seat: bool,
    /// Their seat was released by hand: automatic grants skip them until a grant by hand.
    pub released: bool,
}

/// Departments of `org_id` by user, for the given people.
fn departments_of(
    conn: &mut Conn,
    org_id: i64,
    user_ids: &[i64],
) -> AppResult<BTreeMap<i64, Option<String>>> {
    let rows: Vec<(i64, Option<String>)> = memberships::table
        .left_join(departments::table)
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::user_id.eq_any(user_ids))
        .select((memberships::user_id, departments::name.nullable()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The people of a member organisation that may receive a seat, by user id from the cursor.
pub(crate) fn candidates(
    conn: &mut Conn,
    scope: &OrgScope,
    org_id: i64,
    cursor: Cursor,
) -> AppResult<Page<Candidate>> {
    let pool = scope.org_id();
    member_org(conn, pool, org_id)?;
    let linked = pool_linked_ids(conn, pool, org_id)?;
    Page::fetch(
        cursor,
        |c: &Candidate| c.user_id,
        |cursor| candidate_rows(conn, pool, org_id, &linked, cursor),
    )
}

fn candidate_rows(
    conn: &mut Conn,
    pool: i64,
    org_id: i64,
    linked: &HashSet<i64>,
    cursor: Cursor,
) -> AppResult<Vec<Candidate>> {
    let mut ids: Vec<i64> = linked
        .iter()
        .copied()
        .filter(|u| match cursor {
            Cursor::First => true,
            Cursor::After(a) => *u > a,
            Cursor::Before(b) => *u < b,
        })
        .collect();
    ids.sort_unstable();
    if !cursor.forward() {
        ids.reverse();
    }
    ids.truncate(PAGE_SIZE as usize + 1);
    let held: HashSet<i64> = seats::table
        .filter(seats::pool_org_id.eq(pool))
        .filter(seats::org_id.eq(org_id))
        .filter(seats::user_id.eq_any(&ids))
        .select(seats::user_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let released = super::released::released_ids(conn, pool, org_id)?;
    let depts = departments_of(conn, org_id, &ids)?;
    let rows: Vec<(i64, String, String)> = users::table
        .filter(users::id.eq_any(&ids))
        .order(users::id.asc())
        .select((users::id, users::name, users::login))
        .load(conn)?;
    let mut items: Vec<Candidate> = rows
        .into_iter()
        .map(|(user_id, name, login)| Candidate {
            user_id,
            name,
            login,
            department: depts.get(&user_id).cloned().flatten(),
            has_seat: held.contains(&user_id),
            released: released.contains(&user_id),
        })
        .collect();
    // Read by id ascending; going back wants the nearest first.
    if !cursor.forward() {
        items.reverse();
    }
    Ok(items)
}

/// A seat held by a person of a member organisation.
#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug)]
pub(crate) struct Holder {
    pub seat_id: i64,
    pub user_id: i64,
    pub name: String,
    pub login: String,
    pub department: Option<String>,
    pub automatic: bool,
    pub granted_at: i64,
    pub last_login_at: Option<i64>,
}

/// (seat, user, name, login, automatic, granted at, last sign-in).
type HolderRow = (i64, i64, String, String, bool, i64, Option<i64>);

/// The seats of a member organisation, by seat id from the cursor.
pub(crate) fn holders(
    conn: &mut Conn,
    scope: &OrgScope,
    org_id: i64,
    cursor: Cursor,
) -> AppResult<Page<Holder>> {
    let pool = scope.org_id();
    Page::fetch(
        cursor,
        |h: &Holder| h.seat_id,
        |cursor| holder_rows(conn, pool, org_id, cursor),
    )
}

fn holder_rows(conn: &mut Conn, pool: i64, org_id: i64, cursor: Cursor) -> AppResult<Vec<Holder>> {
    let q = seats::table
        .inner_join(users::table)
        .filter(seats::pool_org_id.eq(pool))
        .filter(seats::org_id.eq(org_id))
        .limit(PAGE_SIZE + 1)
        .into_boxed();
    let rows: Vec<HolderRow> = crate::keyset!(q, cursor, seats::id, asc)
        .select((
            seats::id,
            users::id,
            users::name,
            users::login,
            seats::automatic,
            seats::granted_at,
            users::last_login_at,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let depts = departments_of(conn, org_id, &ids)?;
    Ok(rows
        .into_iter()
        .map(
            |(seat_id, user_id, name, login, automatic, granted_at, last_login_at)| Holder {
                seat_id,
                user_id,
                name,
                login,
                department: depts.get(&user_id).cloned().flatten(),
                automatic,
                granted_at,
                last_login_at,
            },
        )
        .collect())
}

/// Grants seats of the scope's pool to the chosen people of member `org_id`, all or
/// nothing: the whole batch is refused when the pool lacks room for it, when a person is
/// not linked into any of the pool owner's spaces, when `org_id` is the pool's own
/// organisation, or when it would be a fourth downstream organisation. People who already
/// hold a seat are skipped. Returns how many seats were granted.
pub(crate) fn grant(
    conn: &mut Conn,
    scope: &OrgScope,
    org_id: i64,
    user_ids: &[i64],
) -> AppResult<usize> {
    let pool = scope.org_id();
    let by = scope.user_id();
    write_tx(conn, |conn| {
        // Serialises every grant of this pool (PostgreSQL row lock; SQLite's IMMEDIATE
        // transaction already holds the write lock): the count below cannot go stale.
        people::lock_org(conn, pool)?;
        if org_id == pool {
            return Err(AppError::BadRequest("interconnect.error.seat_own_org"));
        }
        member_org(conn, pool, org_id)?;
        if user_ids.is_empty() {
            return Err(AppError::BadRequest("interconnect.licences.pick_people"));
        }
        let linked = pool_linked_ids(conn, pool, org_id)?;
        if user_ids.iter().any(|u| !linked.contains(u)) {
            return Err(AppError::Conflict("interconnect.error.seat_not_linked"));
        }
        let fresh = without_seat(conn, pool, org_id, user_ids.to_vec())?;
        insert_seats(conn, pool, org_id, &fresh, false, Some(by))?;
        // A grant by hand lifts an earlier release by hand: automatic grants apply again.
        super::released::clear(conn, pool, org_id, user_ids)?;
        people::alert_on_use(conn, pool)?;
        tracing::info!(
            org.id = pool,
            member_org.id = org_id,
            seats = fresh.len(),
            "seats granted"
        );
        Ok(fresh.len())
    })
}

/// The people among `user_ids` who hold no seat of `pool` in `org_id` yet.
pub(super) fn without_seat(
    conn: &mut Conn,
    pool: i64,
    org_id: i64,
    mut user_ids: Vec<i64>,
) -> AppResult<Vec<i64>> {
    let held: HashSet<i64> = seats::table
        .filter(seats::pool_org_id.eq(pool))
        .filter(seats::org_id.eq(org_id))
        .select(seats::user_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    user_ids.retain(|u| !held.contains(u));
    Ok(user_ids)
}

/// Inserts seats after the two pool rules (three organisations, room in the pool). The
/// caller holds the pool lock.
pub(super) fn insert_seats(
    conn: &mut Conn,
    pool: i64,
    org_id: i64,
    user_ids: &[i64],
    automatic: bool,
    by: Option<i64>,
) -> AppResult<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let holding: Vec<i64> = seats::table
        .filter(seats::pool_org_id.eq(pool))
        .select(seats::org_id)
        .distinct()
        .load(conn)?;
    if !holding.contains(&org_id) && holding.len() as i64 >= MAX_SEAT_ORGS {
        return Err(AppError::Conflict("interconnect.error.seat_orgs_limit"));
    }
    people::seat_use(conn, pool)?.check_grant(user_ids.len() as i64)?;
    let at = now();
    for u in user_ids {
        diesel::insert_into(seats::table)
            .values((
                seats::pool_org_id.eq(pool),
                seats::org_id.eq(org_id),
                seats::user_id.eq(*u),
                seats::automatic.eq(automatic),
                seats::granted_by.eq(by),
                seats::granted_at.eq(at),
            ))
            .execute(conn)?;
    }
    super::usage::record(conn, pool, org_id)
}

/// Releases the chosen seats of member `org_id`; a seat of another pool or organisation
/// is a 404. Use falling below a threshold re-arms its alert.
pub(crate) fn release(
    conn: &mut Conn,
    scope: &OrgScope,
    org_id: i64,
    seat_ids: &[i64],
) -> AppResult<usize> {
    let pool = scope.org_id();
    write_tx(conn, |conn| {
        people::lock_org(conn, pool)?;
        if seat_ids.is_empty() {
            return Err(AppError::BadRequest("interconnect.licences.pick_seats"));
        }
        let chosen = seats::table
            .filter(seats::pool_org_id.eq(pool))
            .filter(seats::org_id.eq(org_id))
            .filter(seats::id.eq_any(seat_ids));
        let people: Vec<i64> = chosen.clone().select(seats::user_id).load(conn)?;
        let n = diesel::delete(chosen).execute(conn)?;
        if n != seat_ids.len() {
            return Err(AppError::NotFound);
        }
        super::usage::record(conn, pool, org_id)?;
        // Remembered, so that automatic grants do not hand these seats straight back.
        super::released::record(conn, pool, org_id, &people, scope.user_id())?;
        people::alert_on_use(conn, pool)?;
        tracing::info!(
            org.id = pool,
            member_org.id = org_id,
            seats = n,
            "seats released"
        );
        Ok(n)
    })
}
