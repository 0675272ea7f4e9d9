//! The operator's review queue (/operator/reviews): pending projects oldest first, with
//! their waiting time against the one-business-day target, and the decision; and the
//! projects already reviewed (/operator/reviews/done).

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::review_store::{self, ReviewRow, ReviewedRow};
use super::{parse_reject_reason, status_label};
use crate::auth::Operator;
use crate::error::AppResult;
use crate::i18n::format_wait;
use crate::tools::CursorQuery;
use crate::tools::{review_due, review_overdue};
use crate::web::{AppState, Errors, Layout, Page, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/operator/reviews", Policy::Operator, queue)
        .get("/operator/reviews/done", Policy::Operator, done)
        .get("/operator/reviews/{id}", Policy::Operator, show)
        .post("/operator/reviews/{id}/approve", Policy::Operator, approve)
        .post("/operator/reviews/{id}/reject", Policy::Operator, reject)
        .get(
            "/operator/reviews/{id}/contract",
            Policy::Operator,
            contract,
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/reviews.html")]
pub(crate) struct ReviewsPage {
    l: Layout,
    page: Page<ReviewRow>,
    now: i64,
}

impl ReviewsPage {
    fn waited(&self, r: &ReviewRow) -> String {
        format_wait(self.l.lang, self.now - r.p.created_at)
    }
    fn due(&self, r: &ReviewRow) -> String {
        crate::web::format_time(review_due(r.p.created_at))
    }
    fn overdue(&self, r: &ReviewRow) -> bool {
        review_overdue(r.p.created_at, self.now)
    }
}

async fn queue(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<CursorQuery>,
) -> AppResult<ReviewsPage> {
    let page = state
        .db
        .run(move |conn| review_store::queue(conn, q.cursor()))
        .await?;
    Ok(ReviewsPage {
        l: Layout::new(&op.ctx),
        page,
        now: crate::db::now(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/reviewed.html")]
pub(crate) struct ReviewedPage {
    l: Layout,
    page: Page<ReviewedRow>,
}

impl ReviewedPage {
    fn status_key(&self, r: &ReviewedRow) -> &'static str {
        status_label(&r.r.p.status)
    }
}

/// 已审核: the projects the platform has decided, latest first.
async fn done(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<CursorQuery>,
) -> AppResult<ReviewedPage> {
    let page = state
        .db
        .run(move |conn| review_store::reviewed(conn, q.cursor()))
        .await?;
    Ok(ReviewedPage {
        l: Layout::new(&op.ctx),
        page,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/review.html")]
pub(crate) struct ReviewPage {
    l: Layout,
    r: ReviewRow,
    file_name: String,
    reason: String,
    errors: Errors,
    now: i64,
}

impl ReviewPage {
    fn status_key(&self) -> &'static str {
        status_label(&self.r.p.status)
    }
    fn is_pending(&self) -> bool {
        self.r.p.status() == super::ProjectStatus::Pending
    }
    fn waited(&self) -> String {
        format_wait(self.l.lang, self.now - self.r.p.created_at)
    }
    fn overdue(&self) -> bool {
        review_overdue(self.r.p.created_at, self.now)
    }
}

async fn load_page(
    state: &AppState,
    op: &Operator,
    id: i64,
    reason: String,
    errors: Errors,
) -> AppResult<ReviewPage> {
    let (r, file) = state
        .db
        .run(move |conn| {
            let r = review_store::find(conn, id)?;
            let f = super::store::contract_file(conn, &r.p)?;
            Ok((r, f))
        })
        .await?;
    Ok(ReviewPage {
        l: Layout::new(&op.ctx),
        r,
        file_name: file.filename,
        reason,
        errors,
        now: crate::db::now(),
    })
}

async fn show(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<ReviewPage> {
    load_page(&state, &op, id, String::new(), Errors::default()).await
}

#[derive(Deserialize, Default)]
pub(crate) struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn approve(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let uid = op.user_id;
    let note: String = f.reason.trim().chars().take(500).collect();
    state
        .db
        .run(move |conn| review_store::decide(conn, uid, id, true, &note))
        .await?;
    Ok(flash_redirect(
        "/operator/reviews",
        "distribution.flash.approved",
    ))
}

async fn reject(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let reason = match parse_reject_reason(&f.reason) {
        Ok(r) => r,
        Err(key) => {
            let mut errors = Errors::default();
            errors.add("reason", key);
            let page = load_page(&state, &op, id, f.reason, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let uid = op.user_id;
    state
        .db
        .run(move |conn| review_store::decide(conn, uid, id, false, &reason))
        .await?;
    Ok(flash_redirect(
        "/operator/reviews",
        "distribution.flash.rejected",
    ))
}

async fn contract(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let storage = state.storage.clone();
    let (a, bytes) = state
        .db
        .run(move |conn| {
            let a = review_store::contract(conn, id)?;
            let bytes = storage.get(&a.storage_key)?;
            Ok((a, bytes))
        })
        .await?;
    Ok(super::routes::file_response(&a, bytes))
}
