//! Queries behind sign-in: the current user of a session, and a successful sign-in
//! (the failed-sign-in counters are [`super::throttle`]).

use diesel::prelude::*;

use super::{CurrentUser, Delegations, MembershipView, Perm, Role, SessionData};
use crate::db::schema::{memberships, orgs, sessions, unread_counts, users};
use crate::db::{Conn, now};
use crate::error::AppResult;

use crate::config::SessionPolicy;

/// Extending the idle expiry is a write; do it at most once per this many seconds so an
/// ordinary page view stays read-only.
const TOUCH_EVERY: i64 = 300;

/// The unread badge shows counts up to this and then "99+".
pub const UNREAD_CAP: i64 = 99;

/// The signed-in user of a session, and whether its idle expiry is due to be extended.
pub struct Loaded {
    pub user: Option<CurrentUser>,
    pub touch: bool,
}

/// Loads the signed-in user of session `sid`: session row, user, memberships, a live
/// maintenance grant and the unread count, all indexed point reads. It writes nothing,
/// so that on SQLite it can run on the request's own thread (see `Db::read_inline`);
/// the rare idle-expiry extension is [`touch`], run by the caller when `touch` is set.
pub fn load_current(
    conn: &mut Conn,
    sid: &str,
    policy: SessionPolicy,
    delegations: &Delegations,
) -> AppResult<Loaded> {
    let user = load_user(conn, sid, policy, delegations)?;
    Ok(Loaded {
        touch: user
            .as_ref()
            .is_some_and(|(_, expires_at)| *expires_at - now() < policy.idle - TOUCH_EVERY),
        user: user.map(|(u, _)| u),
    })
}

/// Extends the idle expiry of session `sid`. A session deleted meanwhile (logout) stays
/// deleted: this only updates an existing row.
pub fn touch(conn: &mut Conn, sid: &str, policy: SessionPolicy) -> AppResult<()> {
    diesel::update(sessions::table.find(sid))
        .set(sessions::expires_at.eq(now() + policy.idle))
        .execute(conn)?;
    Ok(())
}

fn load_user(
    conn: &mut Conn,
    sid: &str,
    policy: SessionPolicy,
    delegations: &Delegations,
) -> AppResult<Option<(CurrentUser, i64)>> {
    let t = now();
    let row: Option<(String, i64, i64)> = crate::native!(conn, |c| sessions::table
        .find(sid)
        .select((sessions::data, sessions::expires_at, sessions::created_at))
        .first(c)
        .optional())?;
    let Some((data, expires_at, created_at)) = row else {
        return Ok(None);
    };
    if expires_at <= t || created_at + policy.absolute <= t {
        return Ok(None);
    }
    let data: SessionData = serde_json::from_str(&data).unwrap_or_default();
    let Some(uid) = data.uid else {
        return Ok(None);
    };
    let user: Option<(i64, String, String, bool)> = crate::native!(conn, |c| users::table
        .find(uid)
        .filter(users::disabled.eq(false))
        .select((users::id, users::login, users::name, users::is_operator))
        .first(c)
        .optional())?;
    let Some((id, login, name, is_operator)) = user else {
        return Ok(None);
    };
    let mut memberships = memberships_of(conn, id)?;
    // A delegation entered in this session is honoured only while it is live (asked of
    // its source here, in the same hop); it then makes the granting organisation the
    // current one through a virtual membership. Otherwise it is ignored.
    let acting = match (data.grant, data.grant_kind.as_deref()) {
        (Some(g), Some(kind)) => delegations.resolve(conn, kind, g, id, &memberships)?,
        _ => None,
    };
    let current = if let Some(v) = acting {
        memberships.push(v);
        Some(memberships.len() - 1)
    } else {
        data.org
            .and_then(|org| memberships.iter().position(|m| m.org_id == org))
            .or(if memberships.is_empty() {
                None
            } else {
                Some(0)
            })
    };
    // The badge: the count the notifications' triggers keep (one row by its key).
    let unread = match current.and_then(|i| memberships.get(i)) {
        Some(m) => crate::native!(conn, |c| unread_counts::table
            .find((id, m.org_id))
            .select(unread_counts::n)
            .first::<i64>(c)
            .optional())?
        .unwrap_or(0),
        None => 0,
    };
    Ok(Some((
        CurrentUser {
            id,
            login,
            name,
            is_operator,
            memberships,
            current,
            unread,
        },
        expires_at,
    )))
}

pub fn memberships_of(conn: &mut Conn, user_id: i64) -> AppResult<Vec<MembershipView>> {
    type Row = (
        i64,
        String,
        String,
        String,
        bool,
        String,
        String,
        String,
        bool,
    );
    let rows: Vec<Row> = crate::native!(conn, |c| memberships::table
        .inner_join(orgs::table)
        .filter(memberships::user_id.eq(user_id))
        // Test organisations last: without a choice the first is current, and a
        // provider's admin should land in the provider, not in one of its test orgs.
        .order((orgs::test_of_provider.is_not_null().asc(), orgs::name.asc()))
        .select((
            orgs::id,
            orgs::name,
            orgs::corp_id,
            orgs::edition,
            orgs::certified,
            orgs::provider_level,
            memberships::role,
            memberships::permissions,
            memberships::can_build_apps,
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(
            |(
                org_id,
                org_name,
                corp_id,
                edition,
                certified,
                provider_level,
                role,
                perms,
                build,
            )| {
                MembershipView {
                    org_id,
                    org_name,
                    corp_id,
                    edition,
                    certified,
                    provider_level,
                    role: Role::parse(&role).unwrap_or(Role::Member),
                    perms: Perm::parse_list(&perms),
                    can_build_apps: build,
                    grant: None,
                }
            },
        )
        .collect())
}

pub fn record_success(conn: &mut Conn, user_id: i64) -> AppResult<Vec<MembershipView>> {
    diesel::update(users::table.find(user_id))
        .set(users::last_login_at.eq(Some(crate::db::now())))
        .execute(conn)?;
    memberships_of(conn, user_id)
}

/// Ends every session of a user at once (used when an account is disabled).
pub fn end_sessions_of(conn: &mut Conn, user_id: i64) -> AppResult<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?)
}
