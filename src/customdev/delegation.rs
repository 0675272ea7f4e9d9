//! An enterprise's authorisation as a delegation: while it is active, the provider's
//! developers (and admins) may enter the enterprise's custom app and build it there.
//! `auth` gives it the banner, the lock-out the moment the enterprise cancels, and an
//! audit record of every action in the action's own transaction.

use super::custom_apps::{ACTIVE, delegation_facts, lock};
use crate::auth::{Delegation, DelegationSource, MembershipView, Role};
use crate::db::Conn;
use crate::error::AppResult;

/// The session's name for a custom-development authorisation.
pub(crate) const KIND: &str = "customdev";

/// May this membership of the provider build apps (a developer or an admin)?
pub(crate) fn builds_apps(m: &MembershipView) -> bool {
    m.grant.is_none()
        && (matches!(m.role, Role::MainAdmin | Role::PlatformAdmin)
            || m.can_build_apps
            || (m.role == Role::SubAdmin && m.perms.contains(&crate::auth::Perm::Apps)))
}

pub(crate) struct Authorisations;

impl DelegationSource for Authorisations {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn resolve(
        &self,
        conn: &mut Conn,
        grant_id: i64,
        _user_id: i64,
        memberships: &[MembershipView],
    ) -> AppResult<Option<MembershipView>> {
        let Some(f) = delegation_facts(conn, grant_id)? else {
            return Ok(None);
        };
        let Some(app_id) = f.app_id.filter(|_| f.status == ACTIVE) else {
            return Ok(None);
        };
        let Some(provider) = memberships
            .iter()
            .find(|m| m.org_id == f.provider_org_id && builds_apps(m))
        else {
            return Ok(None);
        };
        Ok(Some(MembershipView {
            org_id: f.enterprise_org_id,
            org_name: f.enterprise_name.clone(),
            corp_id: f.corp_id,
            edition: f.edition,
            certified: false,
            provider_level: "none".into(),
            role: Role::Member,
            perms: vec![],
            can_build_apps: false,
            grant: Some(Delegation {
                kind: KIND,
                banner_key: "customdev.banner",
                leave_path: "/custom-dev/leave",
                leave_key: "customdev.leave",
                grant_id,
                app_id,
                app_name: f.app_name,
                customer_org_id: f.enterprise_org_id,
                customer_org_name: f.enterprise_name,
                provider_org_id: f.provider_org_id,
                provider_org_name: provider.org_name.clone(),
                expires_at: 0,
            }),
        }))
    }

    fn lock_live(&self, conn: &mut Conn, grant_id: i64, _user_id: i64) -> AppResult<bool> {
        // Lock first: cancelling updates this row, so it either came first (seen below)
        // or waits until the action has committed.
        lock(conn, grant_id)?;
        Ok(delegation_facts(conn, grant_id)?
            .is_some_and(|f| f.status == ACTIVE && f.app_id.is_some()))
    }

    fn record(
        &self,
        conn: &mut Conn,
        user_id: i64,
        user_name: &str,
        d: &Delegation,
        action: &str,
    ) -> AppResult<()> {
        crate::distribution::append_audit(
            conn,
            &crate::distribution::AuditRecord {
                customer_org_id: d.customer_org_id,
                provider_org_id: d.provider_org_id,
                app_id: d.app_id,
                grant_id: None,
                actor_id: user_id,
                action: action.to_string(),
                detail: acting_detail(user_name, d, action),
            },
        )
        .map(|_| ())
    }

    fn ended_key(&self) -> &'static str {
        "customdev.error.authorisation_ended"
    }
}

/// "acting for the provider in this enterprise under authorisation N".
pub(crate) fn acting_detail(user_name: &str, d: &Delegation, what: &str) -> String {
    format!(
        "developer {user_name} of provider {} acting for the provider in {} under \
         authorisation #{}: {what}",
        d.provider_org_name, d.customer_org_name, d.grant_id
    )
}
