//! The app builder (应用管理): the list of apps, creating one, its overview, the page
//! designer, and the app's connectors, templates, automations and custom components.
//! Builders (`AppBuilder`) list and create apps; app admins may edit the apps they admin,
//! so the per-app handlers authorise through `store::find_app_for_edit`.

use crate::web::policy::{Policy, Routes};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::design_store::{self, ReportChoice};
use super::forms::AfterQuery;
use super::forms::{
    AppForm, BodyForm, FieldForm, MoveForm, NameForm, PageForm, PremiumForm, ReportForm, StepForm,
    UserForm, parse_id,
};
use super::pages::{DesignerPage, ListPage, NewAppPage, OverviewPage};
use super::store::{self, NewApp};
use crate::auth::{AppBuilder, InOrg, OrgScope};
use crate::error::AppResult;
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub fn router() -> Routes {
    Routes::new()
        .get("/apps", Policy::AppBuilder, list)
        .get("/apps/new", Policy::AppBuilder, new_app)
        .post("/apps/new", Policy::AppBuilder, create_app)
        .get("/apps/{id}", Policy::InOrg, overview)
        .post("/apps/{id}/edit", Policy::InOrg, update_app)
        .post("/apps/{id}/premium", Policy::InOrg, set_premium)
        .post("/apps/{id}/admins", Policy::InOrg, add_admin)
        .post(
            "/apps/{id}/admins/{uid}/remove",
            Policy::InOrg,
            remove_admin,
        )
        .post("/apps/{id}/pages", Policy::InOrg, add_page)
        .get("/apps/{id}/pages/{pid}", Policy::InOrg, designer)
        .post("/apps/{id}/pages/{pid}/rename", Policy::InOrg, rename_page)
        .post("/apps/{id}/pages/{pid}/delete", Policy::InOrg, delete_page)
        .post("/apps/{id}/pages/{pid}/fields", Policy::InOrg, add_field)
        .post(
            "/apps/{id}/pages/{pid}/fields/{fid}/remove",
            Policy::InOrg,
            remove_field,
        )
        .post(
            "/apps/{id}/pages/{pid}/fields/{fid}/move",
            Policy::InOrg,
            move_field,
        )
        .post("/apps/{id}/pages/{pid}/steps", Policy::InOrg, add_step)
        .post(
            "/apps/{id}/pages/{pid}/steps/{sid}/remove",
            Policy::InOrg,
            remove_step,
        )
        .post(
            "/apps/{id}/pages/{pid}/steps/{sid}/move",
            Policy::InOrg,
            move_step,
        )
        .post("/apps/{id}/pages/{pid}/body", Policy::InOrg, save_body)
        .post("/apps/{id}/pages/{pid}/report", Policy::InOrg, save_report)
        .merge(super::parts_routes::router())
}

async fn list(
    State(state): State<AppState>,
    AppBuilder { ctx, scope }: AppBuilder,
    Query(q): Query<AfterQuery>,
) -> AppResult<ListPage> {
    let page = state
        .db
        .run(move |conn| store::list_apps(conn, &scope, q.after))
        .await?;
    Ok(ListPage {
        l: Layout::new(&ctx),
        apps: page.items,
        next: page.next,
    })
}

async fn new_app(AppBuilder { ctx, .. }: AppBuilder) -> NewAppPage {
    NewAppPage {
        l: Layout::new(&ctx),
        form: AppForm {
            icon: super::app::ICONS[0].into(),
            ..AppForm::default()
        },
        errors: Errors::default(),
    }
}

async fn create_app(
    State(state): State<AppState>,
    AppBuilder { ctx, scope }: AppBuilder,
    Form(form): Form<AppForm>,
) -> AppResult<Response> {
    let input = match form.parse() {
        Ok(v) => v,
        Err(errors) => {
            let page = NewAppPage {
                l: Layout::new(&ctx),
                form,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let id = state
        .db
        .run(move |conn| {
            let new = NewApp {
                name: &input.name,
                icon: &input.icon,
                description: &input.description,
                premium: false,
            };
            store::create_app(conn, &scope, new)
        })
        .await?;
    tracing::info!(app.id = id, "app created");
    Ok(flash_redirect(&format!("/apps/{id}"), "apps.flash.created"))
}

async fn overview(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<OverviewPage> {
    let o = state
        .db
        .run(move |conn| store::overview(conn, &scope, id))
        .await?;
    Ok(OverviewPage::new(Layout::new(&ctx), o))
}

/// The overview again, 422, with a form's typed values and errors put in by `fill`.
async fn overview_again(
    state: &AppState,
    l: Layout,
    scope: OrgScope,
    id: i64,
    fill: impl FnOnce(&mut OverviewPage) + Send + 'static,
) -> AppResult<Response> {
    let o = state
        .db
        .run(move |conn| store::overview(conn, &scope, id))
        .await?;
    let mut page = OverviewPage::new(l, o);
    fill(&mut page);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn update_app(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
    Form(form): Form<AppForm>,
) -> AppResult<Response> {
    let input = match form.parse() {
        Ok(v) => v,
        Err(errors) => {
            return overview_again(&state, Layout::new(&ctx), scope, id, |p| {
                p.edit = form;
                p.errors = errors;
            })
            .await;
        }
    };
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            store::update_app(conn, &app, &input.name, &input.icon, &input.description)
        })
        .await?;
    Ok(flash_redirect(&format!("/apps/{id}"), "apps.flash.saved"))
}

async fn set_premium(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path(id): Path<i64>,
    Form(form): Form<PremiumForm>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            store::set_premium(conn, &scope, &app, form.premium())
        })
        .await?;
    Ok(flash_redirect(&format!("/apps/{id}"), "apps.flash.saved"))
}

async fn add_admin(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let user_id = form.id()?;
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            store::add_app_admin(conn, &scope, &app, user_id)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/apps/{id}#admins"),
        "apps.flash.admin_added",
    ))
}

async fn remove_admin(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, uid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            store::remove_app_admin(conn, &app, uid)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/apps/{id}#admins"),
        "apps.flash.admin_removed",
    ))
}

async fn add_page(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
    Form(form): Form<PageForm>,
) -> AppResult<Response> {
    let (kind, name) = match form.parse() {
        Ok(v) => v,
        Err(errors) => {
            return overview_again(&state, Layout::new(&ctx), scope, id, |p| {
                p.page_form = form;
                p.errors = errors;
            })
            .await;
        }
    };
    let pid = state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            store::add_page(conn, &app, kind, &name, "")
        })
        .await?;
    Ok(flash_redirect(
        &format!("/apps/{id}/pages/{pid}"),
        "apps.flash.page_added",
    ))
}

async fn designer(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
) -> AppResult<DesignerPage> {
    let d = state
        .db
        .run(move |conn| design_store::design(conn, &scope, id, pid))
        .await?;
    Ok(DesignerPage::new(Layout::new(&ctx), d))
}

/// The designer again, 422, with a form's typed values and errors put in by `fill`.
async fn designer_again(
    state: &AppState,
    l: Layout,
    scope: OrgScope,
    (id, pid): (i64, i64),
    fill: impl FnOnce(&mut DesignerPage) + Send + 'static,
) -> AppResult<Response> {
    let d = state
        .db
        .run(move |conn| design_store::design(conn, &scope, id, pid))
        .await?;
    let mut page = DesignerPage::new(l, d);
    fill(&mut page);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn to_page(id: i64, pid: i64, key: &'static str) -> Response {
    flash_redirect(&format!("/apps/{id}/pages/{pid}"), key)
}

async fn rename_page(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
    Form(form): Form<NameForm>,
) -> AppResult<Response> {
    let name = match form.parse("rename") {
        Ok(v) => v,
        Err(errors) => {
            return designer_again(&state, Layout::new(&ctx), scope, (id, pid), |p| {
                p.rename = form.name;
                p.errors = errors;
            })
            .await;
        }
    };
    state
        .db
        .write(move |conn| {
            let (_, page) = design_store::editable_page(conn, &scope, id, pid)?;
            design_store::rename_page(conn, &page, &name)
        })
        .await?;
    Ok(to_page(id, pid, "apps.flash.saved"))
}

async fn delete_page(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let (_, page) = design_store::editable_page(conn, &scope, id, pid)?;
            design_store::delete_page(conn, &page)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/apps/{id}"),
        "apps.flash.page_deleted",
    ))
}

async fn add_field(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
    Form(form): Form<FieldForm>,
) -> AppResult<Response> {
    let f = match form.parse() {
        Ok(v) => v,
        Err(errors) => {
            return designer_again(&state, Layout::new(&ctx), scope, (id, pid), |p| {
                p.field_form = form;
                p.errors = errors;
            })
            .await;
        }
    };
    state
        .db
        .write(move |conn| {
            let (_, page) = design_store::editable_page(conn, &scope, id, pid)?;
            if !page.kind().takes_submissions() {
                return Err(crate::error::AppError::NotFound);
            }
            store::add_field(conn, &page, &f.label, f.kind, f.required, &f.options)
        })
        .await?;
    Ok(to_page(id, pid, "apps.flash.field_added"))
}

async fn remove_field(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, pid, fid)): Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let (_, page) = design_store::editable_page(conn, &scope, id, pid)?;
            design_store::remove_field(conn, &page, fid)
        })
        .await?;
    Ok(to_page(id, pid, "apps.flash.field_removed"))
}

async fn move_field(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, pid, fid)): Path<(i64, i64, i64)>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let mv = form.parse()?;
    state
        .db
        .write(move |conn| {
            let (_, page) = design_store::editable_page(conn, &scope, id, pid)?;
            design_store::move_field(conn, &page, fid, mv)
        })
        .await?;
    Ok(to_page(id, pid, "apps.flash.saved"))
}

async fn add_step(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let (name, approver) = match form.parse() {
        Ok(v) => v,
        Err(errors) => {
            return designer_again(&state, Layout::new(&ctx), scope, (id, pid), |p| {
                p.step_form = form;
                p.errors = errors;
            })
            .await;
        }
    };
    state
        .db
        .write(move |conn| {
            let (_, page) = design_store::editable_page(conn, &scope, id, pid)?;
            design_store::add_step_checked(conn, &scope, &page, &name, approver)
        })
        .await?;
    Ok(to_page(id, pid, "apps.flash.step_added"))
}

async fn remove_step(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, pid, sid)): Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let (_, page) = design_store::editable_page(conn, &scope, id, pid)?;
            design_store::remove_step(conn, &page, sid)
        })
        .await?;
    Ok(to_page(id, pid, "apps.flash.step_removed"))
}

async fn move_step(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, pid, sid)): Path<(i64, i64, i64)>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let mv = form.parse()?;
    state
        .db
        .write(move |conn| {
            let (_, page) = design_store::editable_page(conn, &scope, id, pid)?;
            design_store::move_step(conn, &page, sid, mv)
        })
        .await?;
    Ok(to_page(id, pid, "apps.flash.saved"))
}

async fn save_body(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
    Form(form): Form<BodyForm>,
) -> AppResult<Response> {
    let clean = form.clean();
    state
        .db
        .write(move |conn| {
            let (_, page) = design_store::editable_page(conn, &scope, id, pid)?;
            if page.kind() != super::app::PageKind::Custom {
                return Err(crate::error::AppError::NotFound);
            }
            design_store::save_body(conn, &page, &clean)
        })
        .await?;
    Ok(to_page(id, pid, "apps.flash.saved"))
}

async fn save_report(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    let Some(form_id) = parse_id(&form.form_id) else {
        let mut errors = Errors::default();
        errors.add("form_id", "apps.error.report_form");
        return designer_again(&state, Layout::new(&ctx), scope, (id, pid), |p| {
            p.report = form;
            p.errors = errors;
        })
        .await;
    };
    let choice = ReportChoice {
        form_id,
        group: parse_id(&form.group_field_id),
        agg: form.agg.clone(),
        value: parse_id(&form.value_field_id),
    };
    let check_scope = scope.clone();
    let outcome = state
        .db
        .run(move |conn| design_store::set_report(conn, &check_scope, id, pid, &choice))
        .await?;
    match outcome {
        Ok(()) => Ok(to_page(id, pid, "apps.flash.saved")),
        Err(list) => {
            let mut errors = Errors::default();
            for (field, key) in list {
                errors.add(field, key);
            }
            designer_again(&state, Layout::new(&ctx), scope, (id, pid), |p| {
                p.report = form;
                p.errors = errors;
            })
            .await
        }
    }
}

/// Helpers shared with the parts handlers.
pub(super) fn to_app(id: i64, key: &'static str) -> Response {
    flash_redirect(&format!("/apps/{id}"), key)
}

pub(super) fn unprocessable(page: impl IntoResponse) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub(super) fn redirect_to(to: &str, key: &'static str) -> Response {
    flash_redirect(to, key)
}
