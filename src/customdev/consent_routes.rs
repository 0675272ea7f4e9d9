//! Permission pages: the provider requests custom permissions and manages the app's API
//! secret; the enterprise reads what the provider could newly do, agrees or declines,
//! revokes, and reads the consent history.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::pages::{ConfirmedPage, EnterprisePermissionsPage, PermissionLine, SecretPage};
use super::{api_store, consent, custom_apps, permissions};
use crate::auth::OrgAdmin;
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .post(
            "/provider/custom-dev/custom-apps/{id}/permissions",
            Policy::Provider,
            request,
        )
        .get(
            "/provider/custom-dev/custom-apps/{id}/permissions",
            Policy::Provider,
            confirmed,
        )
        .post(
            "/provider/custom-dev/custom-apps/{id}/secret",
            Policy::Provider,
            secret,
        )
        .get(
            "/org/custom-apps/{id}/permissions",
            Policy::OrgAdmin,
            enterprise,
        )
        .post(
            "/org/custom-apps/{id}/permissions/agree",
            Policy::OrgAdmin,
            agree,
        )
        .post(
            "/org/custom-apps/{id}/permissions/decline",
            Policy::OrgAdmin,
            decline,
        )
        .post(
            "/org/custom-apps/{id}/permissions/revoke",
            Policy::OrgAdmin,
            revoke,
        )
}

fn provider_admin(pv: &Provider) -> AppResult<()> {
    if pv.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("customdev.error.provider_admin_only"))
    }
}

/// The provider saves the custom set it wants (the checked boxes).
async fn request(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    provider_admin(&pv)?;
    let wanted: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "perm")
        .map(|(_, v)| v)
        .collect();
    let scope = pv.scope.clone();
    let e = state
        .db
        .run(move |conn| consent::request(conn, &scope, id, &wanted))
        .await?;
    let key = if e.added.is_empty() {
        "customdev.flash.permissions_saved"
    } else {
        "customdev.flash.permissions_requested"
    };
    Ok(flash_redirect(
        &format!("/provider/custom-dev/custom-apps/{id}"),
        key,
    ))
}

/// 查看企业已确认权限: what is in force now.
async fn confirmed(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<ConfirmedPage> {
    let scope = pv.scope.clone();
    let (c, keys) = state
        .db
        .run(move |conn| {
            let c = custom_apps::for_provider(conn, &scope, id)?;
            let keys = consent::confirmed(conn, id)?;
            Ok((c, keys))
        })
        .await?;
    Ok(ConfirmedPage {
        l: Layout::new(&pv.ctx),
        c,
        confirmed: keys,
    })
}

/// Issues or rotates the API secret and shows it once.
async fn secret(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<SecretPage> {
    provider_admin(&pv)?;
    let scope = pv.scope.clone();
    let (c, (client_id, secret)) = state
        .db
        .run(move |conn| {
            let pair = api_store::issue_secret(conn, &scope, id)?;
            Ok((custom_apps::for_provider(conn, &scope, id)?, pair))
        })
        .await?;
    tracing::info!(authorisation.id = id, "API secret issued");
    Ok(SecretPage {
        l: Layout::new(&pv.ctx),
        c,
        client_id,
        secret,
    })
}

async fn enterprise(
    State(state): State<AppState>,
    oa: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<EnterprisePermissionsPage> {
    let scope = oa.scope.clone();
    let lang = oa.ctx.lang;
    let (c, confirmed, pending, history) = state
        .db
        .run(move |conn| {
            let c = custom_apps::for_enterprise(conn, &scope, id)?;
            let confirmed = consent::confirmed(conn, id)?;
            let pending = match consent::pending(conn, id)? {
                Some((_, wanted)) => {
                    let mut lines = Vec::new();
                    for k in wanted.iter().filter(|k| !confirmed.contains(k)) {
                        lines.push(PermissionLine {
                            key: k.clone(),
                            impact: consent::impact(conn, &c, k, lang)?,
                        });
                    }
                    Some(lines)
                }
                None => None,
            };
            let confirmed = confirmed
                .iter()
                .map(|k| {
                    Ok(PermissionLine {
                        key: k.clone(),
                        impact: consent::impact(conn, &c, k, lang)?,
                    })
                })
                .collect::<AppResult<Vec<_>>>()?;
            Ok((c, confirmed, pending, consent::history(conn, id)?))
        })
        .await?;
    Ok(EnterprisePermissionsPage {
        l: Layout::new(&oa.ctx),
        c,
        basic: permissions::CATALOGUE
            .iter()
            .filter(|p| p.basic)
            .map(|p| p.key)
            .collect(),
        confirmed,
        pending,
        history,
    })
}

async fn decide(state: &AppState, oa: &OrgAdmin, id: i64, agree: bool) -> AppResult<Response> {
    let scope = oa.scope.clone();
    state
        .db
        .run(move |conn| consent::decide(conn, &scope, id, agree))
        .await?;
    Ok(flash_redirect(
        &format!("/org/custom-apps/{id}/permissions"),
        if agree {
            "customdev.flash.permissions_agreed"
        } else {
            "customdev.flash.permissions_declined"
        },
    ))
}

async fn agree(
    State(state): State<AppState>,
    oa: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    decide(&state, &oa, id, true).await
}

async fn decline(
    State(state): State<AppState>,
    oa: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    decide(&state, &oa, id, false).await
}

#[derive(Deserialize)]
pub(crate) struct RevokeForm {
    #[serde(default)]
    perm: String,
}

async fn revoke(
    State(state): State<AppState>,
    oa: OrgAdmin,
    Path(id): Path<i64>,
    Form(f): Form<RevokeForm>,
) -> AppResult<Response> {
    let scope = oa.scope.clone();
    state
        .db
        .run(move |conn| consent::revoke(conn, &scope, id, &f.perm))
        .await?;
    Ok(flash_redirect(
        &format!("/org/custom-apps/{id}/permissions"),
        "customdev.flash.permission_revoked",
    ))
}
