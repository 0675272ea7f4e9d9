//! Handlers for an app's parts beside its pages — connectors, notification templates,
//! automations and custom components — written once: a form page for a new or an existing
//! part, save, delete. What differs between the kinds (its URLs, form, page and queries) is
//! a small [`Part`] impl in `parts_routes/`.

mod automations;
mod components;
mod connectors;
mod templates;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::apps::app::App;
use crate::apps::routes::{to_app, unprocessable};
use crate::apps::store;
use crate::auth::{InOrg, OrgScope};
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout};

pub(super) fn router() -> Routes {
    Routes::new()
        .merge(routes::<connectors::Connectors>())
        .merge(routes::<templates::Templates>())
        .merge(automations::router())
        .merge(routes::<components::Components>())
}

/// One kind of app part. Every query takes the app, already loaded through the caller's
/// scope; a part of another app or organisation is "not found".
trait Part: Sized + Send + 'static {
    /// `/apps/{id}/<kind>/new`, the form for a new part and its post.
    const NEW: &'static str;
    /// `/apps/{id}/<kind>/{pid}`, the form for an existing part and its post.
    const ONE: &'static str;
    /// `/apps/{id}/<kind>/{pid}/delete`.
    const DELETE: &'static str;

    /// The form as it arrives.
    type Form: DeserializeOwned + Default + Send + 'static;
    /// The form parsed, before the store sees it.
    type Draft: Send + 'static;
    /// A stored part.
    type Row: Send + 'static;
    /// The form page.
    type Page: IntoResponse + Send + 'static;

    /// The form of a new part.
    fn blank() -> Self::Form {
        Self::Form::default()
    }
    /// The form of a stored part.
    fn form_of(row: &Self::Row) -> Self::Form;
    fn parse(form: &Self::Form) -> Result<Self::Draft, Errors>;
    fn find(conn: &mut Conn, app: &App, id: i64) -> AppResult<Self::Row>;
    /// Creates (`id` = None) or updates a part; returns its id.
    fn save(
        conn: &mut Conn,
        scope: &OrgScope,
        app: &App,
        id: Option<i64>,
        draft: Self::Draft,
    ) -> AppResult<i64>;
    fn delete(conn: &mut Conn, app: &App, id: i64) -> AppResult<()>;
    fn page(conn: &mut Conn, scope: &OrgScope, shown: Shown<Self>) -> AppResult<Self::Page>;
    /// Where a saved part leads: the app's overview.
    fn saved(app_id: i64, _id: i64) -> Response {
        to_app(app_id, "apps.flash.saved")
    }
}

/// What a part's form page shows: the part (`id`, and `row` when it was read from the
/// store) and the form as typed, with its errors.
struct Shown<P: Part> {
    l: Layout,
    app: App,
    id: Option<i64>,
    form: P::Form,
    errors: Errors,
    row: Option<P::Row>,
}

fn routes<P: Part>() -> Routes {
    Routes::new()
        .get(P::NEW, Policy::InOrg, new_page::<P>)
        .post(P::NEW, Policy::InOrg, create::<P>)
        .get(P::ONE, Policy::InOrg, edit_page::<P>)
        .post(P::ONE, Policy::InOrg, update::<P>)
        .post(P::DELETE, Policy::InOrg, delete::<P>)
}

async fn new_page<P: Part>(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<P::Page> {
    let l = Layout::new(&ctx);
    state
        .db
        .run(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let shown = Shown {
                l,
                app,
                id: None,
                form: P::blank(),
                errors: Errors::default(),
                row: None,
            };
            P::page(conn, &scope, shown)
        })
        .await
}

async fn edit_page<P: Part>(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
) -> AppResult<P::Page> {
    let l = Layout::new(&ctx);
    state
        .db
        .run(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let row = P::find(conn, &app, pid)?;
            let shown = Shown {
                l,
                app,
                id: Some(pid),
                form: P::form_of(&row),
                errors: Errors::default(),
                row: Some(row),
            };
            P::page(conn, &scope, shown)
        })
        .await
}

async fn create<P: Part>(
    state: State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    form: Form<P::Form>,
) -> AppResult<Response> {
    save::<P>(state, g, id, None, form).await
}

async fn update<P: Part>(
    state: State<AppState>,
    g: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
    form: Form<P::Form>,
) -> AppResult<Response> {
    save::<P>(state, g, id, Some(pid), form).await
}

async fn save<P: Part>(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    id: i64,
    pid: Option<i64>,
    Form(form): Form<P::Form>,
) -> AppResult<Response> {
    let l = Layout::new(&ctx);
    let parsed = P::parse(&form);
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            if let Some(pid) = pid {
                P::find(conn, &app, pid)?;
            }
            match parsed {
                Ok(draft) => {
                    let saved = P::save(conn, &scope, &app, pid, draft)?;
                    Ok(P::saved(id, saved))
                }
                Err(errors) => {
                    let shown = Shown {
                        l,
                        app,
                        id: pid,
                        form,
                        errors,
                        row: None,
                    };
                    Ok(unprocessable(P::page(conn, &scope, shown)?))
                }
            }
        })
        .await
}

async fn delete<P: Part>(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, pid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            P::delete(conn, &app, pid)
        })
        .await?;
    Ok(to_app(id, "apps.flash.deleted"))
}
