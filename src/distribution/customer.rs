//! customer (see distribution.rs)
pub mod routes;
