//! The upstream organisation's licence (seat) pool (seed 004, "licence统一管理"): the pool
//! owner's space managers see seats used by the main organisation and granted to up to
//! three member organisations in one view, grant and release seats, choose member
//! departments whose people get a seat automatically, and read the true-up report and
//! the chart of seats used over the last 30 days ([`usage`]).
//! The arithmetic is [`super::SeatUse`]; grants serialise on the pool owner's row
//! ([`super::people::lock_org`]) inside an IMMEDIATE write transaction, so concurrent
//! grants never oversell.

pub(crate) mod alert;
pub(crate) mod auto;
pub(crate) mod gate;
pub(crate) mod pages;
pub(crate) mod purchase;
pub(crate) mod purchase_routes;
pub(crate) mod released;
pub(crate) mod report;
pub(crate) mod routes;
pub(crate) mod store;
pub(crate) mod usage;

pub(crate) use routes::router;

use crate::auth::OrgScope;
use crate::error::{AppError, AppResult};

/// Only the pool owner's space managers (main admin, interconnection sub-admin) open the
/// licence pages; the pool is always the current organisation's own.
pub(crate) fn require_manager(scope: &OrgScope) -> AppResult<()> {
    if super::scope_may_manage(scope) {
        Ok(())
    } else {
        Err(AppError::Forbidden("interconnect.licences.managers_only"))
    }
}

/// The most ids one form may carry (a page of people is 50; the worked example grants 200
/// in one batch).
pub(crate) const MAX_BATCH: usize = 1000;

/// The repeated `name` fields of a form as ids, deduplicated, in the order sent. Anything
/// that is not an id is a tampered form.
pub(crate) fn ids_of(pairs: &[(String, String)], name: &str) -> AppResult<Vec<i64>> {
    let mut out: Vec<i64> = Vec::new();
    for (k, v) in pairs {
        if k != name {
            continue;
        }
        let id: i64 = v
            .trim()
            .parse()
            .map_err(|_| AppError::BadRequest("error.bad_request"))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    if out.len() > MAX_BATCH {
        return Err(AppError::BadRequest("error.bad_request"));
    }
    Ok(out)
}

/// Days without signing in after which a seat holder is listed as stale (the report's N).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Days(i64);

impl Days {
    pub(crate) const DEFAULT: Days = Days(30);

    /// 1 to 3650 days; anything else is a field error.
    pub(crate) fn parse(s: &str) -> Result<Days, &'static str> {
        match s.trim().parse::<i64>() {
            Ok(n) if (1..=3650).contains(&n) => Ok(Days(n)),
            _ => Err("interconnect.licences.report.days_invalid"),
        }
    }

    pub(crate) fn get(self) -> i64 {
        self.0
    }

    /// Signed in before this Unix time (or never) counts as stale.
    pub(crate) fn cutoff(self, now: i64) -> i64 {
        now - self.0 * 86_400
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deduplicated_and_tampering_is_refused() {
        let p = |k: &str, v: &str| (k.to_string(), v.to_string());
        let ids = ids_of(&[p("u", "3"), p("x", "9"), p("u", "1"), p("u", "3")], "u");
        assert_eq!(ids.ok(), Some(vec![3, 1]));
        assert!(ids_of(&[p("u", "abc")], "u").is_err());
    }

    #[test]
    fn report_days_default_to_30_and_stay_in_range() {
        assert_eq!(Days::DEFAULT.get(), 30);
        assert_eq!(Days::parse(" 7 "), Ok(Days(7)));
        assert!(Days::parse("0").is_err());
        assert!(Days::parse("3651").is_err());
        assert!(Days::parse("x").is_err());
        assert_eq!(Days(1).cutoff(100_000), 13_600);
    }
}
