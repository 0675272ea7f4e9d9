//! Timestamps as pages show them.

use crate::i18n::Lang;

/// When something happened, as every page says it: 刚刚 under a minute, "3 分钟前" under an
/// hour, "5 小时前" under a day, then the date and time. A time still to come (an expiry)
/// is always the date and time.
pub fn format_when(lang: Lang, ts: i64, now: i64) -> String {
    let ago = now - ts;
    let n = |v: i64| v.to_string();
    match ago {
        i64::MIN..0 | 86_400.. => format_time(ts),
        0..60 => lang.t("time.just_now").into_owned(),
        60..3600 => lang.tf("time.minutes_ago", &[("n", &n(ago / 60))]),
        _ => lang.tf("time.hours_ago", &[("n", &n(ago / 3600))]),
    }
}

/// "2026-12-02 14:05" in China Standard Time. Written out by hand: a list page formats
/// one per row, and `time`'s conversions cost several times more (the calendar date comes
/// from the day number by Hinnant's `civil_from_days`). Outside the years `time` accepts
/// (±9999) it is empty, as it was when `time` did the work.
pub fn format_time(ts: i64) -> String {
    // 9999-12-31 23:59:59 UTC and -9999-01-01 00:00:00 UTC.
    if !(-377_705_116_800..=253_402_300_799).contains(&ts) {
        return String::new();
    }
    let local = ts + 8 * 3600;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let year = year.clamp(0, 9999) as u32;
    let parts: [(&str, u32); 6] = [
        ("", year / 100),
        ("", year % 100),
        ("-", month),
        ("-", day),
        (" ", (secs / 3600) as u32),
        (":", (secs % 3600 / 60) as u32),
    ];
    let mut s = String::with_capacity(16);
    for (sep, n) in parts {
        s.push_str(sep);
        s.push(char::from(b'0' + (n / 10) as u8));
        s.push(char::from(b'0' + (n % 10) as u8));
    }
    s
}

/// (year, month, day) of the proleptic Gregorian calendar, `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::{Lang, format_time, format_when};

    #[test]
    fn recent_times_read_as_how_long_ago_and_older_or_future_ones_as_date_and_time() {
        let now = 1_796_191_509;
        assert_eq!(format_when(Lang::Zh, now - 5, now), "刚刚");
        assert_eq!(format_when(Lang::Zh, now - 180, now), "3 分钟前");
        assert_eq!(format_when(Lang::En, now - 180, now), "3 min ago");
        assert_eq!(format_when(Lang::Zh, now - 5 * 3600, now), "5 小时前");
        assert_eq!(
            format_when(Lang::Zh, now - 86_400, now),
            format_time(now - 86_400)
        );
        assert_eq!(
            format_when(Lang::Zh, now + 600, now),
            format_time(now + 600)
        );
    }

    #[test]
    fn a_timestamp_shows_as_minutes_in_china_standard_time() {
        // 2026-12-02 06:05:09 UTC is 14:05 in Beijing.
        assert_eq!(format_time(1_796_191_509), "2026-12-02 14:05");
        assert_eq!(format_time(0), "1970-01-01 08:00");
    }

    /// What `time` made of a timestamp, before the calendar was done by hand.
    fn with_time(ts: i64) -> String {
        let offset = time::UtcOffset::from_hms(8, 0, 0).expect("an offset");
        match time::OffsetDateTime::from_unix_timestamp(ts) {
            Ok(t) => {
                let t = t.to_offset(offset);
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}",
                    t.year().clamp(0, 9999),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute()
                )
            }
            Err(_) => String::new(),
        }
    }

    #[test]
    fn the_calendar_by_hand_agrees_with_time() {
        let mut ts: i64 = -62_167_219_200 - 86_400 * 400; // before year 0
        while ts < 253_402_000_000 {
            assert_eq!(format_time(ts), with_time(ts), "{ts}");
            // Steps that land on every month end, leap days and hours over the centuries.
            ts += 86_400 * 29 + 3_601;
        }
        for ts in [
            -1,
            86_399 - 8 * 3600,
            951_782_400,   // 2000-02-29
            4_107_456_000, // 2100-02-28
            1_796_191_509,
            253_402_300_799 - 8 * 3600,
            253_402_300_800,
            -377_705_116_801,
        ] {
            assert_eq!(format_time(ts), with_time(ts), "{ts}");
        }
    }
}
