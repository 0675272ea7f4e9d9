//! orders (see distribution.rs)
pub mod routes;
