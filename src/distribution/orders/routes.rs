use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::list_routes::router())
        .merge(super::purchase_routes::router())
        .merge(super::detail_routes::router())
}
