//! The provider's side: the invitation notice, the seller application, products from
//! creation to submission, and their screenshots.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{ProductFormPage, ProductPage, ProviderPage};
use super::product_form::ProductForm;
use super::rules::Stage;
use super::sellers::{self, ApplyForm};
use super::{products, reviews, screenshots};
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::tools::{Cursor, CursorQuery};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/provider/app-centre", Policy::Provider, home)
        .post("/provider/app-centre/seller", Policy::Provider, apply)
        .get(
            "/provider/app-centre/products/new",
            Policy::Provider,
            new_product,
        )
        .post("/provider/app-centre/products", Policy::Provider, create)
        .get("/provider/app-centre/products/{id}", Policy::Provider, show)
        .get(
            "/provider/app-centre/products/{id}/edit",
            Policy::Provider,
            edit,
        )
        .post(
            "/provider/app-centre/products/{id}/edit",
            Policy::Provider,
            update,
        )
        .post(
            "/provider/app-centre/products/{id}/submit",
            Policy::Provider,
            submit,
        )
        .post(
            "/provider/app-centre/products/{id}/screenshots",
            Policy::Provider,
            upload,
        )
        .post(
            "/provider/app-centre/products/{id}/screenshots/{shot}/remove",
            Policy::Provider,
            remove_shot,
        )
        .get(
            "/app-centre/screenshots/{shot}",
            Policy::Signed,
            screenshots::serve,
        )
}

async fn home_page(
    state: &AppState,
    pv: &Provider,
    cursor: Cursor,
    apply: ApplyForm,
    errors: Errors,
) -> AppResult<ProviderPage> {
    let org = pv.scope.org_id();
    let (standing, products) = state
        .db
        .run(move |conn| {
            let st = sellers::standing(conn, org)?;
            let list = if st.onboarded() {
                products::list(conn, org, cursor)?
            } else {
                crate::web::Page {
                    items: Vec::new(),
                    prev: None,
                    next: None,
                }
            };
            Ok((st, list))
        })
        .await?;
    Ok(ProviderPage {
        l: Layout::new(&pv.ctx),
        standing,
        is_admin: pv.is_admin(),
        apply,
        errors,
        products,
    })
}

async fn home(
    State(state): State<AppState>,
    pv: Provider,
    Query(q): Query<CursorQuery>,
) -> AppResult<ProviderPage> {
    home_page(
        &state,
        &pv,
        q.cursor(),
        ApplyForm::default(),
        Errors::default(),
    )
    .await
}

async fn apply(
    State(state): State<AppState>,
    pv: Provider,
    Form(f): Form<ApplyForm>,
) -> AppResult<Response> {
    pv.require_admin()?;
    let errors = f.check();
    if !errors.is_empty() {
        let page = home_page(&state, &pv, Cursor::First, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (org, by) = (pv.scope.org_id(), pv.scope.user_id());
    state
        .db
        .run(move |conn| sellers::apply(conn, org, &f, by))
        .await?;
    Ok(flash_redirect(
        "/provider/app-centre",
        "appcentre.flash.applied",
    ))
}

/// Products are for onboarded sellers; the others are sent to the app centre's page,
/// which says what is missing.
async fn require_onboarded(state: &AppState, pv: &Provider) -> AppResult<()> {
    let org = pv.scope.org_id();
    let st = state
        .db
        .run(move |conn| sellers::standing(conn, org))
        .await?;
    if st.onboarded() {
        Ok(())
    } else {
        Err(AppError::Forbidden("appcentre.error.not_onboarded"))
    }
}

async fn form_page(
    state: &AppState,
    pv: &Provider,
    product: Option<products::Product>,
    form: ProductForm,
    errors: Errors,
) -> AppResult<ProductFormPage> {
    let scope = pv.scope.clone();
    let apps = state
        .db
        .run(move |conn| {
            let rows = crate::apps::list_apps(conn, &scope, Cursor::First)?;
            Ok(rows
                .items
                .into_iter()
                .filter(|a| !a.premium && a.source_app_id.is_none())
                .map(|a| (a.id, a.name))
                .collect::<Vec<_>>())
        })
        .await?;
    let editable = product
        .as_ref()
        .map_or((true, true), |p| p.stage().editable());
    Ok(ProductFormPage {
        l: Layout::new(&pv.ctx),
        product,
        form,
        errors,
        apps,
        editable,
    })
}

async fn new_product(State(state): State<AppState>, pv: Provider) -> AppResult<ProductFormPage> {
    pv.require_admin()?;
    require_onboarded(&state, &pv).await?;
    form_page(&state, &pv, None, ProductForm::default(), Errors::default()).await
}

/// Checks the whole form (and the source app when creating) on the server.
async fn checked(
    state: &AppState,
    pv: &Provider,
    f: &ProductForm,
    creating: bool,
) -> AppResult<(Errors, Vec<super::product_form::Edition>, i64)> {
    let mut e = Errors::default();
    let app_id = f.app_id.trim().parse::<i64>().unwrap_or(0);
    let org = pv.scope.org_id();
    let (banned, refused) = state
        .db
        .run(move |conn| {
            let refused = if creating {
                products::check_source_app(conn, org, app_id).err()
            } else {
                None
            };
            Ok((crate::customdev::banned_words(conn)?, refused))
        })
        .await?;
    let banned: Vec<&str> = banned.iter().map(String::as_str).collect();
    f.check_access(&mut e, &banned);
    let editions = f.check_sales(&mut e);
    if let Some(k) = refused {
        e.add("app_id", k);
    }
    Ok((e, editions, app_id))
}

async fn create(
    State(state): State<AppState>,
    pv: Provider,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    pv.require_admin()?;
    require_onboarded(&state, &pv).await?;
    let f = ProductForm::from_pairs(&pairs);
    let (errors, editions, app_id) = checked(&state, &pv, &f, true).await?;
    if !errors.is_empty() {
        let page = form_page(&state, &pv, None, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (org, by) = (pv.scope.org_id(), pv.scope.user_id());
    let id = state
        .db
        .run(move |conn| products::create(conn, org, app_id, &f, &editions, by))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/app-centre/products/{id}"),
        "appcentre.flash.created",
    ))
}

pub(crate) async fn product_page(
    state: &AppState,
    pv: &Provider,
    id: i64,
    upload_error: Option<&'static str>,
    cocreator_refusal: Option<(&'static str, String)>,
) -> AppResult<ProductPage> {
    let org = pv.scope.org_id();
    let scope = pv.scope.clone();
    let (p, app_name, editions, shots, reviews, cocreators) = state
        .db
        .run(move |conn| {
            let p = products::find_own(conn, org, id)?;
            let app_name = crate::apps::find_app(conn, &scope, p.app_id)
                .map(|a| a.name)
                .unwrap_or_default();
            Ok((
                p,
                app_name,
                products::editions(conn, id)?,
                screenshots::of_product(conn, id)?,
                reviews::of_product(conn, id)?,
                super::gate::cocreators(conn, id)?,
            ))
        })
        .await?;
    Ok(ProductPage {
        l: Layout::new(&pv.ctx),
        p,
        app_name,
        editions,
        screenshots: shots,
        reviews,
        is_admin: pv.is_admin(),
        upload_error,
        cocreators,
        cocreator_refusal,
    })
}

async fn show(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<ProductPage> {
    product_page(&state, &pv, id, None, None).await
}

async fn edit(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<ProductFormPage> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    let (p, eds) = state
        .db
        .run(move |conn| {
            let p = products::find_own(conn, org, id)?;
            let eds = products::editions(conn, id)?;
            Ok((p, eds))
        })
        .await?;
    let (a, s) = p.stage().editable();
    if !a && !s {
        return Err(AppError::Conflict("appcentre.error.not_editable"));
    }
    let form = p.form(
        &eds.iter()
            .map(products::EditionRow::edition)
            .collect::<Vec<_>>(),
    );
    form_page(&state, &pv, Some(p), form, Errors::default()).await
}

async fn update(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    let p = state
        .db
        .run(move |conn| products::find_own(conn, org, id))
        .await?;
    let mut f = ProductForm::from_pairs(&pairs);
    let (access, _) = p.stage().editable();
    if !access {
        // Locked access information (after a sales rejection) is kept as stored, whatever
        // was posted; only the sales information is checked and saved.
        let mut stored = p.form(&[]);
        stored.editions = f.editions;
        f = stored;
    }
    let (errors, editions, _) = checked(&state, &pv, &f, false).await?;
    if !errors.is_empty() {
        let page = form_page(&state, &pv, Some(p), f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state
        .db
        .run(move |conn| products::update(conn, org, id, &f, &editions))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/app-centre/products/{id}"),
        "appcentre.flash.saved",
    ))
}

async fn submit(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    pv.require_admin()?;
    let (org, by) = (pv.scope.org_id(), pv.scope.user_id());
    let next = state
        .db
        .run(move |conn| products::submit(conn, org, id, by))
        .await?;
    tracing::info!(product.id = id, stage = next.as_str(), "product submitted");
    Ok(flash_redirect(
        &format!("/provider/app-centre/products/{id}"),
        if next == Stage::Acceptance {
            "appcentre.flash.submitted_acceptance"
        } else {
            "appcentre.flash.submitted_review"
        },
    ))
}

async fn upload(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    let file = screenshots::read_upload(mp).await?;
    match screenshots::check(&file, state.config.max_upload_bytes()) {
        Err(key) => {
            let page = product_page(&state, &pv, id, Some(key), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Ok(kind) => {
            let storage = state.storage.clone();
            state
                .db
                .run(move |conn| screenshots::add(conn, storage.as_ref(), org, id, &file, kind))
                .await?;
            Ok(
                Redirect::to(&format!("/provider/app-centre/products/{id}#screenshots"))
                    .into_response(),
            )
        }
    }
}

async fn remove_shot(
    State(state): State<AppState>,
    pv: Provider,
    Path((id, shot)): Path<(i64, i64)>,
) -> AppResult<Response> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    state
        .db
        .run(move |conn| screenshots::remove(conn, org, id, shot))
        .await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/provider/app-centre/products/{id}#screenshots"),
        )],
    )
        .into_response())
}
