//! The app builder (应用管理): the list of apps, creating one, its overview and admins.
//! The page designer is in `designer_routes.rs`, the app's connectors, templates,
//! automations and custom components in `parts_routes/`.
//! Builders (`AppBuilder`) list and create apps; app admins may edit the apps they admin,
//! so the per-app handlers authorise through `store::find_app_for_edit`.

use crate::web::policy::{Policy, Routes};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::app_form::{AppBody, AppForm, ImageChange};
use super::forms::{PremiumForm, UserForm};
use super::pages::{ListPage, NewAppPage, OverviewPage};
use super::store::{self, AppChange, NewApp};
use crate::auth::{AppBuilder, InOrg, OrgScope};
use crate::error::AppResult;
use crate::storage::{FileKind, Storage};
use crate::tools::CursorQuery;
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/apps", Policy::AppBuilder, list)
        .get("/apps/new", Policy::AppBuilder, new_app)
        .post("/apps/new", Policy::AppBuilder, create_app)
        .get("/apps/{id}", Policy::InOrg, overview)
        .post("/apps/{id}/edit", Policy::InOrg, update_app)
        .post("/apps/{id}/premium", Policy::InOrg, set_premium)
        .post("/apps/{id}/admins", Policy::InOrg, add_admin)
        .post(
            "/apps/{id}/admins/{uid}/remove",
            Policy::InOrg,
            remove_admin,
        )
        .merge(super::designer_routes::router())
        .merge(super::parts_routes::router())
        .merge(super::usage_routes::router())
}

async fn list(
    State(state): State<AppState>,
    AppBuilder { ctx, scope }: AppBuilder,
    Query(q): Query<CursorQuery>,
) -> AppResult<ListPage> {
    let page = state
        .db
        .run(move |conn| super::listing::list_apps(conn, &scope, q.cursor()))
        .await?;
    Ok(ListPage {
        l: Layout::new(&ctx),
        apps: page.items,
        prev: page.prev,
        next: page.next,
    })
}

async fn new_app(AppBuilder { ctx, .. }: AppBuilder) -> NewAppPage {
    NewAppPage {
        l: Layout::new(&ctx),
        form: AppForm::blank(),
        errors: Errors::default(),
    }
}

async fn create_app(
    State(state): State<AppState>,
    AppBuilder { ctx, scope }: AppBuilder,
    AppBody { form, image }: AppBody,
) -> AppResult<Response> {
    let input = match form.parse(image.as_deref()) {
        Ok(v) => v,
        Err(errors) => {
            let page = NewAppPage {
                l: Layout::new(&ctx),
                form,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let storage = state.storage.clone();
    let id = state
        .db
        .run(move |conn| {
            let image = stored_image(storage.as_ref(), &input.image)?.unwrap_or_default();
            let new = NewApp {
                name: &input.name,
                glyph: input.glyph,
                color: input.color,
                image: &image,
                description: &input.description,
                premium: false,
            };
            store::create_app(conn, &scope, new)
        })
        .await?;
    tracing::info!(app.id = id, "app created");
    Ok(flash_redirect(&format!("/apps/{id}"), "apps.flash.created"))
}

async fn overview(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<OverviewPage> {
    let o = state
        .db
        .run(move |conn| store::overview(conn, &scope, id))
        .await?;
    Ok(OverviewPage::new(Layout::new(&ctx), o))
}

/// The overview again, 422, with a form's typed values and errors put in by `fill`.
pub(super) async fn overview_again(
    state: &AppState,
    l: Layout,
    scope: OrgScope,
    id: i64,
    fill: impl FnOnce(&mut OverviewPage) + Send + 'static,
) -> AppResult<Response> {
    let o = state
        .db
        .run(move |conn| store::overview(conn, &scope, id))
        .await?;
    let mut page = OverviewPage::new(l, o);
    fill(&mut page);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn update_app(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
    AppBody { form, image }: AppBody,
) -> AppResult<Response> {
    let input = match form.parse(image.as_deref()) {
        Ok(v) => v,
        Err(errors) => {
            return overview_again(&state, Layout::new(&ctx), scope, id, |p| {
                p.edit = form;
                p.errors = errors;
            })
            .await;
        }
    };
    let storage = state.storage.clone();
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let image = stored_image(storage.as_ref(), &input.image)?;
            let change = AppChange {
                name: &input.name,
                glyph: input.glyph,
                color: input.color,
                image: image.as_deref(),
                description: &input.description,
            };
            store::update_app(conn, &app, change)
        })
        .await?;
    Ok(flash_redirect(&format!("/apps/{id}"), "apps.flash.saved"))
}

/// Stores a new icon image under a fresh key: the key to save, `""` to remove the image,
/// `None` to keep the current one. Files are never overwritten, so copies of the app may
/// share the key. On the blocking pool: it writes a file.
fn stored_image(storage: &dyn Storage, change: &ImageChange) -> AppResult<Option<String>> {
    Ok(match change {
        ImageChange::Keep => None,
        ImageChange::Remove => Some(String::new()),
        ImageChange::New(bytes) => {
            let key = format!(
                "{}.{}",
                uuid::Uuid::new_v4(),
                FileKind::sniff(bytes).extension()
            );
            storage.put(&key, bytes)?;
            Some(key)
        }
    })
}

async fn set_premium(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path(id): Path<i64>,
    Form(form): Form<PremiumForm>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            store::set_premium(conn, &scope, &app, form.premium())
        })
        .await?;
    Ok(flash_redirect(&format!("/apps/{id}"), "apps.flash.saved"))
}

async fn add_admin(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let user_id = form.id()?;
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            store::add_app_admin(conn, &scope, &app, user_id)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/apps/{id}#admins"),
        "apps.flash.admin_added",
    ))
}

async fn remove_admin(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, uid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            store::remove_app_admin(conn, &app, uid)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/apps/{id}#admins"),
        "apps.flash.admin_removed",
    ))
}

/// Helpers shared with the parts handlers.
pub(super) fn to_app(id: i64, key: &'static str) -> Response {
    flash_redirect(&format!("/apps/{id}"), key)
}

pub(super) fn unprocessable(page: impl IntoResponse) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub(super) fn redirect_to(to: &str, key: &'static str) -> Response {
    flash_redirect(to, key)
}
