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
/// one per row, and `time`'s format descriptions cost several times more.
pub fn format_time(ts: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    match time::OffsetDateTime::from_unix_timestamp(ts) {
        Ok(t) => {
            let t = t.to_offset(offset);
            let year = t.year().clamp(0, 9999) as u32;
            let parts: [(&str, u32); 6] = [
                ("", year / 100),
                ("", year % 100),
                ("-", u8::from(t.month()).into()),
                ("-", t.day().into()),
                (" ", t.hour().into()),
                (":", t.minute().into()),
            ];
            let mut s = String::with_capacity(16);
            for (sep, n) in parts {
                s.push_str(sep);
                s.push(char::from(b'0' + (n / 10) as u8));
                s.push(char::from(b'0' + (n % 10) as u8));
            }
            s
        }
        Err(_) => String::new(),
    }
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
}
