//! links (see distribution.rs)
pub mod routes;
