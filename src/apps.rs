//! Apps (应用) and what they are built from: pages (form, process form, custom page,
//! report), fields, approval steps, connectors, notification templates, automations and
//! custom components.

pub mod app;
pub mod design_store;
pub mod designer_routes;
pub mod forms;
pub mod pages;
pub mod parts;
pub mod parts_routes;
pub mod parts_store;
pub mod routes;
pub mod store;
