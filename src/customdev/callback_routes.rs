//! The provider's callback pages: a template's callback URL and token, a custom app's
//! callback token and delivery log with redelivery. The verification itself runs when a
//! template or an app configuration is saved (`routes.rs` asks [`super::callbacks`]).

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::callbacks;
use super::custom_apps;
use super::pages::{CallbacksPage, TemplateCallbackPage};
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::tools::CursorQuery;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get(
            "/provider/custom-dev/{id}/callback",
            Policy::Provider,
            template_callback,
        )
        .get(
            "/provider/custom-dev/custom-apps/{id}/callbacks",
            Policy::Provider,
            app_callbacks,
        )
        .post(
            "/provider/custom-dev/custom-apps/{id}/callbacks/{delivery}/redeliver",
            Policy::Provider,
            redeliver,
        )
}

async fn template_callback(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<TemplateCallbackPage> {
    let scope = pv.scope.clone();
    let (name, url, token) = state
        .db
        .run(move |conn| callbacks::template_callback(conn, &scope, id))
        .await?;
    Ok(TemplateCallbackPage {
        l: Layout::new(&pv.ctx),
        id,
        name,
        url,
        token,
    })
}

async fn app_callbacks(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Query(q): Query<CursorQuery>,
) -> AppResult<CallbacksPage> {
    let scope = pv.scope.clone();
    let (c, token, page) = state
        .db
        .run(move |conn| {
            let c = custom_apps::for_provider(conn, &scope, id)?;
            let token = callbacks::app_token(conn, &scope, id)?;
            let page = callbacks::deliveries(conn, &scope, id, q.cursor())?;
            Ok((c, token, page))
        })
        .await?;
    Ok(CallbacksPage {
        l: Layout::new(&pv.ctx),
        is_admin: pv.is_admin(),
        c,
        token,
        page,
    })
}

async fn redeliver(
    State(state): State<AppState>,
    pv: Provider,
    Path((id, delivery)): Path<(i64, i64)>,
) -> AppResult<Response> {
    if !pv.is_admin() {
        return Err(AppError::Forbidden("customdev.error.provider_admin_only"));
    }
    let scope = pv.scope.clone();
    state
        .db
        .run(move |conn| callbacks::redeliver(conn, &scope, id, delivery))
        .await?;
    tracing::info!(
        authorisation.id = id,
        delivery.id = delivery,
        "callback redelivery queued"
    );
    Ok(flash_redirect(
        &format!("/provider/custom-dev/custom-apps/{id}/callbacks"),
        "customdev.callback.redelivered",
    ))
}
