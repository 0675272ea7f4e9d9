//! Languages. Every visible string comes from `src/locales/*.yml` (zh-CN and en side by
//! side, compiled in by rust-i18n); the language is a cookie so it works before login.

use std::borrow::Cow;

use axum::http::HeaderMap;

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
        crate::web::cookie(headers, LANG_COOKIE)
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }

    /// The translation of `key`; an unknown key comes back as itself (a test catches it).
    pub fn t(self, key: &str) -> Cow<'static, str> {
        let s: Cow<'_, str> = rust_i18n::t!(key, locale = self.code());
        Cow::Owned(s.into_owned())
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
        crate::_rust_i18n_try_translate(self.code(), key).is_some()
    }
}
