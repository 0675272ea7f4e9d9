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
pub mod usage;
pub mod usage_routes;

// The face: what other domains may use of this one.
pub use app::{App, AppStatus, Field, FieldKind, Page, PageKind, Step};
pub use parts::{Automation, Component, Connector, NotificationTemplate};
pub use store::{
    NewApp, create_app_in, fields_of, find_app, is_app_admin, list_apps, org_people, pages_of,
    set_state, steps_of,
};

/// Usage scopes follow the directory: registered with `org` when the app is assembled.
pub fn directory_listener() -> std::sync::Arc<dyn crate::org::DirectoryListener> {
    std::sync::Arc::new(usage::FollowDirectory)
}
