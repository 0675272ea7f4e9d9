//! org
pub mod routes;
