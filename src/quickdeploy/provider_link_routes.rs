//! The provider's controls of an approved deploy link: the printable page, pause and
//! resume, re-target to another accepted product (the printed QR code keeps working),
//! and its answers to the operator's defects (the plan, then the fix).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::applications::{self, LinkChange};
use super::pages::PrintPage;
use super::provider_routes::{app_page, shown};
use super::{defects, model};
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get(
            "/provider/quick-deploy/applications/{id}/print",
            Policy::Provider,
            print,
        )
        .post(
            "/provider/quick-deploy/applications/{id}/link/pause",
            Policy::Provider,
            |s: State<AppState>, pv: Provider, Path(id): Path<i64>| async move {
                link_change(
                    s,
                    pv,
                    id,
                    LinkChange::Pause(true),
                    "quickdeploy.flash.paused",
                )
                .await
            },
        )
        .post(
            "/provider/quick-deploy/applications/{id}/link/resume",
            Policy::Provider,
            |s: State<AppState>, pv: Provider, Path(id): Path<i64>| async move {
                link_change(
                    s,
                    pv,
                    id,
                    LinkChange::Pause(false),
                    "quickdeploy.flash.resumed",
                )
                .await
            },
        )
        .post(
            "/provider/quick-deploy/applications/{id}/link/retarget",
            Policy::Provider,
            retarget,
        )
        .post(
            "/provider/quick-deploy/applications/{id}/defects/{d}/plan",
            Policy::Provider,
            |s: State<AppState>,
             pv: Provider,
             Path((id, d)): Path<(i64, i64)>,
             Form(f): Form<TextForm>| async move {
                answer(s, pv, id, d, f.text, false).await
            },
        )
        .post(
            "/provider/quick-deploy/applications/{id}/defects/{d}/fixed",
            Policy::Provider,
            |s: State<AppState>,
             pv: Provider,
             Path((id, d)): Path<(i64, i64)>,
             Form(f): Form<TextForm>| async move {
                answer(s, pv, id, d, f.text, true).await
            },
        )
}

async fn print(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<PrintPage> {
    let s = shown(&state, Some(pv.scope.org_id()), id).await?;
    if s.url.is_none() {
        return Err(AppError::Conflict("quickdeploy.error.no_link"));
    }
    Ok(PrintPage {
        l: Layout::new(&pv.ctx),
        s,
    })
}

async fn link_change(
    State(state): State<AppState>,
    pv: Provider,
    id: i64,
    change: LinkChange,
    flash: &'static str,
) -> AppResult<Response> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    state
        .db
        .run(move |conn| applications::change_link(conn, Some(org), id, change))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/quick-deploy/applications/{id}"),
        flash,
    ))
}

#[derive(Deserialize)]
pub(crate) struct RetargetForm {
    #[serde(default)]
    product: String,
}

async fn retarget(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Form(f): Form<RetargetForm>,
) -> AppResult<Response> {
    let product = f
        .product
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::BadRequest("error.bad_request"))?;
    link_change(
        State(state),
        pv,
        id,
        LinkChange::Retarget(product),
        "quickdeploy.flash.retargeted",
    )
    .await
}

#[derive(Deserialize)]
pub(crate) struct TextForm {
    #[serde(default)]
    text: String,
}

/// The provider's answer to a defect: the plan or the fix note (required, sensible length).
async fn answer(
    State(state): State<AppState>,
    pv: Provider,
    id: i64,
    d: i64,
    text: String,
    fixed: bool,
) -> AppResult<Response> {
    pv.require_admin()?;
    let text = text.trim().to_string();
    let field = if fixed { "fix_note" } else { "plan" };
    let n = text.chars().count();
    let refusal = if n == 0 {
        Some("quickdeploy.error.text_required")
    } else if n > super::form::TEXT_MAX {
        Some("quickdeploy.error.text_long")
    } else {
        None
    };
    if let Some(k) = refusal {
        let page = app_page(&state, &pv, id, Some((d, field, k))).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let org = pv.scope.org_id();
    state
        .db
        .run(move |conn| {
            model::find_own(conn, org, id)?;
            if fixed {
                defects::fixed(conn, id, d, &text)
            } else {
                defects::plan(conn, id, d, &text)
            }
        })
        .await?;
    Ok(Redirect::to(&format!("/provider/quick-deploy/applications/{id}#defects")).into_response())
}
