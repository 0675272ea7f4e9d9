//! The order centre's trends (订单趋势, `/provider/orders/trends`): the provider's orders per
//! week over the last [`WEEKS`] weeks (China Standard Time weeks starting on Monday) and,
//! per week, how many of those orders' apps were sent and how many not yet. Counted in
//! SQL by an index range of the provider's orders (`orders_provider_created`) and the
//! order lines' `(order_id, send_status)` index, grouped by week with integer arithmetic
//! on the epoch seconds; no row reaches Rust. The count still walks every order of the
//! window, so the chart has its own page rather than weighing on the list.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::auth::OrgScope;
use crate::db::Conn;
use crate::error::AppResult;
use crate::tools::wait::{cst_week, cst_week_start};

/// How many weeks the chart shows, this one included.
pub(crate) const WEEKS: i64 = 12;

/// One week of the chart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Week {
    /// Monday 00:00 CST, as Unix seconds.
    pub start: i64,
    pub orders: i64,
    /// Apps of the week's orders, and those of them sent (send status succeeded).
    pub apps: i64,
    pub sent: i64,
}

impl Week {
    pub(crate) fn unsent(&self) -> i64 {
        self.apps - self.sent
    }
}

/// Sums over the weeks: (orders, apps, sent).
pub(crate) fn totals(weeks: &[Week]) -> (i64, i64, i64) {
    weeks.iter().fold((0, 0, 0), |(o, a, s), w| {
        (o + w.orders, a + w.apps, s + w.sent)
    })
}

// `(created_at + 288000) / 604800` is `tools::wait::cst_week` in SQL (checked by a test):
// integer division on bigints, the same on SQLite and PostgreSQL, and exact for the
// positive times of the window.
const ORDERS_SQL: &str = "SELECT (created_at + 288000) / 604800 AS week, COUNT(*) AS n \
     FROM orders WHERE provider_org_id = $1 AND created_at >= $2 GROUP BY 1";
const APPS_SQL: &str = "SELECT (o.created_at + 288000) / 604800 AS week, COUNT(*) AS n, \
     SUM(CASE WHEN a.send_status = 'succeeded' THEN 1 ELSE 0 END) AS sent \
     FROM orders o INNER JOIN order_apps a ON a.order_id = o.id \
     WHERE o.provider_org_id = $1 AND o.created_at >= $2 GROUP BY 1";

#[derive(QueryableByName)]
struct OrdersOfWeek {
    #[diesel(sql_type = BigInt)]
    week: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct AppsOfWeek {
    #[diesel(sql_type = BigInt)]
    week: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    sent: i64,
}

/// The scope's orders of the last [`WEEKS`] weeks up to `now`, oldest week first, every
/// week present (zero when nothing happened).
pub(crate) fn weekly(conn: &mut Conn, scope: &OrgScope, now: i64) -> AppResult<Vec<Week>> {
    let last = cst_week(now);
    let first = last - (WEEKS - 1);
    let from = cst_week_start(first);
    let org = scope.org_id();
    let orders: Vec<OrdersOfWeek> = crate::native!(conn, |c| diesel::sql_query(ORDERS_SQL)
        .bind::<BigInt, _>(org)
        .bind::<BigInt, _>(from)
        .load(c))?;
    let apps: Vec<AppsOfWeek> = crate::native!(conn, |c| diesel::sql_query(APPS_SQL)
        .bind::<BigInt, _>(org)
        .bind::<BigInt, _>(from)
        .load(c))?;
    let mut weeks: Vec<Week> = (first..=last)
        .map(|w| Week {
            start: cst_week_start(w),
            ..Week::default()
        })
        .collect();
    let slot = |w: i64| usize::try_from(w - first).ok();
    for r in orders {
        if let Some(week) = slot(r.week).and_then(|i| weeks.get_mut(i)) {
            week.orders = r.n;
        }
    }
    for r in apps {
        if let Some(week) = slot(r.week).and_then(|i| weeks.get_mut(i)) {
            week.apps = r.n;
            week.sent = r.sent;
        }
    }
    Ok(weeks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::wait::{WEEK, WEEK_SHIFT};

    #[test]
    fn the_sql_week_is_the_china_standard_time_week_starting_monday() {
        assert!(ORDERS_SQL.contains(&format!("(created_at + {WEEK_SHIFT}) / {WEEK}")));
        assert!(APPS_SQL.contains(&format!("(o.created_at + {WEEK_SHIFT}) / {WEEK}")));
        let t = 1_795_392_000; // 2026-11-23 08:00 CST, a Monday
        assert_eq!((t + 288_000) / 604_800, cst_week(t));
    }

    #[test]
    fn totals_add_up_the_weeks() {
        let w = |orders, apps, sent| Week {
            start: 0,
            orders,
            apps,
            sent,
        };
        assert_eq!(totals(&[w(2, 3, 1), w(1, 1, 1)]), (3, 4, 2));
        assert_eq!(w(2, 3, 1).unsent(), 2);
    }
}
