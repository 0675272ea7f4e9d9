//! Languages. Every visible string comes from `src/locales/*.yml` (zh-CN and en side by
//! side, compiled in by rust-i18n); the language is a cookie so it works before login.

pub mod duration;

pub use duration::{format_time_left, format_wait};

use std::borrow::Cow;
use std::sync::LazyLock;

use hashbrown::HashMap;

use axum::http::HeaderMap;

/// Each language's strings, taken once from rust-i18n's compiled-in tables. A page looks
/// up a hundred or more; rust-i18n's own lookup hashes with SipHash and hands back an
/// owned copy each time (8% of the project list's instructions), this one a `&'static str`.
static TABLES: LazyLock<[HashMap<&'static str, &'static str>; 2]> = LazyLock::new(|| {
    [Lang::Zh, Lang::En].map(|lang| {
        let messages = crate::_rust_i18n_backend()
            .messages_for_locale(lang.code())
            .unwrap_or_default();
        messages
            .into_iter()
            .map(|(k, v)| (leak(k), leak(v)))
            .collect()
    })
});

/// The tables live as long as the process; they are built once.
fn leak(s: Cow<'_, str>) -> &'static str {
    Box::leak(s.into_owned().into_boxed_str())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

pub const LANG_COOKIE: &str = "lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn from_headers(headers: &HeaderMap) -> Lang {
        crate::tools::cookie(headers, LANG_COOKIE)
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }

    /// The translation of `key`; an unknown key comes back as itself (a test catches it).
    pub fn t(self, key: &str) -> Cow<'static, str> {
        match TABLES[self as usize].get(key) {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(key.to_string()),
        }
    }

    /// The translation with `%{name}` placeholders filled in.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).into_owned();
        for (name, value) in args {
            s = s.replace(&format!("%{{{name}}}"), value);
        }
        s
    }

    /// True when the key exists in this language.
    pub fn has(self, key: &str) -> bool {
        TABLES[self as usize].contains_key(key)
    }
}
