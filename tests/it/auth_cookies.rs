//! What the portal tells browsers about keeping its pages and cookies: signed-in pages are
//! never stored; with secure cookies on (the default) HSTS is sent and the session and
//! device cookies carry the `__Host-` prefix; over plain http the plain names stay.

use axum::http::{StatusCode, header};
use fenfa::auth::Role;

use crate::support::{Resp, each_backend};

fn set_cookies(r: &Resp) -> Vec<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect()
}

fn set_cookie<'a>(all: &'a [String], name: &str) -> Option<&'a String> {
    all.iter().find(|c| c.starts_with(&format!("{name}=")))
}

#[track_caller]
fn assert_host_cookie(all: &[String], name: &str) {
    let c = set_cookie(all, name).unwrap_or_else(|| panic!("{name} is set: {all:?}"));
    let attrs: Vec<String> = c
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(attrs.iter().any(|a| a == "secure"), "{c}");
    assert!(attrs.iter().any(|a| a == "path=/"), "{c}");
    assert!(!attrs.iter().any(|a| a.starts_with("domain")), "{c}");
}

#[tokio::test]
async fn with_secure_cookies_hsts_is_sent_and_the_session_and_device_cookies_are_host_prefixed() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let secure = app.configured(|c| c.secure_cookies = true);
        let c = app.client().on(secure);
        let r = c.login("alice", crate::support::PASSWORD).await;
        let cookies = set_cookies(&r);
        assert_host_cookie(&cookies, "__Host-fenfa_session");
        assert_host_cookie(&cookies, "__Host-fenfa_device");
        assert!(
            set_cookie(&cookies, "fenfa_session").is_none(),
            "{cookies:?}"
        );
        assert!(
            set_cookie(&cookies, "fenfa_device").is_none(),
            "{cookies:?}"
        );
        let hsts = |r: &Resp| {
            r.headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        assert_eq!(
            hsts(&r).as_deref(),
            Some("max-age=31536000; includeSubDomains")
        );
        // The session goes on under its prefixed name.
        let page = c.get("/workbench").await;
        page.assert_status(StatusCode::OK);
        assert!(hsts(&page).is_some());
        assert!(hsts(&c.get("/login").await).is_some());
    })
    .await;
}

#[tokio::test]
async fn without_secure_cookies_the_plain_cookie_names_stay_and_no_hsts_is_sent() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let c = app.client();
        let r = c.login("alice", crate::support::PASSWORD).await;
        let cookies = set_cookies(&r);
        for name in ["fenfa_session", "fenfa_device"] {
            let cookie = set_cookie(&cookies, name).unwrap_or_else(|| panic!("{name}"));
            assert!(!cookie.to_ascii_lowercase().contains("secure"), "{cookie}");
        }
        assert!(!cookies.iter().any(|c| c.starts_with("__Host-")));
        assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        let page = c.get("/workbench").await;
        page.assert_status(StatusCode::OK);
        assert!(
            page.headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn signed_in_pages_are_never_stored_by_a_browser_or_a_proxy() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let c = app.signed_in("alice").await;
        let cache = |r: &Resp| {
            r.headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        for path in [
            "/workbench",
            "/submissions",
            "/notifications",
            "/no/such/page",
        ] {
            let r = c.get(path).await;
            assert_eq!(cache(&r), "no-store", "{path} ({})", r.status);
        }
        // The static files may be kept.
        let css = c.get("/static/app.css").await;
        assert_eq!(cache(&css), "public, max-age=3600");
    })
    .await;
}
