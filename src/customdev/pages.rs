//! The pages of custom development: one struct per page, display logic as methods.

use askama::Template;
use askama_web::WebTemplate;

use super::custom_apps::CustomApp;
use super::review::Ticket;
use super::rules::{AppConfigForm, Catalogue, ReviewState, TemplateForm};
use super::store::{Batch, CatalogueRow, Template as Tpl, VersionRow};
use crate::i18n::format_wait;
use crate::tools::{review_due, review_overdue};
use crate::web::{Errors, Layout, Page};

/// The basic permissions that come with an authorisation (基础权限), shown before authorising.
pub(crate) const BASE_PERMISSIONS: [&str; 3] = [
    "customdev.perm.org_identity",
    "customdev.perm.scope_people",
    "customdev.perm.app_data",
];

fn review_label(r: Option<ReviewState>) -> &'static str {
    r.map_or("customdev.review.saved", ReviewState::label_key)
}

fn review_badge(r: Option<ReviewState>) -> &'static str {
    r.map_or("", ReviewState::badge)
}

/// 服务商 › 代开发 › 模版.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/templates.html")]
pub(crate) struct TemplatesPage {
    pub l: Layout,
    pub page: Page<Tpl>,
    pub is_admin: bool,
}

impl TemplatesPage {
    pub(crate) fn state_key(&self, t: &Tpl) -> &'static str {
        review_label(t.latest_review)
    }
    pub(crate) fn state_badge(&self, t: &Tpl) -> &'static str {
        review_badge(t.latest_review)
    }
}

/// Creating or editing a template.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/template_form.html")]
pub(crate) struct TemplateFormPage {
    pub l: Layout,
    /// `None` when creating.
    pub id: Option<i64>,
    pub form: TemplateForm,
    pub errors: Errors,
    pub catalogue: Catalogue,
    pub own_apps: Vec<(i64, String)>,
    /// Editing a live template saves a new version (the page says so).
    pub live: bool,
    pub has_logo: bool,
}

impl TemplateFormPage {
    pub(crate) fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/provider/custom-dev/{id}"),
            None => "/provider/custom-dev".into(),
        }
    }
    pub(crate) fn is_source(&self, id: &i64) -> bool {
        self.form.source_app_id == id.to_string()
    }
}

/// One template: its versions, its authorisation code once live, its enterprises.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/template.html")]
pub(crate) struct TemplatePage {
    pub l: Layout,
    pub t: Tpl,
    pub versions: Vec<VersionRow>,
    pub enterprises: Page<CustomApp>,
    pub link: String,
    pub qr: String,
    pub is_admin: bool,
    pub source_name: Option<String>,
}

impl TemplatePage {
    pub(crate) fn version_key(&self, v: &VersionRow) -> &'static str {
        if v.live {
            "customdev.review.live"
        } else {
            review_label(v.review)
        }
    }
    pub(crate) fn version_badge(&self, v: &VersionRow) -> &'static str {
        if v.live { "ok" } else { review_badge(v.review) }
    }
    pub(crate) fn base(&self) -> String {
        format!("/provider/custom-dev/{}", self.t.id)
    }
}

/// 代开发应用上线: the tickets, submitting templates, submitting apps.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/golive.html")]
pub(crate) struct GoLivePage {
    pub l: Layout,
    pub tickets: Page<Ticket>,
    /// Templates whose latest version can be submitted.
    pub submittable: Vec<Tpl>,
    /// Every live template (the left side of app submission).
    pub live: Vec<Tpl>,
    pub chosen: Option<i64>,
    /// The chosen template's apps awaiting go-live (the right side).
    pub apps: Vec<CustomApp>,
    pub error: Option<&'static str>,
}

impl GoLivePage {
    pub(crate) fn is_chosen(&self, id: &i64) -> bool {
        self.chosen == Some(*id)
    }
    pub(crate) fn subject_key(&self, t: &Ticket) -> &'static str {
        if t.is_app() {
            "customdev.golive.subject_app"
        } else {
            "customdev.golive.subject_template"
        }
    }
}

/// One ticket: its state, the reason of a rejection, 提交上线 once approved.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/ticket.html")]
pub(crate) struct TicketPage {
    pub l: Layout,
    pub t: Ticket,
}

impl TicketPage {
    pub(crate) fn subject_key(&self) -> &'static str {
        if self.t.is_app() {
            "customdev.golive.subject_app"
        } else {
            "customdev.golive.subject_template"
        }
    }
}

/// 批量授权: choosing 2–9 live templates.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/batch_new.html")]
pub(crate) struct BatchNewPage {
    pub l: Layout,
    pub live: Vec<Tpl>,
    pub chosen: Vec<i64>,
    pub error: Option<&'static str>,
}

impl BatchNewPage {
    pub(crate) fn is_chosen(&self, id: &i64) -> bool {
        self.chosen.contains(id)
    }
}

/// A batch's code and link, with its expiry.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/batch.html")]
pub(crate) struct BatchPage {
    pub l: Layout,
    pub b: Batch,
    pub link: String,
    pub qr: String,
    pub expired: bool,
}

/// 开始代开发应用: the provider's configuration of one enterprise's app.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/app_config.html")]
pub(crate) struct AppConfigPage {
    pub l: Layout,
    pub c: CustomApp,
    pub form: AppConfigForm,
    pub errors: Errors,
    pub domain_verified: bool,
    pub well_known: String,
    /// The custom permissions with their state, and whether a request waits.
    pub perms: Vec<PermissionState>,
    pub pending: bool,
    /// The API app id, once a secret was issued.
    pub client_id: Option<String>,
}

/// 测试企业.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/test_orgs.html")]
pub(crate) struct TestOrgsPage {
    pub l: Layout,
    pub orgs: Vec<(i64, String, String)>,
    /// What was typed in the name field.
    pub typed_name: String,
    pub errors: Errors,
    pub max: i64,
}

/// The enterprise's authorisation page, reached by the QR code or link.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/authorise.html")]
pub(crate) struct AuthorisePage {
    pub l: Layout,
    pub provider: String,
    pub templates: Vec<Tpl>,
    /// Templates already authorised here, with their custom app.
    pub existing: Vec<(i64, i64)>,
    pub action: String,
    pub is_admin: bool,
    pub admins: String,
    pub expires_at: Option<i64>,
}

impl AuthorisePage {
    pub(crate) fn permissions(&self) -> [&'static str; 3] {
        BASE_PERMISSIONS
    }
    pub(crate) fn existing_of(&self, t: &Tpl) -> Option<i64> {
        self.existing
            .iter()
            .find(|(tid, _)| *tid == t.id)
            .map(|e| e.1)
    }
    pub(crate) fn all_existing(&self) -> bool {
        self.templates.iter().all(|t| self.existing_of(t).is_some())
    }
}

/// What authorising did.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/authorised.html")]
pub(crate) struct AuthorisedPage {
    pub l: Layout,
    pub created: Vec<(String, i64)>,
    pub skipped: Vec<(String, i64)>,
}

/// A batch link opened after its 10 days.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/expired.html")]
pub(crate) struct ExpiredPage {
    pub l: Layout,
    pub provider: String,
}

/// 组织管理 › 代开发应用.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/org_apps.html")]
pub(crate) struct OrgAppsPage {
    pub l: Layout,
    pub page: Page<CustomApp>,
}

/// Cancelling an authorisation: what becomes of the app.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/cancel.html")]
pub(crate) struct CancelPage {
    pub l: Layout,
    pub c: CustomApp,
    /// The app's form pages, each with its data export.
    pub forms: Vec<(i64, String)>,
    pub error: Option<&'static str>,
}

/// The operator's go-live queue.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/operator_queue.html")]
pub(crate) struct QueuePage {
    pub l: Layout,
    pub page: Page<Ticket>,
    pub now: i64,
    pub error: Option<(i64, &'static str)>,
}

impl QueuePage {
    pub(crate) fn waited(&self, t: &Ticket) -> String {
        format_wait(self.l.lang, self.now - t.submitted_at)
    }
    pub(crate) fn due(&self, t: &Ticket) -> String {
        crate::web::format_time(review_due(t.submitted_at))
    }
    pub(crate) fn overdue(&self, t: &Ticket) -> bool {
        review_overdue(t.submitted_at, self.now)
    }
    pub(crate) fn subject_key(&self, t: &Ticket) -> &'static str {
        if t.is_app() {
            "customdev.golive.subject_app"
        } else {
            "customdev.golive.subject_template"
        }
    }
    pub(crate) fn error_for(&self, t: &Ticket) -> Option<&'static str> {
        self.error.filter(|e| e.0 == t.id).map(|e| e.1)
    }
}

/// The operator's lists: categories, industries, banned words.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/operator_catalogue.html")]
pub(crate) struct CataloguePage {
    pub l: Layout,
    pub rows: Vec<CatalogueRow>,
    pub seed_words: [&'static str; 6],
    pub kind: String,
    /// What was typed in the name field.
    pub typed_name: String,
    pub errors: Errors,
}

impl CataloguePage {
    pub(crate) fn kind_key(&self, kind: &str) -> &'static str {
        match kind {
            super::store::CATEGORY => "customdev.catalogue.category",
            super::store::INDUSTRY => "customdev.catalogue.industry",
            _ => "customdev.catalogue.banned",
        }
    }
    pub(crate) fn kinds(&self) -> [&'static str; 3] {
        [
            super::store::CATEGORY,
            super::store::INDUSTRY,
            super::store::BANNED,
        ]
    }
}

/// A permission with what it lets the provider do here, in words.
pub(crate) struct PermissionLine {
    pub(crate) key: String,
    pub(crate) impact: String,
}

/// A custom permission on the provider's page: confirmed, and/or in the pending request.
pub(crate) struct PermissionState {
    pub(crate) key: &'static str,
    pub(crate) confirmed: bool,
    pub(crate) requested: bool,
}

impl PermissionState {
    pub(crate) fn label_key(&self) -> String {
        format!("customdev.perm.{}", self.key)
    }
    /// Checked in the form: what the provider wants now (the request, else the confirmed).
    pub(crate) fn checked(&self, pending: bool) -> bool {
        if pending {
            self.requested
        } else {
            self.confirmed
        }
    }
}

/// 查看企业已确认权限.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/confirmed.html")]
pub(crate) struct ConfirmedPage {
    pub(crate) l: Layout,
    pub(crate) c: CustomApp,
    pub(crate) confirmed: Vec<String>,
}

impl ConfirmedPage {
    pub(crate) fn basic(&self) -> Vec<String> {
        super::permissions::CATALOGUE
            .iter()
            .filter(|p| p.basic)
            .map(|p| p.label_key())
            .collect()
    }
    pub(crate) fn custom(&self) -> Vec<String> {
        self.confirmed
            .iter()
            .map(|k| format!("customdev.perm.{k}"))
            .collect()
    }
}

/// The API secret, shown once.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/secret.html")]
pub(crate) struct SecretPage {
    pub(crate) l: Layout,
    pub(crate) c: CustomApp,
    pub(crate) client_id: String,
    pub(crate) secret: String,
}

/// The enterprise's permission page of one custom app.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/permissions.html")]
pub(crate) struct EnterprisePermissionsPage {
    pub(crate) l: Layout,
    pub(crate) c: CustomApp,
    pub(crate) basic: Vec<&'static str>,
    pub(crate) confirmed: Vec<PermissionLine>,
    /// The newly requested permissions, when a request waits.
    pub(crate) pending: Option<Vec<PermissionLine>>,
    pub(crate) history: Vec<super::consent::LogRow>,
}

impl EnterprisePermissionsPage {
    pub(crate) fn label(&self, key: &str) -> String {
        format!("customdev.perm.{key}")
    }
}

/// A template's callback URL and the token that signs its verification and events.
#[derive(Template, WebTemplate)]
#[template(path = "customdev/template_callback.html")]
pub(crate) struct TemplateCallbackPage {
    pub l: Layout,
    pub id: i64,
    /// The template's name, for the breadcrumbs.
    pub name: String,
    pub url: String,
    pub token: String,
}

/// A custom app's callback token and delivery log (回调记录).
#[derive(Template, WebTemplate)]
#[template(path = "customdev/callbacks.html")]
pub(crate) struct CallbacksPage {
    pub l: Layout,
    pub is_admin: bool,
    pub c: CustomApp,
    pub token: String,
    pub page: Page<super::callbacks::Delivery>,
}

impl CallbacksPage {
    pub(crate) fn base(&self) -> String {
        format!("/provider/custom-dev/custom-apps/{}/callbacks", self.c.id)
    }
}
