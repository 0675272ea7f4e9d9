//! Who is in a space, computed live from each member organisation's directory and the
//! scope it linked (whole organisation, departments with their sub-departments, or chosen
//! people). Nothing is copied, so joining a department, a transfer or leaving the
//! organisation shows in the space at once (the seed: 实时生效). What *is* stored per
//! person — seats and collaboration-group memberships — is reconciled by
//! [`reconcile_org`] in the same transaction as the directory change, which `org` announces
//! to [`FollowDirectory`].

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::{OrgStatus, ScopeKind};
use crate::db::Conn;
use crate::db::schema::{
    collab_groups, collab_members, departments, memberships, orgs, space_orgs, space_scope,
    space_visibility, spaces, users,
};
use crate::error::{AppError, AppResult};

mod listener;
mod seat_pool;
pub use listener::FollowDirectory;
pub use seat_pool::{alert_on_use, grant_seat, linked_to_pool, seat_use};

/// A joined organisation of a space (the owner included) and what it links.
#[derive(Clone, Debug)]
pub struct LinkedOrg {
    pub space_org_id: i64,
    pub org_id: i64,
    pub scope: ScopeKind,
}

/// A person of a space as the directory shows them: real organisation and department.
#[derive(Clone, Debug)]
pub struct SpacePerson {
    pub user_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub department: Option<String>,
}

/// The joined organisations of a space, owner first.
pub fn linked_orgs(conn: &mut Conn, space_id: i64) -> AppResult<Vec<LinkedOrg>> {
    let rows: Vec<(i64, i64, String, String)> = crate::native!(conn, |c| space_orgs::table
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .order((space_orgs::role.desc(), space_orgs::id.asc()))
        .select((
            space_orgs::id,
            space_orgs::org_id,
            space_orgs::scope_kind,
            space_orgs::role,
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(space_org_id, org_id, scope, _)| LinkedOrg {
            space_org_id,
            org_id,
            scope: ScopeKind::parse(&scope).unwrap_or(ScopeKind::People),
        })
        .collect())
}

/// `roots` and every department below them, within one organisation.
pub fn with_descendants(conn: &mut Conn, org_id: i64, roots: &[i64]) -> AppResult<HashSet<i64>> {
    let all: Vec<(i64, Option<i64>)> = departments::table
        .filter(departments::org_id.eq(org_id))
        .select((departments::id, departments::parent_id))
        .load(conn)?;
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, parent) in &all {
        if let Some(p) = parent {
            children.entry(*p).or_default().push(*id);
        }
    }
    let known: HashSet<i64> = all.iter().map(|(id, _)| *id).collect();
    let mut out = HashSet::new();
    let mut stack: Vec<i64> = roots
        .iter()
        .copied()
        .filter(|d| known.contains(d))
        .collect();
    while let Some(d) = stack.pop() {
        if out.insert(d)
            && let Some(cs) = children.get(&d)
        {
            stack.extend(cs);
        }
    }
    Ok(out)
}

fn scope_refs(conn: &mut Conn, space_org_id: i64, kind: &str) -> AppResult<Vec<i64>> {
    Ok(space_scope::table
        .filter(space_scope::space_org_id.eq(space_org_id))
        .filter(space_scope::kind.eq(kind))
        .select(space_scope::ref_id)
        .load(conn)?)
}

/// The user ids an organisation links into a space under its scope, from its directory
/// as it is now.
pub fn linked_user_ids(conn: &mut Conn, linked: &LinkedOrg) -> AppResult<Vec<i64>> {
    let base = memberships::table
        .filter(memberships::org_id.eq(linked.org_id))
        .select(memberships::user_id)
        .order(memberships::user_id.asc());
    Ok(match scope_filter(conn, linked)? {
        ScopeFilter::All => base.load(conn)?,
        ScopeFilter::Departments(d) => base
            .filter(memberships::department_id.eq_any(d))
            .load(conn)?,
        ScopeFilter::People(p) => base.filter(memberships::user_id.eq_any(p)).load(conn)?,
    })
}

/// The membership filter an organisation's scope puts on its directory: everyone, the
/// members of these departments, or these people.
pub enum ScopeFilter {
    All,
    Departments(Vec<i64>),
    People(Vec<i64>),
}

/// What `linked` links, as a filter on its memberships.
pub fn scope_filter(conn: &mut Conn, linked: &LinkedOrg) -> AppResult<ScopeFilter> {
    Ok(match linked.scope {
        ScopeKind::All => ScopeFilter::All,
        ScopeKind::Departments => {
            let roots = scope_refs(conn, linked.space_org_id, "department")?;
            ScopeFilter::Departments(
                with_descendants(conn, linked.org_id, &roots)?
                    .into_iter()
                    .collect(),
            )
        }
        ScopeKind::People => ScopeFilter::People(scope_refs(conn, linked.space_org_id, "user")?),
    })
}

/// Whether `user_id`, acting in `org_id`, is a person of the space right now: a check of
/// that one membership against the organisation's scope (asked on every workbench view,
/// so it must not read the organisation's whole directory).
pub fn in_space(conn: &mut Conn, space_id: i64, org_id: i64, user_id: i64) -> AppResult<bool> {
    let linked: Option<(i64, String)> = crate::native!(conn, |c| space_orgs::table
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::org_id.eq(org_id))
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .select((space_orgs::id, space_orgs::scope_kind))
        .first(c)
        .optional())?;
    let Some((space_org_id, scope)) = linked else {
        return Ok(false);
    };
    let department: Option<Option<i64>> = crate::native!(conn, |c| memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::department_id)
        .first(c)
        .optional())?;
    let Some(department) = department else {
        return Ok(false);
    };
    let linked = LinkedOrg {
        space_org_id,
        org_id,
        scope: ScopeKind::parse(&scope).unwrap_or(ScopeKind::People),
    };
    Ok(match scope_filter(conn, &linked)? {
        ScopeFilter::All => true,
        ScopeFilter::Departments(d) => department.is_some_and(|dep| d.contains(&dep)),
        ScopeFilter::People(p) => p.contains(&user_id),
    })
}

/// How many people the space holds now (a person of two member organisations counts in
/// each, as the seed's directory shows them once per organisation).
pub fn people_count(conn: &mut Conn, space_id: i64) -> AppResult<i64> {
    let mut n = 0;
    for l in linked_orgs(conn, space_id)? {
        n += linked_user_ids(conn, &l)?.len() as i64;
    }
    Ok(n)
}

/// The people of the space in the given organisations, by organisation then name.
pub fn space_people(
    conn: &mut Conn,
    space_id: i64,
    only_orgs: &[i64],
) -> AppResult<Vec<SpacePerson>> {
    let mut out = Vec::new();
    for l in linked_orgs(conn, space_id)? {
        if !only_orgs.contains(&l.org_id) {
            continue;
        }
        let ids = linked_user_ids(conn, &l)?;
        let rows: Vec<(i64, String, String, Option<String>)> = memberships::table
            .inner_join(users::table)
            .inner_join(orgs::table)
            .left_join(departments::table)
            .filter(memberships::org_id.eq(l.org_id))
            .filter(memberships::user_id.eq_any(&ids))
            .order((users::name.asc(), users::id.asc()))
            .select((
                users::id,
                users::name,
                orgs::name,
                departments::name.nullable(),
            ))
            .load(conn)?;
        out.extend(
            rows.into_iter()
                .map(|(user_id, name, org_name, department)| SpacePerson {
                    user_id,
                    name,
                    org_id: l.org_id,
                    org_name,
                    department,
                }),
        );
    }
    Ok(out)
}

/// The member organisations `viewer_org_id` may see in the space: the creating
/// organisation sees all; a member organisation sees itself and whichever others the
/// space admin allowed, the creator included (the seed: 默认的可见范围仅本组织).
pub fn visible_orgs(conn: &mut Conn, space_id: i64, viewer_org_id: i64) -> AppResult<Vec<i64>> {
    let linked = linked_orgs(conn, space_id)?;
    visible_among(conn, space_id, viewer_org_id, &linked)
}

/// [`visible_orgs`] when the caller has already read the space's [`linked_orgs`].
pub fn visible_among(
    conn: &mut Conn,
    space_id: i64,
    viewer_org_id: i64,
    linked: &[LinkedOrg],
) -> AppResult<Vec<i64>> {
    let owner: i64 = crate::native!(conn, |c| spaces::table
        .find(space_id)
        .select(spaces::owner_org_id)
        .first(c))?;
    let joined: Vec<i64> = linked.iter().map(|l| l.org_id).collect();
    if viewer_org_id == owner {
        return Ok(joined);
    }
    let allowed: HashSet<i64> = crate::native!(conn, |c| space_visibility::table
        .filter(space_visibility::space_id.eq(space_id))
        .filter(space_visibility::viewer_org_id.eq(viewer_org_id))
        .select(space_visibility::visible_org_id)
        .load::<i64>(c))?
    .into_iter()
    .collect();
    Ok(joined
        .into_iter()
        .filter(|o| *o == viewer_org_id || allowed.contains(o))
        .collect())
}

/// Serialises writers of one organisation's row: seat grants, quota checks. On SQLite the
/// IMMEDIATE transaction already does; on PostgreSQL this row lock does.
pub fn lock_org(conn: &mut Conn, org_id: i64) -> AppResult<()> {
    diesel::update(orgs::table.find(org_id))
        .set(orgs::id.eq(orgs::id))
        .execute(conn)?;
    Ok(())
}

/// Brings what is stored per person in line with `org_id`'s directory and space scopes:
/// seats and collaboration-group memberships of people no longer linked are released
/// (伙伴智能离职), and people newly linked in an auto-grant department receive a seat while
/// the pool has room (伙伴智能入职). Call it inside the transaction of any change to
/// memberships, departments or a space's scope/membership.
pub fn reconcile_org(conn: &mut Conn, org_id: i64) -> AppResult<()> {
    // Collaboration groups: leaving the space (or the organisation) leaves the group.
    let groups: Vec<(i64, i64, i64, i64)> = collab_members::table
        .inner_join(collab_groups::table)
        .filter(collab_members::org_id.eq(org_id))
        .select((
            collab_members::group_id,
            collab_groups::space_id,
            collab_members::user_id,
            collab_groups::created_by,
        ))
        .load(conn)?;
    for (group_id, space_id, user, created_by) in groups {
        if in_space(conn, space_id, org_id, user)? {
            continue;
        }
        diesel::delete(
            collab_members::table
                .filter(collab_members::group_id.eq(group_id))
                .filter(collab_members::user_id.eq(user)),
        )
        .execute(conn)?;
        // A departed creator hands the group to its longest-standing member.
        if created_by == user {
            let heir: Option<i64> = collab_members::table
                .filter(collab_members::group_id.eq(group_id))
                .order((
                    collab_members::added_at.asc(),
                    collab_members::user_id.asc(),
                ))
                .select(collab_members::user_id)
                .first(conn)
                .optional()?;
            if let Some(h) = heir {
                diesel::update(collab_groups::table.find(group_id))
                    .set(collab_groups::created_by.eq(h))
                    .execute(conn)?;
            }
        }
    }
    // Seats: release for people no longer linked or no longer in an auto-grant department,
    // automatic grants for newly linked people of one, alerts of the touched pools.
    super::licences::auto::reconcile_seats(conn, org_id)
}

/// A space as seen from the current organisation and user.
#[derive(Clone, Debug)]
pub struct SpaceAccess {
    pub space_id: i64,
    pub owner_org_id: i64,
    pub kind: String,
    pub name: String,
    /// The current organisation created the space.
    pub is_owner_org: bool,
    /// The user manages the space: main admin or interconnect sub-admin of the creator.
    pub manages: bool,
    /// The user is a person of the space in the current organisation right now.
    pub is_person: bool,
    /// The user administers a joined member organisation (main admin or interconnect
    /// sub-admin), whether or not they are personally in the scope it linked.
    pub member_admin: bool,
}

/// The space `space_id` if the current organisation has joined it (or created it) and
/// the user is one of its people, manages it, or administers a joined member
/// organisation (its admins see the space directory even outside the linked scope);
/// otherwise the same 404 as a missing id.
pub fn space_for(
    conn: &mut Conn,
    scope: &crate::auth::OrgScope,
    space_id: i64,
) -> AppResult<SpaceAccess> {
    let (owner_org_id, kind, name): (i64, String, String) =
        crate::native!(conn, |c| spaces::table
            .find(space_id)
            .select((spaces::owner_org_id, spaces::kind, spaces::name))
            .first(c)
            .optional())?
        .ok_or(AppError::NotFound)?;
    let is_owner_org = owner_org_id == scope.org_id();
    let manages = is_owner_org
        && (super::scope_may_manage(scope)
            || super::contacts::is_named_admin(conn, space_id, scope)?);
    let is_person = in_space(conn, space_id, scope.org_id(), scope.user_id())?;
    let member_admin = !is_owner_org
        && super::scope_may_manage(scope)
        && crate::native!(conn, |c| space_orgs::table
            .filter(space_orgs::space_id.eq(space_id))
            .filter(space_orgs::org_id.eq(scope.org_id()))
            .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
            .count()
            .get_result::<i64>(c))?
            > 0;
    if !(manages || is_person || member_admin) {
        return Err(AppError::NotFound);
    }
    Ok(SpaceAccess {
        space_id,
        owner_org_id,
        kind,
        name,
        is_owner_org,
        manages,
        is_person,
        member_admin,
    })
}
