//! The customer's side of distribution ("Purchased apps", 我的应用 › 购买的应用): the
//! delivered copy arrives under maintenance (开发维护中); the customer accepts it (验收),
//! closes maintenance (关闭开发维护) and enables it (应用发布 › 启用), in that order
//! (seed 000, step four). The rules live here; queries in `store`, pages in `routes`.

pub(crate) mod routes;
pub(crate) mod store;

use diesel::prelude::*;
use serde::Deserialize;

use crate::db::schema::apps;
use crate::web::Errors;

/// 验收 result on a delivered app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Acceptance {
    Pending,
    Passed,
    Failed,
}

impl Acceptance {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Acceptance::Pending => "",
            Acceptance::Passed => "passed",
            Acceptance::Failed => "failed",
        }
    }
    pub(crate) fn parse(s: &str) -> Acceptance {
        match s {
            "passed" => Acceptance::Passed,
            "failed" => Acceptance::Failed,
            _ => Acceptance::Pending,
        }
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Acceptance::Pending => "distribution.acceptance.pending",
            Acceptance::Passed => "distribution.acceptance.passed",
            Acceptance::Failed => "distribution.acceptance.failed",
        }
    }
}

/// Where a delivered app stands in the seed's order (accept, close maintenance, enable):
/// one status, derived here from the app's state, acceptance and maintenance switch, and
/// shown as is by every page (the customer's and the provider's), never composed there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    AwaitingAcceptance,
    AcceptanceFailed,
    AwaitingMaintenanceClose,
    AwaitingEnable,
    Enabled,
    /// Enabled, and the customer let the provider in again.
    EnabledUnderMaintenance,
}

impl Stage {
    pub(crate) fn of(state: &str, acceptance: Acceptance, maintenance_open: bool) -> Stage {
        match (state == "enabled", acceptance, maintenance_open) {
            (true, _, true) => Stage::EnabledUnderMaintenance,
            (true, _, false) => Stage::Enabled,
            (false, Acceptance::Pending, _) => Stage::AwaitingAcceptance,
            (false, Acceptance::Failed, _) => Stage::AcceptanceFailed,
            (false, Acceptance::Passed, true) => Stage::AwaitingMaintenanceClose,
            (false, Acceptance::Passed, false) => Stage::AwaitingEnable,
        }
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Stage::AwaitingAcceptance => "distribution.stage.awaiting_acceptance",
            Stage::AcceptanceFailed => "distribution.stage.acceptance_failed",
            Stage::AwaitingMaintenanceClose => "distribution.stage.awaiting_close",
            Stage::AwaitingEnable => "distribution.stage.awaiting_enable",
            Stage::Enabled => "distribution.stage.enabled",
            Stage::EnabledUnderMaintenance => "distribution.stage.enabled_maintenance",
        }
    }
    /// The badge's colour family: done, waiting on someone, refused.
    pub(crate) fn badge(self) -> &'static str {
        match self {
            Stage::Enabled => "ok",
            Stage::AcceptanceFailed => "bad",
            _ => "warn",
        }
    }
}

/// A delivered app as the customer manages it.
#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = apps)]
pub(crate) struct Delivered {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub icon_glyph: String,
    pub icon_color: String,
    pub icon_image: String,
    pub state: String,
    pub source_app_id: Option<i64>,
    pub provider_org_id: Option<i64>,
    pub maintenance_open: bool,
    pub auto_approve_grants: bool,
    pub full_edit: bool,
    pub acceptance: String,
    pub acceptance_comment: String,
    pub reconfigure: String,
    pub created_at: i64,
}

impl Delivered {
    pub(crate) fn icon(&self) -> crate::apps::AppIcon {
        crate::apps::AppIcon::new(
            self.id,
            &self.icon_glyph,
            &self.icon_color,
            &self.icon_image,
        )
    }
    pub(crate) fn acceptance(&self) -> Acceptance {
        Acceptance::parse(&self.acceptance)
    }
    pub(crate) fn enabled(&self) -> bool {
        self.state == "enabled"
    }
    pub(crate) fn stage(&self) -> Stage {
        Stage::of(&self.state, self.acceptance(), self.maintenance_open)
    }
    /// Accepted: the acceptance step is done and shows only its result.
    pub(crate) fn accepted(&self) -> bool {
        self.acceptance() == Acceptance::Passed
    }
}

/// Why the app may not be enabled yet, if it may not: the seed's order is accept, close
/// maintenance, enable.
pub(crate) fn enable_blocker(app: &Delivered) -> Option<&'static str> {
    if app.enabled() {
        Some("distribution.error.already_enabled")
    } else if app.acceptance() != Acceptance::Passed {
        Some("distribution.error.enable_needs_acceptance")
    } else if app.maintenance_open {
        Some("distribution.error.enable_needs_closed_maintenance")
    } else {
        None
    }
}

/// The acceptance form as it arrives.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct AcceptForm {
    pub result: String,
    pub comment: String,
}

pub(crate) const COMMENT_MAX: usize = 500;

impl AcceptForm {
    /// Pass, or fail with comments the provider will read (required on fail).
    pub(crate) fn parse(&self) -> Result<(Acceptance, String), Errors> {
        let mut e = Errors::default();
        let comment = self.comment.trim().to_string();
        let result = match self.result.as_str() {
            "passed" => Acceptance::Passed,
            "failed" => Acceptance::Failed,
            _ => {
                e.add("result", "distribution.error.acceptance_result");
                Acceptance::Pending
            }
        };
        if result == Acceptance::Failed && comment.is_empty() {
            e.add("comment", "distribution.error.comment_required");
        }
        if comment.chars().count() > COMMENT_MAX {
            e.add("comment", "distribution.error.comment_too_long");
        }
        if e.is_empty() {
            Ok((result, comment))
        } else {
            Err(e)
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct ToggleForm {
    pub on: Option<String>,
}

impl ToggleForm {
    pub(crate) fn on(&self) -> bool {
        self.on
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
    }
}

/// The label of a timeline event kind on the customer's side.
pub(crate) fn event_label_key(kind: &str) -> &'static str {
    match kind {
        "purchased" => "distribution.timeline.purchased",
        "sent" => "distribution.timeline.sent",
        "send_failed" => "distribution.timeline.send_failed",
        "grant_requested" => "distribution.timeline.grant_requested",
        "grant_approved" => "distribution.timeline.grant_approved",
        "grant_declined" => "distribution.timeline.grant_declined",
        "grant_ended" => "distribution.timeline.grant_ended",
        "maintenance_closed" => "distribution.timeline.maintenance_closed",
        "maintenance_reopened" => "distribution.timeline.maintenance_reopened",
        "acceptance_passed" => "distribution.timeline.acceptance_passed",
        "acceptance_failed" => "distribution.timeline.acceptance_failed",
        "app_enabled" => "distribution.timeline.app_enabled",
        "closed" => "distribution.timeline.closed",
        _ => "distribution.timeline.other",
    }
}

/// How long a step waited, shown coarsely: minutes, hours or days.
pub(crate) fn waited(secs: i64) -> (i64, &'static str) {
    let secs = secs.max(0);
    if secs < 3600 {
        (secs / 60, "distribution.timeline.minutes")
    } else if secs < 86_400 {
        (secs / 3600, "distribution.timeline.hours")
    } else {
        (secs / 86_400, "distribution.timeline.days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivered_app_shows_one_stage_in_the_seeds_order() {
        use Acceptance::*;
        assert_eq!(
            Stage::of("maintenance", Pending, true),
            Stage::AwaitingAcceptance
        );
        assert_eq!(
            Stage::of("maintenance", Failed, true),
            Stage::AcceptanceFailed
        );
        assert_eq!(
            Stage::of("maintenance", Passed, true),
            Stage::AwaitingMaintenanceClose
        );
        assert_eq!(
            Stage::of("maintenance", Passed, false),
            Stage::AwaitingEnable
        );
        assert_eq!(Stage::of("enabled", Passed, false), Stage::Enabled);
        assert_eq!(
            Stage::of("enabled", Passed, true),
            Stage::EnabledUnderMaintenance
        );
        assert_eq!(Stage::Enabled.badge(), "ok");
        assert_eq!(Stage::AcceptanceFailed.badge(), "bad");
    }

    fn app(acceptance: &str, open: bool, state: &str) -> Delivered {
        Delivered {
            id: 1,
            org_id: 1,
            name: "x".into(),
            icon_glyph: String::new(),
            icon_color: String::new(),
            icon_image: String::new(),
            state: state.into(),
            source_app_id: Some(2),
            provider_org_id: Some(3),
            maintenance_open: open,
            auto_approve_grants: false,
            full_edit: false,
            acceptance: acceptance.into(),
            acceptance_comment: String::new(),
            reconfigure: String::new(),
            created_at: 0,
        }
    }

    #[test]
    fn enabling_needs_acceptance_then_closed_maintenance() {
        assert_eq!(
            enable_blocker(&app("", false, "maintenance")),
            Some("distribution.error.enable_needs_acceptance")
        );
        assert_eq!(
            enable_blocker(&app("failed", false, "maintenance")),
            Some("distribution.error.enable_needs_acceptance")
        );
        assert_eq!(
            enable_blocker(&app("passed", true, "maintenance")),
            Some("distribution.error.enable_needs_closed_maintenance")
        );
        assert_eq!(enable_blocker(&app("passed", false, "maintenance")), None);
        assert_eq!(
            enable_blocker(&app("passed", false, "enabled")),
            Some("distribution.error.already_enabled")
        );
    }

    #[test]
    fn a_failed_acceptance_needs_comments() {
        let f = |r: &str, c: &str| {
            AcceptForm {
                result: r.into(),
                comment: c.into(),
            }
            .parse()
        };
        assert_eq!(
            f("passed", " ").ok(),
            Some((Acceptance::Passed, String::new()))
        );
        assert_eq!(
            f("failed", "  ")
                .expect_err("needs comments")
                .get("comment"),
            Some("distribution.error.comment_required")
        );
        assert_eq!(
            f("failed", " 报表不对 ").ok(),
            Some((Acceptance::Failed, "报表不对".into()))
        );
        assert!(f("maybe", "").is_err());
        assert!(f("passed", &"字".repeat(501)).is_err());
    }

    #[test]
    fn waiting_times_are_coarse() {
        assert_eq!(waited(59), (0, "distribution.timeline.minutes"));
        assert_eq!(waited(7200), (2, "distribution.timeline.hours"));
        assert_eq!(waited(3 * 86_400 + 5), (3, "distribution.timeline.days"));
        assert_eq!(waited(-5).0, 0);
    }
}
