//! notifications
pub mod routes;
