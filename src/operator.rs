//! operator
pub mod routes;
