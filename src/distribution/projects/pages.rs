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
pub const TABS: [&str; 6] = [
    "all",
    "pending",
    "approved",
    "rejected",
    "withdrawn",
    "closed",
];

pub fn tab_label(tab: &str) -> &'static str {
    match ProjectStatus::parse(tab) {
        Some(s) => s.label_key(),
        None => "distribution.projects.tab_all",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/list.html")]
pub struct ProjectsPage {
    pub l: Layout,
    pub page: Page<ProjectRow>,
    pub tab: String,
    pub q: String,
    pub base: String,
    pub is_admin: bool,
    pub user_id: i64,
}

impl ProjectsPage {
    pub fn tabs(&self) -> [&'static str; 6] {
        TABS
    }
    pub fn is_tab(&self, t: &str) -> bool {
        self.tab == t
    }
    pub fn tab_key(&self, tab: &str) -> &'static str {
        tab_label(tab)
    }
    pub fn tab_href(&self, tab: &str) -> String {
        let mut s = format!("/provider/projects?status={tab}");
        if !self.q.is_empty() {
            s.push_str("&q=");
            s.push_str(&crate::tools::encode_query(&self.q));
        }
        s
    }
    pub fn status_key(&self, r: &ProjectRow) -> &'static str {
        status_label(&r.p.status)
    }
    pub fn is_creator(&self, r: &ProjectRow) -> bool {
        r.p.creator_id == self.user_id
    }
    pub fn issues_links(&self, r: &ProjectRow) -> bool {
        r.p.status().issues_links()
    }
    /// Approved and closed projects are the ones whose links may have been bought.
    pub fn has_orders(&self, r: &ProjectRow) -> bool {
        matches!(
            r.p.status(),
            ProjectStatus::Approved | ProjectStatus::Closed
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/new.html")]
pub struct NewProjectPage {
    pub l: Layout,
    pub form: ProjectForm,
    pub errors: Errors,
    /// After a refused submission the file input is empty again: say so.
    pub rechoose_file: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/show.html")]
pub struct ProjectPage {
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
    pub fn status_key(&self) -> &'static str {
        status_label(&self.p.status)
    }
    pub fn is_pending(&self) -> bool {
        self.p.status() == ProjectStatus::Pending
    }
    pub fn is_approved(&self) -> bool {
        self.p.status() == ProjectStatus::Approved
    }
    pub fn is_closed(&self) -> bool {
        self.p.status() == ProjectStatus::Closed
    }
    pub fn has_reason(&self) -> bool {
        !self.p.review_reason.is_empty()
    }
    pub fn wait(&self, secs: &i64) -> String {
        crate::i18n::format_wait(self.l.lang, *secs)
    }
    pub fn event_key(&self, e: &TimelineRow) -> String {
        e.label_key()
    }
    pub fn link_state_key(&self, s: &LinkSummary) -> &'static str {
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
    pub fn send_key(&self, o: &OrderRow) -> &'static str {
        send_status_label(o.send_status())
    }
    pub fn acceptances(&self) -> [&'static str; 3] {
        ACCEPTANCE_RESULTS
    }
    pub fn acceptance_key(&self, a: &str) -> &'static str {
        acceptance_label(a)
    }
}
