//! Seats used over time (the licence pool's chart): `seat_usage_days` holds, per member
//! organisation and China Standard Time day, the seats it held after that day's last
//! grant or release. [`record`] runs in the transaction of every change to `seats`
//! (grants by hand and automatic, releases by hand and by reconciliation), so the history
//! never disagrees with the seats; [`last_days`] reads the window back, carrying a day's
//! value forward over days without a change.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::auth::OrgScope;
use crate::db::schema::{orgs, seat_usage_days, seats};
use crate::db::{Conn, now};
use crate::error::AppResult;
use crate::tools::wait::cst_day;

/// Days the chart shows, today included.
pub(crate) const DAYS: i64 = 30;
/// Lines the chart draws at most (the organisations using the most seats now).
pub(crate) const LINES: usize = 6;

/// Writes today's count of `org_id`'s seats of `pool`, after a change (insert or update).
pub(crate) fn record(conn: &mut Conn, pool: i64, org_id: i64) -> AppResult<()> {
    let used: i64 = seats::table
        .filter(seats::pool_org_id.eq(pool))
        .filter(seats::org_id.eq(org_id))
        .count()
        .get_result(conn)?;
    let day = cst_day(now());
    crate::native!(conn, |c| diesel::insert_into(seat_usage_days::table)
        .values((
            seat_usage_days::pool_org_id.eq(pool),
            seat_usage_days::org_id.eq(org_id),
            seat_usage_days::day.eq(day),
            seat_usage_days::used.eq(used),
        ))
        .on_conflict((
            seat_usage_days::pool_org_id,
            seat_usage_days::org_id,
            seat_usage_days::day,
        ))
        .do_update()
        .set(seat_usage_days::used.eq(used))
        .execute(c))?;
    Ok(())
}

/// One organisation's line: its seats on each day of the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub org_id: i64,
    pub name: String,
    pub values: Vec<i64>,
}

impl Line {
    pub(crate) fn today(&self) -> i64 {
        self.values.last().copied().unwrap_or(0)
    }
}

/// The chart's data: the window's day numbers, the lines drawn, and how many more
/// organisations used seats in the window.
#[derive(Clone, Debug, Default)]
pub(crate) struct Usage {
    pub days: Vec<i64>,
    pub lines: Vec<Line>,
    pub more: usize,
}

/// Fills each day of `days` from the rows (day, used) sorted by day, carrying the last
/// value forward; `before` is the value in force when the window opens.
pub(crate) fn carry_forward(days: &[i64], before: i64, rows: &[(i64, i64)]) -> Vec<i64> {
    let mut out = Vec::with_capacity(days.len());
    let mut current = before;
    let mut next = rows.iter().peekable();
    for d in days {
        while let Some((_, used)) = next.next_if(|(day, _)| day <= d) {
            current = *used;
        }
        out.push(current);
    }
    out
}

/// Keeps the [`LINES`] organisations using the most seats today (then the most in the
/// window, then by name), dropping those that used none in the whole window; returns how
/// many more there are.
pub(crate) fn top(mut lines: Vec<Line>) -> (Vec<Line>, usize) {
    lines.retain(|l| l.values.iter().any(|v| *v > 0));
    lines.sort_by(|a, b| {
        let peak = |l: &Line| l.values.iter().copied().max().unwrap_or(0);
        b.today()
            .cmp(&a.today())
            .then(peak(b).cmp(&peak(a)))
            .then(a.name.cmp(&b.name))
    });
    let more = lines.len().saturating_sub(LINES);
    lines.truncate(LINES);
    (lines, more)
}

/// The scope's pool over the [`DAYS`] days up to `today` (a CST day number).
pub(crate) fn last_days(conn: &mut Conn, scope: &OrgScope, today: i64) -> AppResult<Usage> {
    let pool = scope.org_id();
    let first = today - (DAYS - 1);
    let days: Vec<i64> = (first..=today).collect();
    // The value in force when the window opens: each organisation's last row before it.
    let before: Vec<(i64, Option<i64>)> = seat_usage_days::table
        .filter(seat_usage_days::pool_org_id.eq(pool))
        .filter(seat_usage_days::day.lt(first))
        .group_by(seat_usage_days::org_id)
        .select((
            seat_usage_days::org_id,
            diesel::dsl::max(seat_usage_days::day),
        ))
        .load(conn)?;
    let mut opening: BTreeMap<i64, i64> = BTreeMap::new();
    for (org, day) in before {
        let Some(day) = day else { continue };
        let used: i64 = seat_usage_days::table
            .find((pool, org, day))
            .select(seat_usage_days::used)
            .first(conn)?;
        opening.insert(org, used);
    }
    let rows: Vec<(i64, i64, i64)> = seat_usage_days::table
        .filter(seat_usage_days::pool_org_id.eq(pool))
        .filter(seat_usage_days::day.ge(first))
        .filter(seat_usage_days::day.le(today))
        .order((seat_usage_days::org_id.asc(), seat_usage_days::day.asc()))
        .select((
            seat_usage_days::org_id,
            seat_usage_days::day,
            seat_usage_days::used,
        ))
        .load(conn)?;
    let mut by_org: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    for (org, day, used) in rows {
        by_org.entry(org).or_default().push((day, used));
    }
    for org in opening.keys() {
        by_org.entry(*org).or_default();
    }
    let ids: Vec<i64> = by_org.keys().copied().collect();
    let names: BTreeMap<i64, String> = orgs::table
        .filter(orgs::id.eq_any(&ids))
        .select((orgs::id, orgs::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let lines: Vec<Line> = by_org
        .into_iter()
        .map(|(org_id, rows)| Line {
            org_id,
            name: names.get(&org_id).cloned().unwrap_or_default(),
            values: carry_forward(&days, opening.get(&org_id).copied().unwrap_or(0), &rows),
        })
        .collect();
    let (lines, more) = top(lines);
    Ok(Usage { days, lines, more })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_days_value_carries_forward_until_it_changes() {
        let days = [10, 11, 12, 13, 14];
        assert_eq!(carry_forward(&days, 2, &[]), vec![2, 2, 2, 2, 2]);
        assert_eq!(
            carry_forward(&days, 0, &[(11, 3), (13, 1)]),
            vec![0, 3, 3, 1, 1]
        );
        assert_eq!(carry_forward(&[], 4, &[(1, 1)]), Vec::<i64>::new());
    }

    #[test]
    fn the_chart_keeps_the_six_using_most_today_and_counts_the_rest() {
        let line = |id: i64, values: Vec<i64>| Line {
            org_id: id,
            name: format!("org{id}"),
            values,
        };
        let mut lines: Vec<Line> = (1..=8).map(|i| line(i, vec![0, i])).collect();
        lines.push(line(9, vec![0, 0]));
        lines.push(line(10, vec![50, 0]));
        let (top_lines, more) = top(lines);
        let ids: Vec<i64> = top_lines.iter().map(|l| l.org_id).collect();
        assert_eq!(ids, vec![8, 7, 6, 5, 4, 3]);
        // 1, 2 and 10 (released everything, but used seats in the window); 9 never did.
        assert_eq!(more, 3);
    }
}
