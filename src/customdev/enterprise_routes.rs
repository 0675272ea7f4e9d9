//! The enterprise's side: the authorisation page reached by a template's (or a batch's)
//! QR code or link, and 组织管理 › 代开发应用 with cancelling.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::custom_apps;
use super::pages::{AuthorisePage, AuthorisedPage, CancelPage, ExpiredPage, OrgAppsPage};
use super::rules::CancelOutcome;
use super::store::{self, Template};
use crate::auth::{InOrg, OrgAdmin};
use crate::error::AppResult;
use crate::tools::CursorQuery;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get(
            "/custom-dev/authorise/{token}",
            Policy::InOrg,
            authorise_page,
        )
        .post("/custom-dev/authorise/{token}", Policy::InOrg, authorise)
        .get("/custom-dev/batch/{token}", Policy::InOrg, batch_page)
        .post("/custom-dev/batch/{token}", Policy::InOrg, batch_authorise)
        .get("/org/custom-apps", Policy::OrgAdmin, org_apps)
        .get(
            "/org/custom-apps/{id}/cancel",
            Policy::OrgAdmin,
            cancel_page,
        )
        .post("/org/custom-apps/{id}/cancel", Policy::OrgAdmin, cancel)
}

/// The page for `templates` of one provider, telling a non-admin who can authorise.
async fn page_for(
    state: &AppState,
    io: &InOrg,
    templates: Vec<Template>,
    action: String,
    expires_at: Option<i64>,
) -> AppResult<AuthorisePage> {
    let org = io.scope.org_id();
    let ids: Vec<i64> = templates.iter().map(|t| t.id).collect();
    let (existing, admins) = state
        .db
        .run(move |conn| {
            let mut existing = Vec::new();
            for t in ids {
                if let Some(c) = custom_apps::active_for(conn, t, org)? {
                    existing.push((t, c));
                }
            }
            Ok((existing, custom_apps::admin_names(conn, org)?))
        })
        .await?;
    Ok(AuthorisePage {
        l: Layout::new(&io.ctx),
        provider: templates
            .first()
            .map(|t| t.provider_name.clone())
            .unwrap_or_default(),
        templates,
        existing,
        action,
        is_admin: io.scope.is_admin(),
        admins: admins.join("、"),
        expires_at,
    })
}

async fn authorise_page(
    State(state): State<AppState>,
    io: InOrg,
    Path(token): Path<String>,
) -> AppResult<AuthorisePage> {
    let t = token.clone();
    let tpl = state
        .db
        .run(move |conn| store::live_by_token(conn, &t))
        .await?;
    page_for(
        &state,
        &io,
        vec![tpl],
        format!("/custom-dev/authorise/{token}"),
        None,
    )
    .await
}

/// Authorising: only the enterprise's main or platform admins may; others get the page
/// naming them (403).
async fn run_authorise(
    state: &AppState,
    io: InOrg,
    templates: Vec<Template>,
    action: String,
) -> AppResult<Response> {
    if !io.scope.is_admin() {
        let page = page_for(state, &io, templates, action, None).await?;
        return Ok((StatusCode::FORBIDDEN, page).into_response());
    }
    let scope = io.scope.clone();
    let done = state
        .db
        .run(move |conn| custom_apps::authorise(conn, &scope, &templates))
        .await?;
    tracing::info!(
        org.id = io.scope.org_id(),
        created = done.created.len(),
        skipped = done.skipped.len(),
        "templates authorised"
    );
    Ok(AuthorisedPage {
        l: Layout::new(&io.ctx),
        created: done.created,
        skipped: done.skipped,
    }
    .into_response())
}

async fn authorise(
    State(state): State<AppState>,
    io: InOrg,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let t = token.clone();
    let tpl = state
        .db
        .run(move |conn| store::live_by_token(conn, &t))
        .await?;
    run_authorise(
        &state,
        io,
        vec![tpl],
        format!("/custom-dev/authorise/{token}"),
    )
    .await
}

/// The live templates of a batch, or the page saying it expired (410).
async fn batch_templates(
    state: &AppState,
    io: &InOrg,
    token: &str,
) -> AppResult<Result<(Vec<Template>, i64), Response>> {
    let t = token.to_string();
    let b = state
        .db
        .run(move |conn| store::batch_by_token(conn, &t))
        .await?;
    if b.expired(crate::db::now()) {
        let page = ExpiredPage {
            l: Layout::new(&io.ctx),
            provider: b
                .templates
                .first()
                .map(|t| t.provider_name.clone())
                .unwrap_or_default(),
        };
        return Ok(Err((StatusCode::GONE, page).into_response()));
    }
    let live = b.templates.into_iter().filter(Template::is_live).collect();
    Ok(Ok((live, b.expires_at)))
}

async fn batch_page(
    State(state): State<AppState>,
    io: InOrg,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (templates, expires_at) = match batch_templates(&state, &io, &token).await? {
        Ok(x) => x,
        Err(page) => return Ok(page),
    };
    Ok(page_for(
        &state,
        &io,
        templates,
        format!("/custom-dev/batch/{token}"),
        Some(expires_at),
    )
    .await?
    .into_response())
}

async fn batch_authorise(
    State(state): State<AppState>,
    io: InOrg,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (templates, _) = match batch_templates(&state, &io, &token).await? {
        Ok(x) => x,
        Err(page) => return Ok(page),
    };
    run_authorise(&state, io, templates, format!("/custom-dev/batch/{token}")).await
}

async fn org_apps(
    State(state): State<AppState>,
    oa: OrgAdmin,
    Query(q): Query<CursorQuery>,
) -> AppResult<OrgAppsPage> {
    let scope = oa.scope.clone();
    let page = state
        .db
        .run(move |conn| custom_apps::of_enterprise(conn, &scope, q.cursor()))
        .await?;
    Ok(OrgAppsPage {
        l: Layout::new(&oa.ctx),
        page,
    })
}

async fn cancel_view(
    state: &AppState,
    oa: &OrgAdmin,
    id: i64,
    error: Option<&'static str>,
) -> AppResult<CancelPage> {
    let scope = oa.scope.clone();
    let (c, forms) = state
        .db
        .run(move |conn| {
            let c = custom_apps::for_enterprise(conn, &scope, id)?;
            let forms = match c.app_id {
                Some(app) => crate::apps::pages_of(conn, &scope, app)?
                    .into_iter()
                    .filter(|p| {
                        matches!(
                            p.kind(),
                            crate::apps::PageKind::Form | crate::apps::PageKind::Process
                        )
                    })
                    .map(|p| (p.id, p.name))
                    .collect(),
                None => vec![],
            };
            Ok((c, forms))
        })
        .await?;
    Ok(CancelPage {
        l: Layout::new(&oa.ctx),
        c,
        forms,
        error,
    })
}

async fn cancel_page(
    State(state): State<AppState>,
    oa: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<CancelPage> {
    cancel_view(&state, &oa, id, None).await
}

#[derive(Deserialize)]
pub(crate) struct CancelForm {
    #[serde(default)]
    outcome: String,
}

async fn cancel(
    State(state): State<AppState>,
    oa: OrgAdmin,
    Path(id): Path<i64>,
    Form(f): Form<CancelForm>,
) -> AppResult<Response> {
    let Some(outcome) = CancelOutcome::parse(&f.outcome) else {
        let page = cancel_view(&state, &oa, id, Some("customdev.error.choose_outcome")).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let scope = oa.scope.clone();
    state
        .db
        .run(move |conn| custom_apps::cancel(conn, &scope, id, outcome))
        .await?;
    tracing::info!(
        authorisation.id = id,
        outcome = outcome.as_str(),
        "authorisation cancelled"
    );
    Ok(flash_redirect(
        "/org/custom-apps",
        "customdev.flash.cancelled",
    ))
}
