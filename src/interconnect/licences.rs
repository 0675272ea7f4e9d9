//! The upstream organisation's licence (seat) pool: grants, automatic grants and releases, alerts, the true-up report.

use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
