//! The interconnection pages, one router per part of the feature.

use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::spaces::router())
        .merge(super::publish::router())
        .merge(super::licences::router())
        .merge(super::collab::router())
}
