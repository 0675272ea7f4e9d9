//! The provider's side: its applications and unused invitation codes, the application
//! form (after seller onboarding: 确保云市场服务商审核通过), and an application's page with,
//! once approved, the deploy link and its QR code (its controls and the defects to answer
//! are `provider_link_routes`).

use std::collections::HashMap;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::applications;
use super::form::AppForm;
use super::pages::{FormPage, ProviderAppPage, ProviderHome, Shown};
use super::{codes, defects, icon, model};
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::tools::CursorQuery;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/provider/quick-deploy", Policy::Provider, home)
        .get(
            "/provider/quick-deploy/applications/new",
            Policy::Provider,
            new_form,
        )
        .post(
            "/provider/quick-deploy/applications",
            Policy::Provider,
            create,
        )
        .get(
            "/provider/quick-deploy/applications/{id}",
            Policy::Provider,
            show,
        )
        .get(
            "/provider/quick-deploy/applications/{id}/icon",
            Policy::Provider,
            icon_file,
        )
        .get(
            "/provider/quick-deploy/applications/{id}/edit",
            Policy::Provider,
            edit,
        )
        .post(
            "/provider/quick-deploy/applications/{id}/edit",
            Policy::Provider,
            resubmit,
        )
}

async fn home(
    State(state): State<AppState>,
    pv: Provider,
    Query(q): Query<CursorQuery>,
) -> AppResult<ProviderHome> {
    let org = pv.scope.org_id();
    let cursor = q.cursor();
    let (onboarded, apps, codes) = state
        .db
        .run(move |conn| {
            Ok((
                crate::appcentre::seller_onboarded(conn, org)?,
                applications::list_own(conn, org, cursor)?,
                codes::unused_of(conn, org)?,
            ))
        })
        .await?;
    Ok(ProviderHome {
        l: Layout::new(&pv.ctx),
        onboarded,
        is_admin: pv.is_admin(),
        apps,
        codes,
    })
}

/// The form is for the admins of an onboarded seller.
async fn may_apply(state: &AppState, pv: &Provider) -> AppResult<()> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    let onboarded = state
        .db
        .run(move |conn| crate::appcentre::seller_onboarded(conn, org))
        .await?;
    if onboarded {
        Ok(())
    } else {
        Err(AppError::Forbidden("quickdeploy.error.not_onboarded"))
    }
}

async fn form_page(
    state: &AppState,
    pv: &Provider,
    editing: Option<i64>,
    form: AppForm,
    errors: Errors,
) -> AppResult<FormPage> {
    let org = pv.scope.org_id();
    let products = state
        .db
        .run(move |conn| crate::appcentre::accepted_products(conn, org))
        .await?;
    Ok(FormPage {
        l: Layout::new(&pv.ctx),
        editing,
        form,
        errors,
        products,
    })
}

async fn new_form(State(state): State<AppState>, pv: Provider) -> AppResult<FormPage> {
    may_apply(&state, &pv).await?;
    let form = AppForm {
        provider_name: pv
            .ctx
            .user
            .as_ref()
            .and_then(|u| u.current())
            .map(|m| m.org_name.clone())
            .unwrap_or_default(),
        ..AppForm::default()
    };
    form_page(&state, &pv, None, form, Errors::default()).await
}

/// The text fields and the `icon` file of the multipart form.
async fn read_form(mut mp: Multipart) -> AppResult<(HashMap<String, String>, Vec<u8>)> {
    let mut texts = HashMap::new();
    let mut icon = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.bad_request"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let is_file = field.file_name().is_some();
        let bytes = field
            .bytes()
            .await
            .map_err(|_| AppError::BadRequest("error.bad_request"))?;
        if is_file {
            if name == "icon" {
                icon = bytes.to_vec();
            }
        } else {
            texts.insert(name, crate::web::input::text_field(&bytes)?);
        }
    }
    Ok((texts, icon))
}

/// Everything the form's rules say, with the values to store when they pass: the
/// checked choices, the product, the code to take and the icon to store.
struct Passed {
    checked: super::form::Checked,
    product_id: i64,
    code_id: Option<i64>,
    icon: Option<Vec<u8>>,
}

async fn check(
    state: &AppState,
    pv: &Provider,
    f: &AppForm,
    icon_bytes: &[u8],
    resubmitting: bool,
) -> AppResult<Result<Passed, Errors>> {
    let mut e = Errors::default();
    let checked = f.check_text(&mut e);
    let icon = if resubmitting && icon_bytes.is_empty() {
        None
    } else if icon_bytes.len() > state.config.max_upload_bytes() {
        e.add("icon", "quickdeploy.error.icon_bytes");
        None
    } else {
        match icon::check(icon_bytes, f.apply_mask) {
            Ok(b) => Some(b),
            Err(k) => {
                e.add("icon", k);
                None
            }
        }
    };
    let org = pv.scope.org_id();
    let form = f.clone();
    let (e, looked) = state
        .db
        .run(move |conn| {
            let looked = applications::check_lookups(conn, org, &form, resubmitting, &mut e)?;
            Ok((e, looked))
        })
        .await?;
    if !e.is_empty() {
        return Ok(Err(e));
    }
    match (checked, looked) {
        (Some(checked), Some(l)) => Ok(Ok(Passed {
            checked,
            product_id: l.product_id,
            code_id: l.code_id,
            icon,
        })),
        _ => Err(AppError::internal(
            "the application form passed without its values",
        )),
    }
}

fn store_icon(state: &AppState, bytes: &[u8]) -> AppResult<String> {
    let key = format!("qd-{}.png", uuid::Uuid::new_v4());
    state.storage.put(&key, bytes)?;
    Ok(key)
}

/// A multipart body, read after the caller's rights are checked (a refusal is a 403
/// whatever was posted).
type Body = Result<Multipart, MultipartRejection>;

fn body(mp: Body) -> AppResult<Multipart> {
    mp.map_err(|_| AppError::BadRequest("error.bad_request"))
}

async fn create(State(state): State<AppState>, pv: Provider, mp: Body) -> AppResult<Response> {
    may_apply(&state, &pv).await?;
    let mp = body(mp)?;
    let (texts, icon_bytes) = read_form(mp).await?;
    let f = AppForm::from_texts(&texts);
    let p = match check(&state, &pv, &f, &icon_bytes, false).await? {
        Ok(p) => p,
        Err(errors) => {
            let page = form_page(&state, &pv, None, f, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (Some(code_id), Some(icon)) = (p.code_id, p.icon.as_deref()) else {
        return Err(AppError::internal(
            "an application without its code or icon",
        ));
    };
    let key = store_icon(&state, icon)?;
    let (org, by) = (pv.scope.org_id(), pv.scope.user_id());
    let id = state
        .db
        .run(move |conn| {
            applications::create(conn, org, by, &f, &p.checked, p.product_id, code_id, &key)
        })
        .await?;
    tracing::info!(
        application.id = id,
        provider.org = org,
        "quick-deploy application submitted"
    );
    Ok(flash_redirect(
        &format!("/provider/quick-deploy/applications/{id}"),
        "quickdeploy.flash.submitted",
    ))
}

/// What an application's pages show, for `provider` (or the operator: `None`).
pub(crate) async fn shown(state: &AppState, provider: Option<i64>, id: i64) -> AppResult<Shown> {
    let base = state.config.public_base();
    state
        .db
        .run(move |conn| {
            let a = match provider {
                Some(p) => model::find_own(conn, p, id)?,
                None => model::find(conn, id)?,
            };
            let product_name = crate::appcentre::product_ref(conn, a.product_id)
                .map(|p| p.name)
                .unwrap_or_else(|_| a.product_code.clone());
            let target_name = match a.link_product_id {
                Some(t) if t != a.product_id => Some(
                    crate::appcentre::product_ref(conn, t)
                        .map(|p| p.name)
                        .unwrap_or_default(),
                ),
                _ => None,
            };
            let code = codes::find(conn, a.invite_code_id)
                .map(|c| c.code)
                .unwrap_or_default();
            let url = match (a.status(), &a.link_token) {
                (model::ApplicationStatus::Approved, Some(t)) => Some(model::link_url(&base, t)),
                _ => None,
            };
            let qr_svg = url
                .as_deref()
                .map(crate::tools::qr::qr_svg)
                .unwrap_or_default();
            Ok(Shown {
                defects: defects::of_application(conn, id)?,
                a,
                product_name,
                target_name,
                code,
                url,
                qr_svg,
                now: crate::db::now(),
            })
        })
        .await
}

pub(super) async fn app_page(
    state: &AppState,
    pv: &Provider,
    id: i64,
    refused: Option<(i64, &'static str, &'static str)>,
) -> AppResult<ProviderAppPage> {
    let org = pv.scope.org_id();
    let s = shown(state, Some(org), id).await?;
    let products = state
        .db
        .run(move |conn| crate::appcentre::accepted_products(conn, org))
        .await?;
    Ok(ProviderAppPage {
        l: Layout::new(&pv.ctx),
        s,
        is_admin: pv.is_admin(),
        products,
        refused,
    })
}

async fn show(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<ProviderAppPage> {
    app_page(&state, &pv, id, None).await
}

async fn icon_file(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let org = pv.scope.org_id();
    let a = state
        .db
        .run(move |conn| model::find_own(conn, org, id))
        .await?;
    Ok(crate::web::image_response(state.storage.get(&a.icon_key)?))
}

async fn edit(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<FormPage> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    let (a, code) = state
        .db
        .run(move |conn| {
            let a = model::find_own(conn, org, id)?;
            let code = codes::find(conn, a.invite_code_id)?.code;
            Ok((a, code))
        })
        .await?;
    if a.status() != model::ApplicationStatus::Rejected {
        return Err(AppError::Conflict("quickdeploy.error.not_editable"));
    }
    form_page(
        &state,
        &pv,
        Some(id),
        AppForm::of(&a, &code),
        Errors::default(),
    )
    .await
}

async fn resubmit(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    mp: Body,
) -> AppResult<Response> {
    pv.require_admin()?;
    let mp = body(mp)?;
    let org = pv.scope.org_id();
    let (a, code) = state
        .db
        .run(move |conn| {
            let a = model::find_own(conn, org, id)?;
            let code = codes::find(conn, a.invite_code_id)?.code;
            Ok((a, code))
        })
        .await?;
    if a.status() != model::ApplicationStatus::Rejected {
        return Err(AppError::Conflict("quickdeploy.error.not_editable"));
    }
    let (texts, icon_bytes) = read_form(mp).await?;
    let mut f = AppForm::from_texts(&texts);
    // The code stays the one this application took.
    f.invite_code = code;
    let p = match check(&state, &pv, &f, &icon_bytes, true).await? {
        Ok(p) => p,
        Err(errors) => {
            let page = form_page(&state, &pv, Some(id), f, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let key = match p.icon.as_deref() {
        Some(b) => Some(store_icon(&state, b)?),
        None => None,
    };
    state
        .db
        .run(move |conn| {
            applications::resubmit(conn, org, id, &f, &p.checked, p.product_id, key.as_deref())
        })
        .await?;
    Ok(flash_redirect(
        &format!("/provider/quick-deploy/applications/{id}"),
        "quickdeploy.flash.resubmitted",
    ))
}
