//! The provider's sub-pages of a quick-deploy application (its serial numbers, the
//! organisations that deployed, the funnel) and the quick-deploy API key. Only the
//! provider's own applications: another provider's answers as a missing one. Changes are
//! for the provider's admins.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::console_pages::{ApiKeyPage, AppHead, DeploymentsPage, FunnelPage, SerialsPage};
use super::serial_list::{self, RefusedLine, Upload};
use super::{api_keys, deployment_list, funnel_figures, model};
use crate::db::Conn;
use crate::distribution::Provider;
use crate::error::AppResult;
use crate::tools::{Cursor, CursorQuery};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

const APP: &str = "/provider/quick-deploy/applications/{id}";

pub(crate) fn router() -> Routes {
    Routes::new()
        .get(
            "/provider/quick-deploy/applications/{id}/serials",
            Policy::Provider,
            serials,
        )
        .get(
            "/provider/quick-deploy/applications/{id}/serials/export",
            Policy::Provider,
            export,
        )
        .post(
            "/provider/quick-deploy/applications/{id}/serials/generate",
            Policy::Provider,
            generate,
        )
        .post(
            "/provider/quick-deploy/applications/{id}/serials/upload",
            Policy::Provider,
            upload,
        )
        .get(
            "/provider/quick-deploy/applications/{id}/deployments",
            Policy::Provider,
            deployments,
        )
        .get(
            "/provider/quick-deploy/applications/{id}/funnel",
            Policy::Provider,
            funnel,
        )
        .get("/provider/quick-deploy/api-key", Policy::Provider, api_key)
        .post(
            "/provider/quick-deploy/api-key",
            Policy::Provider,
            issue_key,
        )
}

fn app_path(id: i64, rest: &str) -> String {
    format!("{}{rest}", APP.replace("{id}", &id.to_string()))
}

/// The provider's own application with its product's name (another's: `NotFound`).
fn head(conn: &mut Conn, provider: i64, id: i64) -> AppResult<AppHead> {
    let a = model::find_own(conn, provider, id)?;
    let product_name = crate::appcentre::product_ref(conn, a.target_product())
        .map(|p| p.name)
        .unwrap_or_else(|_| a.product_code.clone());
    Ok(AppHead { a, product_name })
}

#[derive(Deserialize, Default)]
struct SerialsQuery {
    after: Option<i64>,
    before: Option<i64>,
    flagged: Option<String>,
}

/// What the serial page shows besides the list.
#[derive(Default)]
struct Typed {
    count: String,
    errors: Errors,
    refused: Vec<RefusedLine>,
}

async fn serials_page(
    state: &AppState,
    pv: &Provider,
    id: i64,
    flagged_only: bool,
    cursor: Cursor,
    typed: Typed,
) -> AppResult<SerialsPage> {
    let org = pv.scope.org_id();
    let (h, page) = state
        .db
        .run(move |conn| {
            let h = head(conn, org, id)?;
            let page = serial_list::list(conn, id, flagged_only, cursor)?;
            Ok((h, page))
        })
        .await?;
    Ok(SerialsPage {
        l: Layout::new(&pv.ctx),
        h,
        is_admin: pv.is_admin(),
        flagged_only,
        page,
        count: if typed.count.is_empty() {
            "100".into()
        } else {
            typed.count
        },
        errors: typed.errors,
        refused: typed.refused,
    })
}

async fn serials(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Query(q): Query<SerialsQuery>,
) -> AppResult<SerialsPage> {
    let flagged = q.flagged.as_deref().is_some_and(|f| !f.is_empty());
    let cursor = Cursor::from_query(q.after, q.before);
    serials_page(&state, &pv, id, flagged, cursor, Typed::default()).await
}

async fn export(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let org = pv.scope.org_id();
    let lang = pv.ctx.lang;
    let header = [
        "quickdeploy.serials.number",
        "quickdeploy.serials.source",
        "quickdeploy.serials.created",
        "quickdeploy.serials.org",
        "quickdeploy.serials.corp_id",
        "quickdeploy.serials.redeemed_at",
        "quickdeploy.serials.tried_by",
    ]
    .map(|k| lang.t(k).into_owned());
    let bytes = state
        .db
        .run(move |conn| {
            model::find_own(conn, org, id)?;
            serial_list::export_csv(conn, id, &header, |r| lang.t(r.source_key()).into_owned())
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"serials.csv\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct GenerateForm {
    #[serde(default)]
    count: String,
}

/// The application, when its numbers are kept in the console (not by the endpoint).
async fn list_mode(state: &AppState, pv: &Provider, id: i64) -> AppResult<Option<&'static str>> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    let a = state
        .db
        .run(move |conn| model::find_own(conn, org, id))
        .await?;
    Ok((a.serial_source() != model::SerialSource::List)
        .then_some("quickdeploy.serials.endpoint_decides"))
}

async fn generate(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Form(f): Form<GenerateForm>,
) -> AppResult<Response> {
    let not_list = list_mode(&state, &pv, id).await?;
    let counted = serial_list::parse_count(&f.count).and_then(|n| match not_list {
        Some(k) => Err(k),
        None => Ok(n),
    });
    let n = match counted {
        Ok(n) => n,
        Err(k) => {
            let mut errors = Errors::default();
            errors.add("count", k);
            let typed = Typed {
                count: f.count,
                errors,
                refused: vec![],
            };
            let page = serials_page(&state, &pv, id, false, Cursor::First, typed).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let made = state
        .db
        .run(move |conn| serial_list::generate(conn, id, n))
        .await?;
    tracing::info!(
        application.id = id,
        count = made.len(),
        "serial numbers generated"
    );
    Ok(flash_redirect(
        &app_path(id, "/serials"),
        "quickdeploy.serials.flash_generated",
    ))
}

async fn upload(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let not_list = list_mode(&state, &pv, id).await?;
    let text = super::form::uploaded_text(mp).await?;
    let outcome = match not_list {
        Some(k) => Err(k),
        None => {
            let done = state
                .db
                .run(move |conn| serial_list::upload(conn, id, &text))
                .await?;
            match done {
                Upload::Added(n) => {
                    tracing::info!(application.id = id, count = n, "serial numbers uploaded");
                    return Ok(flash_redirect(
                        &app_path(id, "/serials"),
                        "quickdeploy.serials.flash_uploaded",
                    ));
                }
                Upload::Empty => Err("quickdeploy.serials.upload_empty"),
                Upload::TooLong => Err("quickdeploy.serials.upload_too_long"),
                Upload::Refused(lines) => Ok(lines),
            }
        }
    };
    let mut typed = Typed::default();
    match outcome {
        Ok(lines) => {
            typed
                .errors
                .add("file", "quickdeploy.serials.upload_refused");
            typed.refused = lines;
        }
        Err(k) => typed.errors.add("file", k),
    }
    let page = serials_page(&state, &pv, id, false, Cursor::First, typed).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn deployments(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Query(q): Query<CursorQuery>,
) -> AppResult<DeploymentsPage> {
    let org = pv.scope.org_id();
    let cursor = q.cursor();
    let (h, page) = state
        .db
        .run(move |conn| {
            let h = head(conn, org, id)?;
            Ok((h, deployment_list::list(conn, id, cursor)?))
        })
        .await?;
    Ok(DeploymentsPage {
        l: Layout::new(&pv.ctx),
        h,
        page,
    })
}

async fn funnel(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<FunnelPage> {
    let org = pv.scope.org_id();
    let (h, counts) = state
        .db
        .run(move |conn| {
            let h = head(conn, org, id)?;
            Ok((h, funnel_figures::counts(conn, id)?))
        })
        .await?;
    let rows = funnel_figures::rows(&counts, h.a.verify_serials);
    Ok(FunnelPage {
        l: Layout::new(&pv.ctx),
        h,
        rows,
    })
}

async fn key_page(
    state: &AppState,
    pv: &Provider,
    new_key: Option<String>,
) -> AppResult<ApiKeyPage> {
    let org = pv.scope.org_id();
    let info = state
        .db
        .run(move |conn| api_keys::current(conn, org))
        .await?;
    Ok(ApiKeyPage {
        l: Layout::new(&pv.ctx),
        info,
        new_key,
        api_url: format!(
            "{}/api/v1/quick-deploy/auth-info",
            state.config.public_base()
        ),
    })
}

async fn api_key(State(state): State<AppState>, pv: Provider) -> AppResult<ApiKeyPage> {
    pv.require_admin()?;
    key_page(&state, &pv, None).await
}

/// Issues or rotates the key and shows it this once (not a redirect: it is kept nowhere).
async fn issue_key(State(state): State<AppState>, pv: Provider) -> AppResult<Response> {
    pv.require_admin()?;
    let (org, by) = (pv.scope.org_id(), pv.scope.user_id());
    let key = state
        .db
        .run(move |conn| api_keys::issue(conn, org, by))
        .await?;
    tracing::info!(org.id = org, "quick-deploy API key issued");
    let page = key_page(&state, &pv, Some(key)).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
}
