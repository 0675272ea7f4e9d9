//! Fenfa's integration tests: one binary, every test on SQLite and on PostgreSQL.

mod auth;
mod i18n;
mod support;
