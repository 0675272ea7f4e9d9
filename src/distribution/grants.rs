//! Remote maintenance grants (远程维护), done better than Yida's on/off switch: a provider
//! developer asks for a time-bound grant on one delivered copy, the customer's platform
//! admin approves, declines or ends it (or lets it approve itself, Yida's behaviour), and
//! while it is live the developer acts inside the customer organisation as the app's admin
//! and nothing more. This file holds the rules; `store` the queries, `routes` the pages.

pub(crate) mod delegation;
pub(crate) mod forms;
pub(crate) mod lists;
pub(crate) mod live;
pub(crate) mod pages;
pub(crate) mod routes;
pub mod store;

/// Shortest and longest grant a developer may ask for.
pub const MIN_DURATION_SECS: i64 = 3600;
pub const MAX_DURATION_SECS: i64 = 30 * 86_400;
/// A grant's reason is required and at most this many characters.
pub const MAX_REASON_CHARS: usize = 200;

/// The stored state of a grant. "Expired" is not stored: an active grant whose time is
/// up simply is expired (no job needed), see [`effective_status`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantStatus {
    Requested,
    Active,
    Declined,
    Ended,
    Expired,
}

impl GrantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantStatus::Requested => "requested",
            GrantStatus::Active => "active",
            GrantStatus::Declined => "declined",
            GrantStatus::Ended => "ended",
            GrantStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> GrantStatus {
        match s {
            "requested" => GrantStatus::Requested,
            "active" => GrantStatus::Active,
            "declined" => GrantStatus::Declined,
            "expired" => GrantStatus::Expired,
            _ => GrantStatus::Ended,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            GrantStatus::Requested => "distribution.maintenance.status.requested",
            GrantStatus::Active => "distribution.maintenance.status.active",
            GrantStatus::Declined => "distribution.maintenance.status.declined",
            GrantStatus::Ended => "distribution.maintenance.status.ended",
            GrantStatus::Expired => "distribution.maintenance.status.expired",
        }
    }
}

/// What the page shows: an active grant past its expiry is expired.
pub fn effective_status(stored: &str, expires_at: Option<i64>, now: i64) -> GrantStatus {
    match GrantStatus::parse(stored) {
        GrantStatus::Active if expires_at.is_none_or(|e| e <= now) => GrantStatus::Expired,
        s => s,
    }
}

/// The unit of the duration select.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationUnit {
    Hours,
    Days,
}

impl DurationUnit {
    pub fn parse(s: &str) -> Option<DurationUnit> {
        match s {
            "hours" => Some(DurationUnit::Hours),
            "days" => Some(DurationUnit::Days),
            _ => None,
        }
    }
    fn secs(self) -> i64 {
        match self {
            DurationUnit::Hours => 3600,
            DurationUnit::Days => 86_400,
        }
    }
}

/// Parses "amount unit" into seconds between one hour and thirty days; the error is the
/// i18n key shown beside the field.
pub fn parse_duration(amount: &str, unit: &str) -> Result<i64, &'static str> {
    let unit = DurationUnit::parse(unit).ok_or("distribution.maintenance.error.duration")?;
    let n: i64 = amount
        .trim()
        .parse()
        .map_err(|_| "distribution.maintenance.error.duration")?;
    let secs = n
        .checked_mul(unit.secs())
        .ok_or("distribution.maintenance.error.duration")?;
    if (MIN_DURATION_SECS..=MAX_DURATION_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err("distribution.maintenance.error.duration")
    }
}

/// A grant's reason: required, at most [`MAX_REASON_CHARS`] characters once trimmed.
pub fn parse_reason(reason: &str) -> Result<String, &'static str> {
    let r = reason.trim();
    if r.is_empty() {
        Err("distribution.maintenance.error.reason_required")
    } else if r.chars().count() > MAX_REASON_CHARS {
        Err("distribution.maintenance.error.reason_too_long")
    } else {
        Ok(r.to_string())
    }
}

/// Everything liveness depends on, read in one query (see `store::grant_facts`).
#[derive(Clone, Debug)]
pub struct GrantFacts {
    pub grant_id: i64,
    pub app_id: i64,
    pub customer_org_id: i64,
    pub provider_org_id: i64,
    pub developer_id: i64,
    pub status: String,
    pub expires_at: Option<i64>,
    /// The app's organisation, which must still be the grant's customer.
    pub app_org_id: i64,
    pub app_state: String,
    pub maintenance_open: bool,
}

/// No remote maintenance without a live grant, and none at all once maintenance is
/// closed: active, this user's, not expired, on an app still in the customer organisation,
/// still under maintenance and with maintenance open.
pub fn is_live(f: &GrantFacts, user_id: i64, now: i64) -> bool {
    f.status == GrantStatus::Active.as_str()
        && f.developer_id == user_id
        && f.expires_at.is_some_and(|e| e > now)
        && f.app_org_id == f.customer_org_id
        && f.maintenance_open
        && f.app_state == crate::apps::AppStatus::Maintenance.as_str()
}

/// Whether a new grant may be requested on a copy, or the i18n key of why not.
pub fn may_request(maintenance_open: bool, app_state: &str) -> Result<(), &'static str> {
    if !maintenance_open {
        Err("distribution.maintenance.error.closed")
    } else if app_state != crate::apps::AppStatus::Maintenance.as_str() {
        Err("distribution.maintenance.error.not_in_maintenance")
    } else {
        Ok(())
    }
}

/// The sentence every record of an action under a grant carries.
pub fn acting_detail(
    developer: &str,
    provider: &str,
    customer: &str,
    grant_id: i64,
    what: &str,
) -> String {
    format!(
        "developer {developer} of provider {provider} acting as app admin in org {customer} \
         under grant #{grant_id}: {what}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_run_from_one_hour_to_thirty_days() {
        assert_eq!(parse_duration("1", "hours"), Ok(3600));
        assert_eq!(parse_duration("30", "days"), Ok(30 * 86_400));
        assert_eq!(parse_duration(" 2 ", "days"), Ok(2 * 86_400));
        assert_eq!(parse_duration("720", "hours"), Ok(720 * 3600));
        for (a, u) in [
            ("0", "hours"),
            ("721", "hours"),
            ("31", "days"),
            ("-1", "days"),
            ("1.5", "hours"),
            ("", "hours"),
            ("1", "weeks"),
            ("99999999999999999", "days"),
        ] {
            assert!(parse_duration(a, u).is_err(), "{a} {u}");
        }
    }

    #[test]
    fn a_reason_is_required_and_short() {
        assert!(parse_reason("  ").is_err());
        assert_eq!(parse_reason(" 修复报表 ").as_deref(), Ok("修复报表"));
        assert!(parse_reason(&"字".repeat(200)).is_ok());
        assert!(parse_reason(&"字".repeat(201)).is_err());
    }

    fn facts() -> GrantFacts {
        GrantFacts {
            grant_id: 1,
            app_id: 2,
            customer_org_id: 3,
            provider_org_id: 4,
            developer_id: 5,
            status: "active".into(),
            expires_at: Some(1000),
            app_org_id: 3,
            app_state: "maintenance".into(),
            maintenance_open: true,
        }
    }

    #[test]
    fn a_grant_is_live_only_while_every_condition_holds() {
        assert!(is_live(&facts(), 5, 999));
        assert!(!is_live(&facts(), 6, 999), "another user");
        assert!(!is_live(&facts(), 5, 1000), "expired");
        let mut f = facts();
        f.maintenance_open = false;
        assert!(!is_live(&f, 5, 0), "maintenance closed");
        let mut f = facts();
        f.app_state = "enabled".into();
        assert!(!is_live(&f, 5, 0), "app enabled");
        for s in ["requested", "declined", "ended"] {
            let mut f = facts();
            f.status = s.into();
            assert!(!is_live(&f, 5, 0), "{s}");
        }
        let mut f = facts();
        f.app_org_id = 9;
        assert!(!is_live(&f, 5, 0), "app moved");
    }

    #[test]
    fn an_active_grant_past_its_time_shows_as_expired() {
        assert_eq!(effective_status("active", Some(10), 9), GrantStatus::Active);
        assert_eq!(
            effective_status("active", Some(10), 10),
            GrantStatus::Expired
        );
        assert_eq!(effective_status("ended", Some(10), 99), GrantStatus::Ended);
    }

    #[test]
    fn the_audit_sentence_names_everyone() {
        assert_eq!(
            acting_detail("张三", "服务商", "客户", 7, "POST /apps/3/edit"),
            "developer 张三 of provider 服务商 acting as app admin in org 客户 under grant #7: \
             POST /apps/3/edit"
        );
    }

    #[test]
    fn requests_need_open_maintenance_on_a_copy_under_maintenance() {
        assert!(may_request(true, "maintenance").is_ok());
        assert_eq!(
            may_request(false, "maintenance"),
            Err("distribution.maintenance.error.closed")
        );
        assert_eq!(
            may_request(true, "enabled"),
            Err("distribution.maintenance.error.not_in_maintenance")
        );
    }
}
