//! The page structs of the provider's and the operator's quick-deploy pages, with the
//! little display logic they need.

use askama::Template;
use askama_web::WebTemplate;

use super::codes::{CodeRow, InviteCode};
use super::complaints::ComplaintRow;
use super::defects::Defect;
use super::form::AppForm;
use super::model::{Application, DirectoryMethod, SerialSource};
use crate::appcentre::ProductRef;
use crate::web::{Errors, Layout, Page};

/// The label key of a yes/no answer.
fn yes_no(b: bool) -> &'static str {
    if b { "common.yes" } else { "common.no" }
}

/// What the application pages of both sides show about one application.
pub(crate) struct Shown {
    pub a: Application,
    /// The product applied for.
    pub product_name: String,
    /// The product the link points at now, when it differs.
    pub target_name: Option<String>,
    pub code: String,
    /// The deploy link and its QR code (approved only).
    pub url: Option<String>,
    pub qr_svg: String,
    pub defects: Vec<Defect>,
    pub now: i64,
}

impl Shown {
    pub(crate) fn directory_key(&self) -> &'static str {
        self.a.directory().label_key()
    }
    pub(crate) fn onsite_key(&self) -> &'static str {
        yes_no(self.a.onsite_staff)
    }
    pub(crate) fn verify_key(&self) -> &'static str {
        yes_no(self.a.verify_serials)
    }
    pub(crate) fn endpoint(&self) -> bool {
        self.a.verify_serials && self.a.serial_source() == SerialSource::Endpoint
    }
    pub(crate) fn serial_source_key(&self) -> &'static str {
        match self.a.serial_source() {
            SerialSource::List => "quickdeploy.field.serial_list",
            SerialSource::Endpoint => "quickdeploy.field.serial_endpoint",
        }
    }
    pub(crate) fn plan_text(&self, d: &Defect, lang: &crate::i18n::Lang) -> String {
        d.plan_deadline(self.now).text(*lang)
    }
    pub(crate) fn fix_text(&self, d: &Defect, lang: &crate::i18n::Lang) -> String {
        d.fix_deadline(self.now).text(*lang)
    }
    pub(crate) fn plan_tone(&self, d: &Defect) -> &'static str {
        d.plan_deadline(self.now).tone()
    }
    pub(crate) fn fix_tone(&self, d: &Defect) -> &'static str {
        d.fix_deadline(self.now).tone()
    }
    pub(crate) fn overdue(&self, d: &Defect) -> bool {
        d.plan_deadline(self.now).overdue() || d.fix_deadline(self.now).overdue()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/provider.html")]
pub(crate) struct ProviderHome {
    pub l: Layout,
    pub onboarded: bool,
    pub is_admin: bool,
    pub apps: Page<Application>,
    pub codes: Vec<InviteCode>,
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/form.html")]
pub(crate) struct FormPage {
    pub l: Layout,
    /// The rejected application being edited.
    pub editing: Option<i64>,
    pub form: AppForm,
    pub errors: Errors,
    pub products: Vec<ProductRef>,
}

impl FormPage {
    pub(crate) fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/provider/quick-deploy/applications/{id}/edit"),
            None => "/provider/quick-deploy/applications".into(),
        }
    }
    pub(crate) fn methods(&self) -> [DirectoryMethod; 3] {
        DirectoryMethod::ALL
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/application.html")]
pub(crate) struct ProviderAppPage {
    pub l: Layout,
    pub s: Shown,
    pub is_admin: bool,
    /// Accepted products the link may be re-targeted to.
    pub products: Vec<ProductRef>,
    /// A refused defect form: (defect id, field, message).
    pub refused: Option<(i64, &'static str, &'static str)>,
}

impl ProviderAppPage {
    pub(crate) fn refusal(&self, d: &i64, field: &str) -> Option<&'static str> {
        self.refused
            .filter(|r| r.0 == *d && r.1 == field)
            .map(|r| r.2)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/print.html")]
pub(crate) struct PrintPage {
    pub l: Layout,
    pub s: Shown,
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/operator.html")]
pub(crate) struct OperatorHome {
    pub l: Layout,
    pub pending: bool,
    pub apps: Page<Application>,
    pub codes: Page<CodeRow>,
    pub providers: Vec<(i64, String, String)>,
    pub now: i64,
    pub errors: Errors,
    pub provider: String,
    pub note: String,
}

impl OperatorHome {
    pub(crate) fn base(&self) -> &'static str {
        if self.pending {
            "/operator/quick-deploy"
        } else {
            "/operator/quick-deploy?tab=all"
        }
    }
    pub(crate) fn codes_prev(&self) -> Option<String> {
        let id = self.codes.prev?;
        Some(format!("/operator/quick-deploy?codes_before={id}#codes"))
    }
    pub(crate) fn codes_next(&self) -> Option<String> {
        let id = self.codes.next?;
        Some(format!("/operator/quick-deploy?codes_after={id}#codes"))
    }
    pub(crate) fn code_status(&self, c: &InviteCode) -> super::codes::CodeStatus {
        c.status(self.now)
    }
    pub(crate) fn chosen(&self, id: &i64) -> bool {
        self.provider == id.to_string()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/operator_application.html")]
pub(crate) struct OperatorAppPage {
    pub l: Layout,
    pub s: Shown,
    pub errors: Errors,
    pub reason: String,
    pub severity: String,
    pub description: String,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/complaints.html")]
pub(crate) struct ComplaintsPage {
    pub l: Layout,
    pub counts: Vec<(i64, String, i64)>,
    pub list: Page<ComplaintRow>,
    pub provider: Option<i64>,
}

impl ComplaintsPage {
    pub(crate) fn is_provider(&self, id: &i64) -> bool {
        self.provider == Some(*id)
    }
    pub(crate) fn base(&self) -> String {
        match self.provider {
            Some(p) => format!("/operator/quick-deploy/complaints?provider={p}"),
            None => "/operator/quick-deploy/complaints".into(),
        }
    }
}
