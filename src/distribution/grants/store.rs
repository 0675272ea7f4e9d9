//! Queries over maintenance grants: liveness (for `auth` and `apps::store`), requests,
//! the customer's decisions, entering and leaving, and the lists of both sides. Every
//! change is one conditional UPDATE inside a write transaction, so it happens exactly once,
//! with its timeline event, notifications and audit record.

use diesel::prelude::*;

use super::live::{grant_facts, provider_membership};
use super::{GrantFacts, GrantStatus, is_live, may_request};
use crate::auth::{Delegation, MembershipView, OrgScope, Role};
use crate::db::schema::{
    apps, maintenance_grants as mg, memberships, order_apps, orders, orgs, users,
};
use crate::db::{Conn, now, write_tx};
use crate::distribution::audit::store::{self as audit, NewRecord};
use crate::distribution::events::{self, EventKind};
use crate::error::{AppError, AppResult};
use crate::notifications::notify;

/// The names a grant's notifications and audit records speak of.
#[derive(Clone, Debug)]
pub struct GrantNames {
    pub app: String,
    pub customer: String,
    pub provider: String,
    pub developer: String,
}

fn grant_names(conn: &mut Conn, g: &GrantFacts) -> AppResult<GrantNames> {
    let (app, customer): (String, String) = apps::table
        .inner_join(orgs::table)
        .filter(apps::id.eq(g.app_id))
        .select((apps::name, orgs::name))
        .first(conn)?;
    let provider: String = orgs::table
        .find(g.provider_org_id)
        .select(orgs::name)
        .first(conn)?;
    let developer: String = users::table
        .find(g.developer_id)
        .select(users::name)
        .first(conn)?;
    Ok(GrantNames {
        app,
        customer,
        provider,
        developer,
    })
}

fn user_name(conn: &mut Conn, id: i64) -> AppResult<String> {
    Ok(users::table.find(id).select(users::name).first(conn)?)
}

/// The project and order a delivered copy belongs to, for its deal timeline.
fn order_of_copy(conn: &mut Conn, app_id: i64) -> AppResult<Option<(i64, i64)>> {
    Ok(order_apps::table
        .inner_join(orders::table)
        .filter(order_apps::copy_app_id.eq(app_id))
        .select((orders::project_id, orders::id))
        .first(conn)
        .optional()?)
}

fn event(conn: &mut Conn, app_id: i64, actor: i64, kind: EventKind, detail: &str) -> AppResult<()> {
    if let Some((p, order)) = order_of_copy(conn, app_id)? {
        events::record_in_order(conn, p, Some(order), Some(actor), kind, detail)?;
    }
    Ok(())
}

fn customer_admins(conn: &mut Conn, org: i64) -> AppResult<Vec<i64>> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org))
        .filter(memberships::role.eq_any([Role::MainAdmin.as_str(), Role::PlatformAdmin.as_str()]))
        .filter(users::disabled.eq(false))
        .select(memberships::user_id)
        .load(conn)?)
}

fn record(
    conn: &mut Conn,
    f: &GrantFacts,
    actor: i64,
    action: &str,
    detail: String,
) -> AppResult<i64> {
    audit::append(
        conn,
        &NewRecord {
            customer_org_id: f.customer_org_id,
            provider_org_id: f.provider_org_id,
            app_id: f.app_id,
            grant_id: Some(f.grant_id),
            actor_id: actor,
            action: action.to_string(),
            detail,
        },
    )
}

/// A delivered copy of one of the scope's (provider) apps, as the request form shows it.
#[derive(Clone, Debug)]
pub struct CopyTarget {
    pub app_id: i64,
    pub app_name: String,
    pub customer_org_id: i64,
    pub customer_org_name: String,
    pub maintenance_open: bool,
    pub state: String,
    pub auto_approve: bool,
}

impl CopyTarget {
    /// Why no grant may be requested now, if so (an i18n key).
    pub fn refusal(&self) -> Option<&'static str> {
        may_request(self.maintenance_open, &self.state).err()
    }
}

/// A copy the scope's organisation delivered (found through its orders); anything else is
/// "not found".
pub fn copy_for_request(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<CopyTarget> {
    let delivered: i64 = order_apps::table
        .inner_join(orders::table)
        .filter(order_apps::copy_app_id.eq(app_id))
        .filter(orders::provider_org_id.eq(scope.org_id()))
        .count()
        .get_result(conn)?;
    if delivered == 0 {
        return Err(AppError::NotFound);
    }
    let r: (i64, String, i64, String, bool, String, bool) = apps::table
        .inner_join(orgs::table)
        .filter(apps::id.eq(app_id))
        .filter(apps::provider_org_id.eq(scope.org_id()))
        .select((
            apps::id,
            apps::name,
            orgs::id,
            orgs::name,
            apps::maintenance_open,
            apps::state,
            apps::auto_approve_grants,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(CopyTarget {
        app_id: r.0,
        app_name: r.1,
        customer_org_id: r.2,
        customer_org_name: r.3,
        maintenance_open: r.4,
        state: r.5,
        auto_approve: r.6,
    })
}

/// A developer's request. With "approve automatically while under maintenance" set on the
/// copy (Yida's behaviour) the grant is active at once; otherwise it waits for the
/// customer's admins, who are notified. Returns (grant id, active at once).
pub fn request(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
    reason: &str,
    duration_secs: i64,
) -> AppResult<(i64, bool)> {
    write_tx(conn, |conn| {
        let t = copy_for_request(conn, scope, app_id)?;
        if let Some(key) = t.refusal() {
            return Err(AppError::Conflict(key));
        }
        let at = now();
        let auto = t.auto_approve;
        let status = if auto {
            GrantStatus::Active
        } else {
            GrantStatus::Requested
        };
        let id: i64 = diesel::insert_into(mg::table)
            .values((
                mg::app_id.eq(app_id),
                mg::customer_org_id.eq(t.customer_org_id),
                mg::provider_org_id.eq(scope.org_id()),
                mg::developer_id.eq(scope.user_id()),
                mg::reason.eq(reason),
                mg::duration_secs.eq(duration_secs),
                mg::status.eq(status.as_str()),
                mg::requested_at.eq(at),
                mg::decided_at.eq(auto.then_some(at)),
                mg::expires_at.eq(auto.then_some(at + duration_secs)),
            ))
            .returning(mg::id)
            .get_result(conn)?;
        let f = grant_facts(conn, id)?.ok_or(AppError::NotFound)?;
        let n = grant_names(conn, &f)?;
        let hours = duration_secs / 3600;
        let dev = scope.user_id();
        event(
            conn,
            app_id,
            dev,
            EventKind::GrantRequested,
            &format!("#{id} {}: {reason}", n.developer),
        )?;
        record(
            conn,
            &f,
            dev,
            "grant.request",
            format!(
                "developer {} of provider {} requested grant #{id} on app {} in org {} for {hours} h: {reason}",
                n.developer, n.provider, n.app, n.customer
            ),
        )?;
        let body = format!("{} ({}) · {} · {reason}", n.developer, n.provider, n.app);
        let title = if auto {
            event(
                conn,
                app_id,
                dev,
                EventKind::GrantApproved,
                &format!("#{id} auto"),
            )?;
            record(
                conn,
                &f,
                dev,
                "grant.approve",
                format!(
                    "grant #{id} of developer {} of provider {} approved automatically (approve automatically while under maintenance) in org {}",
                    n.developer, n.provider, n.customer
                ),
            )?;
            notify(
                conn,
                scope.org_id(),
                dev,
                "distribution.maintenance.notify.approved",
                &n.app,
                "/maintenance",
            )?;
            "distribution.maintenance.notify.auto_approved"
        } else {
            "distribution.maintenance.notify.requested"
        };
        for admin in customer_admins(conn, t.customer_org_id)? {
            notify(conn, t.customer_org_id, admin, title, &body, "/maintenance")?;
        }
        Ok((id, auto))
    })
}

/// The customer's decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Decline,
    End,
}

impl Decision {
    fn transition(self) -> (GrantStatus, GrantStatus) {
        match self {
            Decision::Approve => (GrantStatus::Requested, GrantStatus::Active),
            Decision::Decline => (GrantStatus::Requested, GrantStatus::Declined),
            Decision::End => (GrantStatus::Active, GrantStatus::Ended),
        }
    }
    fn action(self) -> &'static str {
        match self {
            Decision::Approve => "grant.approve",
            Decision::Decline => "grant.decline",
            Decision::End => "grant.end",
        }
    }
    fn verb(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Decline => "declined",
            Decision::End => "ended",
        }
    }
    fn event(self) -> EventKind {
        match self {
            Decision::Approve => EventKind::GrantApproved,
            Decision::Decline => EventKind::GrantDeclined,
            Decision::End => EventKind::GrantEnded,
        }
    }
    fn notice(self) -> &'static str {
        match self {
            Decision::Approve => "distribution.maintenance.notify.approved",
            Decision::Decline => "distribution.maintenance.notify.declined",
            Decision::End => "distribution.maintenance.notify.ended",
        }
    }
}

/// Approves, declines or ends one of the scope's organisation's grants, exactly once:
/// the UPDATE is conditional on the expected status and must touch one row.
pub fn decide(conn: &mut Conn, scope: &OrgScope, grant_id: i64, d: Decision) -> AppResult<()> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden("error.admin_only"));
    }
    write_tx(conn, |conn| {
        let f = grant_facts(conn, grant_id)?
            .filter(|f| f.customer_org_id == scope.org_id())
            .ok_or(AppError::NotFound)?;
        let (from, to) = d.transition();
        let at = now();
        let target = mg::table
            .filter(mg::id.eq(grant_id))
            .filter(mg::customer_org_id.eq(scope.org_id()))
            .filter(mg::status.eq(from.as_str()));
        let n = match d {
            Decision::Approve => {
                if let Err(key) = may_request(f.maintenance_open, &f.app_state) {
                    return Err(AppError::Conflict(key));
                }
                let secs: i64 = mg::table
                    .find(grant_id)
                    .select(mg::duration_secs)
                    .first(conn)?;
                diesel::update(target)
                    .set((
                        mg::status.eq(to.as_str()),
                        mg::decided_by.eq(scope.user_id()),
                        mg::decided_at.eq(at),
                        mg::expires_at.eq(at + secs),
                    ))
                    .execute(conn)?
            }
            Decision::Decline => diesel::update(target)
                .set((
                    mg::status.eq(to.as_str()),
                    mg::decided_by.eq(scope.user_id()),
                    mg::decided_at.eq(at),
                ))
                .execute(conn)?,
            Decision::End => diesel::update(target)
                .set((
                    mg::status.eq(to.as_str()),
                    mg::ended_by.eq(scope.user_id()),
                    mg::ended_at.eq(at),
                ))
                .execute(conn)?,
        };
        if n != 1 {
            return Err(AppError::Conflict(
                "distribution.maintenance.error.already_decided",
            ));
        }
        let names = grant_names(conn, &f)?;
        let admin = user_name(conn, scope.user_id())?;
        event(
            conn,
            f.app_id,
            scope.user_id(),
            d.event(),
            &format!("#{grant_id}"),
        )?;
        record(
            conn,
            &f,
            scope.user_id(),
            d.action(),
            format!(
                "platform admin {admin} of org {} {} grant #{grant_id} of developer {} of provider {} on app {}",
                names.customer,
                d.verb(),
                names.developer,
                names.provider,
                names.app
            ),
        )?;
        notify(
            conn,
            f.provider_org_id,
            f.developer_id,
            d.notice(),
            &format!("{} · {}", names.app, names.customer),
            "/maintenance",
        )?;
        Ok(())
    })
}

/// For "close maintenance" (关闭开发维护, the customer's switch on the purchased app): ends
/// every active grant and declines every pending request on the app, each with its
/// timeline event, notification and audit record. Call it inside the close's transaction.
/// (Liveness already refuses everything once maintenance is closed; this makes the lists
/// and the trail say so.) Returns how many grants it closed.
pub fn close_all_on_app(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<usize> {
    let open: Vec<(i64, String)> = mg::table
        .filter(mg::app_id.eq(app_id))
        .filter(mg::customer_org_id.eq(scope.org_id()))
        .filter(mg::status.eq_any([
            GrantStatus::Requested.as_str(),
            GrantStatus::Active.as_str(),
        ]))
        .select((mg::id, mg::status))
        .load(conn)?;
    for (id, status) in &open {
        let d = if status == GrantStatus::Active.as_str() {
            Decision::End
        } else {
            Decision::Decline
        };
        decide(conn, scope, *id, d)?;
    }
    Ok(open.len())
}

/// Entering a live grant of one's own; records it. Returns the app to open.
pub fn enter(
    conn: &mut Conn,
    user_id: i64,
    user_name: &str,
    memberships: &[MembershipView],
    grant_id: i64,
) -> AppResult<i64> {
    let f = grant_facts(conn, grant_id)?
        .filter(|f| f.developer_id == user_id)
        .ok_or(AppError::NotFound)?;
    let provider = provider_membership(memberships, f.provider_org_id).ok_or(AppError::NotFound)?;
    if !is_live(&f, user_id, now()) {
        return Err(AppError::Conflict(
            "distribution.maintenance.error.not_live",
        ));
    }
    let (customer,): (String,) = orgs::table
        .find(f.customer_org_id)
        .select((orgs::name,))
        .first(conn)?;
    let detail = super::acting_detail(
        user_name,
        &provider.org_name,
        &customer,
        grant_id,
        "entered",
    );
    record(conn, &f, user_id, "grant.enter", detail)?;
    Ok(f.app_id)
}

/// One thing done under a grant (a request, for the audit middleware, or leaving it):
/// `action` is stored as is, `what` ends the sentence of the detail.
pub fn record_action(
    conn: &mut Conn,
    user_id: i64,
    user_name: &str,
    g: &Delegation,
    action: &str,
    what: &str,
) -> AppResult<i64> {
    audit::append(
        conn,
        &NewRecord {
            customer_org_id: g.customer_org_id,
            provider_org_id: g.provider_org_id,
            app_id: g.app_id,
            grant_id: Some(g.grant_id),
            actor_id: user_id,
            action: action.to_string(),
            detail: super::acting_detail(
                user_name,
                &g.provider_org_name,
                &g.customer_org_name,
                g.grant_id,
                what,
            ),
        },
    )
}
