//! The provider's project pages: one struct per page, display logic as methods.

use askama::Template;
use askama_web::WebTemplate;

use super::store::{Project, ProjectRow, TimelineRow};
use super::{
    ACCEPTANCE_RESULTS, ClosingForm, ProjectForm, ProjectStatus, acceptance_label, status_label,
};
use crate::distribution::links::store::LinkSummary;
use crate::distribution::orders::list::OrderRow;
use crate::distribution::orders::send_status_label;
use crate::web::{Errors, Layout, Page};

/// The status tabs of the project list: "all" and each status.
pub(crate) const TABS: [&str; 6] = [
    "all",
    "pending",
    "approved",
    "rejected",
    "withdrawn",
    "closed",
];

pub(crate) fn tab_label(tab: &str) -> &'static str {
    match ProjectStatus::parse(tab) {
        Some(s) => s.label_key(),
        None => "distribution.projects.tab_all",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/list.html")]
pub(crate) struct ProjectsPage {
    pub l: Layout,
    pub page: Page<ProjectRow>,
    pub tab: String,
    pub q: String,
    pub base: String,
    pub is_admin: bool,
    pub user_id: i64,
    /// Projects per status under the current search.
    pub counts: std::collections::HashMap<String, i64>,
}

impl ProjectsPage {
    /// The tab's count: its status's, or every status's for "all"; past
    /// [`super::store::TAB_COUNT_CAP`] it reads "99+".
    pub(crate) fn count(&self, tab: &str) -> String {
        let cap = super::store::TAB_COUNT_CAP;
        let n = if tab == "all" {
            self.counts.values().sum()
        } else {
            self.counts.get(tab).copied().unwrap_or(0)
        };
        let capped = if tab == "all" {
            self.counts.values().any(|c| *c > cap) || n > cap
        } else {
            n > cap
        };
        if capped {
            format!("{cap}+")
        } else {
            n.to_string()
        }
    }
    pub(crate) fn tabs(&self) -> [&'static str; 6] {
        TABS
    }
    pub(crate) fn is_tab(&self, t: &str) -> bool {
        self.tab == t
    }
    pub(crate) fn tab_key(&self, tab: &str) -> &'static str {
        tab_label(tab)
    }
    pub(crate) fn tab_href(&self, tab: &str) -> String {
        let mut s = format!("/provider/projects?status={tab}");
        if !self.q.is_empty() {
            s.push_str("&q=");
            s.push_str(&crate::tools::encode_query(&self.q));
        }
        s
    }
    pub(crate) fn status_key(&self, r: &ProjectRow) -> &'static str {
        status_label(&r.p.status)
    }
    pub(crate) fn is_creator(&self, r: &ProjectRow) -> bool {
        r.p.creator_id == self.user_id
    }
    pub(crate) fn issues_links(&self, r: &ProjectRow) -> bool {
        r.p.status().issues_links()
    }
    /// Approved and closed projects are the ones whose links may have been bought.
    pub(crate) fn has_orders(&self, r: &ProjectRow) -> bool {
        matches!(
            r.p.status(),
            ProjectStatus::Approved | ProjectStatus::Closed
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/new.html")]
pub(crate) struct NewProjectPage {
    pub l: Layout,
    pub form: ProjectForm,
    pub errors: Errors,
    /// After a refused submission the file input is empty again: say so.
    pub rechoose_file: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/show.html")]
pub(crate) struct ProjectPage {
    pub l: Layout,
    pub p: Project,
    pub file_name: String,
    pub timeline: Vec<TimelineRow>,
    pub links: Vec<LinkSummary>,
    pub orders: Vec<OrderRow>,
    pub closing: ClosingForm,
    pub errors: Errors,
    pub now: i64,
}

impl ProjectPage {
    pub(crate) fn status_key(&self) -> &'static str {
        status_label(&self.p.status)
    }
    pub(crate) fn is_pending(&self) -> bool {
        self.p.status() == ProjectStatus::Pending
    }
    pub(crate) fn is_approved(&self) -> bool {
        self.p.status() == ProjectStatus::Approved
    }
    pub(crate) fn is_closed(&self) -> bool {
        self.p.status() == ProjectStatus::Closed
    }
    pub(crate) fn has_reason(&self) -> bool {
        !self.p.review_reason.is_empty()
    }
    pub(crate) fn wait(&self, secs: &i64) -> String {
        crate::i18n::format_wait(self.l.lang, *secs)
    }
    pub(crate) fn event_key(&self, e: &TimelineRow) -> String {
        e.label_key()
    }
    pub(crate) fn link_state_key(&self, s: &LinkSummary) -> &'static str {
        crate::distribution::links::link_refusal(
            s.link.revoked_at,
            s.link.expires_at,
            self.p.status(),
            self.now,
        )
        .map_or(
            "distribution.link.state.active",
            |_| "distribution.link.state.inactive",
        )
    }
    pub(crate) fn send_key(&self, o: &OrderRow) -> &'static str {
        send_status_label(o.send_status())
    }
    pub(crate) fn acceptances(&self) -> [&'static str; 3] {
        ACCEPTANCE_RESULTS
    }
    pub(crate) fn acceptance_key(&self, a: &str) -> &'static str {
        acceptance_label(a)
    }
}
