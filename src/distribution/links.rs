//! Distribution links (分发链接, seed 000 step 1 and seed 001 §2.1): a purchase link for
//! chosen apps, bound to one approved project. The token is 32 random bytes, so the link
//! cannot be guessed; it can expire and be revoked, and every open and refusal is logged.

pub(crate) mod pages;
pub(crate) mod routes;
pub(crate) mod store;

use crate::apps::App;
use crate::distribution::projects::ProjectStatus;

/// Premium apps and distributed copies cannot be distributed (seed 000 FAQ).
pub(crate) fn check_apps(apps: &[App]) -> Result<(), &'static str> {
    if apps.is_empty() {
        return Err("distribution.link.error.choose_app");
    }
    if apps.iter().any(|a| a.premium || a.is_distributed_copy()) {
        return Err("distribution.link.error.app_not_supported");
    }
    Ok(())
}

/// An optional expiry in days, 1–365.
pub(crate) fn parse_expiry_days(raw: &str) -> Result<Option<i64>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i64>() {
        Ok(d) if (1..=365).contains(&d) => Ok(Some(d)),
        _ => Err("distribution.link.error.expiry"),
    }
}

/// Why a link cannot be used now, if it cannot (an i18n key; all start "该分发链接已失效").
pub(crate) fn link_refusal(
    revoked_at: Option<i64>,
    expires_at: Option<i64>,
    project: ProjectStatus,
    now: i64,
) -> Option<&'static str> {
    if project == ProjectStatus::Closed {
        Some("distribution.link.refused.closed")
    } else if !project.issues_links() {
        Some("distribution.link.refused.not_approved")
    } else if revoked_at.is_some() {
        Some("distribution.link.refused.revoked")
    } else if expires_at.is_some_and(|e| now >= e) {
        Some("distribution.link.refused.expired")
    } else {
        None
    }
}

/// The URL handed to the customer: the customer name is a visible parameter so a provider
/// can check they send the right project's link (seed 000 FAQ).
pub(crate) fn link_url(public_base: &str, token: &str, customer_name: &str) -> String {
    format!(
        "{public_base}/d/{token}?corpName={}",
        crate::tools::encode_query(customer_name).replace('+', "%20")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(premium: bool, source: Option<i64>) -> App {
        App {
            id: 1,
            org_id: 1,
            name: "a".into(),
            icon_glyph: "x".into(),
            icon_color: String::new(),
            icon_image: String::new(),
            description: String::new(),
            premium,
            state: "enabled".into(),
            source_app_id: source,
            created_by: 1,
            created_at: 0,
            homepage_url: String::new(),
        }
    }

    #[test]
    fn premium_and_copied_apps_are_not_distributable() {
        assert!(check_apps(&[app(false, None)]).is_ok());
        assert_eq!(
            check_apps(&[app(false, None), app(true, None)]),
            Err("distribution.link.error.app_not_supported")
        );
        assert_eq!(
            check_apps(&[app(false, Some(3))]),
            Err("distribution.link.error.app_not_supported")
        );
        assert_eq!(check_apps(&[]), Err("distribution.link.error.choose_app"));
    }

    #[test]
    fn links_stop_when_revoked_expired_or_the_project_is_not_open() {
        let ok = ProjectStatus::Approved;
        assert_eq!(link_refusal(None, None, ok, 10), None);
        assert_eq!(link_refusal(None, Some(11), ok, 10), None);
        assert_eq!(
            link_refusal(None, Some(10), ok, 10),
            Some("distribution.link.refused.expired")
        );
        assert_eq!(
            link_refusal(Some(1), None, ok, 10),
            Some("distribution.link.refused.revoked")
        );
        assert_eq!(
            link_refusal(None, None, ProjectStatus::Closed, 10),
            Some("distribution.link.refused.closed")
        );
        assert_eq!(
            link_refusal(None, None, ProjectStatus::Rejected, 10),
            Some("distribution.link.refused.not_approved")
        );
    }

    #[test]
    fn expiry_is_optional_and_bounded() {
        assert_eq!(parse_expiry_days(""), Ok(None));
        assert_eq!(parse_expiry_days("7"), Ok(Some(7)));
        assert!(parse_expiry_days("0").is_err());
        assert!(parse_expiry_days("366").is_err());
        assert!(parse_expiry_days("x").is_err());
    }

    #[test]
    fn the_url_carries_the_customer_name() {
        let u = link_url("https://fenfa.example", "tok", "星河 制造");
        assert!(u.starts_with("https://fenfa.example/d/tok?corpName=%E6%98%9F"));
        assert!(u.contains("%20"));
    }
}
