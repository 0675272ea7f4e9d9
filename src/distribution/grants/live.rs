//! Is a grant live? Asked by `auth::store::load_current` on every request made with a
//! grant in the session, and again by `apps::store::find_app_for_edit` before a write.

use diesel::prelude::*;

use super::{GrantFacts, is_live};
use crate::auth::{Delegation, MembershipView, Perm, Role};
use crate::db::schema::{apps, maintenance_grants as mg, orgs};
use crate::db::{Conn, now};
use crate::error::AppResult;

/// Everything liveness depends on, in one query.
pub(crate) fn grant_facts(conn: &mut Conn, grant_id: i64) -> AppResult<Option<GrantFacts>> {
    type Row = (
        i64,
        i64,
        i64,
        i64,
        i64,
        String,
        Option<i64>,
        i64,
        String,
        bool,
    );
    let row: Option<Row> = mg::table
        .inner_join(apps::table)
        .filter(mg::id.eq(grant_id))
        .select((
            mg::id,
            mg::app_id,
            mg::customer_org_id,
            mg::provider_org_id,
            mg::developer_id,
            mg::status,
            mg::expires_at,
            apps::org_id,
            apps::state,
            apps::maintenance_open,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|r| GrantFacts {
        grant_id: r.0,
        app_id: r.1,
        customer_org_id: r.2,
        provider_org_id: r.3,
        developer_id: r.4,
        status: r.5,
        expires_at: r.6,
        app_org_id: r.7,
        app_state: r.8,
        maintenance_open: r.9,
    }))
}

/// May this membership of the provider build apps (a developer or an admin)?
fn builds_apps(m: &MembershipView) -> bool {
    matches!(m.role, Role::MainAdmin | Role::PlatformAdmin)
        || m.can_build_apps
        || (m.role == Role::SubAdmin && m.perms.contains(&Perm::Apps))
}

/// The provider membership a developer acts from: a real one, with building rights.
pub(super) fn provider_membership(
    memberships: &[MembershipView],
    org: i64,
) -> Option<&MembershipView> {
    memberships
        .iter()
        .find(|m| m.org_id == org && m.grant.is_none() && builds_apps(m))
}

/// Called by `auth::store::load_current` when the session holds a grant: the virtual
/// membership in the customer organisation (role member, no permission points) when the
/// grant is live for this user, else `None` and the user stays in their own organisations.
pub(crate) fn live_membership(
    conn: &mut Conn,
    grant_id: i64,
    user_id: i64,
    memberships: &[MembershipView],
) -> AppResult<Option<MembershipView>> {
    let Some(f) = grant_facts(conn, grant_id)? else {
        return Ok(None);
    };
    if !is_live(&f, user_id, now()) {
        return Ok(None);
    }
    let Some(provider) = provider_membership(memberships, f.provider_org_id) else {
        return Ok(None);
    };
    let (app_name, org_name, corp_id, edition, certified, provider_level): (
        String,
        String,
        String,
        String,
        bool,
        String,
    ) = apps::table
        .inner_join(orgs::table)
        .filter(apps::id.eq(f.app_id))
        .select((
            apps::name,
            orgs::name,
            orgs::corp_id,
            orgs::edition,
            orgs::certified,
            orgs::provider_level,
        ))
        .first(conn)?;
    Ok(Some(MembershipView {
        org_id: f.customer_org_id,
        org_name: org_name.clone(),
        corp_id,
        edition,
        certified,
        provider_level,
        role: Role::Member,
        perms: vec![],
        can_build_apps: false,
        grant: Some(Delegation {
            kind: super::delegation::KIND,
            banner_key: "distribution.maintenance.banner",
            leave_path: "/maintenance/leave",
            leave_key: "distribution.maintenance.leave",
            grant_id: f.grant_id,
            app_id: f.app_id,
            app_name,
            customer_org_id: f.customer_org_id,
            customer_org_name: org_name,
            provider_org_id: f.provider_org_id,
            provider_org_name: provider.org_name.clone(),
            expires_at: f.expires_at.unwrap_or_default(),
        }),
    }))
}

/// Re-checks, inside the handler's own database work and before its write, that the
/// scope's grant is still live for the scope's app: a grant ended or a maintenance closed
/// after the request started refuses the action.
/// Takes the grant's row lock until the end of the transaction (PostgreSQL); on SQLite
/// the IMMEDIATE transaction already serialises every writer.
pub(crate) fn lock_grant(conn: &mut Conn, grant_id: i64) -> AppResult<()> {
    diesel::update(mg::table.find(grant_id))
        .set(mg::id.eq(mg::id))
        .execute(conn)?;
    Ok(())
}
