//! Apps published to member organisations' workbenches, downstream submissions and approvals, and the upstream data view.

use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
