//! The notification centre: list, mark one read, mark all read.

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::store::{self, Notification};
use crate::auth::InOrg;
use crate::error::AppResult;
use crate::tools::CursorQuery;
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/notifications", Policy::InOrg, list)
        .post("/notifications/{id}/read", Policy::InOrg, mark_read)
        .post("/notifications/read-all", Policy::InOrg, mark_all_read)
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/list.html")]
pub(crate) struct ListPage {
    l: Layout,
    items: Vec<Notification>,
    unread: i64,
    prev: Option<i64>,
    next: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Query(q): Query<CursorQuery>,
) -> AppResult<ListPage> {
    let (page, unread) = state
        .db
        .run(move |conn| {
            Ok((
                store::list(conn, &scope, q.cursor())?,
                store::unread_count(conn, &scope)?,
            ))
        })
        .await?;
    Ok(ListPage {
        l: Layout::new(&ctx),
        items: page.items,
        unread,
        prev: page.prev,
        next: page.next,
    })
}

async fn mark_read(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| store::mark_read(conn, &scope, id))
        .await?;
    Ok(flash_redirect("/notifications", "notifications.flash.read"))
}

async fn mark_all_read(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| store::mark_all_read(conn, &scope))
        .await?;
    Ok(flash_redirect(
        "/notifications",
        "notifications.flash.all_read",
    ))
}
