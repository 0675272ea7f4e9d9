//! `/maintenance/audit`: the trail with its verification, and its CSV export. Customer
//! admins see their organisation's records, provider admins the records of their
//! organisation's developers.

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::Verification;
use super::store::{self, ChainCheck, RecordRow};
use crate::auth::OrgAdmin;
use crate::error::AppResult;
use crate::tools::CursorQuery;
use crate::web::{AppState, Layout, format_time};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/maintenance/audit", Policy::OrgAdmin, trail)
        .get("/maintenance/audit.csv", Policy::OrgAdmin, export)
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/maintenance/audit.html")]
pub(crate) struct TrailPage {
    l: Layout,
    checks: Vec<ChainCheck>,
    records: Vec<RecordRow>,
    prev: Option<i64>,
    next: Option<i64>,
}

impl TrailPage {
    fn broken_at(&self, c: &ChainCheck) -> Option<i64> {
        match c.result {
            Verification::Broken { record_id } => Some(record_id),
            Verification::Intact { .. } => None,
        }
    }
    pub(crate) fn check_text(&self, c: &ChainCheck) -> String {
        match (&c.result, self.broken_at(c)) {
            (_, Some(id)) => self.l.tf("distribution.audit.broken", "id", &id),
            (Verification::Intact { records }, None) => {
                self.l.tf("distribution.audit.intact", "count", records)
            }
            (Verification::Broken { .. }, None) => String::new(),
        }
    }
    pub(crate) fn is_broken(&self, c: &ChainCheck) -> bool {
        self.broken_at(c).is_some()
    }
    pub(crate) fn short(&self, hash: &str) -> String {
        hash.chars().take(12).collect()
    }
}

async fn trail(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Query(q): Query<CursorQuery>,
) -> AppResult<TrailPage> {
    let (checks, page) = state
        .db
        .run(move |conn| {
            Ok((
                store::verify_visible(conn, &scope)?,
                store::list(conn, &scope, q.cursor())?,
            ))
        })
        .await?;
    Ok(TrailPage {
        l: Layout::new(&ctx),
        checks,
        records: page.items,
        prev: page.prev,
        next: page.next,
    })
}

/// Spreadsheet programs run cells that start with these; a leading quote keeps them text.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The CSV of every visible record, UTF-8 with a BOM so spreadsheet programs read Chinese.
pub(crate) fn to_csv(rows: &[RecordRow]) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let err = crate::error::AppError::internal;
    w.write_record([
        "id",
        "time",
        "customer_org",
        "provider_org",
        "app",
        "grant",
        "actor",
        "action",
        "detail",
        "hash",
    ])
    .map_err(err)?;
    for r in rows {
        w.write_record([
            r.id.to_string(),
            format_time(r.created_at),
            cell(&r.customer_org),
            cell(&r.provider_org),
            cell(&r.app_name),
            r.grant_id.map(|g| g.to_string()).unwrap_or_default(),
            cell(&r.actor),
            cell(&r.action),
            cell(&r.detail),
            r.hash.clone(),
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| crate::error::AppError::internal(e.error()))
}

async fn export(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
) -> AppResult<Response> {
    let rows = state.db.run(move |conn| store::all(conn, &scope)).await?;
    let body = to_csv(&rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"maintenance-audit.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_starts_with_a_bom_and_defuses_formulas() {
        let rows = vec![RecordRow {
            id: 1,
            created_at: 0,
            customer_org: "客户".into(),
            provider_org: "=cmd".into(),
            app_name: "应用, \"引号\"".into(),
            grant_id: Some(2),
            actor: "张三".into(),
            action: "POST /apps/1/edit".into(),
            detail: "d".into(),
            hash: "ab".into(),
        }];
        let out = String::from_utf8(to_csv(&rows).expect("csv")).expect("utf8");
        assert!(out.starts_with('\u{feff}'));
        assert!(out.contains("'=cmd"));
        assert!(out.contains("\"应用, \"\"引号\"\"\""));
    }
}
