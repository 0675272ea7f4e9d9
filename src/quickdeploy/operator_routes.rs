//! The operator's side: the applications (pending first) and the invitation codes, an
//! application's review, its link's controls (pause, suspend new deployments), the
//! defects recorded against it, and the complaints per provider.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::applications::{self, LinkChange};
use super::defects::{self, Severity};
use super::pages::{ComplaintsPage, OperatorAppPage, OperatorHome};
use super::provider_routes::shown;
use super::{codes, complaints, model};
use crate::auth::Operator;
use crate::error::{AppError, AppResult};
use crate::tools::Cursor;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/operator/quick-deploy", Policy::Operator, home)
        .post("/operator/quick-deploy/codes", Policy::Operator, issue)
        .post(
            "/operator/quick-deploy/codes/{id}/revoke",
            Policy::Operator,
            revoke,
        )
        .get(
            "/operator/quick-deploy/complaints",
            Policy::Operator,
            complaints_page,
        )
        .get(
            "/operator/quick-deploy/applications/{id}",
            Policy::Operator,
            show,
        )
        .get(
            "/operator/quick-deploy/applications/{id}/icon",
            Policy::Operator,
            icon_file,
        )
        .post(
            "/operator/quick-deploy/applications/{id}/approve",
            Policy::Operator,
            approve,
        )
        .post(
            "/operator/quick-deploy/applications/{id}/reject",
            Policy::Operator,
            reject,
        )
        .post(
            "/operator/quick-deploy/applications/{id}/link/pause",
            Policy::Operator,
            |s: State<AppState>, _: Operator, Path(id): Path<i64>| {
                change(s, id, LinkChange::Pause(true), "quickdeploy.flash.paused")
            },
        )
        .post(
            "/operator/quick-deploy/applications/{id}/link/resume",
            Policy::Operator,
            |s: State<AppState>, _: Operator, Path(id): Path<i64>| {
                change(s, id, LinkChange::Pause(false), "quickdeploy.flash.resumed")
            },
        )
        .post(
            "/operator/quick-deploy/applications/{id}/link/suspend",
            Policy::Operator,
            suspend,
        )
        .post(
            "/operator/quick-deploy/applications/{id}/link/unsuspend",
            Policy::Operator,
            |s: State<AppState>, _: Operator, Path(id): Path<i64>| {
                change(
                    s,
                    id,
                    LinkChange::Suspend(false, String::new()),
                    "quickdeploy.flash.unsuspended",
                )
            },
        )
        .post(
            "/operator/quick-deploy/applications/{id}/defects",
            Policy::Operator,
            record_defect,
        )
        .post(
            "/operator/quick-deploy/applications/{id}/defects/{d}/close",
            Policy::Operator,
            close_defect,
        )
}

#[derive(Deserialize, Default)]
pub(crate) struct HomeQuery {
    tab: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    codes_after: Option<i64>,
    codes_before: Option<i64>,
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct IssueForm {
    #[serde(default)]
    provider: String,
    #[serde(default)]
    note: String,
}

async fn home_page(
    state: &AppState,
    op: &Operator,
    q: HomeQuery,
    form: IssueForm,
    errors: Errors,
) -> AppResult<OperatorHome> {
    let pending = q.tab.as_deref() != Some("all");
    let apps_at = Cursor::from_query(q.after, q.before);
    let codes_at = Cursor::from_query(q.codes_after, q.codes_before);
    let (apps, list, providers) = state
        .db
        .run(move |conn| {
            Ok((
                applications::list_all(conn, pending, apps_at)?,
                codes::list(conn, codes_at)?,
                codes::providers(conn)?,
            ))
        })
        .await?;
    Ok(OperatorHome {
        l: Layout::new(&op.ctx),
        pending,
        apps,
        codes: list,
        providers,
        now: crate::db::now(),
        errors,
        provider: form.provider,
        note: form.note,
    })
}

async fn home(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<HomeQuery>,
) -> AppResult<OperatorHome> {
    home_page(&state, &op, q, IssueForm::default(), Errors::default()).await
}

async fn issue(
    State(state): State<AppState>,
    op: Operator,
    Form(f): Form<IssueForm>,
) -> AppResult<Response> {
    let mut e = Errors::default();
    let provider = f.provider.trim().parse::<i64>().ok();
    let note: String = f.note.trim().chars().take(200).collect();
    let providers = state.db.run(codes::providers).await?;
    if !provider.is_some_and(|p| providers.iter().any(|x| x.0 == p)) {
        e.add("provider", "quickdeploy.error.choose_provider");
    }
    let Some(provider) = provider.filter(|_| e.is_empty()) else {
        let page = home_page(&state, &op, HomeQuery::default(), f, e).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let by = op.user_id;
    state
        .db
        .run(move |conn| codes::issue(conn, provider, &note, by))
        .await?;
    tracing::info!(
        provider.org = provider,
        "quick-deploy invitation code issued"
    );
    Ok(flash_redirect(
        "/operator/quick-deploy#codes",
        "quickdeploy.flash.code_issued",
    ))
}

async fn revoke(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    state.db.run(move |conn| codes::revoke(conn, id)).await?;
    Ok(flash_redirect(
        "/operator/quick-deploy#codes",
        "quickdeploy.flash.code_revoked",
    ))
}

#[derive(Deserialize, Default)]
pub(crate) struct ComplaintsQuery {
    provider: Option<i64>,
    after: Option<i64>,
    before: Option<i64>,
}

async fn complaints_page(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<ComplaintsQuery>,
) -> AppResult<ComplaintsPage> {
    let cursor = Cursor::from_query(q.after, q.before);
    let provider = q.provider;
    let (counts, list) = state
        .db
        .run(move |conn| {
            Ok((
                complaints::counts(conn)?,
                complaints::list(conn, provider, cursor)?,
            ))
        })
        .await?;
    Ok(ComplaintsPage {
        l: Layout::new(&op.ctx),
        counts,
        list,
        provider,
    })
}

/// The typed values of the application page's forms, kept when one is refused.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct OpForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    note: String,
}

async fn app_page(
    state: &AppState,
    op: &Operator,
    id: i64,
    f: OpForm,
    errors: Errors,
) -> AppResult<OperatorAppPage> {
    let s = shown(state, None, id).await?;
    Ok(OperatorAppPage {
        l: Layout::new(&op.ctx),
        s,
        errors,
        reason: f.reason,
        severity: f.severity,
        description: f.description,
        note: f.note,
    })
}

async fn show(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<OperatorAppPage> {
    app_page(&state, &op, id, OpForm::default(), Errors::default()).await
}

async fn icon_file(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let a = state.db.run(move |conn| model::find(conn, id)).await?;
    Ok(crate::web::image_response(state.storage.get(&a.icon_key)?))
}

fn back(id: i64, flash: &'static str) -> Response {
    flash_redirect(&format!("/operator/quick-deploy/applications/{id}"), flash)
}

async fn approve(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let by = op.user_id;
    state
        .db
        .run(move |conn| applications::approve(conn, id, by))
        .await?;
    tracing::info!(application.id = id, "quick-deploy application approved");
    Ok(back(id, "quickdeploy.flash.approved"))
}

async fn reject(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<OpForm>,
) -> AppResult<Response> {
    let reason = f.reason.trim().to_string();
    let n = reason.chars().count();
    if n == 0 || n > super::form::TEXT_MAX {
        let mut e = Errors::default();
        e.add(
            "reason",
            if n == 0 {
                "quickdeploy.error.reason_required"
            } else {
                "quickdeploy.error.text_long"
            },
        );
        let page = app_page(&state, &op, id, f, e).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let by = op.user_id;
    state
        .db
        .run(move |conn| applications::reject(conn, id, by, &reason))
        .await?;
    Ok(back(id, "quickdeploy.flash.rejected"))
}

/// A change of the link's state, then back to the application's page with `flash`.
async fn change(
    State(state): State<AppState>,
    id: i64,
    c: LinkChange,
    flash: &'static str,
) -> AppResult<Response> {
    state
        .db
        .run(move |conn| applications::change_link(conn, None, id, c))
        .await?;
    Ok(back(id, flash))
}

async fn suspend(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<OpForm>,
) -> AppResult<Response> {
    let note = f.note.trim().to_string();
    let n = note.chars().count();
    if n == 0 || n > super::form::TEXT_MAX {
        let mut e = Errors::default();
        e.add(
            "note",
            if n == 0 {
                "quickdeploy.error.note_required"
            } else {
                "quickdeploy.error.text_long"
            },
        );
        let page = app_page(&state, &op, id, f, e).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    change(
        State(state),
        id,
        LinkChange::Suspend(true, note),
        "quickdeploy.flash.suspended",
    )
    .await
}

async fn record_defect(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<OpForm>,
) -> AppResult<Response> {
    let mut e = Errors::default();
    let severity = Severity::parse(f.severity.trim());
    if severity.is_none() {
        e.add("severity", "quickdeploy.error.choose");
    }
    let description = f.description.trim().to_string();
    let n = description.chars().count();
    if n == 0 {
        e.add("description", "quickdeploy.error.text_required");
    } else if n > super::form::TEXT_MAX {
        e.add("description", "quickdeploy.error.text_long");
    }
    let Some(severity) = severity.filter(|_| e.is_empty()) else {
        let page = app_page(&state, &op, id, f, e).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let by = op.user_id;
    state
        .db
        .run(move |conn| {
            let a = model::find(conn, id)?;
            if a.status() != model::ApplicationStatus::Approved {
                return Err(AppError::Conflict("quickdeploy.error.no_link"));
            }
            defects::record(conn, id, severity, &description, by)
        })
        .await?;
    Ok(back(id, "quickdeploy.flash.defect_recorded"))
}

async fn close_defect(
    State(state): State<AppState>,
    op: Operator,
    Path((id, d)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let by = op.user_id;
    state
        .db
        .run(move |conn| defects::close(conn, id, d, by))
        .await?;
    Ok(back(id, "quickdeploy.flash.defect_closed"))
}
