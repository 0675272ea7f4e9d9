//! grants (see distribution.rs)
pub mod routes;
