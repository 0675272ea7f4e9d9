//! `/maintenance`: the grant lists of both sides, the developer's request, the customer's
//! decisions, and entering and leaving a grant.

use crate::web::policy::{Policy, Routes};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::forms::{AppQuery, ListQuery, RequestForm};
use super::lists::{self, Side};
use super::pages::{ListPage, RequestPage, Section};
use super::store::{self, Decision};
use crate::auth::{AppBuilder, InOrg, OrgAdmin, SESSION_GRANT, SESSION_GRANT_KIND, Signed};
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::web::{AppState, Cursor, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/maintenance", Policy::InOrg, list)
        .get("/maintenance/request", Policy::AppBuilder, request_form)
        .post("/maintenance/request", Policy::AppBuilder, request)
        .post(
            "/maintenance/grants/{id}/approve",
            Policy::OrgAdmin,
            approve,
        )
        .post(
            "/maintenance/grants/{id}/decline",
            Policy::OrgAdmin,
            decline,
        )
        .post("/maintenance/grants/{id}/end", Policy::OrgAdmin, end)
        .post("/maintenance/grants/{id}/enter", Policy::Signed, enter)
        .post("/maintenance/leave", Policy::Signed, leave)
}

async fn list(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Query(q): Query<ListQuery>,
) -> AppResult<ListPage> {
    let acting = ctx
        .user
        .as_ref()
        .and_then(|u| u.current())
        .and_then(|m| m.grant.clone());
    let sections = state
        .db
        .run(move |conn| {
            let mut out = vec![];
            if scope.is_admin() {
                out.push(Section {
                    side: "customer",
                    title_key: "distribution.maintenance.customer_side",
                    cursor: "c",
                    grants: lists::list(
                        conn,
                        &scope,
                        Side::Customer,
                        Cursor::from_query(q.after_c, q.before_c),
                    )?,
                });
            }
            // Under a grant the current organisation is the customer's: no "my grants" there.
            if scope.grant_app().is_none() {
                out.push(Section {
                    side: "mine",
                    title_key: "distribution.maintenance.my_grants",
                    cursor: "m",
                    grants: lists::list(
                        conn,
                        &scope,
                        Side::Mine,
                        Cursor::from_query(q.after_m, q.before_m),
                    )?,
                });
            }
            if scope.is_admin() {
                out.push(Section {
                    side: "provider",
                    title_key: "distribution.maintenance.provider_side",
                    cursor: "p",
                    grants: lists::list(
                        conn,
                        &scope,
                        Side::Provider,
                        Cursor::from_query(q.after_p, q.before_p),
                    )?,
                });
            }
            Ok(out)
        })
        .await?;
    Ok(ListPage {
        l: Layout::new(&ctx),
        now: now(),
        sections,
        acting,
    })
}

async fn request_form(
    State(state): State<AppState>,
    AppBuilder { ctx, scope }: AppBuilder,
    Query(q): Query<AppQuery>,
) -> AppResult<RequestPage> {
    let target = state
        .db
        .run(move |conn| store::copy_for_request(conn, &scope, q.app))
        .await?;
    Ok(RequestPage {
        l: Layout::new(&ctx),
        target,
        form: RequestForm::new(q.app),
        errors: Errors::default(),
    })
}

async fn request(
    State(state): State<AppState>,
    AppBuilder { ctx, scope }: AppBuilder,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    let app = form.app;
    let (reason, secs) = match form.parse() {
        Ok(v) => v,
        Err(errors) => {
            let target = state
                .db
                .run(move |conn| store::copy_for_request(conn, &scope, app))
                .await?;
            let page = RequestPage {
                l: Layout::new(&ctx),
                target,
                form,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (id, active) = state
        .db
        .run(move |conn| store::request(conn, &scope, app, &reason, secs))
        .await?;
    tracing::info!(
        grant.id = id,
        app.id = app,
        active,
        "maintenance grant requested"
    );
    let key = if active {
        "distribution.maintenance.flash.auto_approved"
    } else {
        "distribution.maintenance.flash.requested"
    };
    Ok(flash_redirect("/maintenance", key))
}

async fn decide(
    state: AppState,
    g: OrgAdmin,
    id: i64,
    d: Decision,
    key: &'static str,
) -> AppResult<Response> {
    let scope = g.scope;
    state
        .db
        .run(move |conn| store::decide(conn, &scope, id, d))
        .await?;
    tracing::info!(grant.id = id, decision = ?d, "maintenance grant decided");
    Ok(flash_redirect("/maintenance", key))
}

async fn approve(
    State(state): State<AppState>,
    g: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    decide(
        state,
        g,
        id,
        Decision::Approve,
        "distribution.maintenance.flash.approved",
    )
    .await
}

async fn decline(
    State(state): State<AppState>,
    g: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    decide(
        state,
        g,
        id,
        Decision::Decline,
        "distribution.maintenance.flash.declined",
    )
    .await
}

async fn end(
    State(state): State<AppState>,
    g: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    decide(
        state,
        g,
        id,
        Decision::End,
        "distribution.maintenance.flash.ended",
    )
    .await
}

/// Enters one's own live grant: the session remembers it and `load_current` turns it into
/// the customer organisation on every request while it stays live.
async fn enter(
    State(state): State<AppState>,
    Signed { ctx, user }: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let app_id = state
        .db
        .run(move |conn| store::enter(conn, user.id, &user.name, &user.memberships, id))
        .await?;
    ctx.session
        .insert(SESSION_GRANT, id)
        .await
        .map_err(AppError::internal)?;
    ctx.session
        .insert(SESSION_GRANT_KIND, super::delegation::KIND)
        .await
        .map_err(AppError::internal)?;
    tracing::info!(grant.id = id, "maintenance grant entered");
    Ok(flash_redirect(
        &format!("/apps/{app_id}"),
        "distribution.maintenance.flash.entered",
    ))
}

/// Leaves the grant and returns to one's own organisations.
async fn leave(State(state): State<AppState>, Signed { ctx, user }: Signed) -> AppResult<Response> {
    if let Some(g) = user.current().and_then(|m| m.grant.clone()) {
        state
            .db
            .run(move |conn| {
                store::record_action(conn, user.id, &user.name, &g, "grant.leave", "left")
            })
            .await?;
    }
    ctx.session
        .remove::<i64>(SESSION_GRANT)
        .await
        .map_err(AppError::internal)?;
    ctx.session
        .remove::<String>(SESSION_GRANT_KIND)
        .await
        .map_err(AppError::internal)?;
    Ok(flash_redirect(
        "/maintenance",
        "distribution.maintenance.flash.left",
    ))
}
