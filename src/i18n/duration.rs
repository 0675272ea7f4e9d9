//! Durations in words, in the reader's language: how long something waited, how long a
//! grant has left.

use super::Lang;
use crate::tools::wait::{DAY, time_left};

/// A duration as people read it: "2天3小时", "3 h 5 min", "<1 min".
pub fn format_wait(lang: Lang, secs: i64) -> String {
    let secs = secs.max(0);
    let (d, h, m) = (secs / DAY, (secs % DAY) / 3600, (secs % 3600) / 60);
    let part = |key: &str, n: i64| lang.tf(key, &[("n", &n.to_string())]);
    if d > 0 {
        format!("{} {}", part("duration.days", d), part("duration.hours", h))
    } else if h > 0 {
        format!(
            "{} {}",
            part("duration.hours", h),
            part("duration.minutes", m)
        )
    } else if m > 0 {
        part("duration.minutes", m)
    } else {
        lang.t("duration.moment").into_owned()
    }
}

/// The time left as a page shows it, in the reader's language ("剩余 1 天 2 小时 3 分钟").
pub fn format_time_left(lang: Lang, expires_at: i64, now: i64) -> String {
    let (d, h, m) = time_left(expires_at, now);
    lang.tf(
        "duration.time_left",
        &[
            ("d", &d.to_string()),
            ("h", &h.to_string()),
            ("m", &m.to_string()),
        ],
    )
}
