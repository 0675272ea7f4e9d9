//! The team after it deployed (seed: 开始使用 → 团队邀请链接): the invitation link that
//! lets more people join (it expires, can be revoked, and joins wait for an admin unless
//! the admin turns approval off); the joins themselves are `team_joins`. The rules are
//! plain functions; the queries below them take the caller's scope.

use diesel::prelude::*;

use crate::auth::OrgScope;
use crate::db::schema::{orgs, qd_team_links as l};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};

/// A link lives a week unless the admin says otherwise (the issue: 7 days default).
pub(crate) const DEFAULT_EXPIRY_DAYS: i64 = 7;
const MAX_EXPIRY_DAYS: i64 = 30;
pub(crate) const DAY: i64 = 86_400;

/// The expiry in days typed by the admin: empty is the default, else 1–30.
pub(crate) fn parse_expiry_days(s: &str) -> Result<i64, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(DEFAULT_EXPIRY_DAYS);
    }
    match s.parse::<i64>() {
        Ok(d) if (1..=MAX_EXPIRY_DAYS).contains(&d) => Ok(d),
        _ => Err("quickdeploy.team.error.expiry_days"),
    }
}

/// The public address of a team invitation link.
pub(crate) fn team_url(public_base: &str, token: &str) -> String {
    format!("{}/qd/team/{token}", public_base.trim_end_matches('/'))
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = l)]
pub(crate) struct TeamLink {
    pub id: i64,
    pub org_id: i64,
    pub token: String,
    pub join_approval: bool,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

impl TeamLink {
    pub(crate) fn status(&self, now: i64) -> LinkStatus {
        link_status(self.revoked_at, self.expires_at, now)
    }
}

/// What a team invitation link does now: the one status of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkStatus {
    Live,
    Expired,
    Revoked,
}

/// Revoked wins over expired (the admin's act is the reason shown).
pub(crate) fn link_status(revoked_at: Option<i64>, expires_at: i64, now: i64) -> LinkStatus {
    match revoked_at {
        Some(_) => LinkStatus::Revoked,
        None if now >= expires_at => LinkStatus::Expired,
        None => LinkStatus::Live,
    }
}

impl LinkStatus {
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            LinkStatus::Live => "quickdeploy.team.link_status.live",
            LinkStatus::Expired => "quickdeploy.team.link_status.expired",
            LinkStatus::Revoked => "quickdeploy.team.link_status.revoked",
        }
    }
    pub(crate) fn tone(self) -> &'static str {
        match self {
            LinkStatus::Live => "ok",
            LinkStatus::Expired => "muted",
            LinkStatus::Revoked => "bad",
        }
    }
    /// Why a join through this link is refused, if it is.
    pub(crate) fn refusal(self) -> Option<&'static str> {
        match self {
            LinkStatus::Live => None,
            LinkStatus::Expired => Some("quickdeploy.team.join.expired"),
            LinkStatus::Revoked => Some("quickdeploy.team.join.revoked"),
        }
    }
}

/// The organisation's current link: the newest one not revoked (it may have expired).
pub(crate) fn current(conn: &mut Conn, org: i64) -> AppResult<Option<TeamLink>> {
    Ok(l::table
        .filter(l::org_id.eq(org))
        .filter(l::revoked_at.is_null())
        .order(l::id.desc())
        .select(TeamLink::as_select())
        .first(conn)
        .optional()?)
}

/// Creates the organisation's link, replacing (revoking) the one before; the approval
/// setting carries over (on for the first link).
pub(crate) fn create(conn: &mut Conn, scope: &OrgScope, days: i64) -> AppResult<TeamLink> {
    write_tx(conn, |conn| {
        let org = scope.org_id();
        let approval = current(conn, org)?.is_none_or(|x| x.join_approval);
        let t = now();
        diesel::update(
            l::table
                .filter(l::org_id.eq(org))
                .filter(l::revoked_at.is_null()),
        )
        .set(l::revoked_at.eq(Some(t)))
        .execute(conn)?;
        let id: i64 = diesel::insert_into(l::table)
            .values((
                l::org_id.eq(org),
                l::token.eq(crate::tools::new_token()),
                l::join_approval.eq(approval),
                l::created_by.eq(scope.user_id()),
                l::created_at.eq(t),
                l::expires_at.eq(t + days * DAY),
            ))
            .returning(l::id)
            .get_result(conn)?;
        Ok(l::table
            .find(id)
            .select(TeamLink::as_select())
            .first(conn)?)
    })
}

/// Revokes a link of the organisation (another's: 404); revoking twice changes nothing.
pub(crate) fn revoke(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let found: i64 = l::table
            .filter(l::id.eq(id))
            .filter(l::org_id.eq(scope.org_id()))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(AppError::NotFound);
        }
        diesel::update(l::table.find(id).filter(l::revoked_at.is_null()))
            .set(l::revoked_at.eq(Some(now())))
            .execute(conn)?;
        Ok(())
    })
}

/// Turns join approval on or off for the current link.
pub(crate) fn set_approval(conn: &mut Conn, scope: &OrgScope, on: bool) -> AppResult<()> {
    write_tx(conn, |conn| {
        let Some(link) = current(conn, scope.org_id())? else {
            return Err(AppError::Conflict("quickdeploy.team.error.no_link"));
        };
        diesel::update(l::table.find(link.id))
            .set(l::join_approval.eq(on))
            .execute(conn)?;
        Ok(())
    })
}

/// The link behind a token (unknown or malformed: 404).
pub(crate) fn by_token(conn: &mut Conn, token: &str) -> AppResult<TeamLink> {
    if !crate::tools::token_shape_ok(token) {
        return Err(AppError::NotFound);
    }
    l::table
        .filter(l::token.eq(token))
        .select(TeamLink::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub(crate) fn org_name(conn: &mut Conn, org: i64) -> AppResult<String> {
    Ok(orgs::table.find(org).select(orgs::name).first(conn)?)
}

pub(crate) fn is_member(conn: &mut Conn, org: i64, user: i64) -> AppResult<bool> {
    use crate::db::schema::memberships as m;
    let n: i64 = m::table
        .filter(m::org_id.eq(org))
        .filter(m::user_id.eq(user))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_lives_seven_days_unless_one_to_thirty_are_asked_for() {
        assert_eq!(parse_expiry_days(""), Ok(7));
        assert_eq!(parse_expiry_days(" 30 "), Ok(30));
        assert_eq!(parse_expiry_days("1"), Ok(1));
        for bad in ["0", "31", "-2", "seven", "1.5"] {
            assert_eq!(
                parse_expiry_days(bad),
                Err("quickdeploy.team.error.expiry_days"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_link_is_live_until_it_expires_or_is_revoked_and_revocation_is_named_first() {
        assert_eq!(link_status(None, 100, 99), LinkStatus::Live);
        assert_eq!(link_status(None, 100, 100), LinkStatus::Expired);
        assert_eq!(link_status(Some(50), 100, 200), LinkStatus::Revoked);
        assert_eq!(link_status(Some(50), 100, 60), LinkStatus::Revoked);
    }
}
