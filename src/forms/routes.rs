//! Using apps: the workbench, filling in forms, submissions and approvals.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;

use crate::apps::app::App;
use crate::auth::InOrg;
use crate::error::AppResult;
use crate::web::{AppState, Layout};

pub fn router() -> Router<AppState> {
    Router::new().route("/workbench", get(workbench))
}

#[derive(Deserialize, Default)]
pub struct AfterQuery {
    pub after: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "forms/workbench.html")]
pub struct WorkbenchPage {
    l: Layout,
    apps: Vec<App>,
    next: Option<i64>,
}

/// 工作台: the apps of the current organisation this member can open.
async fn workbench(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Query(q): Query<AfterQuery>,
) -> AppResult<WorkbenchPage> {
    let page = state
        .db
        .run(move |conn| crate::apps::store::list_apps(conn, &scope, q.after))
        .await?;
    Ok(WorkbenchPage {
        l: Layout::new(&ctx),
        apps: page.items,
        next: page.next,
    })
}
