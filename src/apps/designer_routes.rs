//! The page designer (页面设计): adding, renaming and deleting an app's pages, and a page's
//! fields, approval steps, body and report settings. Per-app handlers authorise through
//! `store::find_app_for_edit`, as the rest of the app builder.

use crate::web::policy::{Policy, Routes};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::apps::design_store::{self, ReportChoice};
use crate::apps::forms::{
    BodyForm, FieldForm, MoveForm, NameForm, PageForm, ReportForm, StepForm, parse_id,
};
use crate::apps::pages::DesignerPage;
use crate::apps::routes::overview_again;
use crate::apps::store;
use crate::auth::{InOrg, OrgScope};
use crate::error::AppResult;
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
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
        .write(move |conn| design_store::set_report(conn, &check_scope, id, pid, &choice))
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
