//! Bearer tokens in URLs (distribution links, invitation links, API keys).

use base64::Engine;
use rand::RngCore;

/// A fresh unguessable token: 32 random bytes, URL-safe base64 without padding.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens we issued have exactly this shape; anything else is not looked up.
pub fn token_shape_ok(t: &str) -> bool {
    t.len() == 43
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_url_safe_characters_and_differ() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(token_shape_ok(&a), "{a}");
        assert!(!token_shape_ok("short"));
        assert!(!token_shape_ok(&"a/".repeat(22)[..43]));
    }
}
