//! An app's automations (集成自动化): the form page, save, enable/disable, delete.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;

use crate::apps::app::App;
use crate::apps::forms::AutomationForm;
use crate::apps::pages::AutomationPage;
use crate::apps::parts_store as ps;
use crate::apps::routes::{to_app, unprocessable};
use crate::apps::store;
use crate::auth::{InOrg, OrgScope};
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout};

pub fn router() -> Routes {
    Routes::new()
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
}

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
        .run(move |conn| {
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
