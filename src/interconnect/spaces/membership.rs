//! A member organisation's life in a space: it applies through the invitation link (its
//! main admin chooses what joins), the space admin approves or rejects with a reason, the
//! member organisation narrows or widens its scope or leaves, and the space admin may
//! remove it. Every limit is checked when applying and again, under the organisations'
//! row locks, when approving, so concurrent approvals cannot pass a limit.

use diesel::prelude::*;

use super::review::ExitHow;
use super::store::{
    check_refs, linked_count, main_admins, notify_all, org_facts, space_managers, write_scope,
};
use crate::auth::OrgScope;
use crate::db::schema::{orgs, space_orgs, space_visibility, spaces};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::interconnect::people::{SpaceAccess, lock_org, people_count, reconcile_org};
use crate::interconnect::{OrgStatus, ScopeKind, check_people, check_room, may_apply_for_org};
use crate::tools::token_shape_ok;

mod own;
pub(crate) use own::{Membership, change_scope, leave, membership};

/// A space as its invitation link shows it to the applying organisation.
#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug)]
pub(crate) struct JoinView {
    pub space_id: i64,
    pub name: String,
    pub kind: String,
    pub owner_name: String,
    /// The applying organisation created this space.
    pub own_space: bool,
    /// The applying organisation's state in the space, if it has one.
    pub status: Option<OrgStatus>,
    pub reason: String,
}

impl JoinView {
    pub(crate) fn may_apply(&self) -> bool {
        !self.own_space && self.status.is_none_or(|s| s.may_apply())
    }
}

fn space_by_token(conn: &mut Conn, token: &str) -> AppResult<(i64, i64, String, String)> {
    if !token_shape_ok(token) {
        return Err(AppError::NotFound);
    }
    spaces::table
        .filter(spaces::invite_token.eq(token))
        .select((spaces::id, spaces::owner_org_id, spaces::name, spaces::kind))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

fn row_of(conn: &mut Conn, space_id: i64, org_id: i64) -> AppResult<Option<(i64, String, String)>> {
    Ok(space_orgs::table
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::org_id.eq(org_id))
        .select((space_orgs::id, space_orgs::status, space_orgs::reason))
        .first(conn)
        .optional()?)
}

pub(crate) fn join_view(conn: &mut Conn, scope: &OrgScope, token: &str) -> AppResult<JoinView> {
    let (space_id, owner, name, kind) = space_by_token(conn, token)?;
    let owner_name: String = orgs::table.find(owner).select(orgs::name).first(conn)?;
    let row = row_of(conn, space_id, scope.org_id())?;
    Ok(JoinView {
        space_id,
        name,
        kind,
        owner_name,
        own_space: owner == scope.org_id(),
        status: row.as_ref().and_then(|(_, s, _)| OrgStatus::parse(s)),
        reason: row.map(|(_, _, r)| r).unwrap_or_default(),
    })
}

/// The statuses that take a place under a limit: joined, and at application pending too.
fn counted(pending_too: bool) -> Vec<&'static str> {
    let mut statuses = vec![OrgStatus::Joined.as_str()];
    if pending_too {
        statuses.push(OrgStatus::Pending.as_str());
    }
    statuses
}

/// Spaces an organisation belongs to as a member or has applied to, `except` one.
fn joined_elsewhere(
    conn: &mut Conn,
    org_id: i64,
    except: i64,
    pending_too: bool,
) -> AppResult<i64> {
    Ok(space_orgs::table
        .filter(space_orgs::org_id.eq(org_id))
        .filter(space_orgs::role.eq("member"))
        .filter(space_orgs::space_id.ne(except))
        .filter(space_orgs::status.eq_any(counted(pending_too)))
        .count()
        .get_result(conn)?)
}

/// Member organisations of a space other than `except_org`.
fn orgs_in_space(
    conn: &mut Conn,
    space_id: i64,
    except_org: i64,
    pending_too: bool,
) -> AppResult<i64> {
    Ok(space_orgs::table
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::role.eq("member"))
        .filter(space_orgs::org_id.ne(except_org))
        .filter(space_orgs::status.eq_any(counted(pending_too)))
        .count()
        .get_result(conn)?)
}

/// The three limits for `org_id` entering `space_id` (owned by `owner`) with the scope
/// stored on row `so`. At application pending requests hold their place too.
fn check_limits(
    conn: &mut Conn,
    space_id: i64,
    owner: i64,
    org_id: i64,
    so: i64,
    at_apply: bool,
) -> AppResult<()> {
    let member = org_facts(conn, org_id)?;
    let owner_facts = org_facts(conn, owner)?;
    check_room(
        joined_elsewhere(conn, org_id, space_id, at_apply)?,
        member.limits.max_joined,
        "interconnect.spaces.error.joined_limit",
    )?;
    check_room(
        orgs_in_space(conn, space_id, org_id, at_apply)?,
        owner_facts.limits.max_orgs,
        "interconnect.spaces.error.orgs_limit",
    )?;
    check_people(
        people_count(conn, space_id)?,
        linked_count(conn, so, org_id)?,
        owner_facts.limits.max_people,
    )
}

/// The main admin of the scope's organisation applies to join with the chosen scope.
/// Returns the space id, or the scope field's error.
pub(crate) fn apply(
    conn: &mut Conn,
    scope: &OrgScope,
    token: &str,
    kind: ScopeKind,
    refs: &[i64],
) -> AppResult<Result<i64, &'static str>> {
    if !may_apply_for_org(scope.role()) {
        return Err(AppError::Forbidden(
            "interconnect.spaces.error.main_admin_only",
        ));
    }
    write_tx(conn, |conn| {
        lock_org(conn, scope.org_id())?;
        let (space_id, owner, name, _) = space_by_token(conn, token)?;
        if owner == scope.org_id() {
            return Err(AppError::Conflict("interconnect.spaces.error.own_space"));
        }
        let row = row_of(conn, space_id, scope.org_id())?;
        if let Some((_, s, _)) = &row
            && !OrgStatus::parse(s).is_some_and(|s| s.may_apply())
        {
            return Err(AppError::Conflict(
                "interconnect.spaces.error.already_applied",
            ));
        }
        if let Err(key) = check_refs(conn, scope.org_id(), kind, refs)? {
            return Ok(Err(key));
        }
        let t = now();
        let so = match row {
            Some((id, _, _)) => {
                diesel::update(space_orgs::table.find(id))
                    .set((
                        space_orgs::status.eq(OrgStatus::Pending.as_str()),
                        space_orgs::applied_by.eq(Some(scope.user_id())),
                        space_orgs::applied_at.eq(Some(t)),
                        space_orgs::reviewed_by.eq(None::<i64>),
                        space_orgs::reviewed_at.eq(None::<i64>),
                        space_orgs::reason.eq(""),
                    ))
                    .execute(conn)?;
                id
            }
            None => diesel::insert_into(space_orgs::table)
                .values((
                    space_orgs::space_id.eq(space_id),
                    space_orgs::org_id.eq(scope.org_id()),
                    space_orgs::role.eq("member"),
                    space_orgs::status.eq(OrgStatus::Pending.as_str()),
                    space_orgs::scope_kind.eq(kind.as_str()),
                    space_orgs::applied_by.eq(Some(scope.user_id())),
                    space_orgs::applied_at.eq(Some(t)),
                    space_orgs::created_at.eq(t),
                ))
                .returning(space_orgs::id)
                .get_result(conn)?,
        };
        write_scope(conn, so, kind, refs)?;
        check_limits(conn, space_id, owner, scope.org_id(), so, true)?;
        let applicant: String = orgs::table
            .find(scope.org_id())
            .select(orgs::name)
            .first(conn)?;
        let managers = crate::interconnect::contacts::space_admins(conn, space_id, owner)?;
        notify_all(
            conn,
            owner,
            &managers,
            "interconnect.spaces.notify.join_request",
            &format!("{applicant} → {name}"),
            &format!("/interconnect/spaces/{space_id}/orgs"),
        )?;
        tracing::info!(
            org.id = scope.org_id(),
            space.id = space_id,
            "join requested"
        );
        Ok(Ok(space_id))
    })
}

/// A member row of the space the manager acts on; another space's row is a 404.
fn member_row(conn: &mut Conn, space_id: i64, so: i64) -> AppResult<(i64, OrgStatus)> {
    let (org, status): (i64, String) = space_orgs::table
        .filter(space_orgs::id.eq(so))
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::role.eq("member"))
        .select((space_orgs::org_id, space_orgs::status))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok((org, OrgStatus::parse(&status).unwrap_or(OrgStatus::Left)))
}

fn require_manager(access: &SpaceAccess) -> AppResult<()> {
    if access.manages {
        Ok(())
    } else {
        Err(AppError::Forbidden("interconnect.spaces.error.not_manager"))
    }
}

/// The space admin's decision on a pending request: `None` approves, `Some(reason)`
/// rejects. Both sides are notified.
pub(crate) fn review(
    conn: &mut Conn,
    access: &SpaceAccess,
    reviewer: i64,
    so: i64,
    reject: Option<&str>,
) -> AppResult<()> {
    require_manager(access)?;
    write_tx(conn, |conn| {
        lock_org(conn, access.owner_org_id)?;
        let (org, status) = member_row(conn, access.space_id, so)?;
        lock_org(conn, org)?;
        if status != OrgStatus::Pending {
            return Err(AppError::Conflict("interconnect.spaces.error.not_pending"));
        }
        let t = now();
        let (title, body) = match reject {
            None => {
                check_limits(conn, access.space_id, access.owner_org_id, org, so, false)?;
                diesel::update(space_orgs::table.find(so))
                    .set((
                        space_orgs::status.eq(OrgStatus::Joined.as_str()),
                        space_orgs::reviewed_by.eq(Some(reviewer)),
                        space_orgs::reviewed_at.eq(Some(t)),
                        space_orgs::joined_at.eq(Some(t)),
                        space_orgs::reason.eq(""),
                    ))
                    .execute(conn)?;
                reconcile_org(conn, org)?;
                ("interconnect.spaces.notify.approved", access.name.clone())
            }
            Some(reason) => {
                diesel::update(space_orgs::table.find(so))
                    .set((
                        space_orgs::status.eq(OrgStatus::Rejected.as_str()),
                        space_orgs::reviewed_by.eq(Some(reviewer)),
                        space_orgs::reviewed_at.eq(Some(t)),
                        space_orgs::reason.eq(reason),
                    ))
                    .execute(conn)?;
                (
                    "interconnect.spaces.notify.rejected",
                    format!("{} · {reason}", access.name),
                )
            }
        };
        let admins = main_admins(conn, org)?;
        notify_all(conn, org, &admins, title, &body, "/interconnect")?;
        // The reviewing side keeps a record too (its other managers see the outcome).
        let managers: Vec<i64> = space_managers(conn, access.owner_org_id)?
            .into_iter()
            .filter(|u| *u != reviewer)
            .collect();
        let org_name: String = orgs::table.find(org).select(orgs::name).first(conn)?;
        notify_all(
            conn,
            access.owner_org_id,
            &managers,
            title,
            &format!("{org_name} · {body}"),
            &format!("/interconnect/spaces/{}/orgs", access.space_id),
        )?;
        tracing::info!(
            space.id = access.space_id,
            org.id = org,
            approved = reject.is_none(),
            "join reviewed"
        );
        Ok(())
    })
}

/// Ends an organisation's membership: its people leave the space, its collaboration
/// groups and its seats (via reconcile); visibility rules naming it go.
fn end_membership(
    conn: &mut Conn,
    space_id: i64,
    so: i64,
    org: i64,
    how: ExitHow,
    by: i64,
) -> AppResult<()> {
    super::review::record(conn, so, how, by)?;
    diesel::update(space_orgs::table.find(so))
        .set((
            space_orgs::status.eq(OrgStatus::Left.as_str()),
            space_orgs::group_id.eq(None::<i64>),
        ))
        .execute(conn)?;
    diesel::delete(
        space_visibility::table
            .filter(space_visibility::space_id.eq(space_id))
            .filter(
                space_visibility::viewer_org_id
                    .eq(org)
                    .or(space_visibility::visible_org_id.eq(org)),
            ),
    )
    .execute(conn)?;
    reconcile_org(conn, org)
}

/// The space admin `by` removes a member organisation (取消关联): all its people leave.
pub(crate) fn remove(conn: &mut Conn, access: &SpaceAccess, by: i64, so: i64) -> AppResult<()> {
    require_manager(access)?;
    write_tx(conn, |conn| {
        let (org, status) = member_row(conn, access.space_id, so)?;
        if status != OrgStatus::Joined {
            return Err(AppError::Conflict("interconnect.spaces.error.not_joined"));
        }
        end_membership(conn, access.space_id, so, org, ExitHow::Removed, by)?;
        let admins = main_admins(conn, org)?;
        notify_all(
            conn,
            org,
            &admins,
            "interconnect.spaces.notify.removed",
            &access.name,
            "/interconnect",
        )?;
        tracing::info!(
            space.id = access.space_id,
            org.id = org,
            "member organisation removed"
        );
        Ok(())
    })
}
