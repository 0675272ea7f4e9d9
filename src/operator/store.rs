//! The operator console's queries: organisations and accounts of the whole platform.

use diesel::prelude::*;

use super::{check_disable, like_pattern};
use crate::auth::Role;
use crate::db::schema::{orgs, users};
use crate::db::{Conn, is_unique_violation, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::org::{MemberId, OrgId, UserId};
use crate::org::{MemberRow, insert_membership, members_of, user_by_login};
use crate::org::{NewOrg, OrgSettings};
use crate::web::{Cursor, Errors, PAGE_SIZE, Page};

#[derive(Clone, Debug, Queryable)]
pub(crate) struct OrgRow {
    pub id: i64,
    pub name: String,
    pub corp_id: String,
    pub edition: String,
    pub certified: bool,
    pub provider_level: String,
    pub created_at: i64,
}

type OrgCols = (
    orgs::id,
    orgs::name,
    orgs::corp_id,
    orgs::edition,
    orgs::certified,
    orgs::provider_level,
    orgs::created_at,
);

const ORG_COLS: OrgCols = (
    orgs::id,
    orgs::name,
    orgs::corp_id,
    orgs::edition,
    orgs::certified,
    orgs::provider_level,
    orgs::created_at,
);

/// Organisations, newest first; `q` matches part of the name or the exact CorpID.
pub(crate) fn list_orgs(conn: &mut Conn, q: &str, cursor: Cursor) -> AppResult<Page<OrgRow>> {
    Page::fetch(
        cursor,
        |o: &OrgRow| o.id,
        |cursor| {
            let mut query = orgs::table
                .select(ORG_COLS)
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            if !q.is_empty() {
                query = query.filter(
                    orgs::name
                        .like(like_pattern(q))
                        .escape('\\')
                        .or(orgs::corp_id.eq(q.to_string())),
                );
            }
            Ok(crate::keyset!(query, cursor, orgs::id, desc).load(&mut *conn)?)
        },
    )
}

pub(crate) fn find_org(conn: &mut Conn, id: OrgId) -> AppResult<OrgRow> {
    Ok(orgs::table.find(id.0).select(ORG_COLS).first(conn)?)
}

/// Creates an organisation; a CorpID already used becomes a field error (checked first,
/// and the unique index catches a race).
pub(crate) fn create_org(conn: &mut Conn, org: &NewOrg) -> AppResult<Result<OrgId, Errors>> {
    let taken = || {
        let mut e = Errors::default();
        e.add("corp_id", "operator.error.corp_id_taken");
        e
    };
    let exists: i64 = orgs::table
        .filter(orgs::corp_id.eq(org.corp_id.as_str()))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(Err(taken()));
    }
    let res = diesel::insert_into(orgs::table)
        .values((
            orgs::name.eq(org.name.as_str()),
            orgs::corp_id.eq(org.corp_id.as_str()),
            orgs::edition.eq(org.settings.edition.as_str()),
            orgs::certified.eq(org.settings.certified),
            orgs::provider_level.eq(org.settings.provider_level.as_str()),
            orgs::created_at.eq(now()),
        ))
        .returning(orgs::id)
        .get_result::<i64>(conn);
    match res {
        Ok(id) => {
            tracing::info!(org.id = id, "organisation created");
            Ok(Ok(OrgId(id)))
        }
        Err(e) if is_unique_violation(&e) => Ok(Err(taken())),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn update_org(conn: &mut Conn, id: OrgId, s: &OrgSettings) -> AppResult<()> {
    let n = diesel::update(orgs::table.find(id.0))
        .set((
            orgs::edition.eq(s.edition.as_str()),
            orgs::certified.eq(s.certified),
            orgs::provider_level.eq(s.provider_level.as_str()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub(crate) fn org_members(
    conn: &mut Conn,
    id: OrgId,
    cursor: Cursor,
) -> AppResult<Page<MemberRow>> {
    find_org(conn, id)?;
    members_of(conn, id.0, None, cursor)
}

/// Puts an existing account into an organisation with a role.
pub(crate) fn add_member(
    conn: &mut Conn,
    id: OrgId,
    login: &str,
    role: Role,
) -> AppResult<Result<MemberId, Errors>> {
    write_tx(conn, |conn| {
        find_org(conn, id)?;
        let user = match user_by_login(conn, login, "login")? {
            Ok(u) => u,
            Err(e) => return Ok(Err(e)),
        };
        insert_membership(conn, id.0, user, role, "login")
    })
}

#[derive(Clone, Debug, Queryable)]
pub(crate) struct UserRow {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub is_operator: bool,
    pub disabled: bool,
    pub created_at: i64,
}

type UserCols = (
    users::id,
    users::login,
    users::name,
    users::is_operator,
    users::disabled,
    users::created_at,
);

const USER_COLS: UserCols = (
    users::id,
    users::login,
    users::name,
    users::is_operator,
    users::disabled,
    users::created_at,
);

/// Accounts, newest first; `q` matches part of the login or the name.
pub(crate) fn list_users(conn: &mut Conn, q: &str, cursor: Cursor) -> AppResult<Page<UserRow>> {
    Page::fetch(
        cursor,
        |u: &UserRow| u.id,
        |cursor| {
            let mut query = users::table
                .select(USER_COLS)
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            if !q.is_empty() {
                let p = like_pattern(q);
                query = query.filter(
                    users::login
                        .like(p.clone())
                        .escape('\\')
                        .or(users::name.like(p).escape('\\')),
                );
            }
            Ok(crate::keyset!(query, cursor, users::id, desc).load(&mut *conn)?)
        },
    )
}

pub(crate) fn find_user(conn: &mut Conn, id: UserId) -> AppResult<UserRow> {
    Ok(users::table.find(id.0).select(USER_COLS).first(conn)?)
}

/// Disables or enables an account. Disabling ends all its sessions in the same
/// transaction, so the person is signed out at once.
pub(crate) fn set_disabled(
    conn: &mut Conn,
    actor: UserId,
    id: UserId,
    disabled: bool,
) -> AppResult<()> {
    if disabled {
        check_disable(actor.0, id.0)?;
    }
    write_tx(conn, |conn| {
        let n = diesel::update(users::table.find(id.0))
            .set(users::disabled.eq(disabled))
            .execute(conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        if disabled {
            crate::auth::store::end_sessions_of(conn, id.0)?;
            // A disabled contact has left each of their organisations' spaces.
            crate::interconnect::on_disabled(conn, id.0)?;
        } else {
            crate::interconnect::on_enabled(conn, id.0)?;
        }
        tracing::info!(user.id = id.0, disabled, "account status set");
        Ok(())
    })
}

/// Sets a new password, clears any lock-out, and ends the account's other sessions.
pub(crate) fn reset_password(
    conn: &mut Conn,
    actor: UserId,
    id: UserId,
    hash: &str,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let n = diesel::update(users::table.find(id.0))
            .set(users::password_hash.eq(hash))
            .execute(conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        crate::auth::throttle::clear_account(conn, id.0)?;
        if actor != id {
            crate::auth::store::end_sessions_of(conn, id.0)?;
        }
        tracing::info!(user.id = id.0, "password reset");
        Ok(())
    })
}
