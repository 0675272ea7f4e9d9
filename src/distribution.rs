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
pub use copy::{CopySpec, copy_app_into};
pub use orders::detail::SendOptions;
pub(crate) use projects::gate::Provider;
pub use projects::gate::provider_guard;

/// Maintenance grants, registered with `auth` as a delegation source.
pub fn maintenance_delegation() -> std::sync::Arc<dyn crate::auth::DelegationSource> {
    std::sync::Arc::new(grants::delegation::MaintenanceGrants)
}

/// Where an app copy stopped ([`copy_app_into`]).
pub type CopyStage = copy::Stage;

/// A record of a customer organisation's hash-chained audit trail.
pub type AuditRecord = audit::store::NewRecord;

/// Appends to a customer organisation's audit trail (inside the caller's transaction):
/// for actions under another domain's delegation.
pub fn append_audit(conn: &mut crate::db::Conn, r: &AuditRecord) -> crate::error::AppResult<i64> {
    audit::store::append(conn, r)
}

/// The entitlement check (功能权益) for anything copied into an organisation: the label
/// keys of the features the app uses that `edition` (an organisation's stored edition)
/// does not unlock. The app id must come from a checked lookup.
pub fn lacking_features(
    conn: &mut crate::db::Conn,
    app_id: i64,
    edition: &str,
) -> crate::error::AppResult<Vec<&'static str>> {
    let used = entitlements::features_used(conn, app_id)?;
    Ok(entitlements::lacking(edition, &used)
        .into_iter()
        .map(entitlements::Feature::label_key)
        .collect())
}
