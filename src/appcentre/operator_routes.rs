//! The operator's side: inviting providers, deciding seller applications, and the review
//! queue with each review's page (acceptance checklist, access, sales and final reviews).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{ProvidersPage, QueuePage, ReviewPage};
use super::product_form::banned_word;
use super::reviews::{self, Decision};
use super::sellers::{self, DecideForm};
use super::{products, screenshots};
use crate::auth::Operator;
use crate::db::schema::orgs;
use crate::error::{AppError, AppResult};
use crate::tools::Cursor;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/operator/app-centre", Policy::Operator, providers)
        .post(
            "/operator/app-centre/providers/{org}/invite",
            Policy::Operator,
            invite,
        )
        .post(
            "/operator/app-centre/sellers/{org}",
            Policy::Operator,
            decide_seller,
        )
        .get("/operator/app-centre/reviews", Policy::Operator, queue)
        .get(
            "/operator/app-centre/reviews/{id}",
            Policy::Operator,
            review,
        )
        .post(
            "/operator/app-centre/reviews/{id}",
            Policy::Operator,
            decide,
        )
}

async fn providers_page(
    state: &AppState,
    op: &Operator,
    refused: Option<(i64, DecideForm, Errors)>,
) -> AppResult<ProvidersPage> {
    let rows = state.db.run(sellers::providers).await?;
    Ok(ProvidersPage {
        l: Layout::new(&op.ctx),
        rows,
        refused,
    })
}

async fn providers(State(state): State<AppState>, op: Operator) -> AppResult<ProvidersPage> {
    providers_page(&state, &op, None).await
}

#[derive(Deserialize)]
pub(crate) struct InviteForm {
    #[serde(default)]
    note: String,
}

async fn invite(
    State(state): State<AppState>,
    op: Operator,
    Path(org): Path<i64>,
    Form(f): Form<InviteForm>,
) -> AppResult<Response> {
    let by = op.user_id;
    let note: String = f.note.trim().chars().take(200).collect();
    state
        .db
        .run(move |conn| sellers::invite(conn, org, &note, by))
        .await?;
    tracing::info!(provider.org = org, "provider invited to the app centre");
    Ok(flash_redirect(
        "/operator/app-centre",
        "appcentre.flash.invited",
    ))
}

async fn decide_seller(
    State(state): State<AppState>,
    op: Operator,
    Path(org): Path<i64>,
    Form(f): Form<DecideForm>,
) -> AppResult<Response> {
    let d = match f.parse() {
        Ok(d) => d,
        Err(errors) => {
            let page = providers_page(&state, &op, Some((org, f, errors))).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let by = op.user_id;
    let approved = matches!(d, sellers::Decision::Approve { .. });
    state
        .db
        .run(move |conn| sellers::decide(conn, org, &d, by))
        .await?;
    Ok(flash_redirect(
        "/operator/app-centre",
        if approved {
            "appcentre.flash.seller_approved"
        } else {
            "appcentre.flash.seller_rejected"
        },
    ))
}

/// The queue's cursors: the reviews' own, and the listed products' (`listed_after`).
#[derive(Deserialize, Default)]
pub(crate) struct QueueQuery {
    after: Option<i64>,
    before: Option<i64>,
    listed_after: Option<i64>,
    listed_before: Option<i64>,
}

async fn queue(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<QueueQuery>,
) -> AppResult<QueuePage> {
    let reviews_at = Cursor::from_query(q.after, q.before);
    let listed_at = Cursor::from_query(q.listed_after, q.listed_before);
    let (page, releases) = state
        .db
        .run(move |conn| {
            Ok((
                reviews::queue(conn, reviews_at)?,
                reviews::listed(conn, listed_at)?,
            ))
        })
        .await?;
    Ok(QueuePage {
        l: Layout::new(&op.ctx),
        page,
        now: crate::db::now(),
        releases,
    })
}

async fn review_page(
    state: &AppState,
    op: &Operator,
    id: i64,
    errors: Errors,
    ticked: Vec<String>,
    reason: String,
) -> AppResult<ReviewPage> {
    use diesel::prelude::*;
    let (review, product, provider_name, changes, shots, server_errors, banned, evidence) = state
        .db
        .run(move |conn| {
            let review = reviews::find(conn, id)?;
            let product = products::find(conn, review.product_id)?;
            let provider_name: String = orgs::table
                .find(product.provider_org_id)
                .select(orgs::name)
                .first(conn)?;
            let changes = match reviews::previous(conn, &review)? {
                Some(prev) => products::changes(&prev.form(), &review.form()),
                None => Vec::new(),
            };
            let shots = screenshots::of_product(conn, product.id)?;
            let errors = reviews::recent_server_errors(conn, product.app_id, crate::db::now())?;
            let words = crate::customdev::banned_words(conn)?;
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let text = format!("{} {}", product.name, product.description);
            let banned = banned_word(&text, &words);
            // The access and sales reviews weigh the co-creation's figures, bugs and
            // survey answers (seed: 问卷反馈的结果较差，也将审核不通过).
            let evidence = if review.stage == "acceptance" {
                None
            } else {
                Some((
                    super::gate_routes::gate_of(conn, &product)?,
                    super::feedback::bugs(conn, product.id)?,
                    super::feedback::answers(conn, product.id)?,
                ))
            };
            Ok((
                review,
                product,
                provider_name,
                changes,
                shots,
                errors,
                banned,
                evidence,
            ))
        })
        .await?;
    let (gate, bugs, answers) = match evidence {
        Some((g, b, a)) => (Some(g), b, a),
        None => (None, Vec::new(), Vec::new()),
    };
    Ok(ReviewPage {
        l: Layout::new(&op.ctx),
        form: review.form(),
        review,
        product,
        provider_name,
        changes,
        screenshots: shots,
        server_errors,
        banned_found: banned,
        errors,
        ticked,
        reason,
        gate,
        bugs,
        answers,
    })
}

async fn review(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<ReviewPage> {
    review_page(
        &state,
        &op,
        id,
        Errors::default(),
        Vec::new(),
        String::new(),
    )
    .await
}

async fn decide(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = match Decision::from_pairs(&pairs) {
        Ok(d) => d,
        Err(errors) => {
            let ticked = pairs
                .iter()
                .filter(|(k, _)| k == "item")
                .map(|(_, v)| v.clone())
                .collect();
            let reason = pairs
                .iter()
                .find(|(k, _)| k == "reason")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let page = review_page(&state, &op, id, errors, ticked, reason).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let by = op.user_id;
    let approve = d.approve;
    let kept = (d.passed_items.clone(), d.reason.clone());
    let next = match state
        .db
        .run(move |conn| reviews::decide(conn, id, &d, by))
        .await
    {
        Ok(next) => next,
        // An incomplete checklist, or errors measured: shown beside the checklist.
        Err(AppError::Conflict(
            k @ ("appcentre.error.checklist_incomplete" | "appcentre.error.recent_errors"),
        )) => {
            let mut errors = Errors::default();
            errors.add("item", k);
            let page = review_page(&state, &op, id, errors, kept.0, kept.1).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e),
    };
    tracing::info!(
        review.id = id,
        approve,
        stage = next.as_str(),
        "product review decided"
    );
    Ok(flash_redirect(
        "/operator/app-centre/reviews",
        if approve {
            "appcentre.flash.review_passed"
        } else {
            "appcentre.flash.review_rejected"
        },
    ))
}
