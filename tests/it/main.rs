//! Fenfa's integration tests: one binary, every test on SQLite and on PostgreSQL.

mod approvals;
mod apps;
mod auth;
mod browser;
mod demo;
mod distribution_customer;
mod distribution_links;
mod distribution_maintenance;
mod distribution_projects;
mod distribution_send;
mod forms;
mod i18n;
mod operator;
mod org;
mod scale;
#[allow(
    dead_code,
    reason = "each test module uses a different part of the harness"
)]
mod support;
