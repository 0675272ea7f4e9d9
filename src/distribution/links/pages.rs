//! The link pages: the "get distribution link" dialog and a link's own page.

use askama::Template;
use askama_web::WebTemplate;

use super::store::{LinkEventRow, LinkView};
use crate::apps::App;
use crate::distribution::projects::store::Project;
use crate::web::Layout;

/// Choose apps (and the project, when coming from an app: seed 001's entry point).
#[derive(Template, WebTemplate)]
#[template(path = "distribution/links/new.html")]
pub(crate) struct NewLinkPage {
    pub l: Layout,
    /// Approved, open projects to choose from.
    pub projects: Vec<Project>,
    pub project_id: Option<i64>,
    pub apps: Vec<App>,
    pub chosen: Vec<i64>,
    pub expiry_days: String,
    pub error: Option<&'static str>,
}

impl NewLinkPage {
    pub(crate) fn is_chosen(&self, a: &App) -> bool {
        self.chosen.contains(&a.id)
    }
    pub(crate) fn is_project(&self, p: &Project) -> bool {
        self.project_id == Some(p.id)
    }
    pub(crate) fn not_distributable(&self, a: &App) -> bool {
        a.premium || a.is_distributed_copy()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/links/show.html")]
pub(crate) struct LinkPage {
    pub l: Layout,
    pub v: LinkView,
    pub url: String,
    pub qr_svg: String,
    pub refusal: Option<&'static str>,
    pub may_revoke: bool,
    pub events: Vec<LinkEventRow>,
}
