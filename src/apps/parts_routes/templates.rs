//! An app's notification templates: the form page (with the form fields offered as
//! `{placeholders}`), save, delete.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;

use crate::apps::app::App;
use crate::apps::forms::TemplateForm;
use crate::apps::pages::TemplatePage;
use crate::apps::parts_store as ps;
use crate::apps::routes::{to_app, unprocessable};
use crate::apps::{design_store, store};
use crate::auth::{InOrg, OrgScope};
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout};

pub fn router() -> Routes {
    Routes::new()
        .get("/apps/{id}/templates/new", Policy::InOrg, template_new)
        .post("/apps/{id}/templates/new", Policy::InOrg, template_create)
        .get("/apps/{id}/templates/{tid}", Policy::InOrg, template_edit)
        .post("/apps/{id}/templates/{tid}", Policy::InOrg, template_update)
        .post(
            "/apps/{id}/templates/{tid}/delete",
            Policy::InOrg,
            template_delete,
        )
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

fn template_page(
    conn: &mut Conn,
    scope: &OrgScope,
    l: Layout,
    app: App,
    id: Option<i64>,
    form: TemplateForm,
    errors: Errors,
) -> AppResult<TemplatePage> {
    let labels = field_labels(conn, scope, &app)?;
    Ok(TemplatePage {
        l,
        app,
        id,
        form,
        errors,
        labels,
    })
}

async fn template_new(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<TemplatePage> {
    let l = Layout::new(&ctx);
    state
        .db
        .run(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            template_page(
                conn,
                &scope,
                l,
                app,
                None,
                TemplateForm::default(),
                Errors::default(),
            )
        })
        .await
}

async fn template_edit(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, tid)): Path<(i64, i64)>,
) -> AppResult<TemplatePage> {
    let l = Layout::new(&ctx);
    state
        .db
        .run(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let t = ps::find_template(conn, &app, tid)?;
            let form = TemplateForm {
                name: t.name,
                title: t.title,
                body: t.body,
            };
            template_page(conn, &scope, l, app, Some(tid), form, Errors::default())
        })
        .await
}

async fn template_create(
    state: State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    form: Form<TemplateForm>,
) -> AppResult<Response> {
    template_save(state, g, id, None, form).await
}

async fn template_update(
    state: State<AppState>,
    g: InOrg,
    Path((id, tid)): Path<(i64, i64)>,
    form: Form<TemplateForm>,
) -> AppResult<Response> {
    template_save(state, g, id, Some(tid), form).await
}

async fn template_save(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    id: i64,
    tid: Option<i64>,
    Form(form): Form<TemplateForm>,
) -> AppResult<Response> {
    let l = Layout::new(&ctx);
    let parsed = form.parse();
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            if let Some(tid) = tid {
                ps::find_template(conn, &app, tid)?;
            }
            match parsed {
                Ok(input) => {
                    ps::save_template(conn, &app, tid, &input)?;
                    Ok(to_app(id, "apps.flash.saved"))
                }
                Err(errors) => Ok(unprocessable(template_page(
                    conn, &scope, l, app, tid, form, errors,
                )?)),
            }
        })
        .await
}

async fn template_delete(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, tid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            ps::delete_template(conn, &app, tid)
        })
        .await?;
    Ok(to_app(id, "apps.flash.deleted"))
}
