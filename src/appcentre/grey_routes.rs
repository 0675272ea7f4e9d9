//! The grey release's forms: the operator shapes the cohort, starts the week, adjusts the
//! thresholds, pauses, resumes or rolls back; the provider applies for the final review.
//! A refused form renders the operator's product page again with the error beside its
//! field and what was typed.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::gate_pages::GreyTyped;
use super::gate_routes::operator_page;
use super::grey::{self, Pick};
use super::thresholds::{self, ThresholdForm};
use crate::auth::Operator;
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::tools::Cursor;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .post(
            "/operator/app-centre/products/{id}/cohort",
            Policy::Operator,
            add_to_cohort,
        )
        .post(
            "/operator/app-centre/products/{id}/cohort/{org}/remove",
            Policy::Operator,
            remove_from_cohort,
        )
        .post(
            "/operator/app-centre/products/{id}/grey/start",
            Policy::Operator,
            start,
        )
        .post(
            "/operator/app-centre/products/{id}/thresholds",
            Policy::Operator,
            adjust,
        )
        .post(
            "/operator/app-centre/products/{id}/pause",
            Policy::Operator,
            pause,
        )
        .post(
            "/operator/app-centre/products/{id}/rollback",
            Policy::Operator,
            roll_back,
        )
        .post(
            "/provider/app-centre/products/{id}/final",
            Policy::Provider,
            apply_final,
        )
}

fn back(id: i64, flash: &'static str) -> Response {
    flash_redirect(&format!("/operator/app-centre/products/{id}#grey"), flash)
}

/// The operator's page again, 422, with `errors` beside the fields and `typed` kept.
async fn refused(
    state: &AppState,
    op: &Operator,
    id: i64,
    errors: Errors,
    typed: GreyTyped,
) -> AppResult<Response> {
    let page = operator_page(state, op, id, errors, String::new(), typed, Cursor::First).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
pub(crate) struct CohortForm {
    #[serde(default)]
    by: String,
    #[serde(default)]
    corp_ids: String,
    #[serde(default)]
    edition: String,
    #[serde(default)]
    count: String,
}

async fn add_to_cohort(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<CohortForm>,
) -> AppResult<Response> {
    let typed = GreyTyped {
        corp_ids: f.corp_ids.clone(),
        edition: f.edition.clone(),
        count: f.count.clone(),
        ..GreyTyped::default()
    };
    let pick = match f.by.as_str() {
        "list" => Pick::List(f.corp_ids),
        "edition" => match crate::org::Edition::parse(&f.edition) {
            Some(e) => Pick::Edition(e),
            None => return Err(AppError::BadRequest("error.bad_request")),
        },
        "sample" => match f.count.trim().parse::<usize>() {
            Ok(n) => Pick::Sample(n),
            Err(_) => {
                let mut e = Errors::default();
                e.add("count", "appcentre.error.sample_count");
                return refused(&state, &op, id, e, typed).await;
            }
        },
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    let by = op.user_id;
    let result = state
        .db
        .run(move |conn| grey::add(conn, id, &pick, by))
        .await?;
    match result {
        Ok(_) => Ok(back(id, "appcentre.flash.cohort_added")),
        Err(((field, key), unknown)) => {
            let mut e = Errors::default();
            e.add(field, key);
            refused(&state, &op, id, e, GreyTyped { unknown, ..typed }).await
        }
    }
}

async fn remove_from_cohort(
    State(state): State<AppState>,
    op: Operator,
    Path((id, org)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let by = op.user_id;
    state
        .db
        .run(move |conn| grey::remove(conn, id, org, by))
        .await?;
    Ok(back(id, "appcentre.flash.cohort_removed"))
}

async fn start(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let by = op.user_id;
    state.db.run(move |conn| grey::start(conn, id, by)).await?;
    Ok(back(id, "appcentre.flash.grey_started"))
}

#[derive(Deserialize)]
pub(crate) struct AdjustForm {
    #[serde(default)]
    active: String,
    #[serde(default)]
    dau_wau: String,
    #[serde(default)]
    satisfaction: String,
    #[serde(default)]
    quality: String,
    #[serde(default)]
    reason: String,
}

async fn adjust(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<AdjustForm>,
) -> AppResult<Response> {
    let form = ThresholdForm {
        active: f.active,
        dau_wau: f.dau_wau,
        satisfaction: f.satisfaction,
        quality: f.quality,
        reason: f.reason,
    };
    let (t, reason) = match form.parse() {
        Ok(v) => v,
        Err(list) => {
            let mut e = Errors::default();
            for (field, key) in list {
                e.add(field, key);
            }
            let typed = GreyTyped {
                thresholds: Some(form),
                ..GreyTyped::default()
            };
            return refused(&state, &op, id, e, typed).await;
        }
    };
    let by = op.user_id;
    state
        .db
        .run(move |conn| thresholds::adjust(conn, id, t, &reason, by))
        .await?;
    Ok(back(id, "appcentre.flash.thresholds_adjusted"))
}

#[derive(Deserialize)]
pub(crate) struct ReasonForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

/// The reason an audited action needs, or the page again with the error beside `field`.
fn reason_of(f: &ReasonForm) -> Option<String> {
    let r = f.reason.trim();
    (2..=500)
        .contains(&r.chars().count())
        .then(|| r.to_string())
}

async fn pause(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let paused = match f.action.as_str() {
        "pause" => true,
        "resume" => false,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    let Some(reason) = reason_of(&f) else {
        let mut e = Errors::default();
        e.add("pause_reason", "appcentre.error.reason_required");
        let typed = GreyTyped {
            pause_reason: f.reason,
            ..GreyTyped::default()
        };
        return refused(&state, &op, id, e, typed).await;
    };
    let by = op.user_id;
    state
        .db
        .run(move |conn| grey::set_paused(conn, id, paused, &reason, by))
        .await?;
    Ok(back(
        id,
        if paused {
            "appcentre.flash.paused"
        } else {
            "appcentre.flash.resumed"
        },
    ))
}

async fn roll_back(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let Some(reason) = reason_of(&f) else {
        let mut e = Errors::default();
        e.add("rollback_reason", "appcentre.error.reason_required");
        let typed = GreyTyped {
            rollback_reason: f.reason,
            ..GreyTyped::default()
        };
        return refused(&state, &op, id, e, typed).await;
    };
    let by = op.user_id;
    state
        .db
        .run(move |conn| grey::roll_back(conn, id, &reason, by))
        .await?;
    Ok(back(id, "appcentre.flash.rolled_back"))
}

async fn apply_final(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    pv.require_admin()?;
    let (org, by) = (pv.scope.org_id(), pv.scope.user_id());
    state
        .db
        .run(move |conn| grey::apply_final(conn, org, id, by))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/app-centre/products/{id}"),
        "appcentre.flash.submitted_final",
    ))
}
