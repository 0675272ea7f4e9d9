//! The app centre for organisations: browsing (every member), installing and uninstalling
//! (the main admin or a platform admin), and the provider's app-centre orders.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::centre::{self, Cursor};
use super::centre_pages::{
    CentrePage, CentreProductPage, ConfirmPage, InstalledPage, ProviderOrdersPage, UninstallPage,
};
use super::installs::{self, Fate, Outcome};
use super::product_form::CATEGORIES;
use crate::auth::{InOrg, OrgAdmin};
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::tools::CursorQuery;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/app-centre", Policy::InOrg, listing)
        .get("/app-centre/products/{id}", Policy::InOrg, product)
        .get(
            "/app-centre/products/{id}/install",
            Policy::OrgAdmin,
            confirm,
        )
        .post(
            "/app-centre/products/{id}/install",
            Policy::OrgAdmin,
            install,
        )
        .get("/org/app-centre", Policy::OrgAdmin, installed)
        .get(
            "/org/app-centre/installs/{id}/uninstall",
            Policy::OrgAdmin,
            uninstall_page,
        )
        .post(
            "/org/app-centre/installs/{id}/uninstall",
            Policy::OrgAdmin,
            uninstall,
        )
        .get(
            "/provider/app-centre/orders",
            Policy::Provider,
            provider_orders,
        )
}

#[derive(Deserialize, Default)]
pub(crate) struct ListingQuery {
    #[serde(default)]
    category: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
}

async fn listing(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Query(lq): Query<ListingQuery>,
) -> AppResult<CentrePage> {
    let query = centre::Query {
        category: CATEGORIES
            .contains(&lq.category.as_str())
            .then_some(lq.category),
        q: lq.q.chars().take(50).collect(),
        after: Cursor::parse(&lq.after),
        before: Cursor::parse(&lq.before),
    };
    let org = scope.org_id();
    let q = query.clone();
    let listing = state
        .db
        .run(move |conn| centre::listing(conn, org, &q))
        .await?;
    Ok(CentrePage {
        l: Layout::new(&ctx),
        listing,
        query,
    })
}

async fn product(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<CentreProductPage> {
    let org = scope.org_id();
    let d = state
        .db
        .run(move |conn| centre::detail(conn, org, id))
        .await?;
    Ok(CentreProductPage {
        l: Layout::new(&ctx),
        d,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct EditionQuery {
    #[serde(default)]
    edition: String,
}

/// The purchase confirmation of a paid edition.
async fn confirm(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Path(id): Path<i64>,
    Query(eq): Query<EditionQuery>,
) -> AppResult<Response> {
    let org = scope.org_id();
    let edition = eq.edition.trim().parse::<i64>().unwrap_or(0);
    let d = state
        .db
        .run(move |conn| centre::detail(conn, org, id))
        .await?;
    if d.installed.is_some() {
        return Ok(flash_redirect(
            &format!("/app-centre/products/{id}"),
            "appcentre.flash.already_installed",
        ));
    }
    let Some(edition) = d.editions.iter().find(|e| e.id == edition).cloned() else {
        return Err(AppError::NotFound);
    };
    Ok(ConfirmPage {
        l: Layout::new(&ctx),
        provider: d.provider,
        p: d.p,
        edition,
    }
    .into_response())
}

#[derive(Deserialize)]
pub(crate) struct InstallForm {
    #[serde(default)]
    edition: String,
    #[serde(default)]
    confirm: String,
}

async fn install(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
    Path(id): Path<i64>,
    Form(f): Form<InstallForm>,
) -> AppResult<Response> {
    let edition = f
        .edition
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::BadRequest("appcentre.error.edition_unknown"))?;
    let confirmed = f.confirm == "yes";
    let s = scope.clone();
    let outcome = state
        .db
        .run(move |conn| installs::install(conn, &s, id, edition, confirmed))
        .await?;
    Ok(match outcome {
        Outcome::Confirm => Redirect::to(&format!(
            "/app-centre/products/{id}/install?edition={edition}"
        ))
        .into_response(),
        Outcome::Installed(app) => {
            tracing::info!(
                product.id = id,
                org.id = scope.org_id(),
                app.id = app,
                "app-centre install"
            );
            // Next: who may use it (使用范围).
            flash_redirect(&format!("/apps/{app}/scope"), "appcentre.flash.installed")
        }
        Outcome::Already(_) => flash_redirect(
            &format!("/app-centre/products/{id}"),
            "appcentre.flash.already_installed",
        ),
    })
}

async fn installed(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Query(q): Query<CursorQuery>,
) -> AppResult<InstalledPage> {
    let page = state
        .db
        .run(move |conn| installs::of_org(conn, &scope, q.cursor()))
        .await?;
    Ok(InstalledPage {
        l: Layout::new(&ctx),
        page,
    })
}

async fn uninstall_view(
    state: &AppState,
    ctx: &crate::auth::Ctx,
    scope: &crate::auth::OrgScope,
    id: i64,
    fate: Option<Fate>,
    error: Option<&'static str>,
) -> AppResult<UninstallPage> {
    let s = scope.clone();
    let (row, app_name, exports) = state
        .db
        .run(move |conn| {
            let row = installs::find_live(conn, &s, id)?;
            let name = installs::app_name(conn, &s, row.app_id);
            let exports = installs::exportable(conn, &s, row.app_id)?;
            Ok((row, name, exports))
        })
        .await?;
    Ok(UninstallPage {
        l: Layout::new(ctx),
        row,
        app_name,
        fate,
        exports,
        error,
    })
}

async fn uninstall_page(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<UninstallPage> {
    uninstall_view(&state, &ctx, &scope, id, None, None).await
}

#[derive(Deserialize)]
pub(crate) struct UninstallForm {
    #[serde(default)]
    fate: String,
    #[serde(default)]
    confirm: String,
}

/// First post: the choice, answered by the confirmation (with the export links when
/// exporting). Second post, confirmed: the uninstall.
async fn uninstall(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Path(id): Path<i64>,
    Form(f): Form<UninstallForm>,
) -> AppResult<Response> {
    let Some(fate) = Fate::parse(&f.fate) else {
        let page =
            uninstall_view(&state, &ctx, &scope, id, None, Some("appcentre.error.fate")).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if f.confirm != "yes" {
        let page = uninstall_view(&state, &ctx, &scope, id, Some(fate), None).await?;
        return Ok(page.into_response());
    }
    let s = scope.clone();
    state
        .db
        .run(move |conn| installs::uninstall(conn, &s, id, fate))
        .await?;
    tracing::info!(
        install.id = id,
        org.id = scope.org_id(),
        fate = fate.as_str(),
        "app-centre uninstall"
    );
    Ok(flash_redirect(
        "/org/app-centre",
        match fate {
            Fate::Keep => "appcentre.flash.uninstalled_kept",
            _ => "appcentre.flash.uninstalled_deleted",
        },
    ))
}

async fn provider_orders(
    State(state): State<AppState>,
    pv: Provider,
    Query(q): Query<CursorQuery>,
) -> AppResult<ProviderOrdersPage> {
    let org = pv.scope.org_id();
    let page = state
        .db
        .run(move |conn| installs::orders_of_provider(conn, org, q.cursor()))
        .await?;
    Ok(ProviderOrdersPage {
        l: Layout::new(&pv.ctx),
        page,
    })
}
