use crate::web::policy::Routes;

pub(crate) fn router() -> Routes {
    Routes::new()
        .merge(super::projects::routes::router())
        .merge(super::links::routes::router())
        .merge(super::orders::routes::router())
        .merge(super::customer::routes::router())
        .merge(super::grants::routes::router())
        .merge(super::audit::routes::router())
}
