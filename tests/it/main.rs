//! Fenfa's integration tests: one binary, every test on SQLite and on PostgreSQL.

mod appcentre;
mod appcentre_evidence;
mod appcentre_gate;
mod appcentre_grey;
mod appcentre_install;
mod appcentre_uninstall;
mod approvals;
mod approvals_self;
mod apps;
mod apps_icons;
mod apps_usage_scope;
mod architecture;
mod auth;
mod auth_cookies;
mod auth_throttle;
mod browser;
mod browser_appcentre;
mod browser_customdev;
mod browser_distribution;
mod browser_interconnect;
mod browser_layout;
mod crash;
mod customdev;
mod customdev_api;
mod customdev_callbacks;
mod customdev_delivery;
mod demo;
mod distribution_customer;
mod distribution_links;
mod distribution_maintenance;
mod distribution_projects;
mod distribution_send;
mod distribution_trends;
mod edges_backup;
mod edges_distribution;
mod edges_input;
mod edges_public_url;
mod edges_timeouts;
mod figures;
mod forms;
mod i18n;
mod interconnect_collab;
mod interconnect_contacts;
mod interconnect_details;
mod interconnect_licences;
mod interconnect_publish;
mod interconnect_seat_orders;
mod interconnect_seats;
mod interconnect_spaces;
mod interconnect_usage;
mod layout;
mod layout_heads;
mod list_empty;
mod list_pages;
mod operator;
mod org;
mod permissions;
mod refused_forms;
mod reliability;
mod scale;
mod security;
#[allow(
    dead_code,
    reason = "each test module uses a different part of the harness"
)]
mod support;
