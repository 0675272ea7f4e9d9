//! Fenfa's integration tests: one binary, every test on SQLite and on PostgreSQL.

mod approvals;
mod apps;
mod auth;
mod demo;
mod distribution_maintenance;
mod forms;
mod i18n;
mod operator;
mod org;
#[allow(
    dead_code,
    reason = "each test module uses a different part of the harness"
)]
mod support;
