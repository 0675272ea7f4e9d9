//! The review queues' clock: a target of one business day, and the time left of
//! anything that expires. The operator's queues (projects today; templates and listings
//! next) share it; `i18n::duration` puts these figures into words.

pub const DAY: i64 = 86_400;
/// China Standard Time, the platform's home zone, decides what a weekend is.
const CST: i64 = 8 * 3600;

/// The review target: one business day after submission (weekends in China Standard Time
/// do not count).
pub fn review_due(submitted_at: i64) -> i64 {
    let mut due = submitted_at + DAY;
    // 1970-01-01 was a Thursday: weekday 0 = Thursday, 2 = Saturday, 3 = Sunday.
    while matches!(((due + CST).div_euclid(DAY)).rem_euclid(7), 2 | 3) {
        due += DAY;
    }
    due
}

/// The day number (days since 1970-01-01) of `t` in China Standard Time: what "once a
/// day" means for people using Fenfa.
pub fn cst_day(t: i64) -> i64 {
    (t + CST).div_euclid(DAY)
}

pub fn review_overdue(submitted_at: i64, now: i64) -> bool {
    now > review_due(submitted_at)
}

/// Time left split into (days, hours, minutes), zero once expired.
pub fn time_left(expires_at: i64, now: i64) -> (i64, i64, i64) {
    let s = (expires_at - now).max(0);
    (s / DAY, (s % DAY) / 3600, (s % 3600) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_target_skips_weekends() {
        // 2026-11-20 is a Friday; 10:00 CST = 02:00 UTC.
        let fri = 1_795_140_000;
        let weekday = ((fri + CST).div_euclid(DAY)).rem_euclid(7);
        assert_eq!(weekday, 1, "2026-11-20 is a Friday");
        assert_eq!(review_due(fri), fri + 3 * DAY);
        // Monday → Tuesday.
        assert_eq!(review_due(fri + 3 * DAY), fri + 4 * DAY);
        assert!(review_overdue(fri, fri + 3 * DAY + 1));
        assert!(!review_overdue(fri, fri + 2 * DAY));
    }

    #[test]
    fn time_left_counts_down_to_zero() {
        assert_eq!(time_left(100 + 86_400 + 3600 + 120, 100), (1, 1, 2));
        assert_eq!(time_left(0, 100), (0, 0, 0));
    }
}
