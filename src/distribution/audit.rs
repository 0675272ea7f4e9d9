//! audit (see distribution.rs)
pub mod routes;
