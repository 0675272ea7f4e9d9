//! Queries behind sign-in: the current user of a session, and the failed-login counters.

use diesel::prelude::*;

use super::{CurrentUser, Delegations, MembershipView, Perm, Role, SessionData};
use crate::db::schema::{ip_login_failures, memberships, notifications, orgs, sessions, users};
use crate::db::{Conn, now, write_tx};
use crate::error::AppResult;

use crate::config::SessionPolicy;

/// Extending the idle expiry is a write; do it at most once per this many seconds so an
/// ordinary page view stays read-only.
const TOUCH_EVERY: i64 = 300;

/// The unread badge counts up to this and then shows "99+".
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
    // The badge shows at most "99+": count no further than that, so a user with a
    // million unread notifications costs what one with a hundred does.
    let unread = match current.and_then(|i| memberships.get(i)) {
        Some(m) => crate::native!(conn, |c| notifications::table
            .filter(notifications::user_id.eq(id))
            .filter(notifications::org_id.eq(m.org_id))
            .filter(notifications::read.eq(false))
            .select(notifications::id)
            .limit(UNREAD_CAP + 1)
            .load::<i64>(c))?
        .len() as i64,
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
        .order(orgs::name.asc())
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

/// Failed attempts allowed per account and per IP within one window.
pub const ACCOUNT_FAILURE_LIMIT: i32 = 100;
pub const IP_FAILURE_LIMIT: i32 = 1000;
pub const FAILURE_WINDOW: i64 = 3600;

/// What the login handler needs to know before verifying a password.
pub struct LoginTarget {
    pub user_id: Option<i64>,
    pub hash: Option<String>,
    /// Seconds until the account or the IP may try again; 0 when not locked.
    pub locked_for: i64,
}

pub fn login_target(conn: &mut Conn, login: &str, ip: &str) -> AppResult<LoginTarget> {
    let t = now();
    let ip_row: Option<(i32, i64)> = ip_login_failures::table
        .find(ip)
        .select((ip_login_failures::failures, ip_login_failures::window_start))
        .first(conn)
        .optional()?;
    let mut locked_for = match ip_row {
        Some((n, start)) if n >= IP_FAILURE_LIMIT && start + FAILURE_WINDOW > t => {
            start + FAILURE_WINDOW - t
        }
        _ => 0,
    };
    let user: Option<(i64, String, bool, i64)> = users::table
        .filter(users::login.eq(login))
        .select((
            users::id,
            users::password_hash,
            users::disabled,
            users::locked_until,
        ))
        .first(conn)
        .optional()?;
    let (user_id, hash) = match user {
        Some((id, hash, false, locked_until)) => {
            locked_for = locked_for.max(locked_until - t);
            (Some(id), Some(hash))
        }
        // A disabled account is refused exactly like an unknown one.
        _ => (None, None),
    };
    Ok(LoginTarget {
        user_id,
        hash,
        locked_for: locked_for.max(0),
    })
}

/// Counts a failure against the account (if any) and the IP; locks the account for the
/// rest of its window when it reaches the limit.
pub fn record_failure(conn: &mut Conn, user_id: Option<i64>, ip: &str) -> AppResult<()> {
    let t = now();
    write_tx(conn, |conn| {
        if let Some(uid) = user_id {
            let (n, start): (i32, i64) = users::table
                .find(uid)
                .select((users::failed_logins, users::failed_window_start))
                .first(conn)?;
            let (n, start) = if start + FAILURE_WINDOW <= t {
                (1, t)
            } else {
                (n + 1, start)
            };
            let locked_until = if n >= ACCOUNT_FAILURE_LIMIT {
                start + FAILURE_WINDOW
            } else {
                0
            };
            diesel::update(users::table.find(uid))
                .set((
                    users::failed_logins.eq(n),
                    users::failed_window_start.eq(start),
                    users::locked_until.eq(locked_until),
                ))
                .execute(conn)?;
        }
        let row: Option<(i32, i64)> = ip_login_failures::table
            .find(ip)
            .select((ip_login_failures::failures, ip_login_failures::window_start))
            .first(conn)
            .optional()?;
        match row {
            Some((n, start)) => {
                let (n, start) = if start + FAILURE_WINDOW <= t {
                    (1, t)
                } else {
                    (n + 1, start)
                };
                diesel::update(ip_login_failures::table.find(ip))
                    .set((
                        ip_login_failures::failures.eq(n),
                        ip_login_failures::window_start.eq(start),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(ip_login_failures::table)
                    .values((
                        ip_login_failures::ip.eq(ip),
                        ip_login_failures::failures.eq(1),
                        ip_login_failures::window_start.eq(t),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

pub fn record_success(conn: &mut Conn, user_id: i64) -> AppResult<Vec<MembershipView>> {
    diesel::update(users::table.find(user_id))
        .set((
            users::failed_logins.eq(0),
            users::locked_until.eq(0),
            users::last_login_at.eq(Some(crate::db::now())),
        ))
        .execute(conn)?;
    memberships_of(conn, user_id)
}

/// Ends every session of a user at once (used when an account is disabled).
pub fn end_sessions_of(conn: &mut Conn, user_id: i64) -> AppResult<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?)
}
