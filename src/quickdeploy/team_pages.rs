//! The pages of the team after it deployed: the admin's page (apps, invitation link,
//! join requests, directory import, complaints), a member's complaint form, and the
//! public page of a team invitation link.

use askama::Template;
use askama_web::WebTemplate;

use super::team::{LinkStatus, TeamLink};
use super::team_apps::{ComplaintRow, DeploymentRow};
use super::team_import::{Invited, Row};
use super::team_joins::JoinRow;
use crate::web::{Errors, Layout, Page};

/// The cursors of the page's three lists (each keeps the others').
#[derive(serde::Deserialize, Default, Clone, Copy, Debug)]
pub(crate) struct ListsQuery {
    pub d_after: Option<i64>,
    pub d_before: Option<i64>,
    pub j_after: Option<i64>,
    pub j_before: Option<i64>,
    pub c_after: Option<i64>,
    pub c_before: Option<i64>,
}

impl ListsQuery {
    fn href(&self, list: char, after: Option<i64>, before: Option<i64>) -> String {
        let mut parts = vec![];
        let mut put = |k: &str, v: Option<i64>| {
            if let Some(v) = v {
                parts.push(format!("{k}={v}"));
            }
        };
        let own = |l: char, a: Option<i64>, b: Option<i64>| {
            if l == list { (after, before) } else { (a, b) }
        };
        let (da, db) = own('d', self.d_after, self.d_before);
        let (ja, jb) = own('j', self.j_after, self.j_before);
        let (ca, cb) = own('c', self.c_after, self.c_before);
        put("d_after", da);
        put("d_before", db);
        put("j_after", ja);
        put("j_before", jb);
        put("c_after", ca);
        put("c_before", cb);
        let anchor = match list {
            'd' => "#apps",
            'j' => "#joins",
            _ => "#complaints",
        };
        format!("/org/quick-deploy?{}{anchor}", parts.join("&"))
    }
}

/// The current team invitation link as the admin sees it.
pub(crate) struct LinkView {
    pub link: TeamLink,
    pub status: LinkStatus,
    pub url: String,
    pub qr_svg: String,
}

/// What the import part of the page shows.
pub(crate) enum ImportView {
    Form,
    /// The whole file refused (unreadable, no header, no rows, too many).
    FileRefused(&'static str),
    /// Rows refused: nothing imported.
    RowsRefused(Vec<Row>),
    /// Imported: the people and their invitation links.
    Done(Vec<Invited>),
}

/// 快速部署的应用: the organisation's quick deployments and its team.
#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/team/org.html")]
pub(crate) struct OrgPage {
    pub l: Layout,
    pub q: ListsQuery,
    pub deployments: Page<DeploymentRow>,
    pub link: Option<LinkView>,
    pub expiry_days: String,
    pub errors: Errors,
    pub joins: Page<JoinRow>,
    pub complaints: Page<ComplaintRow>,
    pub import: ImportView,
    pub public_base: String,
}

impl OrgPage {
    pub(crate) fn prev_href(&self, list: &str) -> Option<String> {
        let (list, prev) = self.list(list);
        prev.0.map(|b| self.q.href(list, None, Some(b)))
    }
    pub(crate) fn next_href(&self, list: &str) -> Option<String> {
        let (list, next) = self.list(list);
        next.1.map(|a| self.q.href(list, Some(a), None))
    }
    fn list(&self, list: &str) -> (char, (Option<i64>, Option<i64>)) {
        match list {
            "d" => ('d', (self.deployments.prev, self.deployments.next)),
            "j" => ('j', (self.joins.prev, self.joins.next)),
            _ => ('c', (self.complaints.prev, self.complaints.next)),
        }
    }
    pub(crate) fn welcome_url(&self, token: &str) -> String {
        super::team_import::welcome_url(&self.public_base, token)
    }
    /// A message with its `%{count}`.
    pub(crate) fn counted(&self, key: &str, n: usize) -> String {
        self.l.tf(key, "count", &n)
    }
    pub(crate) fn reason_keys<'a>(&self, r: &'a Row) -> &'a [&'static str] {
        &r.reasons
    }
}

/// 投诉: a member's complaint about an app the organisation deployed.
#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/team/complaint.html")]
pub(crate) struct ComplaintPage {
    pub l: Layout,
    pub d: DeploymentRow,
    pub body: String,
    pub errors: Errors,
    pub mine: Page<ComplaintRow>,
}

/// The public page of a team invitation link.
#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/team/join.html")]
pub(crate) struct JoinPage {
    pub l: Layout,
    pub org_name: String,
    pub status: LinkStatus,
    pub approval: bool,
    pub token: String,
    /// The outcome of a join just posted (its message key and tone).
    pub outcome: Option<(&'static str, &'static str)>,
    pub member: bool,
}

impl JoinPage {
    pub(crate) fn login_href(&self) -> String {
        format!(
            "/login?next={}",
            crate::tools::encode_query(&format!("/qd/team/{}", self.token))
        )
    }
}
