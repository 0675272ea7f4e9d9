//! The seed's rules for templates and custom apps, as plain functions (no database).

use std::net::IpAddr;

use crate::storage::FileKind;
use crate::web::Errors;

/// 代开发应用模版logo: 750×750, JPG or PNG, at most 1 MB.
pub(crate) const LOGO_SIDE: u32 = 750;
pub(crate) const LOGO_MAX_BYTES: usize = 1_048_576;
/// The seed's examples of words a name may not use (特殊词汇); the operator adds more.
pub(crate) const BANNED_WORDS: [&str; 6] = ["微信", "特卖", "企业微信", "企微", "抽奖", "免费"];
/// 批量授权: 2–9 live templates behind one code, valid 10 days.
pub(crate) const BATCH_MIN: usize = 2;
pub(crate) const BATCH_MAX: usize = 9;
pub(crate) const BATCH_VALID_SECS: i64 = 10 * 86_400;
/// Test organisations a provider may create for itself (an addition).
pub(crate) const MAX_TEST_ORGS: i64 = 3;
/// Lines of an IP allow-list (an addition, to keep the check cheap).
pub(crate) const MAX_IP_LINES: usize = 100;

/// A name: 2–10 characters, each a CJK character, letter or digit; none of the banned
/// words (case-insensitive).
pub(crate) fn check_name(name: &str, banned: &[String]) -> Result<(), &'static str> {
    let n = name.chars().count();
    if n == 0 {
        return Err("customdev.error.name_required");
    }
    if !(2..=10).contains(&n) {
        return Err("customdev.error.name_length");
    }
    if !name.chars().all(char::is_alphanumeric) {
        return Err("customdev.error.name_chars");
    }
    let lower = name.to_lowercase();
    let hit = BANNED_WORDS
        .iter()
        .map(|w| w.to_string())
        .chain(banned.iter().cloned())
        .any(|w| !w.is_empty() && lower.contains(&w.to_lowercase()));
    if hit {
        return Err("customdev.error.name_banned");
    }
    Ok(())
}

/// An introduction of `min..=max` characters (4–20 for a template, 4–120 for an app).
pub(crate) fn check_intro(intro: &str, max: usize) -> Result<(), &'static str> {
    let n = intro.chars().count();
    if n == 0 {
        return Err("customdev.error.intro_required");
    }
    if n < 4 || n > max {
        return Err(if max == 20 {
            "customdev.error.intro_length_template"
        } else {
            "customdev.error.intro_length_app"
        });
    }
    Ok(())
}

/// A URL that begins with `https://` and names a host.
pub(crate) fn check_https_url(u: &str) -> Result<(), &'static str> {
    if !u.starts_with("https://") {
        return Err("customdev.error.https_url");
    }
    match url::Url::parse(u) {
        Ok(p) if p.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        _ => Err("customdev.error.https_url"),
    }
}

/// A homepage: optional, an http(s) URL the workbench tile links to.
pub(crate) fn check_homepage(u: &str) -> Result<(), &'static str> {
    if u.is_empty() {
        return Ok(());
    }
    match url::Url::parse(u) {
        Ok(p) if matches!(p.scheme(), "http" | "https") && p.host_str().is_some() => Ok(()),
        _ => Err("customdev.error.homepage_url"),
    }
}

/// A trusted domain: a host name without scheme, port or path (`crm.example.com`).
pub(crate) fn check_domain(d: &str) -> Result<(), &'static str> {
    if d.is_empty() {
        return Ok(());
    }
    let labels: Vec<&str> = d.split('.').collect();
    let ok = d.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|t| t.bytes().all(|b| b.is_ascii_lowercase()));
    if ok {
        Ok(())
    } else {
        Err("customdev.error.domain")
    }
}

/// One entry of an IP allow-list: an IPv4 or IPv6 address, or a CIDR block.
pub(crate) fn ip_entry_ok(e: &str) -> bool {
    match e.split_once('/') {
        None => e.parse::<IpAddr>().is_ok(),
        Some((ip, bits)) => match (ip.parse::<IpAddr>(), bits.parse::<u8>()) {
            (Ok(IpAddr::V4(_)), Ok(b)) => b <= 32 && !bits.starts_with('+'),
            (Ok(IpAddr::V6(_)), Ok(b)) => b <= 128 && !bits.starts_with('+'),
            _ => false,
        },
    }
}

/// The allow-list as stored: its entries one a line, blank lines dropped.
pub(crate) fn parse_ip_list(text: &str) -> Result<String, &'static str> {
    let entries: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if entries.len() > MAX_IP_LINES {
        return Err("customdev.error.ip_list_long");
    }
    if !entries.iter().all(|e| ip_entry_ok(e)) {
        return Err("customdev.error.ip_list");
    }
    Ok(entries.join("\n"))
}

/// A logo as uploaded: JPG or PNG by its content, at most 1 MB, exactly 750×750.
pub(crate) fn check_logo(bytes: &[u8]) -> Result<FileKind, &'static str> {
    if bytes.len() > LOGO_MAX_BYTES {
        return Err("customdev.error.logo_bytes");
    }
    let kind = FileKind::sniff(bytes);
    if !matches!(kind, FileKind::Png | FileKind::Jpeg) {
        return Err("customdev.error.logo_format");
    }
    let image = image::load_from_memory(bytes).map_err(|_| "customdev.error.logo_format")?;
    if image.width() != LOGO_SIDE || image.height() != LOGO_SIDE {
        return Err("customdev.error.logo_size");
    }
    Ok(kind)
}

/// The number of templates in a batch authorisation.
pub(crate) fn check_batch(n: usize) -> Result<(), &'static str> {
    if (BATCH_MIN..=BATCH_MAX).contains(&n) {
        Ok(())
    } else {
        Err("customdev.error.batch_size")
    }
}

/// The fields a template's form carries, as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub(crate) struct TemplateForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub intro: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub callback_url: String,
    /// The provider's own app the custom apps start from; empty for an empty app.
    #[serde(default)]
    pub source_app_id: String,
}

/// What the lists the operator maintains allow.
pub(crate) struct Catalogue {
    pub categories: Vec<String>,
    pub industries: Vec<String>,
    pub banned: Vec<String>,
}

/// The checked template, or the errors beside each field. `has_logo` says whether a
/// logo is already stored (an edit may keep it); `logo` is the one uploaded now.
pub(crate) fn check_template(
    f: &TemplateForm,
    cat: &Catalogue,
    logo: Option<&[u8]>,
    has_logo: bool,
    own_apps: &[i64],
) -> Result<Option<i64>, Errors> {
    let mut e = Errors::default();
    if let Err(k) = check_name(f.name.trim(), &cat.banned) {
        e.add("name", k);
    }
    if let Err(k) = check_intro(f.intro.trim(), 20) {
        e.add("intro", k);
    }
    if !cat.categories.iter().any(|c| c == &f.category) {
        e.add("category", "customdev.error.category");
    }
    if !cat.industries.iter().any(|c| c == &f.industry) {
        e.add("industry", "customdev.error.industry");
    }
    if let Err(k) = check_https_url(f.callback_url.trim()) {
        e.add("callback_url", k);
    }
    match logo {
        Some(b) => {
            if let Err(k) = check_logo(b) {
                e.add("logo", k);
            }
        }
        None if !has_logo => e.add("logo", "customdev.error.logo_required"),
        None => {}
    }
    let source = match f.source_app_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) if own_apps.contains(&id) => Some(id),
            _ => {
                e.add("source_app_id", "customdev.error.source_app");
                None
            }
        },
    };
    if e.is_empty() { Ok(source) } else { Err(e) }
}

/// The per-enterprise configuration form (开始代开发应用), as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub(crate) struct AppConfigForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub intro: String,
    #[serde(default)]
    pub homepage_url: String,
    #[serde(default)]
    pub trusted_domain: String,
    #[serde(default)]
    pub ip_allow_list: String,
    #[serde(default)]
    pub callback_url: String,
}

/// The configuration as stored.
pub(crate) struct AppConfig {
    pub name: String,
    pub intro: String,
    pub homepage_url: String,
    pub trusted_domain: String,
    pub ip_allow_list: String,
    pub callback_url: String,
}

pub(crate) fn check_app_config(
    f: &AppConfigForm,
    banned: &[String],
    logo: Option<&[u8]>,
) -> Result<AppConfig, Errors> {
    let mut e = Errors::default();
    let name = f.name.trim().to_string();
    if let Err(k) = check_name(&name, banned) {
        e.add("name", k);
    }
    let intro = f.intro.trim().to_string();
    if let Err(k) = check_intro(&intro, 120) {
        e.add("intro", k);
    }
    let homepage_url = f.homepage_url.trim().to_string();
    if let Err(k) = check_homepage(&homepage_url) {
        e.add("homepage_url", k);
    }
    let trusted_domain = f.trusted_domain.trim().to_ascii_lowercase();
    if let Err(k) = check_domain(&trusted_domain) {
        e.add("trusted_domain", k);
    }
    let ip_allow_list = match parse_ip_list(&f.ip_allow_list) {
        Ok(l) => l,
        Err(k) => {
            e.add("ip_allow_list", k);
            String::new()
        }
    };
    let callback_url = f.callback_url.trim().to_string();
    if !callback_url.is_empty()
        && let Err(k) = check_https_url(&callback_url)
    {
        e.add("callback_url", k);
    }
    if let Some(b) = logo
        && let Err(k) = check_logo(b)
    {
        e.add("logo", k);
    }
    if e.is_empty() {
        Ok(AppConfig {
            name,
            intro,
            homepage_url,
            trusted_domain,
            ip_allow_list,
            callback_url,
        })
    } else {
        Err(e)
    }
}

/// A go-live review ticket's state (上线审核单).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReviewState {
    /// 审核中
    InReview,
    /// 待上线: approved, waiting for the provider's 提交上线.
    Ready,
    /// 已上线
    Live,
    /// 已驳回
    Rejected,
}

impl ReviewState {
    pub(crate) const ALL: [ReviewState; 4] = [
        ReviewState::InReview,
        ReviewState::Ready,
        ReviewState::Live,
        ReviewState::Rejected,
    ];
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ReviewState::InReview => "in_review",
            ReviewState::Ready => "ready",
            ReviewState::Live => "live",
            ReviewState::Rejected => "rejected",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<ReviewState> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            ReviewState::InReview => "customdev.review.in_review",
            ReviewState::Ready => "customdev.review.ready",
            ReviewState::Live => "customdev.review.live",
            ReviewState::Rejected => "customdev.review.rejected",
        }
    }
    pub(crate) fn badge(self) -> &'static str {
        match self {
            ReviewState::InReview | ReviewState::Ready => "warn",
            ReviewState::Live => "ok",
            ReviewState::Rejected => "bad",
        }
    }
}

/// How an enterprise ends an authorisation: what becomes of its custom app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CancelOutcome {
    /// The enterprise keeps the app as its own.
    Keep,
    /// The app is deleted (after the enterprise exported what it wanted).
    Delete,
}

impl CancelOutcome {
    pub(crate) fn parse(s: &str) -> Option<CancelOutcome> {
        match s {
            "keep" => Some(CancelOutcome::Keep),
            "delete" => Some(CancelOutcome::Delete),
            _ => None,
        }
    }
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CancelOutcome::Keep => "keep",
            CancelOutcome::Delete => "delete",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_has_two_to_ten_cjk_characters_letters_or_digits() {
        assert_eq!(check_name("云创CRM", &[]), Ok(()));
        assert_eq!(check_name("ab", &[]), Ok(()));
        assert_eq!(check_name("a", &[]), Err("customdev.error.name_length"));
        assert_eq!(
            check_name("一二三四五六七八九十一", &[]),
            Err("customdev.error.name_length")
        );
        assert_eq!(
            check_name("云创 CRM", &[]),
            Err("customdev.error.name_chars")
        );
        assert_eq!(
            check_name("云创-CRM", &[]),
            Err("customdev.error.name_chars")
        );
    }

    #[test]
    fn a_name_may_not_use_the_seeds_banned_words_or_the_operators() {
        for w in BANNED_WORDS {
            assert_eq!(
                check_name(&format!("云{w}"), &[]),
                Err("customdev.error.name_banned"),
                "{w}"
            );
        }
        let extra = vec!["Promo".to_string()];
        assert_eq!(
            check_name("bigpromo", &extra),
            Err("customdev.error.name_banned")
        );
    }

    #[test]
    fn introductions_have_four_to_twenty_characters_for_templates_and_to_120_for_apps() {
        assert_eq!(check_intro("客户管理", 20), Ok(()));
        assert!(check_intro("客户", 20).is_err());
        assert!(check_intro(&"字".repeat(21), 20).is_err());
        assert_eq!(check_intro(&"字".repeat(120), 120), Ok(()));
        assert!(check_intro(&"字".repeat(121), 120).is_err());
    }

    #[test]
    fn callback_urls_begin_with_https() {
        assert_eq!(check_https_url("https://isv.example.com/cb"), Ok(()));
        assert!(check_https_url("http://isv.example.com/cb").is_err());
        assert!(check_https_url("https://").is_err());
    }

    #[test]
    fn a_trusted_domain_is_a_host_name_without_scheme() {
        assert_eq!(check_domain("crm.example.com"), Ok(()));
        assert!(check_domain("https://crm.example.com").is_err());
        assert!(check_domain("crm.example.com/x").is_err());
        assert!(check_domain("localhost").is_err());
        assert!(check_domain("-a.example.com").is_err());
    }

    #[test]
    fn an_ip_allow_list_takes_ipv4_ipv6_and_cidr_one_a_line() {
        assert_eq!(
            parse_ip_list("10.0.0.1\n\n 192.168.0.0/16 \n2001:db8::/32\n::1"),
            Ok("10.0.0.1\n192.168.0.0/16\n2001:db8::/32\n::1".to_string())
        );
        assert!(parse_ip_list("10.0.0.300").is_err());
        assert!(parse_ip_list("10.0.0.0/33").is_err());
        assert!(parse_ip_list("example.com").is_err());
    }

    #[test]
    fn a_batch_has_two_to_nine_templates() {
        assert!(check_batch(1).is_err());
        assert!(check_batch(2).is_ok());
        assert!(check_batch(9).is_ok());
        assert!(check_batch(10).is_err());
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::new(w, h);
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("a PNG encodes");
        out.into_inner()
    }

    #[test]
    fn a_logo_is_a_750_pixel_square_png_or_jpg_judged_by_decoding() {
        assert_eq!(check_logo(&png(750, 750)), Ok(FileKind::Png));
        assert_eq!(check_logo(&png(750, 749)), Err("customdev.error.logo_size"));
        assert_eq!(check_logo(&png(100, 100)), Err("customdev.error.logo_size"));
        let mut broken = png(750, 750);
        broken.truncate(60);
        assert_eq!(check_logo(&broken), Err("customdev.error.logo_format"));
        assert_eq!(
            check_logo(b"GIF89a not really"),
            Err("customdev.error.logo_format")
        );
        assert_eq!(
            check_logo(&vec![0u8; LOGO_MAX_BYTES + 1]),
            Err("customdev.error.logo_bytes")
        );
    }
}
