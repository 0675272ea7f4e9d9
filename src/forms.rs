//! forms
pub mod routes;
