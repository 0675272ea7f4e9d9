//! Provider distribution (应用分发, seeds 000 and 001): certified providers open projects
//! for a customer CorpID, the platform reviews them, links let the customer's platform
//! admin purchase, the provider sends copies of apps into the customer organisation and
//! maintains them there under time-bound grants, with every action audited.
#![warn(unreachable_pub)]

pub mod audit;
pub mod copy;
pub(crate) mod customer;
pub(crate) mod entitlements;
pub(crate) mod events;
pub mod grants;
pub(crate) mod links;
pub(crate) mod orders;
pub(crate) mod projects;
pub(crate) mod routes;

// The face: what other domains may use of this one.
pub use projects::gate::provider_guard;

/// Maintenance grants, registered with `auth` as a delegation source.
pub fn maintenance_delegation() -> std::sync::Arc<dyn crate::auth::DelegationSource> {
    std::sync::Arc::new(grants::delegation::MaintenanceGrants)
}
