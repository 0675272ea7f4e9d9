//! The maintenance pages: the request form and the grant lists of both sides.

use askama::Template;
use askama_web::WebTemplate;

use super::GrantStatus;
use super::forms::RequestForm;
use super::lists::GrantRow;
use super::store::CopyTarget;
use crate::auth::Delegation;
use crate::i18n::format_time_left;
use crate::web::{Errors, Layout, Page};

#[derive(Template, WebTemplate)]
#[template(path = "distribution/maintenance/request.html")]
pub(crate) struct RequestPage {
    pub l: Layout,
    pub target: CopyTarget,
    pub form: RequestForm,
    pub errors: Errors,
}

impl RequestPage {
    pub(crate) fn refusal(&self) -> Option<&'static str> {
        self.target.refusal()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/maintenance/list.html")]
pub(crate) struct ListPage {
    pub l: Layout,
    pub now: i64,
    pub sections: Vec<Section>,
    /// The grant being acted under, if any.
    pub acting: Option<Delegation>,
}

/// One list on the page: grants on our apps (customer admins), my grants (developers),
/// our organisation's grants in customers' apps (provider admins).
pub(crate) struct Section {
    /// "customer", "mine" or "provider".
    pub side: &'static str,
    pub title_key: &'static str,
    /// The suffix of this list's keyset parameters (`after_c`, `before_c`).
    pub cursor: &'static str,
    pub grants: Page<GrantRow>,
}

impl Section {
    pub(crate) fn empty_key(&self) -> &'static str {
        match self.side {
            "customer" => "distribution.maintenance.empty_customer",
            "mine" => "distribution.maintenance.empty_mine",
            _ => "distribution.maintenance.empty_provider",
        }
    }
    pub(crate) fn prev_href(&self) -> Option<String> {
        let p = self.grants.prev?;
        Some(format!("/maintenance?before_{}={p}", self.cursor))
    }
    pub(crate) fn next_href(&self) -> Option<String> {
        let n = self.grants.next?;
        Some(format!("/maintenance?after_{}={n}", self.cursor))
    }
}

impl ListPage {
    pub(crate) fn status(&self, g: &GrantRow) -> GrantStatus {
        g.status(self.now)
    }
    pub(crate) fn status_key(&self, g: &GrantRow) -> &'static str {
        self.status(g).label_key()
    }
    pub(crate) fn is_requested(&self, g: &GrantRow) -> bool {
        self.status(g) == GrantStatus::Requested
    }
    pub(crate) fn is_active(&self, g: &GrantRow) -> bool {
        self.status(g) == GrantStatus::Active
    }
    pub(crate) fn badge(&self, g: &GrantRow) -> &'static str {
        match self.status(g) {
            GrantStatus::Active => "ok",
            GrantStatus::Requested => "warn",
            _ => "",
        }
    }
    /// Time left for an active grant, else the requested duration.
    pub(crate) fn time(&self, g: &GrantRow) -> String {
        match (self.status(g), g.expires_at) {
            (GrantStatus::Active, Some(e)) => format_time_left(self.l.lang, e, self.now),
            _ => self.l.tf(
                "distribution.maintenance.duration_hours",
                "hours",
                &(g.duration_secs / 3600),
            ),
        }
    }
    pub(crate) fn is_acting(&self, g: &GrantRow) -> bool {
        self.acting.as_ref().is_some_and(|a| a.grant_id == g.id)
    }
}
