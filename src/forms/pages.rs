//! One struct per page of the forms area, with the display logic the templates need.

use askama::Template;
use askama_web::WebTemplate;

use super::approval_store::TaskRow;
use super::data::{DataQuery, DataRow};
use super::report::ReportView;
use super::store::{Detail, FormDef, SubmissionRow};
use super::submission::{RawForm, Status, input_name, status_key};
use crate::apps::{App, Field, Page};
use crate::web::{Errors, Layout};

#[derive(Template, WebTemplate)]
#[template(path = "forms/app.html")]
pub(crate) struct AppHomePage {
    pub l: Layout,
    pub app: App,
    pub pages: Vec<Page>,
    pub admin: bool,
    /// The app was published from another organisation (its name, for the origin mark).
    pub origin: Option<String>,
    /// Messages from members reach someone (a custom app's provider): the box is shown.
    pub takes_messages: bool,
    /// The message box's text and error, when a message was refused.
    pub message: String,
    pub errors: Errors,
}

/// What an app's home shows, before the layout.
pub(crate) struct AppHome {
    pub app: App,
    pub pages: Vec<Page>,
    pub admin: bool,
    pub origin: Option<String>,
    pub takes_messages: bool,
}

impl AppHomePage {
    pub(crate) fn new(l: Layout, h: AppHome) -> AppHomePage {
        AppHomePage {
            l,
            app: h.app,
            pages: h.pages,
            admin: h.admin,
            origin: h.origin,
            takes_messages: h.takes_messages,
            message: String::new(),
            errors: Errors::default(),
        }
    }

    pub(crate) fn message_max(&self) -> usize {
        crate::apps::MESSAGE_MAX
    }

    /// Data management: the app's admins; downstream, everyone within their reach.
    pub(crate) fn data_link(&self) -> bool {
        self.admin || self.origin.is_some()
    }
    pub(crate) fn href(&self, p: &Page) -> String {
        match p.kind.as_str() {
            "form" | "process" => format!("/f/{}", p.id),
            "report" => format!("/r/{}", p.id),
            _ => format!("/p/{}", p.id),
        }
    }
    pub(crate) fn kind_key(&self, p: &Page) -> &'static str {
        p.kind().label_key()
    }
    pub(crate) fn takes_submissions(&self, p: &Page) -> bool {
        p.kind().takes_submissions()
    }
}

/// One input of the fill-in form, with what was typed and its error.
pub(crate) struct Input {
    pub field: Field,
    pub name: String,
    pub value: String,
    pub choices: Vec<String>,
    pub error: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "forms/fill.html")]
pub(crate) struct FillPage {
    pub l: Layout,
    pub app: App,
    pub page: Page,
    pub inputs: Vec<Input>,
    pub people: Vec<(i64, String, String)>,
    pub accepts: bool,
    pub failed: bool,
    pub is_process: bool,
}

impl FillPage {
    /// A fresh one-time key for the form (see `forms::routes::submit`).
    pub(crate) fn idem(&self) -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }

    pub(crate) fn new(l: Layout, def: FormDef, typed: &RawForm, errors: &Errors) -> FillPage {
        let inputs = def
            .fields
            .into_iter()
            .map(|field| {
                let name = input_name(&field);
                Input {
                    value: if field.kind().is_file() {
                        String::new()
                    } else {
                        typed.texts.get(&name).cloned().unwrap_or_default()
                    },
                    choices: field.choices(),
                    error: errors.get(&name),
                    name,
                    field,
                }
            })
            .collect();
        let accepts = def.page.kind() != crate::apps::PageKind::Process || !def.steps.is_empty();
        FillPage {
            l,
            is_process: def.page.kind() == crate::apps::PageKind::Process,
            app: def.app,
            page: def.page,
            inputs,
            people: def.people,
            accepts,
            failed: !errors.is_empty(),
        }
    }
    pub(crate) fn selected(&self, input: &Input, value: &str) -> bool {
        input.value == value
    }
    pub(crate) fn person_selected(&self, input: &Input, id: &i64) -> bool {
        input.value == id.to_string()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "forms/submissions.html")]
pub(crate) struct SubmissionsPage {
    pub l: Layout,
    pub rows: Vec<SubmissionRow>,
    pub prev: Option<i64>,
    pub next: Option<i64>,
}

impl SubmissionsPage {
    pub(crate) fn status_key(&self, r: &SubmissionRow) -> &'static str {
        status_key(&r.submission.status)
    }
    pub(crate) fn waiting(&self, r: &SubmissionRow) -> bool {
        r.submission.status() == Status::InApproval
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "forms/submission.html")]
pub(crate) struct SubmissionPage {
    pub l: Layout,
    pub d: Detail,
    /// A refused action: its error beside the field, and what was typed.
    pub errors: Errors,
    pub comment: String,
    pub target: String,
}

impl SubmissionPage {
    pub(crate) fn new(l: Layout, d: Detail) -> SubmissionPage {
        SubmissionPage {
            l,
            d,
            errors: Errors::default(),
            comment: String::new(),
            target: String::new(),
        }
    }
    /// The caller submitted this: they may not approve it (only hand it on or reject).
    pub(crate) fn own(&self) -> bool {
        self.d.own
    }
    pub(crate) fn target_chosen(&self, id: &i64) -> bool {
        self.target == id.to_string()
    }
    pub(crate) fn status_key(&self) -> &'static str {
        status_key(&self.d.submission.status)
    }
    pub(crate) fn task_status_key(&self, s: &str) -> &'static str {
        super::approval::task_status_key(s)
    }
    pub(crate) fn task_kind_key(&self, s: &str) -> &'static str {
        super::approval::task_kind_key(s)
    }
    pub(crate) fn is_me(&self, id: &i64) -> bool {
        self.d
            .my_task
            .as_ref()
            .is_some_and(|t| t.assignee_id == *id)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "forms/approvals.html")]
pub(crate) struct ApprovalsPage {
    pub l: Layout,
    pub rows: Vec<TaskRow>,
    pub prev: Option<i64>,
    pub next: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "forms/data.html")]
pub(crate) struct DataPage {
    pub l: Layout,
    pub app: App,
    pub page: Page,
    pub fields: Vec<Field>,
    pub rows: Vec<DataRow>,
    pub prev: Option<i64>,
    pub next: Option<i64>,
    pub people: Vec<(i64, String, String)>,
    /// Organisations to filter by; the column shows when there is more than one.
    pub orgs: Vec<(i64, String)>,
    pub q: DataQuery,
    pub statuses: Vec<(&'static str, &'static str)>,
}

impl DataPage {
    pub(crate) fn filter_value(&self, name: &str) -> String {
        let v = match name {
            "status" => &self.q.status,
            "submitter" => &self.q.submitter,
            "from" => &self.q.from,
            "to" => &self.q.to,
            "org" => &self.q.org,
            _ => &self.q.q,
        };
        v.clone().unwrap_or_default()
    }
    pub(crate) fn is_filter(&self, name: &str, value: &str) -> bool {
        self.filter_value(name) == value
    }
    pub(crate) fn org_filtered(&self, id: &i64) -> bool {
        self.filter_value("org") == id.to_string()
    }
    /// The organisation column and filter: shown once more than one organisation may
    /// have submitted (an app published downstream).
    pub(crate) fn multi_org(&self) -> bool {
        self.orgs.len() > 1
    }
    pub(crate) fn person_filtered(&self, id: &i64) -> bool {
        self.filter_value("submitter") == id.to_string()
    }
    /// The page's own URL with the current filters, for the pager.
    pub(crate) fn base(&self) -> String {
        let q = self.q.to_query();
        if q.is_empty() {
            format!("/f/{}/data", self.page.id)
        } else {
            format!("/f/{}/data?{q}", self.page.id)
        }
    }
    pub(crate) fn csv_href(&self) -> String {
        let q = self.q.to_query();
        if q.is_empty() {
            format!("/f/{}/data.csv", self.page.id)
        } else {
            format!("/f/{}/data.csv?{q}", self.page.id)
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "forms/report.html")]
pub(crate) struct ReportPage {
    pub l: Layout,
    pub app: App,
    pub page: Page,
    pub r: ReportView,
}

impl ReportPage {
    pub(crate) fn split_href(&self) -> String {
        if self.r.by_org {
            format!("/r/{}", self.page.id)
        } else {
            format!("/r/{}?by=org", self.page.id)
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "forms/custom.html")]
pub(crate) struct CustomPage {
    pub l: Layout,
    pub app: App,
    pub page: Page,
    /// Already cleaned by ammonia.
    pub html: String,
}
