//! The true-up report (对账): seats by organisation and by department, and the people
//! holding a seat — main-organisation members and downstream grantees — who have not
//! signed in for N days, with a CSV export of every holder.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;

use super::Days;
use super::store::overview;
use crate::auth::OrgScope;
use crate::db::schema::{departments, memberships, orgs, seats, users};
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::tools::csv_cell;
use crate::web::{Cursor, PAGE_SIZE, Page, format_time};

/// Seats of one organisation, or of one department of it.
#[derive(Clone, Debug)]
pub(crate) struct SeatCount {
    pub org_name: String,
    /// `None` on the organisation line, or for people in no department.
    pub department: Option<String>,
    pub main: bool,
    pub seats: i64,
}

/// A seat holder who has not signed in within the period.
#[derive(Clone, Debug)]
pub(crate) struct StaleHolder {
    pub user_id: i64,
    pub name: String,
    pub login: String,
    pub last_login_at: Option<i64>,
    /// Where the person holds a seat: organisation and department.
    pub places: Vec<(String, Option<String>)>,
}

#[derive(Clone, Debug)]
pub(crate) struct Report {
    pub by_org: Vec<SeatCount>,
    pub by_department: Vec<SeatCount>,
    pub stale: Page<StaleHolder>,
}

/// (org id, user id, department name, automatic, granted at) of every holder: the pool
/// owner's members (not automatic, granted when they joined) and the granted seats.
type HolderRow = (i64, i64, Option<String>, Option<bool>, i64);

fn holder_rows(conn: &mut Conn, pool: i64) -> AppResult<Vec<HolderRow>> {
    let main: Vec<(i64, Option<String>, i64)> = memberships::table
        .left_join(departments::table)
        .filter(memberships::org_id.eq(pool))
        .order(memberships::user_id.asc())
        .select((
            memberships::user_id,
            departments::name.nullable(),
            memberships::created_at,
        ))
        .load(conn)?;
    let mut out: Vec<HolderRow> = main
        .into_iter()
        .map(|(u, d, at)| (pool, u, d, None, at))
        .collect();
    let granted: Vec<(i64, i64, bool, i64)> = seats::table
        .filter(seats::pool_org_id.eq(pool))
        .order(seats::id.asc())
        .select((
            seats::org_id,
            seats::user_id,
            seats::automatic,
            seats::granted_at,
        ))
        .load(conn)?;
    let mut dept_of: HashMap<(i64, i64), Option<String>> = HashMap::new();
    let orgs_holding: Vec<i64> = {
        let mut v: Vec<i64> = granted.iter().map(|g| g.0).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    for o in orgs_holding {
        let ids: Vec<i64> = granted.iter().filter(|g| g.0 == o).map(|g| g.1).collect();
        let rows: Vec<(i64, Option<String>)> = memberships::table
            .left_join(departments::table)
            .filter(memberships::org_id.eq(o))
            .filter(memberships::user_id.eq_any(ids))
            .select((memberships::user_id, departments::name.nullable()))
            .load(conn)?;
        for (u, d) in rows {
            dept_of.insert((o, u), d);
        }
    }
    out.extend(granted.into_iter().map(|(o, u, auto, at)| {
        (
            o,
            u,
            dept_of.get(&(o, u)).cloned().flatten(),
            Some(auto),
            at,
        )
    }));
    Ok(out)
}

fn org_names(conn: &mut Conn, ids: &[i64]) -> AppResult<HashMap<i64, String>> {
    Ok(orgs::table
        .filter(orgs::id.eq_any(ids))
        .select((orgs::id, orgs::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// The report page: both breakdowns and one keyset page of stale holders (by user id).
pub(crate) fn report(
    conn: &mut Conn,
    scope: &OrgScope,
    days: Days,
    cursor: Cursor,
) -> AppResult<Report> {
    let pool = scope.org_id();
    let ov = overview(conn, scope)?;
    let rows = holder_rows(conn, pool)?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    ids.push(pool);
    ids.sort_unstable();
    ids.dedup();
    let names = org_names(conn, &ids)?;
    let name = |o: i64| names.get(&o).cloned().unwrap_or_default();
    let mut by_org = vec![SeatCount {
        org_name: name(pool),
        department: None,
        main: true,
        seats: ov.usage.main_org,
    }];
    by_org.extend(ov.orgs.iter().filter(|o| o.granted > 0).map(|o| SeatCount {
        org_name: o.name.clone(),
        department: None,
        main: false,
        seats: o.granted,
    }));
    let mut by_dept: BTreeMap<(bool, String, Option<String>), i64> = BTreeMap::new();
    for (o, _, d, _, _) in &rows {
        // The main organisation first (false sorts before true).
        *by_dept
            .entry((*o != pool, name(*o), d.clone()))
            .or_default() += 1;
    }
    let by_department = by_dept
        .into_iter()
        .map(|((downstream, org_name, department), seats)| SeatCount {
            org_name,
            department,
            main: !downstream,
            seats,
        })
        .collect();
    let stale = Page::fetch(
        cursor,
        |s: &StaleHolder| s.user_id,
        |cursor| stale_rows(conn, days, cursor, &rows, &names),
    )?;
    Ok(Report {
        by_org,
        by_department,
        stale,
    })
}

/// Up to a page and one of stale holders from the cursor, in its direction.
fn stale_rows(
    conn: &mut Conn,
    days: Days,
    cursor: Cursor,
    rows: &[HolderRow],
    names: &HashMap<i64, String>,
) -> AppResult<Vec<StaleHolder>> {
    let cutoff = days.cutoff(now());
    let mut holder_ids: Vec<i64> = rows
        .iter()
        .map(|r| r.1)
        .filter(|u| match cursor {
            Cursor::First => true,
            Cursor::After(a) => *u > a,
            Cursor::Before(b) => *u < b,
        })
        .collect();
    holder_ids.sort_unstable();
    holder_ids.dedup();
    if !cursor.forward() {
        holder_ids.reverse();
    }
    // Walk the holders in the cursor's order, a batch at a time, until a page of stale ones is full.
    let mut found: Vec<(i64, String, String, Option<i64>)> = Vec::new();
    for chunk in holder_ids.chunks(500) {
        let batch: Vec<(i64, String, String, Option<i64>)> = users::table
            .filter(users::id.eq_any(chunk))
            .filter(
                users::last_login_at
                    .is_null()
                    .or(users::last_login_at.lt(cutoff)),
            )
            .order(users::id.asc())
            .select((users::id, users::name, users::login, users::last_login_at))
            .load(conn)?;
        let mut batch = batch;
        if !cursor.forward() {
            batch.reverse();
        }
        found.extend(batch);
        if found.len() > PAGE_SIZE as usize {
            break;
        }
    }
    Ok(found
        .into_iter()
        .take(PAGE_SIZE as usize + 1)
        .map(|(user_id, name, login, last_login_at)| StaleHolder {
            user_id,
            name,
            login,
            last_login_at,
            places: rows
                .iter()
                .filter(|r| r.1 == user_id)
                .map(|r| (names.get(&r.0).cloned().unwrap_or_default(), r.2.clone()))
                .collect(),
        })
        .collect())
}

/// Every seat holder as CSV (UTF-8 with a BOM so spreadsheet programs read Chinese),
/// with whether they count as stale for `days`.
pub(crate) fn csv(conn: &mut Conn, scope: &OrgScope, days: Days, lang: Lang) -> AppResult<Vec<u8>> {
    let pool = scope.org_id();
    let rows = holder_rows(conn, pool)?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    ids.push(pool);
    ids.sort_unstable();
    ids.dedup();
    let names = org_names(conn, &ids)?;
    let mut people: HashMap<i64, (String, String, Option<i64>)> = HashMap::new();
    let mut user_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    for chunk in user_ids.chunks(500) {
        let batch: Vec<(i64, String, String, Option<i64>)> = users::table
            .filter(users::id.eq_any(chunk))
            .select((users::id, users::name, users::login, users::last_login_at))
            .load(conn)?;
        for (id, n, l, last) in batch {
            people.insert(id, (n, l, last));
        }
    }
    let cutoff = days.cutoff(now());
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let header: Vec<String> = [
        "interconnect.licences.report.org",
        "interconnect.licences.report.department",
        "interconnect.licences.person",
        "interconnect.licences.login",
        "interconnect.licences.kind",
        "interconnect.licences.granted_at",
        "interconnect.licences.last_login",
        "interconnect.licences.report.stale",
    ]
    .iter()
    .map(|k| lang.t(k).into_owned())
    .collect();
    w.write_record(&header).map_err(AppError::internal)?;
    for (o, u, d, auto, at) in rows {
        let (n, l, last) = people.get(&u).cloned().unwrap_or_default();
        let kind = match auto {
            None => "interconnect.licences.kind_main",
            Some(true) => "interconnect.licences.kind_auto",
            Some(false) => "interconnect.licences.kind_manual",
        };
        let stale = last.is_none_or(|t| t < cutoff);
        w.write_record([
            csv_cell(&names.get(&o).cloned().unwrap_or_default()),
            csv_cell(&d.unwrap_or_default()),
            csv_cell(&n),
            csv_cell(&l),
            lang.t(kind).into_owned(),
            format_time(at),
            last.map(format_time).unwrap_or_default(),
            lang.t(if stale { "common.yes" } else { "common.no" })
                .into_owned(),
        ])
        .map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}
