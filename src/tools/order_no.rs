//! Order numbers people can read out over the phone.

/// `prefix`, the day in China Standard Time, and the id: "FF20261122000042".
pub fn order_no(prefix: &str, created_at: i64, id: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let fmt = time::macros::format_description!("[year][month][day]");
    let day = time::OffsetDateTime::from_unix_timestamp(created_at)
        .map(|t| t.to_offset(offset))
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "00000000".into());
    format!("{prefix}{day}{id:06}")
}
