//! Spaces: creation under edition gates and limits, invitations, join review, member organisations' scopes, visibility, the space directory and leaving.

use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
