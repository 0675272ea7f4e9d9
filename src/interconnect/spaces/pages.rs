//! The page structs of the space pages, one per template under templates/interconnect/spaces.

use askama::Template;
use askama_web::WebTemplate;

use super::InviteOutcome;
use super::directory::{DirPerson, OrgRow};
use super::forms::{CreateForm, ScopeForm};
use super::membership::{JoinView, Membership};
use super::store::{HomeFacts, Picker, SpaceItem};
use crate::interconnect::people::SpaceAccess;
use crate::interconnect::{OrgStatus, ScopeKind, SpaceKind};
use crate::web::{Errors, Layout, Page};

fn kind_key(kind: &str) -> &'static str {
    SpaceKind::parse(kind).map_or("interconnect.kind.partner", |k| k.label_key())
}

/// `/interconnect`: the organisation's spaces, the edition notes and who may create.
#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/landing.html")]
pub(crate) struct LandingPage {
    pub l: Layout,
    pub items: Vec<SpaceItem>,
    /// Refusals of the kinds this organisation's edition lacks.
    pub edition_notes: Vec<&'static str>,
    pub may_manage: bool,
    pub main_admin: bool,
    pub can_create: bool,
    pub owns_any: bool,
    pub owned: i64,
    pub max_spaces: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/new.html")]
pub(crate) struct NewSpacePage {
    pub l: Layout,
    pub form: CreateForm,
    pub errors: Errors,
    pub kinds: Vec<SpaceKind>,
    pub picker: Picker,
    pub scope_kinds: [ScopeKind; 3],
}

impl NewSpacePage {
    pub(crate) fn scope(&self) -> &ScopeForm {
        &self.form.scope
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/home.html")]
pub(crate) struct HomePage {
    pub l: Layout,
    pub a: SpaceAccess,
    pub f: HomeFacts,
    /// The user is the main admin of a joined member organisation (its membership page).
    pub member_admin: bool,
}

impl HomePage {
    pub(crate) fn kind_key(&self) -> &'static str {
        kind_key(&self.a.kind)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/invite.html")]
pub(crate) struct InvitePage {
    pub l: Layout,
    pub a: SpaceAccess,
    pub url: String,
    pub qr_svg: String,
    pub has_key: bool,
    /// A key just generated: shown this once.
    pub new_key: Option<String>,
    pub api_path: String,
    pub batch_text: String,
    pub results: Vec<(String, InviteOutcome)>,
    pub error: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/join.html")]
pub(crate) struct JoinPage {
    pub l: Layout,
    pub token: String,
    pub v: JoinView,
    pub main_admin: bool,
    pub form: ScopeForm,
    pub picker: Picker,
    pub scope_kinds: [ScopeKind; 3],
    pub error: Option<&'static str>,
}

impl JoinPage {
    pub(crate) fn kind_key(&self) -> &'static str {
        kind_key(&self.v.kind)
    }
    pub(crate) fn scope(&self) -> &ScopeForm {
        &self.form
    }
    pub(crate) fn status_key(&self) -> Option<&'static str> {
        self.v.status.map(OrgStatus::label_key)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/people.html")]
pub(crate) struct PeoplePage {
    pub l: Layout,
    pub a: SpaceAccess,
    pub page: Page<DirPerson>,
    pub base: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/orgs.html")]
pub(crate) struct OrgsPage {
    pub l: Layout,
    pub a: SpaceAccess,
    pub page: Page<OrgRow>,
    pub status: String,
    pub statuses: [OrgStatus; 5],
    pub base: String,
    /// Each pending or joined member's scope, named (by row id).
    pub scopes: std::collections::HashMap<i64, super::review::ScopeSummary>,
    /// How each departed member's membership ended (by row id).
    pub exits: std::collections::HashMap<i64, super::review::Exit>,
}

impl OrgsPage {
    pub(crate) fn scope_of(&self, r: &OrgRow) -> Option<&super::review::ScopeSummary> {
        self.scopes.get(&r.space_org_id)
    }
    pub(crate) fn exit_of(&self, r: &OrgRow) -> Option<&super::review::Exit> {
        self.exits.get(&r.space_org_id)
    }
}

/// Reject with a reason, or remove a member organisation: the one-row pages.
#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/org_action.html")]
pub(crate) struct OrgActionPage {
    pub l: Layout,
    pub a: SpaceAccess,
    pub row: OrgRow,
    /// "reject" or "remove".
    pub action: &'static str,
    pub reason: String,
    /// Form pages of the space's published apps (data pages with export).
    pub exports: Vec<(i64, String)>,
    pub error: Option<&'static str>,
    /// The organisation's scope, named (for the review).
    pub summary: Option<super::review::ScopeSummary>,
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/visibility.html")]
pub(crate) struct VisibilityPage {
    pub l: Layout,
    pub a: SpaceAccess,
    pub row: OrgRow,
    pub candidates: Vec<(i64, String)>,
    pub allowed: Vec<i64>,
}

impl VisibilityPage {
    pub(crate) fn is_allowed(&self, id: &i64) -> bool {
        self.allowed.contains(id)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/membership.html")]
pub(crate) struct MembershipPage {
    pub l: Layout,
    pub m: Membership,
    pub exports: Vec<(i64, String)>,
    pub form: ScopeForm,
    pub picker: Picker,
    pub scope_kinds: [ScopeKind; 3],
    pub error: Option<&'static str>,
}

impl MembershipPage {
    pub(crate) fn scope(&self) -> &ScopeForm {
        &self.form
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/spaces/org_groups.html")]
pub(crate) struct GroupsPage {
    pub l: Layout,
    pub a: SpaceAccess,
    pub groups: Vec<(i64, String)>,
    pub page: Page<OrgRow>,
    pub name: String,
    pub error: Option<&'static str>,
    pub base: String,
}
