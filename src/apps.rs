//! Apps (应用) and what they are built from: pages (form, process form, custom page,
//! report), fields, approval steps, connectors, notification templates, automations and
//! custom components.
#![warn(unreachable_pub)]

pub mod app;
pub(crate) mod app_form;
pub mod design_store;
pub(crate) mod designer_routes;
pub(crate) mod events;
pub(crate) mod forms;
pub mod icon;
pub(crate) mod listing;
pub(crate) mod pages;
pub(crate) mod parts;
pub(crate) mod parts_routes;
pub(crate) mod parts_store;
pub(crate) mod routes;
pub mod store;
pub(crate) mod usage;
pub(crate) mod usage_routes;
pub(crate) mod uses;

// The face: what other domains may use of this one.
pub use app::{App, AppStatus, Field, FieldKind, Page, PageKind, Step};
pub use events::{AppEvent, AppListener, register as register_listeners, takes_messages};
pub use icon::AppIcon;
pub use listing::{AppTile, list_apps, workbench_tiles};
pub use parts::{Automation, Component, Connector, NotificationTemplate};
pub use store::{
    NewApp, adopt, create_app_in, fields_of, find_app, is_app_admin, org_people, pages_of,
    set_state, steps_of,
};
pub(crate) use usage::{may_use, scope_in as usage_scope_in, set_usage_scope, usage_scope};
pub use uses::{MESSAGE_MAX, check_message, member_message, record_use};

/// Usage scopes follow the directory: registered with `org` when the app is assembled.
pub fn directory_listener() -> std::sync::Arc<dyn crate::org::DirectoryListener> {
    std::sync::Arc::new(usage::FollowDirectory)
}
