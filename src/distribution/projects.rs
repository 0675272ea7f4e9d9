//! projects (see distribution.rs)
pub mod routes;
