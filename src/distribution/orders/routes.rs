use crate::web::policy::Routes;

pub fn router() -> Routes {
    Routes::new()
        .merge(super::list_routes::router())
        .merge(super::purchase_routes::router())
        .merge(super::detail_routes::router())
}
