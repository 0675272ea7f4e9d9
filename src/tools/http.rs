//! Reading cookies and writing query strings, below every layer that needs them.

use axum::http::{HeaderMap, header};

/// The cookie carrying a flash message (an i18n key) to the next page.
pub const FLASH_COOKIE: &str = "flash";

/// A named cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A value for a query string (`application/x-www-form-urlencoded`).
pub fn encode_query(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Flash messages are i18n keys carried in a short-lived cookie; only key-shaped values
/// are accepted so a forged cookie cannot inject text.
pub fn is_flash_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() < 80
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
}
