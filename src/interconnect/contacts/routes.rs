//! Handlers of /interconnect/departures…: each first checks that the user manages the
//! current organisation's interconnection (main admin, interconnection sub-admin), then
//! calls the store; a departure of another organisation is a 404.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{DeparturePage, DeparturesPage};
use crate::auth::{InOrg, OrgScope};
use crate::error::{AppError, AppResult};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, CursorQuery, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/interconnect/departures", Policy::InOrg, list)
        .get("/interconnect/departures/{id}", Policy::InOrg, show)
        .post(
            "/interconnect/departures/{id}/successor",
            Policy::InOrg,
            successor,
        )
}

/// The organisation's interconnection admins name successors (the seed: the space is the
/// organisation's official channel, run by its main admin or a permitted sub-admin).
fn require_admin(scope: &OrgScope) -> AppResult<()> {
    if crate::interconnect::scope_may_manage(scope) {
        Ok(())
    } else {
        Err(AppError::Forbidden("interconnect.contacts.admins_only"))
    }
}

async fn list(
    State(state): State<AppState>,
    g: InOrg,
    Query(q): Query<CursorQuery>,
) -> AppResult<DeparturesPage> {
    require_admin(&g.scope)?;
    let scope = g.scope.clone();
    let page = state
        .db
        .run(move |conn| super::list(conn, &scope, q.cursor()))
        .await?;
    Ok(DeparturesPage {
        l: Layout::new(&g.ctx),
        page,
    })
}

async fn page(
    state: &AppState,
    g: &InOrg,
    id: i64,
    typed: String,
    errors: Errors,
) -> AppResult<DeparturePage> {
    let scope = g.scope.clone();
    let v = state
        .db
        .run(move |conn| super::view(conn, &scope, id))
        .await?;
    Ok(DeparturePage {
        l: Layout::new(&g.ctx),
        v,
        typed,
        errors,
    })
}

async fn show(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
) -> AppResult<DeparturePage> {
    require_admin(&g.scope)?;
    page(&state, &g, id, String::new(), Errors::default()).await
}

#[derive(Deserialize, Default)]
struct SuccessorForm {
    #[serde(default)]
    successor: String,
}

async fn successor(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    Form(f): Form<SuccessorForm>,
) -> AppResult<Response> {
    require_admin(&g.scope)?;
    let named = match super::parse_successor(&f.successor) {
        Ok(user) => {
            let scope = g.scope.clone();
            state
                .db
                .run(move |conn| super::name_successor(conn, &scope, id, user))
                .await?
        }
        Err(e) => Err(e),
    };
    match named {
        Ok(()) => Ok(flash_redirect(
            &format!("/interconnect/departures/{id}"),
            "interconnect.contacts.flash.named",
        )),
        Err(errors) => {
            let page = page(&state, &g, id, f.successor, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
