//! The order detail (订单详情): the rows it shows and the rules of sending, free of the
//! web and the database.

use diesel::prelude::*;
use serde::Deserialize;

use crate::db::schema::{order_apps, orders, part_sends};
use crate::web::Errors;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct Order {
    pub id: i64,
    pub order_no: String,
    pub project_id: i64,
    pub link_id: i64,
    pub provider_org_id: i64,
    pub customer_org_id: i64,
    pub purchaser_id: i64,
    pub created_at: i64,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = order_apps)]
pub struct OrderApp {
    pub id: i64,
    pub order_id: i64,
    pub source_app_id: i64,
    pub copy_app_id: Option<i64>,
    pub send_status: String,
    pub failure_reason: String,
    pub with_sample: bool,
    pub with_connectors: bool,
    pub full_edit: bool,
    pub sent_by: Option<i64>,
    pub sent_at: Option<i64>,
}

impl OrderApp {
    pub fn status(&self) -> SendStatus {
        SendStatus::parse(&self.send_status)
    }
    /// A send may start while pending, or again after a failure.
    pub fn may_send(&self) -> bool {
        matches!(self.status(), SendStatus::Pending | SendStatus::Failed)
    }
    pub fn sent(&self) -> bool {
        self.status() == SendStatus::Succeeded && self.copy_app_id.is_some()
    }
}

#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = part_sends)]
pub(crate) struct PartSend {
    pub id: i64,
    pub order_app_id: i64,
    pub kind: String,
    pub source_id: i64,
    pub copy_id: Option<i64>,
    pub status: String,
    pub failure_reason: String,
    pub created_by: i64,
    pub created_at: i64,
}

/// 发送状态: pending → sending → succeeded / failed (with a reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendStatus {
    Pending,
    Sending,
    Succeeded,
    Failed,
}

impl SendStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SendStatus::Pending => "pending",
            SendStatus::Sending => "sending",
            SendStatus::Succeeded => "succeeded",
            SendStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> SendStatus {
        match s {
            "sending" => SendStatus::Sending,
            "succeeded" => SendStatus::Succeeded,
            "failed" => SendStatus::Failed,
            _ => SendStatus::Pending,
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            SendStatus::Pending => "distribution.send_status.pending",
            SendStatus::Sending => "distribution.send_status.sending",
            SendStatus::Succeeded => "distribution.send_status.succeeded",
            SendStatus::Failed => "distribution.send_status.failed",
        }
    }
    pub fn badge(self) -> &'static str {
        match self {
            SendStatus::Pending | SendStatus::Sending => "warn",
            SendStatus::Succeeded => "ok",
            SendStatus::Failed => "bad",
        }
    }
}

/// What can be sent on its own into a customer's copy after the app was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PartKind {
    Page,
    Component,
}

impl PartKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PartKind::Page => "page",
            PartKind::Component => "component",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<PartKind> {
        match s {
            "page" => Some(PartKind::Page),
            "component" => Some(PartKind::Component),
            _ => None,
        }
    }
}

fn checkbox(v: &Option<String>) -> bool {
    v.as_deref()
        .is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The send dialog as it arrives.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct SendForm {
    pub with_sample: Option<String>,
    pub with_connectors: Option<String>,
    pub full_edit: Option<String>,
    pub agree: Option<String>,
}

/// The options of one send (应用分发设置).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendOptions {
    pub with_sample: bool,
    pub with_connectors: bool,
    pub full_edit: bool,
}

impl SendForm {
    /// The options, or the error beside the agreement checkbox: 《服务商分发协议》 must be
    /// accepted before anything is sent.
    pub(crate) fn parse(&self) -> Result<SendOptions, Errors> {
        if !checkbox(&self.agree) {
            let mut e = Errors::default();
            e.add("agree", "distribution.error.agreement_required");
            return Err(e);
        }
        Ok(SendOptions {
            with_sample: checkbox(&self.with_sample),
            with_connectors: checkbox(&self.with_connectors),
            full_edit: checkbox(&self.full_edit),
        })
    }
    pub(crate) fn checked(&self, name: &str) -> bool {
        checkbox(match name {
            "with_sample" => &self.with_sample,
            "with_connectors" => &self.with_connectors,
            "full_edit" => &self.full_edit,
            _ => &self.agree,
        })
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct EditRightsForm {
    pub full_edit: Option<String>,
}

impl EditRightsForm {
    pub(crate) fn full_edit(&self) -> bool {
        checkbox(&self.full_edit)
    }
}

/// A page or component to send on its own: "page:12" or "component:3".
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct PartForm {
    pub part: String,
}

impl PartForm {
    pub(crate) fn parse(&self) -> Option<(PartKind, i64)> {
        let (kind, id) = self.part.split_once(':')?;
        Some((PartKind::parse(kind)?, id.trim().parse().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agreement_must_be_ticked() {
        let f = SendForm {
            with_sample: Some("on".into()),
            ..SendForm::default()
        };
        let e = f.parse().expect_err("refused");
        assert_eq!(
            e.get("agree"),
            Some("distribution.error.agreement_required")
        );
        let f = SendForm {
            with_sample: Some("on".into()),
            agree: Some("on".into()),
            ..SendForm::default()
        };
        assert_eq!(
            f.parse().expect("accepted"),
            SendOptions {
                with_sample: true,
                with_connectors: false,
                full_edit: false
            }
        );
    }

    #[test]
    fn parts_are_kind_and_id() {
        let p = |s: &str| {
            PartForm {
                part: s.to_string(),
            }
            .parse()
        };
        assert_eq!(p("page:12"), Some((PartKind::Page, 12)));
        assert_eq!(p("component:3"), Some((PartKind::Component, 3)));
        assert_eq!(p("report:3"), None);
        assert_eq!(p("page:x"), None);
    }

    #[test]
    fn only_pending_or_failed_sends_may_start() {
        for (s, ok) in [
            ("pending", true),
            ("failed", true),
            ("sending", false),
            ("succeeded", false),
        ] {
            let oa = OrderApp {
                id: 1,
                order_id: 1,
                source_app_id: 1,
                copy_app_id: None,
                send_status: s.into(),
                failure_reason: String::new(),
                with_sample: false,
                with_connectors: false,
                full_edit: false,
                sent_by: None,
                sent_at: None,
            };
            assert_eq!(oa.may_send(), ok, "{s}");
        }
    }
}
