//! Handlers for an app's connectors, notification templates, automations and custom
//! components: a form page for new and existing ones, save, delete.

use crate::web::policy::{Policy, Routes};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;

use super::app::App;
use super::forms::{AutomationForm, ComponentForm, ConnectorForm, TemplateForm};
use super::pages::{AutomationPage, ComponentPage, ConnectorPage, TemplatePage};
use super::parts_store as ps;
use super::routes::{to_app, unprocessable};
use super::{design_store, store};
use crate::auth::{InOrg, OrgScope};
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::{AppState, Errors, Layout};

pub fn router() -> Routes {
    Routes::new()
        .get("/apps/{id}/connectors/new", Policy::InOrg, connector_new)
        .post("/apps/{id}/connectors/new", Policy::InOrg, connector_create)
        .get("/apps/{id}/connectors/{cid}", Policy::InOrg, connector_edit)
        .post(
            "/apps/{id}/connectors/{cid}",
            Policy::InOrg,
            connector_update,
        )
        .post(
            "/apps/{id}/connectors/{cid}/delete",
            Policy::InOrg,
            connector_delete,
        )
        .get("/apps/{id}/templates/new", Policy::InOrg, template_new)
        .post("/apps/{id}/templates/new", Policy::InOrg, template_create)
        .get("/apps/{id}/templates/{tid}", Policy::InOrg, template_edit)
        .post("/apps/{id}/templates/{tid}", Policy::InOrg, template_update)
        .post(
            "/apps/{id}/templates/{tid}/delete",
            Policy::InOrg,
            template_delete,
        )
        .get("/apps/{id}/automations/new", Policy::InOrg, automation_new)
        .post(
            "/apps/{id}/automations/new",
            Policy::InOrg,
            automation_create,
        )
        .get(
            "/apps/{id}/automations/{aid}",
            Policy::InOrg,
            automation_edit,
        )
        .post(
            "/apps/{id}/automations/{aid}",
            Policy::InOrg,
            automation_update,
        )
        .post(
            "/apps/{id}/automations/{aid}/toggle",
            Policy::InOrg,
            automation_toggle,
        )
        .post(
            "/apps/{id}/automations/{aid}/delete",
            Policy::InOrg,
            automation_delete,
        )
        .get("/apps/{id}/components/new", Policy::InOrg, component_new)
        .post("/apps/{id}/components/new", Policy::InOrg, component_create)
        .get("/apps/{id}/components/{kid}", Policy::InOrg, component_edit)
        .post(
            "/apps/{id}/components/{kid}",
            Policy::InOrg,
            component_update,
        )
        .post(
            "/apps/{id}/components/{kid}/delete",
            Policy::InOrg,
            component_delete,
        )
}

// ---- connectors ----

fn connector_page(
    l: Layout,
    app: App,
    id: Option<i64>,
    form: ConnectorForm,
    errors: Errors,
) -> ConnectorPage {
    ConnectorPage {
        l,
        app,
        id,
        form,
        errors,
    }
}

async fn connector_new(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<ConnectorPage> {
    let app = state
        .db
        .run(move |conn| store::find_app_for_edit(conn, &scope, id))
        .await?;
    let form = ConnectorForm {
        auth_kind: "none".into(),
        ..ConnectorForm::default()
    };
    Ok(connector_page(
        Layout::new(&ctx),
        app,
        None,
        form,
        Errors::default(),
    ))
}

async fn connector_edit(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, cid)): Path<(i64, i64)>,
) -> AppResult<ConnectorPage> {
    let (app, c) = state
        .db
        .run(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let c = ps::find_connector(conn, &app, cid)?;
            Ok((app, c))
        })
        .await?;
    let form = ConnectorForm {
        name: c.name,
        endpoint_url: c.endpoint_url,
        auth_kind: c.auth_kind,
    };
    Ok(connector_page(
        Layout::new(&ctx),
        app,
        Some(cid),
        form,
        Errors::default(),
    ))
}

async fn connector_create(
    state: State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    form: Form<ConnectorForm>,
) -> AppResult<Response> {
    connector_save(state, g, id, None, form).await
}

async fn connector_update(
    state: State<AppState>,
    g: InOrg,
    Path((id, cid)): Path<(i64, i64)>,
    form: Form<ConnectorForm>,
) -> AppResult<Response> {
    connector_save(state, g, id, Some(cid), form).await
}

async fn connector_save(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    id: i64,
    cid: Option<i64>,
    Form(form): Form<ConnectorForm>,
) -> AppResult<Response> {
    let l = Layout::new(&ctx);
    let parsed = form.parse();
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            if let Some(cid) = cid {
                ps::find_connector(conn, &app, cid)?;
            }
            match parsed {
                Ok(input) => {
                    ps::save_connector(conn, &app, cid, &input)?;
                    Ok(to_app(id, "apps.flash.saved"))
                }
                Err(errors) => Ok(unprocessable(connector_page(l, app, cid, form, errors))),
            }
        })
        .await
}

async fn connector_delete(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, cid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            ps::delete_connector(conn, &app, cid)
        })
        .await?;
    Ok(to_app(id, "apps.flash.deleted"))
}

// ---- notification templates ----

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

// ---- automations ----

fn automation_page(
    conn: &mut Conn,
    scope: &OrgScope,
    l: Layout,
    app: App,
    id: Option<i64>,
    form: AutomationForm,
    errors: Errors,
) -> AppResult<AutomationPage> {
    let forms = store::pages_of(conn, scope, app.id)?
        .into_iter()
        .filter(|p| p.kind().takes_submissions())
        .collect();
    Ok(AutomationPage {
        forms,
        templates: ps::templates_of(conn, &app)?,
        people: store::org_people(conn, scope)?,
        l,
        app,
        id,
        form,
        errors,
    })
}

async fn automation_new(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<AutomationPage> {
    let l = Layout::new(&ctx);
    state
        .db
        .run(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let form = AutomationForm {
                enabled: Some("on".into()),
                ..AutomationForm::default()
            };
            automation_page(conn, &scope, l, app, None, form, Errors::default())
        })
        .await
}

async fn automation_edit(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<AutomationPage> {
    let l = Layout::new(&ctx);
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let a = ps::find_automation(conn, &app, aid)?;
            let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            let form = AutomationForm {
                name: a.name,
                form_id: a.form_id.to_string(),
                template_id: opt(a.template_id),
                recipient_id: opt(a.recipient_id),
                enabled: a.enabled.then(|| "on".into()),
            };
            automation_page(conn, &scope, l, app, Some(aid), form, Errors::default())
        })
        .await
}

async fn automation_create(
    state: State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    form: Form<AutomationForm>,
) -> AppResult<Response> {
    automation_save(state, g, id, None, form).await
}

async fn automation_update(
    state: State<AppState>,
    g: InOrg,
    Path((id, aid)): Path<(i64, i64)>,
    form: Form<AutomationForm>,
) -> AppResult<Response> {
    automation_save(state, g, id, Some(aid), form).await
}

async fn automation_save(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    id: i64,
    aid: Option<i64>,
    Form(form): Form<AutomationForm>,
) -> AppResult<Response> {
    let l = Layout::new(&ctx);
    let parsed = form.parse();
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            if let Some(aid) = aid {
                ps::find_automation(conn, &app, aid)?;
            }
            match parsed {
                Ok(draft) => {
                    let input = ps::check_automation(conn, &scope, &app, draft)?;
                    ps::save_automation(conn, &app, aid, &input)?;
                    Ok(to_app(id, "apps.flash.saved"))
                }
                Err(errors) => Ok(unprocessable(automation_page(
                    conn, &scope, l, app, aid, form, errors,
                )?)),
            }
        })
        .await
}

async fn automation_toggle(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let on = state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            ps::toggle_automation(conn, &app, aid)
        })
        .await?;
    Ok(to_app(
        id,
        if on {
            "apps.flash.automation_on"
        } else {
            "apps.flash.automation_off"
        },
    ))
}

async fn automation_delete(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            ps::delete_automation(conn, &app, aid)
        })
        .await?;
    Ok(to_app(id, "apps.flash.deleted"))
}

// ---- custom components ----

async fn component_new(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<ComponentPage> {
    let app = state
        .db
        .run(move |conn| store::find_app_for_edit(conn, &scope, id))
        .await?;
    Ok(ComponentPage {
        l: Layout::new(&ctx),
        app,
        id: None,
        form: ComponentForm::default(),
        errors: Errors::default(),
        preview: String::new(),
    })
}

async fn component_edit(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, kid)): Path<(i64, i64)>,
) -> AppResult<ComponentPage> {
    let (app, c) = state
        .db
        .run(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let c = ps::find_component(conn, &app, kid)?;
            Ok((app, c))
        })
        .await?;
    Ok(ComponentPage {
        l: Layout::new(&ctx),
        app,
        id: Some(kid),
        preview: c.markup.clone(),
        form: ComponentForm {
            name: c.name,
            description: c.description,
            markup: c.markup,
        },
        errors: Errors::default(),
    })
}

async fn component_create(
    state: State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    form: Form<ComponentForm>,
) -> AppResult<Response> {
    component_save(state, g, id, None, form).await
}

async fn component_update(
    state: State<AppState>,
    g: InOrg,
    Path((id, kid)): Path<(i64, i64)>,
    form: Form<ComponentForm>,
) -> AppResult<Response> {
    component_save(state, g, id, Some(kid), form).await
}

async fn component_save(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    id: i64,
    kid: Option<i64>,
    Form(form): Form<ComponentForm>,
) -> AppResult<Response> {
    let l = Layout::new(&ctx);
    let parsed = form.parse();
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            if let Some(kid) = kid {
                ps::find_component(conn, &app, kid)?;
            }
            match parsed {
                Ok(input) => {
                    let kid = ps::save_component(conn, &app, kid, &input)?;
                    Ok(super::routes::redirect_to(
                        &format!("/apps/{id}/components/{kid}"),
                        "apps.flash.saved",
                    ))
                }
                Err(errors) => Ok(unprocessable(ComponentPage {
                    l,
                    app,
                    id: kid,
                    preview: String::new(),
                    form,
                    errors,
                })),
            }
        })
        .await
}

async fn component_delete(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, kid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            ps::delete_component(conn, &app, kid)
        })
        .await?;
    Ok(to_app(id, "apps.flash.deleted"))
}
