//! An enterprise's custom app as its provider sees it (开始代开发应用): the configuration,
//! the trusted domain's proof, entering the app under the authorisation and leaving it;
//! and the logos of templates and custom apps.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::custom_apps;
use super::pages::AppConfigPage;
use super::routes::{admin_only, put_logo, read_form, text};
use super::rules::{AppConfigForm, check_app_config};
use super::store;
use crate::auth::{SESSION_GRANT, SESSION_GRANT_KIND, Signed};
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get(
            "/provider/custom-dev/custom-apps/{id}",
            Policy::Provider,
            app_config,
        )
        .post(
            "/provider/custom-dev/custom-apps/{id}",
            Policy::Provider,
            app_config_save,
        )
        .post(
            "/provider/custom-dev/custom-apps/{id}/verify-domain",
            Policy::Provider,
            verify_domain,
        )
        .post(
            "/provider/custom-dev/custom-apps/{id}/enter",
            Policy::Provider,
            enter,
        )
        .post("/custom-dev/leave", Policy::Signed, leave)
        .get(
            "/custom-dev/templates/{id}/logo",
            Policy::Signed,
            template_logo,
        )
        .get(
            "/custom-dev/custom-apps/{id}/logo",
            Policy::Signed,
            app_logo,
        )
}

fn well_known(c: &custom_apps::CustomApp) -> String {
    if c.trusted_domain.is_empty() {
        String::new()
    } else {
        format!("https://{}{}", c.trusted_domain, super::domain::WELL_KNOWN)
    }
}

async fn config_page(
    state: &AppState,
    pv: &Provider,
    id: i64,
    form: Option<AppConfigForm>,
    errors: Errors,
) -> AppResult<AppConfigPage> {
    let scope = pv.scope.clone();
    let (c, verified, confirmed, pending, client_id) = state
        .db
        .run(move |conn| {
            let c = custom_apps::for_provider(conn, &scope, id)?;
            let v = custom_apps::domain_verified_at(conn, id)?;
            let confirmed = super::consent::confirmed(conn, id)?;
            let pending = super::consent::pending(conn, id)?.map(|p| p.1);
            let client_id = super::api_store::client_id(conn, id)?;
            Ok((c, v, confirmed, pending, client_id))
        })
        .await?;
    let perms = super::permissions::custom()
        .map(|p| super::pages::PermissionState {
            key: p.key,
            confirmed: confirmed.iter().any(|k| k == p.key),
            requested: pending
                .as_ref()
                .is_some_and(|w| w.iter().any(|k| k == p.key)),
        })
        .collect();
    let form = form.unwrap_or_else(|| AppConfigForm {
        name: c.name.clone(),
        intro: c.intro.clone(),
        homepage_url: c.homepage_url.clone(),
        trusted_domain: c.trusted_domain.clone(),
        ip_allow_list: c.ip_allow_list.clone(),
        callback_url: c.callback_url.clone(),
    });
    Ok(AppConfigPage {
        l: Layout::new(&pv.ctx),
        well_known: well_known(&c),
        c,
        form,
        errors,
        domain_verified: verified.is_some(),
        perms,
        pending: pending.is_some(),
        client_id,
    })
}

async fn app_config(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<AppConfigPage> {
    config_page(&state, &pv, id, None, Errors::default()).await
}

async fn app_config_save(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    admin_only(&pv)?;
    let (texts, logo) = read_form(mp).await?;
    let form = AppConfigForm {
        name: text(&texts, "name"),
        intro: text(&texts, "intro"),
        homepage_url: text(&texts, "homepage_url"),
        trusted_domain: text(&texts, "trusted_domain"),
        ip_allow_list: text(&texts, "ip_allow_list"),
        callback_url: text(&texts, "callback_url"),
    };
    let banned = state
        .db
        .run(|conn| Ok(store::catalogue(conn)?.banned))
        .await?;
    let mut checked = check_app_config(&form, &banned, logo.as_deref());
    if let Ok(c) = &checked
        && let Some(k) =
            super::callbacks::app_url_refusal(&state, &pv.scope, id, &c.callback_url).await?
    {
        let mut e = Errors::default();
        e.add("callback_url", k);
        checked = Err(e);
    }
    let config = match checked {
        Ok(c) => c,
        Err(errors) => {
            let page = config_page(&state, &pv, id, Some(form), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let key = match logo {
        Some(b) => Some(put_logo(&state, &b)?),
        None => None,
    };
    let scope = pv.scope.clone();
    state
        .db
        .run(move |conn| custom_apps::configure(conn, &scope, id, &config, key))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/custom-dev/custom-apps/{id}"),
        "customdev.flash.configured",
    ))
}

/// Checks the trusted domain's proof: the app's token served at the well-known path.
async fn verify_domain(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    admin_only(&pv)?;
    let scope = pv.scope.clone();
    let c = state
        .db
        .run(move |conn| custom_apps::for_provider(conn, &scope, id))
        .await?;
    if !c.is_active() {
        return Err(AppError::Conflict("customdev.error.cancelled"));
    }
    let outbound = state.config.outbound();
    let refusal = if c.trusted_domain.is_empty() {
        "customdev.error.domain_missing"
    } else {
        match super::domain::prove(&c.trusted_domain, &c.domain_token, &outbound).await {
            Ok(()) => {
                let scope = pv.scope.clone();
                state
                    .db
                    .run(move |conn| custom_apps::domain_verified(conn, &scope, id))
                    .await?;
                tracing::info!(authorisation.id = id, domain = %c.trusted_domain, "trusted domain proven");
                return Ok(flash_redirect(
                    &format!("/provider/custom-dev/custom-apps/{id}"),
                    "customdev.flash.domain_verified",
                ));
            }
            Err(e) => e.key(),
        }
    };
    let mut e = Errors::default();
    e.add("trusted_domain", refusal);
    let page = config_page(&state, &pv, id, None, e).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Enters an enterprise's custom app under its authorisation: from now on the session
/// acts inside the enterprise, on that app only, while the authorisation stays active.
async fn enter(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = pv.scope.clone();
    let c = state
        .db
        .run(move |conn| custom_apps::for_provider(conn, &scope, id))
        .await?;
    let Some(app_id) = c.app_id.filter(|_| c.is_active()) else {
        return Err(AppError::Conflict("customdev.error.authorisation_ended"));
    };
    let session = &pv.ctx.session;
    session
        .insert(SESSION_GRANT, id)
        .await
        .map_err(AppError::internal)?;
    session
        .insert(SESSION_GRANT_KIND, super::delegation::KIND)
        .await
        .map_err(AppError::internal)?;
    tracing::info!(authorisation.id = id, "entered a custom app");
    Ok(flash_redirect(
        &format!("/apps/{app_id}"),
        "customdev.flash.entered",
    ))
}

/// Leaves the enterprise and returns to one's own organisations.
async fn leave(Signed { ctx, user }: Signed) -> AppResult<Response> {
    let back = user
        .current()
        .and_then(|m| m.grant.as_ref())
        .map(|g| format!("/provider/custom-dev/custom-apps/{}", g.grant_id));
    ctx.session
        .remove::<i64>(SESSION_GRANT)
        .await
        .map_err(AppError::internal)?;
    ctx.session
        .remove::<String>(SESSION_GRANT_KIND)
        .await
        .map_err(AppError::internal)?;
    Ok(flash_redirect(
        back.as_deref().unwrap_or("/provider/custom-dev"),
        "customdev.flash.left",
    ))
}

/// A template's current logo: shown to the provider and to the enterprises it is
/// offered to, so any signed-in user may see it.
async fn template_logo(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let storage = state.storage.clone();
    let bytes = state
        .db
        .run(move |conn| {
            let t = store::any_template(conn, id)?;
            let key = t.live.as_ref().unwrap_or(&t.latest).logo_key.clone();
            storage.get(&key)
        })
        .await?;
    Ok(crate::web::image_response(bytes))
}

/// A custom app's logo: its provider's and its enterprise's people only.
async fn app_logo(
    State(state): State<AppState>,
    Signed { user, .. }: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let storage = state.storage.clone();
    let bytes = state
        .db
        .run(move |conn| {
            let c = custom_apps::load(conn, id)?.ok_or(AppError::NotFound)?;
            let mine = user
                .memberships
                .iter()
                .any(|m| m.org_id == c.provider_org_id || m.org_id == c.enterprise_org_id);
            if !mine {
                return Err(AppError::NotFound);
            }
            storage.get(&c.logo_key)
        })
        .await?;
    Ok(crate::web::image_response(bytes))
}
