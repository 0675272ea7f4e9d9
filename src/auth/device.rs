//! Device cookies, after OWASP's "Slow Down Online Guessing Attacks with Device Cookies":
//! a browser that has signed in to an account carries a cookie that names the login, the
//! time it was issued and a random nonce, signed with HMAC-SHA256 under a server secret.
//! Such a browser keeps its own allowance of failed sign-ins for that login (see
//! [`super::throttle`]), so guessing from elsewhere never locks the owner out.
//!
//! The secret lives in the database (`server_secrets`), made by the first instance that
//! starts: it survives restarts, and every instance on the same database honours the
//! cookies of the others.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::db::schema::server_secrets;
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};

type HmacSha256 = Hmac<Sha256>;

/// The cookie's name over plain http (`--secure-cookies false`).
pub const COOKIE: &str = "fenfa_device";
/// The name with secure cookies on: the `__Host-` prefix makes browsers insist on
/// `Secure`, `Path=/` and no `Domain`, so no other host can plant or overwrite it.
pub const SECURE_COOKIE: &str = "__Host-fenfa_device";
/// How long a device cookie is honoured after it was issued (each sign-in issues a new one).
pub const LIFETIME: i64 = 365 * 24 * 3600;
const SECRET_NAME: &str = "device_cookie_hmac";
const CONTEXT: &[u8] = b"fenfa-device-v1";

/// The HMAC key of the device cookies. Never printed.
#[derive(Clone)]
pub struct DeviceKey(Arc<[u8]>);

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey(…)")
    }
}

/// A device cookie that verified for the login being signed in to: the browser is trusted
/// for that login, and its failures are counted under `nonce`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedDevice {
    pub nonce: String,
}

impl DeviceKey {
    /// The database's key, made (32 random bytes) if this is the first start. Two instances
    /// starting at once both try to insert; the first wins and both read its key.
    pub fn load_or_create(conn: &mut Conn) -> AppResult<DeviceKey> {
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        let values = (
            server_secrets::name.eq(SECRET_NAME),
            server_secrets::secret.eq(hex::encode(fresh)),
            server_secrets::created_at.eq(now()),
        );
        crate::native!(conn, |c| diesel::insert_into(server_secrets::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(c))?;
        let stored: String = server_secrets::table
            .find(SECRET_NAME)
            .select(server_secrets::secret)
            .first(conn)?;
        let key = hex::decode(stored).map_err(AppError::internal)?;
        Ok(DeviceKey(key.into()))
    }

    /// A key for unit tests.
    pub fn from_bytes(key: &[u8]) -> DeviceKey {
        DeviceKey(key.into())
    }

    fn mac(&self, login: &str, issued: i64, nonce: &str) -> HmacSha256 {
        // Any key length is valid for HMAC.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(CONTEXT);
        // Length-prefixed, so no two (login, nonce) pairs sign the same bytes.
        mac.update(&(login.len() as u64).to_be_bytes());
        mac.update(login.as_bytes());
        mac.update(&issued.to_be_bytes());
        mac.update(nonce.as_bytes());
        mac
    }

    /// A new device cookie value for `login`: `login.issued.nonce.signature`, the login
    /// and the signature in URL-safe base64 (cookie-safe characters only).
    pub fn issue(&self, login: &str, issued: i64) -> String {
        let mut nonce = [0u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        let nonce = hex::encode(nonce);
        let tag = self.mac(login, issued, &nonce).finalize().into_bytes();
        format!(
            "{}.{issued}.{nonce}.{}",
            B64.encode(login.as_bytes()),
            B64.encode(tag)
        )
    }

    /// The device a cookie value proves, when it is correctly signed, names `login` and
    /// is within its lifetime; anything else (forged, tampered, another login's, expired)
    /// is `None`, and the browser counts as unknown.
    pub fn verify(&self, value: &str, login: &str, at: i64) -> Option<TrustedDevice> {
        let mut parts = value.split('.');
        let (Some(l), Some(issued), Some(nonce), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        if B64.decode(l).ok()? != login.as_bytes() {
            return None;
        }
        let issued: i64 = issued.parse().ok()?;
        if issued + LIFETIME < at || issued > at + 300 {
            return None;
        }
        if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let tag = B64.decode(tag).ok()?;
        // `verify_slice` compares in constant time.
        self.mac(login, issued, nonce).verify_slice(&tag).ok()?;
        Some(TrustedDevice {
            nonce: nonce.to_string(),
        })
    }
}

/// The device cookie's name: `__Host-` prefixed with secure cookies on, plain otherwise
/// (browsers refuse a `__Host-` cookie that is not `Secure`).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { COOKIE }
}

/// The `Set-Cookie` value that gives a browser its device cookie. `SameSite=Strict`: it
/// is only ever needed by the portal's own sign-in form.
pub fn set_cookie(secure: bool, value: &str) -> String {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={LIFETIME}; HttpOnly; SameSite=Strict{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_800_000_000;

    #[test]
    fn a_device_cookie_verifies_for_its_own_login_only() {
        let key = DeviceKey::from_bytes(b"0123456789abcdef0123456789abcdef");
        let v = key.issue("alice", T);
        let device = key.verify(&v, "alice", T + 60).expect("verifies");
        assert_eq!(device.nonce.len(), 32);
        assert_eq!(key.verify(&v, "bob", T + 60), None, "another login");
        let other = DeviceKey::from_bytes(b"another key");
        assert_eq!(other.verify(&v, "alice", T), None, "another server's key");
        assert_eq!(key.verify(&v, "alice", T + LIFETIME + 1), None, "expired");
    }

    #[test]
    fn a_tampered_device_cookie_does_not_verify() {
        let key = DeviceKey::from_bytes(b"k");
        let v = key.issue("alice", T);
        let parts: Vec<&str> = v.split('.').collect();
        let swap = |i: usize, with: &str| {
            let mut p = parts.clone();
            p[i] = with;
            p.join(".")
        };
        let bob = B64.encode("bob");
        for forged in [
            swap(0, &bob),
            swap(1, &(T + 1).to_string()),
            swap(2, "00000000000000000000000000000000"),
            swap(3, &B64.encode([0u8; 32])),
            format!("{v}.x"),
            parts[..3].join("."),
            String::new(),
        ] {
            assert_eq!(key.verify(&forged, "alice", T), None, "{forged}");
            assert_eq!(key.verify(&forged, "bob", T), None, "{forged}");
        }
    }

    #[test]
    fn the_device_cookie_is_host_prefixed_and_secure_with_secure_cookies_on() {
        let c = set_cookie(true, "v");
        assert!(c.starts_with("__Host-fenfa_device=v; Path=/;"));
        assert!(c.ends_with("; Secure") && !c.contains("Domain"));
        let plain = set_cookie(false, "v");
        assert!(plain.starts_with("fenfa_device=v;") && !plain.contains("Secure"));
    }
}
