//! The app centre's pages: one struct per page, display logic as methods.

use askama::Template;
use askama_web::WebTemplate;

use super::product_form::{CATEGORIES, PERMISSIONS, ProductForm};
use super::products::{EditionRow, Product};
use super::reviews::{CHECKLIST, QueueRow, Release, Review};
use super::rules::Stage;
use super::sellers::{ApplyForm, DecideForm, ProviderRow, Standing};
use crate::web::{Errors, Layout, Page};

/// 服务商 › 应用中心: the invitation notice, the seller application, or the products.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/provider.html")]
pub(crate) struct ProviderPage {
    pub l: Layout,
    pub standing: Standing,
    pub is_admin: bool,
    pub apply: ApplyForm,
    pub errors: Errors,
    pub products: Page<Product>,
}

impl ProviderPage {
    pub(crate) fn stage(&self, p: &Product) -> Stage {
        p.stage()
    }
    /// No application yet, or a rejected one: the form is shown.
    pub(crate) fn can_apply(&self) -> bool {
        self.standing
            .seller
            .as_ref()
            .is_none_or(|s| s.status() == super::sellers::SellerStatus::Rejected)
    }
}

/// Creating or editing a product.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/product_form.html")]
pub(crate) struct ProductFormPage {
    pub l: Layout,
    /// None when creating.
    pub product: Option<Product>,
    pub form: ProductForm,
    pub errors: Errors,
    /// The provider's apps that may become products (id, name).
    pub apps: Vec<(i64, String)>,
    /// (access, sales) editable.
    pub editable: (bool, bool),
}

impl ProductFormPage {
    pub(crate) fn categories(&self) -> &'static [&'static str] {
        &CATEGORIES
    }
    pub(crate) fn permissions(&self) -> &'static [&'static str] {
        &PERMISSIONS
    }
    pub(crate) fn action(&self) -> String {
        match &self.product {
            Some(p) => format!("/provider/app-centre/products/{}/edit", p.id),
            None => "/provider/app-centre/products".into(),
        }
    }
    pub(crate) fn category_key(&self, c: &&str) -> &'static str {
        super::product_form::category_key(c)
    }
    pub(crate) fn permission_key(&self, p: &&str) -> &'static str {
        super::product_form::permission_key(p)
    }
    pub(crate) fn app_selected(&self, id: &i64) -> bool {
        self.form.app_id == id.to_string()
    }
    pub(crate) fn edition_error(&self, field: &str, i: &usize) -> Option<&'static str> {
        self.errors.get(&format!("{field}_{i}"))
    }
}

/// A product as its provider sees it: summary, what remains, the decisions so far.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/product.html")]
pub(crate) struct ProductPage {
    pub l: Layout,
    pub p: Product,
    pub app_name: String,
    pub editions: Vec<EditionRow>,
    pub screenshots: Vec<i64>,
    pub reviews: Vec<Review>,
    pub is_admin: bool,
    pub upload_error: Option<&'static str>,
    pub cocreators: Vec<super::gate::Cocreator>,
    /// A refused co-creation invitation: the message and the CorpID typed.
    pub cocreator_refusal: Option<(&'static str, String)>,
}

impl ProductPage {
    pub(crate) fn editable(&self) -> bool {
        let (a, s) = self.p.stage().editable();
        a || s
    }
    pub(crate) fn submit_key(&self) -> Option<&'static str> {
        self.p.stage().submits_to().map(|s| match s {
            Stage::Acceptance => "appcentre.product.submit_acceptance",
            _ => "appcentre.product.submit_review",
        })
    }
    pub(crate) fn category_key(&self) -> &'static str {
        super::product_form::category_key(&self.p.category)
    }
    /// Co-creation is shown from pre-listing on.
    pub(crate) fn in_cocreation(&self) -> bool {
        self.p.stage() == Stage::Prelisted
    }
    pub(crate) fn started(&self) -> bool {
        self.p.cocreation_started_at.is_some()
    }
    pub(crate) fn established_count(&self) -> usize {
        self.cocreators.iter().filter(|c| c.established).count()
    }
    pub(crate) fn can_invite(&self) -> bool {
        self.is_admin && !self.started() && self.cocreators.len() < super::rules::COCREATORS
    }
    pub(crate) fn can_start(&self) -> bool {
        self.is_admin
            && !self.started()
            && self.cocreators.len() == super::rules::COCREATORS
            && self.established_count() >= super::rules::ESTABLISHED_MIN
    }
    /// "10 家共创企业 · 其中 2 家钉钉老用户".
    pub(crate) fn counts(&self) -> String {
        format!(
            "{} · {}",
            self.l
                .tf("appcentre.cocreation.count", "n", &self.cocreators.len()),
            self.l.tf(
                "appcentre.cocreation.established_n",
                "n",
                &self.established_count()
            )
        )
    }
    pub(crate) fn typed_corp(&self) -> &str {
        self.cocreator_refusal.as_ref().map_or("", |r| r.1.as_str())
    }
    pub(crate) fn has_gate(&self) -> bool {
        super::gate::current(&self.p).is_some()
    }
    pub(crate) fn permission_key(&self, p: &&str) -> &'static str {
        super::product_form::permission_key(p)
    }
    pub(crate) fn review_result(&self, r: &Review) -> &'static str {
        match r.passed {
            Some(true) => "appcentre.review.passed",
            Some(false) => "appcentre.review.rejected",
            None => "appcentre.review.waiting",
        }
    }
    pub(crate) fn item_key(&self, item: &&str) -> &'static str {
        super::reviews::check_key(item)
    }
}

/// 平台运营 › 应用中心服务商: invitations and seller applications.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/operator_providers.html")]
pub(crate) struct ProvidersPage {
    pub l: Layout,
    pub rows: Vec<ProviderRow>,
    /// The decision form that was refused, with its errors (provider id).
    pub refused: Option<(i64, DecideForm, Errors)>,
}

impl ProvidersPage {
    pub(crate) fn refused_for(&self, id: &i64) -> Option<&(i64, DecideForm, Errors)> {
        self.refused.as_ref().filter(|r| r.0 == *id)
    }
    pub(crate) fn typed(&self, id: &i64, field: &str) -> String {
        self.refused_for(id)
            .map(|(_, f, _)| match field {
                "agreement_no" => f.agreement_no.clone(),
                "deposit" => f.deposit.clone(),
                _ => f.reason.clone(),
            })
            .unwrap_or_default()
    }
    pub(crate) fn error(&self, id: &i64, field: &str) -> Option<&'static str> {
        self.refused_for(id).and_then(|(_, _, e)| e.get(field))
    }
}

/// 平台运营 › 应用中心审核: the open reviews, oldest first.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/operator_queue.html")]
pub(crate) struct QueuePage {
    pub l: Layout,
    pub page: Page<QueueRow>,
    pub now: i64,
    /// The listed products, each linking to its figures and controls.
    pub releases: Page<Release>,
}

impl QueuePage {
    pub(crate) fn listed_prev(&self) -> Option<String> {
        let id = self.releases.prev?;
        Some(format!(
            "/operator/app-centre/reviews?listed_before={id}#releases"
        ))
    }
    pub(crate) fn listed_next(&self) -> Option<String> {
        let id = self.releases.next?;
        Some(format!(
            "/operator/app-centre/reviews?listed_after={id}#releases"
        ))
    }
    pub(crate) fn waited(&self, r: &QueueRow) -> String {
        crate::i18n::format_wait(self.l.lang, self.now - r.review.submitted_at)
    }
}

/// One review: the product as submitted, what changed, the evidence, the decision form.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/operator_review.html")]
pub(crate) struct ReviewPage {
    pub l: Layout,
    pub review: Review,
    pub form: ProductForm,
    pub product: Product,
    pub provider_name: String,
    pub changes: Vec<&'static str>,
    pub screenshots: Vec<i64>,
    pub server_errors: i64,
    pub banned_found: Option<String>,
    pub errors: Errors,
    pub ticked: Vec<String>,
    pub reason: String,
    /// After co-creation: its figures, the bug records and the survey answers, which the
    /// access and sales reviews weigh (seed: 问卷反馈的结果较差，也将审核不通过).
    pub gate: Option<super::gate_pages::Gate>,
    pub bugs: Vec<super::feedback::Bug>,
    pub answers: Vec<(String, i32, String)>,
}

impl ReviewPage {
    pub(crate) fn is_acceptance(&self) -> bool {
        self.review.stage == "acceptance"
    }
    pub(crate) fn checklist(&self) -> &'static [&'static str] {
        &CHECKLIST
    }
    pub(crate) fn item_key(&self, item: &&str) -> &'static str {
        super::reviews::check_key(item)
    }
    pub(crate) fn category_key(&self) -> &'static str {
        super::product_form::category_key(&self.form.category)
    }
    pub(crate) fn permission_key(&self, p: &str) -> &'static str {
        super::product_form::permission_key(p)
    }
    pub(crate) fn is_ticked(&self, item: &&str) -> bool {
        self.ticked.iter().any(|t| t == item)
    }
}
