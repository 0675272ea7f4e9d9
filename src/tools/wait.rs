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

/// Seconds from 1970-01-01 00:00 CST (a Thursday) back to the Monday that starts its week.
const MONDAY: i64 = 3 * DAY;
pub const WEEK: i64 = 7 * DAY;
/// What SQL adds to a Unix time before dividing by [`WEEK`] to get [`cst_week`]
/// (the CST offset and the Thursday-to-Monday shift, as one integer).
pub const WEEK_SHIFT: i64 = CST + MONDAY;

/// The week number of `t`: weeks in China Standard Time starting on Monday, week 0 the
/// one holding 1970-01-01.
pub fn cst_week(t: i64) -> i64 {
    (t + WEEK_SHIFT).div_euclid(WEEK)
}

/// The Unix time at which week `week` (of [`cst_week`]) starts: Monday 00:00 CST.
pub fn cst_week_start(week: i64) -> i64 {
    week * WEEK - WEEK_SHIFT
}

/// The Unix time at which day `day` (of [`cst_day`]) starts: 00:00 CST.
pub fn cst_day_start(day: i64) -> i64 {
    day * DAY - CST
}

/// "MM-DD" of `t` in China Standard Time: the short date of a chart's axis.
pub fn cst_month_day(t: i64) -> String {
    let offset = time::UtcOffset::from_whole_seconds(CST as i32).unwrap_or(time::UtcOffset::UTC);
    match time::OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => {
            let d = d.to_offset(offset);
            format!("{:02}-{:02}", u8::from(d.month()), d.day())
        }
        Err(_) => String::new(),
    }
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
    fn weeks_start_on_monday_at_midnight_in_china_standard_time() {
        // 2026-11-23 is a Monday; 00:00 CST = 2026-11-22 16:00 UTC.
        let monday = 1_795_392_000 - CST;
        assert_eq!(cst_day(monday), cst_day(monday + DAY - 1));
        let w = cst_week(monday);
        assert_eq!(cst_week_start(w), monday);
        assert_eq!(
            cst_week(monday - 1),
            w - 1,
            "Sunday 23:59:59 is the week before"
        );
        assert_eq!(cst_week(monday + WEEK - 1), w);
        assert_eq!(cst_week(monday + WEEK), w + 1);
        assert_eq!(cst_day_start(cst_day(monday + 5000)), monday);
        assert_eq!(cst_month_day(monday), "11-23");
        assert_eq!(cst_month_day(monday - 1), "11-22");
    }

    #[test]
    fn time_left_counts_down_to_zero() {
        assert_eq!(time_left(100 + 86_400 + 3600 + 120, 100), (1, 1, 2));
        assert_eq!(time_left(0, 100), (0, 0, 0));
    }
}
