use crate::web::policy::Routes;

pub(crate) fn router() -> Routes {
    Routes::new()
        .merge(super::list_routes::router())
        .merge(super::purchase_routes::router())
        .merge(super::detail_routes::router())
        .merge(super::trends_routes::router())
}
