//! An app's notification templates (通知模板); the form page offers the app's form fields
//! as `{placeholders}`.

use super::{Part, Shown};
use crate::apps::app::App;
use crate::apps::design_store;
use crate::apps::forms::TemplateForm;
use crate::apps::pages::TemplatePage;
use crate::apps::parts::NotificationTemplate;
use crate::apps::parts_store::{self as ps, TemplateInput};
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::Errors;

pub(super) struct Templates;

impl Part for Templates {
    const NEW: &'static str = "/apps/{id}/templates/new";
    const ONE: &'static str = "/apps/{id}/templates/{tid}";
    const DELETE: &'static str = "/apps/{id}/templates/{tid}/delete";
    type Form = TemplateForm;
    type Draft = TemplateInput;
    type Row = NotificationTemplate;
    type Page = TemplatePage;

    fn form_of(t: &NotificationTemplate) -> TemplateForm {
        TemplateForm {
            name: t.name.clone(),
            title: t.title.clone(),
            body: t.body.clone(),
        }
    }
    fn parse(form: &TemplateForm) -> Result<TemplateInput, Errors> {
        form.parse()
    }
    fn find(conn: &mut Conn, app: &App, id: i64) -> AppResult<NotificationTemplate> {
        ps::find_template(conn, app, id)
    }
    fn save(
        conn: &mut Conn,
        _: &OrgScope,
        app: &App,
        id: Option<i64>,
        input: TemplateInput,
    ) -> AppResult<i64> {
        ps::save_template(conn, app, id, &input)
    }
    fn delete(conn: &mut Conn, app: &App, id: i64) -> AppResult<()> {
        ps::delete_template(conn, app, id)
    }
    fn page(conn: &mut Conn, scope: &OrgScope, s: Shown<Self>) -> AppResult<TemplatePage> {
        let labels = field_labels(conn, scope, &s.app)?;
        Ok(TemplatePage {
            l: s.l,
            app: s.app,
            id: s.id,
            form: s.form,
            errors: s.errors,
            labels,
        })
    }
}

/// The labels of the app's form fields, offered as `{placeholders}`.
fn field_labels(conn: &mut Conn, scope: &OrgScope, app: &App) -> AppResult<Vec<String>> {
    let mut labels: Vec<String> = Vec::new();
    for (_, fields) in design_store::forms_with_fields(conn, scope, app)? {
        for f in fields {
            if !labels.contains(&f.label) {
                labels.push(f.label);
            }
        }
    }
    Ok(labels)
}
