//! Contacts who leave (seed 004 核心效果: 对接人离职第一时间知道，第一时间有交接). Each
//! organisation of a space has a contact (对接人): the one its admin named, else the
//! space's creator for the owner and the applicant for a member organisation. When a
//! contact — or a space admin of the owner (main admin, interconnection sub-admin) —
//! leaves their organisation (removed from its members, or the account disabled), the
//! other side of each of their spaces is told at once, and their organisation's admins
//! are asked to name a successor among their members. The successor becomes the
//! organisation's contact in those spaces (on the owner's side: the space's named admin,
//! who manages that space whatever their role), and inherits the pending approvals in the
//! space's published apps, the pending join reviews and the collaboration groups the
//! person held.

mod handover;
mod leave;
pub(crate) mod pages;
pub(crate) mod routes;

pub(crate) use handover::{Departure, DepartureView, list, name_successor, parse_successor, view};
pub(crate) use leave::on_leave;
pub use leave::{on_disabled, on_enabled};

use std::collections::BTreeSet;

use diesel::prelude::*;

pub(crate) use routes::router;

use super::people::{in_space, lock_org};
use super::{OrgStatus, may_manage_spaces};
use crate::auth::{OrgScope, Perm, Role};
use crate::db::schema::{
    approval_tasks, collab_groups, collab_members, contact_departures, departure_items,
    memberships, orgs, space_apps, space_orgs, spaces, submissions, users,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::notifications::keyed_body;
use crate::web::{Cursor, Errors, PAGE_SIZE, Page};

/// An approval task not acted on yet (the stored status; `forms` sits above interconnection
/// in the layers, so the value is named here rather than imported).
const PENDING_TASK: &str = "pending";

/// Why the person is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// Removed from the organisation's members.
    Removed,
    /// Their account was disabled by the operator.
    Disabled,
}

impl Reason {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Reason::Removed => "removed",
            Reason::Disabled => "disabled",
        }
    }

    pub(crate) fn label_key(s: &str) -> &'static str {
        if s == Reason::Disabled.as_str() {
            "interconnect.contacts.reason.disabled"
        } else {
            "interconnect.contacts.reason.removed"
        }
    }
}

/// A joined row of a space: (space_orgs id, space, organisation, owner?, contact).
struct ContactRow {
    so: i64,
    space_id: i64,
    org_id: i64,
    owner: bool,
    contact: Option<i64>,
}

/// The joined rows of `org_id` (or of `space_id`), with each row's effective contact.
fn contact_rows(
    conn: &mut Conn,
    org_id: Option<i64>,
    space_id: Option<i64>,
) -> AppResult<Vec<ContactRow>> {
    let mut q = space_orgs::table
        .inner_join(spaces::table)
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .select((
            space_orgs::id,
            space_orgs::space_id,
            space_orgs::org_id,
            space_orgs::role,
            space_orgs::contact_id,
            space_orgs::applied_by,
            spaces::created_by,
        ))
        .into_boxed();
    if let Some(o) = org_id {
        q = q.filter(space_orgs::org_id.eq(o));
    }
    if let Some(s) = space_id {
        q = q.filter(space_orgs::space_id.eq(s));
    }
    #[expect(
        clippy::type_complexity,
        reason = "one row of space_orgs with its space"
    )]
    let rows: Vec<(i64, i64, i64, String, Option<i64>, Option<i64>, i64)> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(so, space_id, org_id, role, contact, applied_by, creator)| {
                let owner = role == "owner";
                ContactRow {
                    so,
                    space_id,
                    org_id,
                    owner,
                    contact: contact.or(if owner { Some(creator) } else { applied_by }),
                }
            },
        )
        .collect())
}

/// Whether the scope's user is the explicitly named admin of space `space_id` on its
/// owner's side (a successor): they manage that space whatever their role.
pub(crate) fn is_named_admin(conn: &mut Conn, space_id: i64, scope: &OrgScope) -> AppResult<bool> {
    if scope.grant_id().is_some() {
        return Ok(false);
    }
    let named: Option<Option<i64>> = space_orgs::table
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::org_id.eq(scope.org_id()))
        .filter(space_orgs::role.eq("owner"))
        .select(space_orgs::contact_id)
        .first(conn)
        .optional()?;
    Ok(named.flatten() == Some(scope.user_id()))
}

/// Who manages space `space_id` of `owner`: the owner's main admins and interconnection
/// sub-admins, and its named admin.
pub(crate) fn space_admins(conn: &mut Conn, space_id: i64, owner: i64) -> AppResult<Vec<i64>> {
    let mut out = super::spaces::store::space_managers(conn, owner)?;
    let named: Option<Option<i64>> = space_orgs::table
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::org_id.eq(owner))
        .filter(space_orgs::role.eq("owner"))
        .select(space_orgs::contact_id)
        .first(conn)
        .optional()?;
    if let Some(Some(n)) = named
        && !out.contains(&n)
        && still_member(conn, owner, n)?
    {
        out.push(n);
    }
    Ok(out)
}

/// A member of `org_id` whose account is enabled.
fn still_member(conn: &mut Conn, org_id: i64, user_id: i64) -> AppResult<bool> {
    let n: i64 = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id))
        .filter(users::disabled.eq(false))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The people of the other side of `space_id`, seen from `org_id`: for a member
/// organisation, the owner's space admins; for the owner, each joined member
/// organisation's contact and main admins. (organisation, person) pairs.
fn other_side(conn: &mut Conn, space_id: i64, org_id: i64) -> AppResult<Vec<(i64, i64)>> {
    let rows = contact_rows(conn, None, Some(space_id))?;
    let mut out: BTreeSet<(i64, i64)> = BTreeSet::new();
    let mine_is_owner = rows.iter().any(|r| r.org_id == org_id && r.owner);
    for r in rows.iter().filter(|r| r.org_id != org_id) {
        if mine_is_owner {
            for a in super::spaces::store::main_admins(conn, r.org_id)? {
                out.insert((r.org_id, a));
            }
            if let Some(c) = r.contact
                && still_member(conn, r.org_id, c)?
            {
                out.insert((r.org_id, c));
            }
        } else if r.owner {
            for a in space_admins(conn, space_id, r.org_id)? {
                out.insert((r.org_id, a));
            }
        }
    }
    Ok(out.into_iter().collect())
}

fn name_of_user(conn: &mut Conn, id: i64) -> AppResult<String> {
    Ok(users::table.find(id).select(users::name).first(conn)?)
}

fn name_of_org(conn: &mut Conn, id: i64) -> AppResult<String> {
    Ok(orgs::table.find(id).select(orgs::name).first(conn)?)
}

fn name_of_space(conn: &mut Conn, id: i64) -> AppResult<String> {
    Ok(spaces::table.find(id).select(spaces::name).first(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_successor_must_be_picked() {
        assert_eq!(parse_successor(" 12 ").ok(), Some(12));
        let e = parse_successor("").err().unwrap_or_default();
        assert_eq!(
            e.get("successor"),
            Some("interconnect.contacts.error.pick_successor")
        );
        assert_eq!(
            Reason::label_key("disabled"),
            "interconnect.contacts.reason.disabled"
        );
        assert_eq!(
            Reason::label_key("removed"),
            "interconnect.contacts.reason.removed"
        );
    }
}
