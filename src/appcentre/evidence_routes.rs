//! The evidence pack's pages: printable and as one CSV file, for the product's provider
//! (its own products only: another provider's answers like a missing one) and for the
//! operator.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::evidence::{self, Evidence, EvidencePage};
use super::products;
use crate::auth::Operator;
use crate::db::now;
use crate::distribution::Provider;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get(
            "/provider/app-centre/products/{id}/evidence",
            Policy::Provider,
            provider_page,
        )
        .get(
            "/provider/app-centre/products/{id}/evidence.csv",
            Policy::Provider,
            provider_csv,
        )
        .get(
            "/operator/app-centre/products/{id}/evidence",
            Policy::Operator,
            operator_page,
        )
        .get(
            "/operator/app-centre/products/{id}/evidence.csv",
            Policy::Operator,
            operator_csv,
        )
}

/// The evidence of a product of `provider`, or of any product for the operator (None).
async fn gather(state: &AppState, provider: Option<i64>, id: i64) -> AppResult<Evidence> {
    state
        .db
        .run(move |conn| {
            let p = match provider {
                Some(org) => products::find_own(conn, org, id)?,
                None => products::find(conn, id)?,
            };
            evidence::gather(conn, p)
        })
        .await
}

/// The CSV as a download named after the product.
fn download(e: &Evidence, lang: Lang) -> AppResult<Response> {
    let body = evidence::csv(e, lang)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", e.file_name()),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

async fn provider_page(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<EvidencePage> {
    let e = gather(&state, Some(pv.scope.org_id()), id).await?;
    Ok(EvidencePage {
        l: Layout::new(&pv.ctx),
        e,
        operator: false,
        generated_at: now(),
    })
}

async fn provider_csv(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let e = gather(&state, Some(pv.scope.org_id()), id).await?;
    download(&e, pv.ctx.lang)
}

async fn operator_page(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<EvidencePage> {
    let e = gather(&state, None, id).await?;
    Ok(EvidencePage {
        l: Layout::new(&op.ctx),
        e,
        operator: true,
        generated_at: now(),
    })
}

async fn operator_csv(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let e = gather(&state, None, id).await?;
    download(&e, op.ctx.lang)
}
