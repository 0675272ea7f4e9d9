//! Custom-development templates (代开发, seed 003): a certified provider offers templates;
//! after the platform's go-live review an enterprise's admin authorises one by its QR code
//! or link, which creates the enterprise's own custom app 开发中; the provider configures
//! and builds it inside the enterprise under that authorisation (a delegation), puts it
//! live through its own review, and the enterprise chooses who may use it.
#![warn(unreachable_pub)]

pub(crate) mod api;
pub(crate) mod api_store;
pub(crate) mod app_events;
pub(crate) mod app_routes;
pub(crate) mod callback_routes;
pub(crate) mod callbacks;
pub(crate) mod consent;
pub(crate) mod consent_routes;
pub(crate) mod custom_apps;
pub(crate) mod delegation;
pub(crate) mod domain;
pub(crate) mod enterprise_routes;
pub(crate) mod operator_routes;
pub(crate) mod pages;
pub(crate) mod permissions;
pub(crate) mod review;
pub(crate) mod routes;
pub(crate) mod rules;
pub(crate) mod store;

// The face: what other domains and the composition root may use of this one.
pub(crate) use callbacks::sign as sign_callback;
pub use routes::router;
pub use store::banned_words;

/// The delivery of custom apps' events to their callback URLs, registered with `jobs`.
pub fn callback_deliverer() -> std::sync::Arc<dyn crate::jobs::JobHandler> {
    std::sync::Arc::new(callbacks::Deliverer)
}

/// Authorisations, registered with `auth` as a delegation source.
pub fn authorisation_delegation() -> std::sync::Arc<dyn crate::auth::DelegationSource> {
    std::sync::Arc::new(delegation::Authorisations)
}

/// What happens to custom apps in the apps domain (scope, members' use and messages)
/// reaches their providers' callbacks.
pub fn app_listener() -> std::sync::Arc<dyn crate::apps::AppListener> {
    std::sync::Arc::new(app_events::AppEvents)
}
