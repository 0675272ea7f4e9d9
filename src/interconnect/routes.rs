//! The interconnection pages, one part of the route table per part of the feature.

use crate::web::policy::Routes;

pub(crate) fn router() -> Routes {
    Routes::new()
        .merge(super::spaces::router())
        .merge(super::publish::router())
        .merge(super::licences::router())
        .merge(super::licences::purchase_routes::router())
        .merge(super::contacts::router())
        .merge(super::collab::router())
}
