//! The app builder's page structs, one per template, with their display helpers.

use askama::Template;
use askama_web::WebTemplate;

use super::app::Field;
use super::app::{App, FieldKind, Page, PageKind, ReportAgg, Step, can_group_by, process_ready};
use super::app_form::AppForm;
use super::design_store::Design;
use super::forms::{
    AutomationForm, ComponentForm, ConnectorForm, FieldForm, PageForm, ReportForm, StepForm,
    TemplateForm,
};
use super::parts::{AuthKind, Automation, Component, Connector, NotificationTemplate};
use super::store::Overview;
use crate::web::{Errors, Layout};

type Person = (i64, String, String);

fn name_of(people: &[Person], id: i64) -> String {
    people
        .iter()
        .find(|p| p.0 == id)
        .map(|p| p.1.clone())
        .unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "apps/list.html")]
pub(crate) struct ListPage {
    pub l: Layout,
    pub apps: Vec<App>,
    pub prev: Option<i64>,
    pub next: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "apps/new.html")]
pub(crate) struct NewAppPage {
    pub l: Layout,
    pub form: AppForm,
    pub errors: Errors,
}

/// The icon's choices, for `apps/_icon_fields.html`: (glyph, label key) and
/// (colour, label key).
pub(crate) trait IconChoices {
    fn glyphs(&self) -> Vec<(&'static str, &'static str)> {
        super::icon::GLYPHS.to_vec()
    }
    fn colors(&self) -> Vec<(&'static str, &'static str)> {
        super::icon::COLORS
            .iter()
            .map(|(n, _, k)| (*n, *k))
            .collect()
    }
}

impl IconChoices for NewAppPage {}
impl IconChoices for OverviewPage {}

#[derive(Template, WebTemplate)]
#[template(path = "apps/show.html")]
pub(crate) struct OverviewPage {
    pub l: Layout,
    pub app: App,
    pub pages: Vec<Page>,
    pub connectors: Vec<Connector>,
    pub templates: Vec<NotificationTemplate>,
    pub automations: Vec<Automation>,
    pub components: Vec<Component>,
    pub admins: Vec<Person>,
    pub people: Vec<Person>,
    pub edit: AppForm,
    pub page_form: PageForm,
    pub errors: Errors,
}

impl OverviewPage {
    pub(crate) fn new(l: Layout, o: Overview) -> OverviewPage {
        let edit = AppForm::of(&o.app);
        OverviewPage {
            l,
            app: o.app,
            pages: o.pages,
            connectors: o.connectors,
            templates: o.templates,
            automations: o.automations,
            components: o.components,
            admins: o.admins,
            people: o.people,
            edit,
            page_form: PageForm::default(),
            errors: Errors::default(),
        }
    }
    pub(crate) fn page_kinds(&self) -> [PageKind; 4] {
        PageKind::ALL
    }
    pub(crate) fn page_kind_key(&self, p: &Page) -> &'static str {
        p.kind().label_key()
    }
    pub(crate) fn page_name(&self, id: &i64) -> String {
        self.pages
            .iter()
            .find(|p| p.id == *id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }
    pub(crate) fn template_name(&self, id: &Option<i64>) -> String {
        self.templates
            .iter()
            .find(|t| Some(t.id) == *id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }
    pub(crate) fn recipient(&self, id: &Option<i64>) -> Option<String> {
        id.map(|id| name_of(&self.people, id))
    }
    /// Members who are not yet app admins, for the "add" picker.
    pub(crate) fn candidates(&self) -> Vec<Person> {
        self.people
            .iter()
            .filter(|p| !self.admins.iter().any(|a| a.0 == p.0))
            .cloned()
            .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "apps/page.html")]
pub(crate) struct DesignerPage {
    pub l: Layout,
    pub app: App,
    pub page: Page,
    pub fields: Vec<Field>,
    pub steps: Vec<Step>,
    pub people: Vec<Person>,
    pub sources: Vec<(Page, Vec<Field>)>,
    pub rename: String,
    pub field_form: FieldForm,
    pub step_form: StepForm,
    pub report: ReportForm,
    pub errors: Errors,
}

impl DesignerPage {
    pub(crate) fn new(l: Layout, d: Design) -> DesignerPage {
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let report = ReportForm {
            form_id: opt(d.page.report_form_id),
            group_field_id: opt(d.page.report_group_field_id),
            agg: d.page.report_agg.clone(),
            value_field_id: opt(d.page.report_value_field_id),
        };
        DesignerPage {
            l,
            rename: d.page.name.clone(),
            app: d.app,
            page: d.page,
            fields: d.fields,
            steps: d.steps,
            people: d.people,
            sources: d.sources,
            field_form: FieldForm {
                kind: "text".into(),
                ..FieldForm::default()
            },
            step_form: StepForm::default(),
            report,
            errors: Errors::default(),
        }
    }
    pub(crate) fn kind_key(&self) -> &'static str {
        self.page.kind().label_key()
    }
    pub(crate) fn has_fields(&self) -> bool {
        self.page.kind().takes_submissions()
    }
    pub(crate) fn is_process(&self) -> bool {
        self.page.kind() == PageKind::Process
    }
    pub(crate) fn is_custom(&self) -> bool {
        self.page.kind() == PageKind::Custom
    }
    pub(crate) fn is_report(&self) -> bool {
        self.page.kind() == PageKind::Report
    }
    /// A process form without steps cannot take submissions yet.
    pub(crate) fn needs_steps(&self) -> bool {
        !process_ready(self.page.kind(), self.steps.len())
    }
    pub(crate) fn field_kinds(&self) -> [FieldKind; 8] {
        FieldKind::ALL
    }
    pub(crate) fn field_kind_key(&self, f: &Field) -> &'static str {
        f.kind().label_key()
    }
    pub(crate) fn approver(&self, s: &Step) -> String {
        name_of(&self.people, s.approver_id)
    }
    pub(crate) fn aggs(&self) -> [ReportAgg; 3] {
        ReportAgg::ALL
    }
    /// Fields of the app's forms a report may group by, as (id, "form / label").
    pub(crate) fn group_choices(&self) -> Vec<(String, String)> {
        self.choices(|f| can_group_by(f.kind()))
    }
    pub(crate) fn value_choices(&self) -> Vec<(String, String)> {
        self.choices(|f| f.kind() == FieldKind::Number)
    }
    fn choices(&self, keep: impl Fn(&Field) -> bool) -> Vec<(String, String)> {
        self.sources
            .iter()
            .flat_map(|(p, fs)| {
                fs.iter()
                    .filter(|f| keep(f))
                    .map(move |f| (f.id.to_string(), format!("{} / {}", p.name, f.label)))
            })
            .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "apps/connector.html")]
pub(crate) struct ConnectorPage {
    pub l: Layout,
    pub app: App,
    pub id: Option<i64>,
    pub form: ConnectorForm,
    pub errors: Errors,
}

impl ConnectorPage {
    pub(crate) fn auth_kinds(&self) -> [AuthKind; 4] {
        AuthKind::ALL
    }
    pub(crate) fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/apps/{}/connectors/{id}", self.app.id),
            None => format!("/apps/{}/connectors/new", self.app.id),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "apps/template.html")]
pub(crate) struct TemplatePage {
    pub l: Layout,
    pub app: App,
    pub id: Option<i64>,
    pub form: TemplateForm,
    pub errors: Errors,
    /// Labels of the app's form fields, offered as placeholders.
    pub labels: Vec<String>,
}

impl TemplatePage {
    pub(crate) fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/apps/{}/templates/{id}", self.app.id),
            None => format!("/apps/{}/templates/new", self.app.id),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "apps/automation.html")]
pub(crate) struct AutomationPage {
    pub l: Layout,
    pub app: App,
    pub id: Option<i64>,
    pub form: AutomationForm,
    pub errors: Errors,
    pub forms: Vec<Page>,
    pub templates: Vec<NotificationTemplate>,
    pub people: Vec<Person>,
}

impl AutomationPage {
    pub(crate) fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/apps/{}/automations/{id}", self.app.id),
            None => format!("/apps/{}/automations/new", self.app.id),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "apps/component.html")]
pub(crate) struct ComponentPage {
    pub l: Layout,
    pub app: App,
    pub id: Option<i64>,
    pub form: ComponentForm,
    pub errors: Errors,
    /// The stored, sanitised markup, shown as a preview.
    pub preview: String,
}

impl ComponentPage {
    pub(crate) fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/apps/{}/components/{id}", self.app.id),
            None => format!("/apps/{}/components/new", self.app.id),
        }
    }
}
