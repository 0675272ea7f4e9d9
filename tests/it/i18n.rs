//! Both languages are complete, and the switch works before and after login.

use axum::http::StatusCode;
use fenfa::i18n::Lang;

use crate::support::each_backend;

/// Every `t("…")`, `tf("…")`, `label_key` and flash key used in templates and code exists in
/// zh-CN and in English.
#[test]
fn every_key_used_in_templates_and_code_is_translated_in_both_languages() {
    let mut keys = std::collections::BTreeSet::new();
    let re_sources = ["templates", "src"];
    for root in re_sources {
        for entry in walk(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(root)) {
            let text = std::fs::read_to_string(&entry).unwrap_or_default();
            for cap in find_keys(&text) {
                keys.insert(cap);
            }
        }
    }
    assert!(keys.len() > 30, "found only {} keys", keys.len());
    let mut missing = vec![];
    for key in &keys {
        for lang in [Lang::Zh, Lang::En] {
            if !lang.has(key) {
                missing.push(format!("{}:{key}", lang.code()));
            }
        }
    }
    assert!(missing.is_empty(), "untranslated keys: {missing:?}");
}

fn walk(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(p));
            } else if p.extension().is_some_and(|x| x == "rs" || x == "html")
                // Demo logins such as "provider.admin" look like keys but are not.
                && !p.ends_with("demo.rs")
            {
                out.push(p);
            }
        }
    }
    out
}

/// String literals that look like i18n keys: `"area.name"` with lowercase words.
fn find_keys(text: &str) -> Vec<String> {
    let mut out = vec![];
    for part in text.split('"').skip(1).step_by(2) {
        let looks_like_key = part.contains('.')
            && !part.contains("..")
            && part.split('.').count() >= 2
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_' || b.is_ascii_digit())
            && !part.ends_with('.')
            && !part.starts_with('.')
            && !["css", "js", "html", "yml", "rs", "png", "pdf", "md"]
                .iter()
                .any(|ext| part.ends_with(&format!(".{ext}")));
        let first = part.split('.').next().unwrap_or("");
        let known_area = KEY_AREAS.contains(&first);
        if looks_like_key && known_area {
            out.push(part.to_string());
        }
    }
    out
}

/// The first segment of every key family; a string literal in these families is a key.
const KEY_AREAS: &[&str] = &[
    "app",
    "nav",
    "time",
    "common",
    "role",
    "perm",
    "edition",
    "provider",
    "error",
    "auth",
    "org",
    "operator",
    "apps",
    "forms",
    "notifications",
    "field",
    "page",
    "approval",
    "demo",
    "distribution",
    "duration",
    "interconnect",
    "customdev",
    "appcentre",
];

#[tokio::test]
async fn the_language_switch_turns_the_portal_into_english_and_back() {
    each_backend(async |app| {
        let c = app.client();
        c.get("/login")
            .await
            .assert_contains("登录")
            .assert_contains("lang=\"zh-CN\"");
        c.post("/lang", &[("lang", "en"), ("next", "/login")])
            .await
            .assert_redirect("/login");
        c.get("/login")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Sign in")
            .assert_lacks("登录");
        c.post_ok("/lang", &[("lang", "zh-CN"), ("next", "/login")])
            .await;
        c.get("/login").await.assert_contains("登录");
        // Unknown languages are refused, not stored.
        c.post("/lang", &[("lang", "xx")])
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    })
    .await;
}
