//! Collaboration groups (合作群) across member organisations, with a message thread.

use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
