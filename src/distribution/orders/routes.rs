use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(super::detail_routes::router())
}
