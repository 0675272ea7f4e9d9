//! Timestamps as pages show them.

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
    use super::format_time;

    #[test]
    fn a_timestamp_shows_as_minutes_in_china_standard_time() {
        // 2026-12-02 06:05:09 UTC is 14:05 in Beijing.
        assert_eq!(format_time(1_796_191_509), "2026-12-02 14:05");
        assert_eq!(format_time(0), "1970-01-01 08:00");
    }
}
