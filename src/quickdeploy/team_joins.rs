//! Joining a team through its invitation link: the rule of a join, the request that
//! waits for an admin (once), and the admins' decision. The rules are plain functions;
//! the queries below them take the caller's scope.

use std::collections::HashMap;

use diesel::prelude::*;

use super::team::{LinkStatus, TeamLink, by_token, is_member, org_name};
use crate::auth::{OrgScope, Role};
use crate::db::in_ids::in_ids;
use crate::db::schema::{qd_team_joins as j, users};
use crate::db::{Conn, is_unique_violation, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::tools::Cursor;
use crate::web::{PAGE_SIZE, Page};

/// A join request's state (unique per organisation and person).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JoinStatus {
    Pending,
    Approved,
    Rejected,
}

impl JoinStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            JoinStatus::Pending => "pending",
            JoinStatus::Approved => "approved",
            JoinStatus::Rejected => "rejected",
        }
    }
    pub(crate) fn parse(s: &str) -> JoinStatus {
        match s {
            "approved" => JoinStatus::Approved,
            "rejected" => JoinStatus::Rejected,
            _ => JoinStatus::Pending,
        }
    }
}

/// What a person's "join" through a link comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JoinOutcome {
    /// Expired or revoked: the message says which.
    Refused(&'static str),
    AlreadyMember,
    /// Waiting for an admin (again, after a rejection or after leaving).
    Pending,
    /// Asked before and still waiting: nothing new, nobody notified again.
    AlreadyPending,
    /// Approval is off: a member at once.
    Joined,
}

impl JoinOutcome {
    pub(crate) fn message_key(self) -> &'static str {
        match self {
            JoinOutcome::Refused(k) => k,
            JoinOutcome::AlreadyMember => "quickdeploy.team.join.already_member",
            JoinOutcome::Pending => "quickdeploy.team.join.pending",
            JoinOutcome::AlreadyPending => "quickdeploy.team.join.already_pending",
            JoinOutcome::Joined => "quickdeploy.team.join.joined",
        }
    }
}

/// The rule of a join: the link must be live; a member is told so; with approval on the
/// request waits (once), otherwise the person joins.
pub(crate) fn join_outcome(
    link: LinkStatus,
    member: bool,
    approval: bool,
    earlier: Option<JoinStatus>,
) -> JoinOutcome {
    if let Some(why) = link.refusal() {
        return JoinOutcome::Refused(why);
    }
    if member {
        return JoinOutcome::AlreadyMember;
    }
    match (approval, earlier) {
        (true, Some(JoinStatus::Pending)) => JoinOutcome::AlreadyPending,
        (true, _) => JoinOutcome::Pending,
        (false, _) => JoinOutcome::Joined,
    }
}

/// Records the person's request (one row per organisation and person: a new request
/// reopens the old row).
fn put_join(
    conn: &mut Conn,
    link: &TeamLink,
    user: i64,
    status: JoinStatus,
    earlier: Option<i64>,
) -> AppResult<()> {
    let t = now();
    match earlier {
        Some(id) => {
            diesel::update(j::table.find(id))
                .set((
                    j::link_id.eq(link.id),
                    j::status.eq(status.as_str()),
                    j::requested_at.eq(t),
                    j::decided_by.eq(None::<i64>),
                    j::decided_at.eq(None::<i64>),
                ))
                .execute(conn)?;
        }
        None => {
            let res = diesel::insert_into(j::table)
                .values((
                    j::link_id.eq(link.id),
                    j::org_id.eq(link.org_id),
                    j::user_id.eq(user),
                    j::status.eq(status.as_str()),
                    j::requested_at.eq(t),
                ))
                .execute(conn);
            match res {
                Ok(_) => {}
                // A twin request won the race: it is the one that waits.
                Err(e) if is_unique_violation(&e) => {
                    return Err(AppError::Conflict("quickdeploy.team.join.already_pending"));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

/// A signed-in person joins through a link: the outcome and the organisation.
pub(crate) fn join(conn: &mut Conn, token: &str, user: i64) -> AppResult<(JoinOutcome, i64)> {
    write_tx(conn, |conn| {
        let link = by_token(conn, token)?;
        let member = is_member(conn, link.org_id, user)?;
        let earlier: Option<(i64, String)> = j::table
            .filter(j::org_id.eq(link.org_id))
            .filter(j::user_id.eq(user))
            .select((j::id, j::status))
            .first(conn)
            .optional()?;
        let outcome = join_outcome(
            link.status(now()),
            member,
            link.join_approval,
            earlier.as_ref().map(|(_, s)| JoinStatus::parse(s)),
        );
        let earlier_id = earlier.map(|(id, _)| id);
        match outcome {
            JoinOutcome::Pending => {
                put_join(conn, &link, user, JoinStatus::Pending, earlier_id)?;
                let who: String = users::table.find(user).select(users::name).first(conn)?;
                crate::notifications::notify_admins(
                    conn,
                    link.org_id,
                    "quickdeploy.team.notify.join_requested",
                    &who,
                    "/org/quick-deploy#joins",
                )?;
            }
            JoinOutcome::Joined => {
                let added = crate::org::insert_membership(
                    conn,
                    link.org_id,
                    crate::org::UserId(user),
                    Role::Member,
                    "join",
                )?;
                if added.is_err() {
                    return Ok((JoinOutcome::AlreadyMember, link.org_id));
                }
                put_join(conn, &link, user, JoinStatus::Approved, earlier_id)?;
            }
            _ => {}
        }
        Ok((outcome, link.org_id))
    })
}

/// True when `user` asked to join `org` and the admins have not decided yet.
pub(crate) fn is_waiting(conn: &mut Conn, org: i64, user: i64) -> AppResult<bool> {
    let n: i64 = j::table
        .filter(j::org_id.eq(org))
        .filter(j::user_id.eq(user))
        .filter(j::status.eq(JoinStatus::Pending.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A pending join request as the admins see it.
#[derive(Clone, Debug)]
pub(crate) struct JoinRow {
    pub id: i64,
    pub name: String,
    pub login: String,
    pub requested_at: i64,
}

/// The organisation's pending requests, oldest first.
pub(crate) fn pending(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<Page<JoinRow>> {
    type Raw = (i64, i64, i64);
    let org = scope.org_id();
    let page = Page::fetch(
        cursor,
        |r: &Raw| r.0,
        |c| {
            let q = j::table
                .filter(j::org_id.eq(org))
                .filter(j::status.eq(JoinStatus::Pending.as_str()))
                .select((j::id, j::user_id, j::requested_at))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            Ok(crate::keyset!(q, c, j::id, asc).load(conn)?)
        },
    )?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.1).collect();
    let people: HashMap<i64, (String, String)> = users::table
        .filter(in_ids(users::id, &ids))
        .select((users::id, users::name, users::login))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, n, lg)| (id, (n, lg)))
        .collect();
    Ok(Page {
        prev: page.prev,
        next: page.next,
        items: page
            .items
            .into_iter()
            .map(|(id, uid, requested_at)| {
                let (name, login) = people.get(&uid).cloned().unwrap_or_default();
                JoinRow {
                    id,
                    name,
                    login,
                    requested_at,
                }
            })
            .collect(),
    })
}

/// What deciding a request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Approved,
    /// Approved, but the person had joined meanwhile (invited by hand, another way).
    AlreadyMember,
    Rejected,
    /// Decided before (a second click, another admin).
    AlreadyDecided,
}

impl Decision {
    pub(crate) fn flash_key(self) -> &'static str {
        match self {
            Decision::Approved => "quickdeploy.team.flash.approved",
            Decision::AlreadyMember => "quickdeploy.team.flash.already_member",
            Decision::Rejected => "quickdeploy.team.flash.rejected",
            Decision::AlreadyDecided => "quickdeploy.team.flash.already_decided",
        }
    }
}

/// Approves (the person becomes a member) or rejects a pending request of the
/// organisation (another's: 404).
pub(crate) fn decide(
    conn: &mut Conn,
    scope: &OrgScope,
    id: i64,
    approve: bool,
) -> AppResult<Decision> {
    write_tx(conn, |conn| {
        let (user, status): (i64, String) = j::table
            .filter(j::id.eq(id))
            .filter(j::org_id.eq(scope.org_id()))
            .select((j::user_id, j::status))
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        if JoinStatus::parse(&status) != JoinStatus::Pending {
            return Ok(Decision::AlreadyDecided);
        }
        let (status, out) = if approve {
            let added = crate::org::insert_membership(
                conn,
                scope.org_id(),
                crate::org::UserId(user),
                Role::Member,
                "join",
            )?;
            if added.is_ok() {
                let org = org_name(conn, scope.org_id())?;
                crate::notifications::notify(
                    conn,
                    scope.org_id(),
                    user,
                    "quickdeploy.team.notify.join_approved",
                    &org,
                    "/workbench",
                )?;
            }
            let out = if added.is_ok() {
                Decision::Approved
            } else {
                Decision::AlreadyMember
            };
            (JoinStatus::Approved, out)
        } else {
            (JoinStatus::Rejected, Decision::Rejected)
        };
        diesel::update(
            j::table
                .find(id)
                .filter(j::status.eq(JoinStatus::Pending.as_str())),
        )
        .set((
            j::status.eq(status.as_str()),
            j::decided_by.eq(Some(scope.user_id())),
            j::decided_at.eq(Some(now())),
        ))
        .execute(conn)?;
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_waits_for_approval_once_and_joins_at_once_without_it() {
        use JoinOutcome::*;
        let live = LinkStatus::Live;
        assert_eq!(join_outcome(live, false, true, None), Pending);
        assert_eq!(
            join_outcome(live, false, true, Some(JoinStatus::Pending)),
            AlreadyPending
        );
        assert_eq!(
            join_outcome(live, false, true, Some(JoinStatus::Rejected)),
            Pending
        );
        assert_eq!(join_outcome(live, false, false, None), Joined);
        assert_eq!(join_outcome(live, true, false, None), AlreadyMember);
        assert_eq!(
            join_outcome(LinkStatus::Expired, true, false, None),
            Refused("quickdeploy.team.join.expired")
        );
        assert_eq!(
            join_outcome(LinkStatus::Revoked, false, false, None),
            Refused("quickdeploy.team.join.revoked")
        );
    }
}
