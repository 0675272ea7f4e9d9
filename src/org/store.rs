//! Queries over the current organisation's members and departments. Every function takes
//! the caller's [`OrgScope`] and filters by its organisation, so an id of another
//! organisation is "not found" and changes nothing.

use diesel::prelude::*;

use super::events::{DirectoryEvent, announce};
use super::forms::{NewAccount, RoleChange};
use super::{
    Actor, DeptId, MemberId, Target, UserId, check_removal, check_role_change, stored_perms,
};
use crate::auth::{OrgScope, Perm, Role};
use crate::db::schema::{app_admins, apps, departments, memberships, orgs, users};
use crate::db::{Conn, is_unique_violation, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::web::{Cursor, Errors, PAGE_SIZE, Page};

mod dept_tree;
pub(crate) use dept_tree::{
    TreeNode, create_dept, delete_dept, departments, find_dept, rename_dept, tree,
};

/// The overview of the current organisation.
#[derive(Clone, Debug)]
pub(crate) struct Overview {
    pub name: String,
    pub corp_id: String,
    pub edition: String,
    pub certified: bool,
    pub provider_level: String,
    pub members: i64,
    pub departments: i64,
}

pub(crate) fn overview(conn: &mut Conn, scope: &OrgScope) -> AppResult<Overview> {
    let (name, corp_id, edition, certified, provider_level): (
        String,
        String,
        String,
        bool,
        String,
    ) = orgs::table
        .find(scope.org_id())
        .select((
            orgs::name,
            orgs::corp_id,
            orgs::edition,
            orgs::certified,
            orgs::provider_level,
        ))
        .first(conn)?;
    let members = memberships::table
        .filter(memberships::org_id.eq(scope.org_id()))
        .count()
        .get_result(conn)?;
    let departments = departments::table
        .filter(departments::org_id.eq(scope.org_id()))
        .count()
        .get_result(conn)?;
    Ok(Overview {
        name,
        corp_id,
        edition,
        certified,
        provider_level,
        members,
        departments,
    })
}

/// One member as listed: the membership with its account and department.
#[derive(Clone, Debug)]
pub struct MemberRow {
    pub id: i64,
    pub user_id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub perms: Vec<Perm>,
    pub can_build_apps: bool,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub disabled: bool,
}

type MemberTuple = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    bool,
    Option<i64>,
    Option<String>,
    bool,
);

impl From<MemberTuple> for MemberRow {
    fn from(t: MemberTuple) -> MemberRow {
        let (
            id,
            user_id,
            login,
            name,
            role,
            perms,
            can_build_apps,
            department_id,
            department,
            disabled,
        ) = t;
        MemberRow {
            id,
            user_id,
            login,
            name,
            role: Role::parse(&role).unwrap_or(Role::Member),
            perms: Perm::parse_list(&perms),
            can_build_apps,
            department_id,
            department,
            disabled,
        }
    }
}

/// The members of organisation `org_id`, by membership id, keyset-paginated. Private:
/// tenant pages reach it through a scope, the operator console through its own guard.
pub(crate) fn members_of(
    conn: &mut Conn,
    org_id: i64,
    dept: Option<DeptId>,
    cursor: Cursor,
) -> AppResult<Page<MemberRow>> {
    Page::fetch(
        cursor,
        |m: &MemberRow| m.id,
        |cursor| {
            let mut q = memberships::table
                .inner_join(users::table)
                .left_join(departments::table)
                .filter(memberships::org_id.eq(org_id))
                .select((
                    memberships::id,
                    users::id,
                    users::login,
                    users::name,
                    memberships::role,
                    memberships::permissions,
                    memberships::can_build_apps,
                    memberships::department_id,
                    departments::name.nullable(),
                    users::disabled,
                ))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            if let Some(d) = dept {
                q = q.filter(memberships::department_id.eq(d.0));
            }
            let rows: Vec<MemberTuple> =
                crate::keyset!(q, cursor, memberships::id, asc).load(&mut *conn)?;
            Ok(rows.into_iter().map(MemberRow::from).collect())
        },
    )
}

pub(crate) fn list_members(
    conn: &mut Conn,
    scope: &OrgScope,
    dept: Option<DeptId>,
    cursor: Cursor,
) -> AppResult<Page<MemberRow>> {
    if let Some(d) = dept {
        find_dept(conn, scope, d)?;
    }
    members_of(conn, scope.org_id(), dept, cursor)
}

pub(crate) fn find_member(conn: &mut Conn, scope: &OrgScope, id: MemberId) -> AppResult<MemberRow> {
    let row: MemberTuple = memberships::table
        .inner_join(users::table)
        .left_join(departments::table)
        .filter(memberships::org_id.eq(scope.org_id()))
        .filter(memberships::id.eq(id.0))
        .select((
            memberships::id,
            users::id,
            users::login,
            users::name,
            memberships::role,
            memberships::permissions,
            memberships::can_build_apps,
            memberships::department_id,
            departments::name.nullable(),
            users::disabled,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(row.into())
}

/// Serialises role changes within one organisation: a no-op update takes the org row's
/// lock on PostgreSQL (SQLite's IMMEDIATE transaction already holds the database lock),
/// so two admins cannot each demote "the other last" main admin at the same time.
fn lock_org(conn: &mut Conn, org_id: i64) -> AppResult<()> {
    diesel::update(orgs::table.find(org_id))
        .set(orgs::id.eq(orgs::id))
        .execute(conn)?;
    Ok(())
}

fn main_admins(conn: &mut Conn, org_id: i64) -> AppResult<i64> {
    Ok(memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::role.eq(Role::MainAdmin.as_str()))
        .count()
        .get_result(conn)?)
}

/// Creates an account; a login already taken becomes a field error (checked first, and
/// the unique index catches a race).
pub(crate) fn insert_user(
    conn: &mut Conn,
    account: &NewAccount,
    password_hash: &str,
) -> AppResult<Result<UserId, Errors>> {
    insert_account(
        conn,
        &account.login,
        &account.name,
        password_hash,
        account.is_operator,
    )
}

fn insert_account(
    conn: &mut Conn,
    login: &super::Login,
    name: &super::PersonName,
    password_hash: &str,
    is_operator: bool,
) -> AppResult<Result<UserId, Errors>> {
    let taken = || {
        let mut e = Errors::default();
        e.add("login", "org.error.login_taken");
        e
    };
    // Checked first: on PostgreSQL a unique violation would abort the caller's
    // transaction (a team's rows are inserted in one).
    let exists: i64 = users::table
        .filter(users::login.eq(login.as_str()))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(Err(taken()));
    }
    let res = diesel::insert_into(users::table)
        .values((
            users::login.eq(login.as_str()),
            users::name.eq(name.as_str()),
            users::password_hash.eq(password_hash),
            users::is_operator.eq(is_operator),
            users::created_at.eq(now()),
        ))
        .returning(users::id)
        .get_result::<i64>(conn);
    match res {
        Ok(id) => Ok(Ok(UserId(id))),
        Err(e) if is_unique_violation(&e) => Ok(Err(taken())),
        Err(e) => Err(e.into()),
    }
}

/// Puts user `user_id` into organisation `org_id` with `role`; someone already a member
/// is a field error on `field`.
pub(crate) fn insert_membership(
    conn: &mut Conn,
    org_id: i64,
    user_id: UserId,
    role: Role,
    field: &str,
) -> AppResult<Result<MemberId, Errors>> {
    let already = || {
        let mut e = Errors::default();
        e.add(field, "org.error.already_member");
        e
    };
    let exists: i64 = memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id.0))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(Err(already()));
    }
    let res = diesel::insert_into(memberships::table)
        .values((
            memberships::org_id.eq(org_id),
            memberships::user_id.eq(user_id.0),
            memberships::role.eq(role.as_str()),
            memberships::permissions.eq(""),
            memberships::can_build_apps.eq(false),
            memberships::created_at.eq(now()),
        ))
        .returning(memberships::id)
        .get_result::<i64>(conn);
    match res {
        Ok(id) => {
            announce(
                conn,
                DirectoryEvent::PersonJoined {
                    org_id,
                    user_id: user_id.0,
                },
            )?;
            Ok(Ok(MemberId(id)))
        }
        Err(e) if is_unique_violation(&e) => Ok(Err(already())),
        Err(e) => Err(e.into()),
    }
}

/// Creates an account that cannot sign in yet: its password hash parses as no argon2
/// hash, so every password is refused until the person sets one through an invitation
/// (quick deploy's directory import and teams entered on the spot). A taken login is a
/// field error on `login`.
pub(crate) fn insert_user_without_password(
    conn: &mut Conn,
    login: &super::Login,
    name: &super::PersonName,
) -> AppResult<Result<UserId, Errors>> {
    insert_account(conn, login, name, NO_PASSWORD, false)
}

/// The stored hash of an account without a usable password (no argon2 hash parses it).
const NO_PASSWORD: &str = "!unset";

/// The organisation's department named `name` (the oldest of that name), made at the top
/// of the tree when there is none.
pub(crate) fn dept_named_or_new(
    conn: &mut Conn,
    scope: &OrgScope,
    name: &super::DeptName,
) -> AppResult<DeptId> {
    let found: Option<i64> = departments::table
        .filter(departments::org_id.eq(scope.org_id()))
        .filter(departments::name.eq(name.as_str()))
        .order(departments::id.asc())
        .select(departments::id)
        .first(conn)
        .optional()?;
    match found {
        Some(id) => Ok(DeptId(id)),
        None => create_dept(conn, scope, name, None),
    }
}

/// Looks an account up by login for adding it somewhere; unknown is a field error.
pub(crate) fn user_by_login(
    conn: &mut Conn,
    login: &str,
    field: &str,
) -> AppResult<Result<UserId, Errors>> {
    let id: Option<i64> = users::table
        .filter(users::login.eq(login))
        .select(users::id)
        .first(conn)
        .optional()?;
    Ok(id.map(UserId).ok_or_else(|| {
        let mut e = Errors::default();
        e.add(field, "org.error.no_such_login");
        e
    }))
}

/// Adds an existing account, by login, as an ordinary member.
pub(crate) fn add_existing(
    conn: &mut Conn,
    scope: &OrgScope,
    login: &str,
) -> AppResult<Result<MemberId, Errors>> {
    write_tx(conn, |conn| {
        let user = match user_by_login(conn, login, "login")? {
            Ok(u) => u,
            Err(e) => return Ok(Err(e)),
        };
        insert_membership(conn, scope.org_id(), user, Role::Member, "login")
    })
}

/// Creates an account and adds it as an ordinary member, in one transaction.
pub(crate) fn add_new_account(
    conn: &mut Conn,
    scope: &OrgScope,
    account: &NewAccount,
    password_hash: &str,
) -> AppResult<Result<MemberId, Errors>> {
    write_tx(conn, |conn| {
        let user = match insert_user(conn, account, password_hash)? {
            Ok(u) => u,
            Err(e) => return Ok(Err(e)),
        };
        insert_membership(conn, scope.org_id(), user, Role::Member, "login")
    })
}

fn actor(scope: &OrgScope) -> Actor {
    Actor {
        user_id: scope.user_id(),
        role: scope.role(),
    }
}

/// Removes a member under [`check_removal`].
pub(crate) fn remove_member(conn: &mut Conn, scope: &OrgScope, id: MemberId) -> AppResult<()> {
    write_tx(conn, |conn| {
        lock_org(conn, scope.org_id())?;
        let m = find_member(conn, scope, id)?;
        let target = Target {
            user_id: m.user_id,
            role: m.role,
        };
        check_removal(actor(scope), target, main_admins(conn, scope.org_id())?)?;
        let org_apps = apps::table
            .filter(apps::org_id.eq(scope.org_id()))
            .select(apps::id);
        diesel::delete(
            app_admins::table
                .filter(app_admins::user_id.eq(m.user_id))
                .filter(app_admins::app_id.eq_any(org_apps)),
        )
        .execute(conn)?;
        announce(
            conn,
            DirectoryEvent::PersonLeaving {
                org_id: scope.org_id(),
                user_id: m.user_id,
            },
        )?;
        diesel::delete(
            memberships::table
                .filter(memberships::org_id.eq(scope.org_id()))
                .filter(memberships::id.eq(m.id)),
        )
        .execute(conn)?;
        announce(
            conn,
            DirectoryEvent::PersonLeft {
                org_id: scope.org_id(),
                user_id: m.user_id,
            },
        )?;
        tracing::info!(org.id = scope.org_id(), member.id = m.id, "member removed");
        Ok(())
    })
}

/// Sets a member's role, permission points and app-building flag under
/// [`check_role_change`].
pub(crate) fn set_role(
    conn: &mut Conn,
    scope: &OrgScope,
    id: MemberId,
    change: &RoleChange,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        lock_org(conn, scope.org_id())?;
        let m = find_member(conn, scope, id)?;
        let target = Target {
            user_id: m.user_id,
            role: m.role,
        };
        check_role_change(
            actor(scope),
            target,
            change.role,
            main_admins(conn, scope.org_id())?,
        )?;
        diesel::update(
            memberships::table
                .filter(memberships::org_id.eq(scope.org_id()))
                .filter(memberships::id.eq(m.id)),
        )
        .set((
            memberships::role.eq(change.role.as_str()),
            memberships::permissions.eq(stored_perms(change.role, &change.perms)),
            memberships::can_build_apps.eq(change.can_build_apps),
        ))
        .execute(conn)?;
        tracing::info!(
            org.id = scope.org_id(),
            member.id = m.id,
            role = change.role.as_str(),
            "role set"
        );
        Ok(())
    })
}

/// Moves a member into a department of the same organisation, or out of any.
pub(crate) fn move_member(
    conn: &mut Conn,
    scope: &OrgScope,
    id: MemberId,
    dept: Option<DeptId>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let m = find_member(conn, scope, id)?;
        if let Some(d) = dept {
            find_dept(conn, scope, d)?;
        }
        diesel::update(
            memberships::table
                .filter(memberships::org_id.eq(scope.org_id()))
                .filter(memberships::id.eq(m.id)),
        )
        .set(memberships::department_id.eq(dept.map(|d| d.0)))
        .execute(conn)?;
        announce(
            conn,
            DirectoryEvent::PersonMoved {
                org_id: scope.org_id(),
                user_id: m.user_id,
                from: m.department_id,
                to: dept.map(|d| d.0),
            },
        )?;
        Ok(())
    })
}
