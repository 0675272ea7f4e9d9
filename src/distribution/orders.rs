//! orders (see distribution.rs)
pub mod detail;
pub mod detail_routes;
pub mod detail_store;
pub mod routes;
