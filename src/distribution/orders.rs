//! Orders (订单, seed 000 steps 2–3): what a customer's platform admin purchased through a
//! distribution link. This file holds the rules: who may purchase, the order number, and
//! an order's overall send status; the order centre lists live in `list`, its weekly
//! chart in `trends`.

pub(crate) mod detail;
pub(crate) mod detail_routes;
pub(crate) mod detail_store;
pub(crate) mod list;
pub(crate) mod list_routes;
pub(crate) mod purchase;
pub(crate) mod purchase_routes;
pub(crate) mod routes;
pub(crate) mod trends;
pub(crate) mod trends_routes;

/// A distribution order's number: "FF", the day (China Standard Time), the id.
pub(crate) fn order_no(created_at: i64, id: i64) -> String {
    crate::tools::order_no("FF", created_at, id)
}

/// The send statuses of an order's apps summed up: failed if any failed, sending if any
/// is sending, succeeded when all succeeded, otherwise pending.
pub(crate) fn overall_send_status<'a>(statuses: impl IntoIterator<Item = &'a str>) -> &'static str {
    let all: Vec<&str> = statuses.into_iter().collect();
    if all.contains(&"failed") {
        "failed"
    } else if all.contains(&"sending") {
        "sending"
    } else if !all.is_empty() && all.iter().all(|s| *s == "succeeded") {
        "succeeded"
    } else {
        "pending"
    }
}

pub(crate) const SEND_STATUSES: [&str; 4] = ["pending", "sending", "succeeded", "failed"];

pub(crate) fn send_status_label(s: &str) -> &'static str {
    match s {
        "sending" => "distribution.orders.send.sending",
        "succeeded" => "distribution.orders.send.succeeded",
        "failed" => "distribution.orders.send.failed",
        _ => "distribution.orders.send.pending",
    }
}

/// Who is about to purchase, and whether they may (the eligibility panel).
#[derive(Clone, Debug, Default)]
pub(crate) struct Eligibility {
    pub user_name: String,
    /// The current organisation: name and CorpID.
    pub org: Option<(String, String)>,
    pub corp_matches: bool,
    pub is_admin: bool,
    /// The platform admins of the current organisation, to forward the link to.
    pub admins: Vec<String>,
}

impl Eligibility {
    /// Why this user may not purchase, if so (an i18n key).
    pub(crate) fn refusal(&self) -> Option<&'static str> {
        if self.org.is_none() {
            Some("distribution.purchase.no_org")
        } else if !self.corp_matches {
            Some("distribution.purchase.corp_mismatch")
        } else if !self.is_admin {
            Some("distribution.purchase.not_admin")
        } else {
            None
        }
    }

    pub(crate) fn admin_names(&self) -> String {
        self.admins.join("、")
    }
}

/// CorpIDs are compared exactly, after trimming (they are identifiers, not names).
pub(crate) fn corp_matches(org_corp_id: &str, project_corp_id: &str) -> bool {
    org_corp_id.trim() == project_corp_id.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_carry_the_day_and_the_id() {
        // 2026-11-22 01:00 UTC is 09:00 in China.
        assert_eq!(order_no(1_795_309_200, 42), "FF20261122000042");
    }

    #[test]
    fn the_overall_send_status() {
        assert_eq!(overall_send_status(["pending", "succeeded"]), "pending");
        assert_eq!(overall_send_status(["succeeded", "succeeded"]), "succeeded");
        assert_eq!(overall_send_status(["succeeded", "failed"]), "failed");
        assert_eq!(overall_send_status(["sending", "pending"]), "sending");
        assert_eq!(overall_send_status([]), "pending");
    }

    #[test]
    fn eligibility_refuses_other_orgs_first_then_non_admins() {
        let mut e = Eligibility {
            org: Some(("C".into(), "dingc".into())),
            corp_matches: false,
            is_admin: true,
            ..Eligibility::default()
        };
        assert_eq!(e.refusal(), Some("distribution.purchase.corp_mismatch"));
        e.corp_matches = true;
        e.is_admin = false;
        assert_eq!(e.refusal(), Some("distribution.purchase.not_admin"));
        e.is_admin = true;
        assert_eq!(e.refusal(), None);
        assert!(corp_matches(" dingc ", "dingc"));
        assert!(!corp_matches("dingC", "dingc"));
    }
}
