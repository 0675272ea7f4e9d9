//! Queries of collaboration groups. A group is reachable only by its members, acting in
//! the organisation through which they are in the group, while they are still people of
//! its space; anything else is the same 404 as a missing id.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::{GroupName, MessageBody, Pick, PickAt, PickPage, pick_page};
use crate::auth::OrgScope;
use crate::db::schema::{
    collab_groups, collab_members, collab_messages, departments, memberships, orgs, users,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::interconnect::people::{self, SpaceAccess, SpacePerson};
use crate::web::{Cursor, PAGE_SIZE, Page};

/// A group in the list of my groups.
#[derive(Clone, Debug)]
pub(crate) struct GroupRow {
    pub id: i64,
    pub name: String,
    pub members: i64,
    pub created_at: i64,
}

/// A group the current user belongs to.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub id: i64,
    pub space_id: i64,
    pub space_name: String,
    pub name: String,
    pub created_by: i64,
}

/// A member as the group shows them: real name, organisation and department.
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub user_id: i64,
    pub name: String,
    pub org_name: String,
    pub department: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Message {
    pub id: i64,
    pub author: String,
    pub org_name: String,
    pub body: String,
    pub created_at: i64,
}

/// The space's people the current organisation may see (people::visible_orgs).
fn visible_people(conn: &mut Conn, scope: &OrgScope, space_id: i64) -> AppResult<Vec<SpacePerson>> {
    let orgs = people::visible_orgs(conn, space_id, scope.org_id())?;
    people::space_people(conn, space_id, &orgs)
}

/// The space if the user is one of its people (only people start or join groups).
fn space_as_person(conn: &mut Conn, scope: &OrgScope, space_id: i64) -> AppResult<SpaceAccess> {
    let access = people::space_for(conn, scope, space_id)?;
    if !access.is_person {
        return Err(AppError::Forbidden(
            "interconnect.collab.error.not_a_person",
        ));
    }
    Ok(access)
}

/// My groups in a space, newest first, keyset by id.
pub(crate) fn my_groups(
    conn: &mut Conn,
    scope: &OrgScope,
    space_id: i64,
    cursor: Cursor,
) -> AppResult<(SpaceAccess, Page<GroupRow>)> {
    let access = people::space_for(conn, scope, space_id)?;
    let page = Page::fetch(
        cursor,
        |g: &GroupRow| g.id,
        |cursor| group_rows(conn, scope, space_id, cursor),
    )?;
    Ok((access, page))
}

fn group_rows(
    conn: &mut Conn,
    scope: &OrgScope,
    space_id: i64,
    cursor: Cursor,
) -> AppResult<Vec<GroupRow>> {
    let q = collab_groups::table
        .inner_join(collab_members::table)
        .filter(collab_groups::space_id.eq(space_id))
        .filter(collab_members::user_id.eq(scope.user_id()))
        .filter(collab_members::org_id.eq(scope.org_id()))
        .limit(PAGE_SIZE + 1)
        .into_boxed();
    let rows: Vec<(i64, String, i64)> = crate::keyset!(q, cursor, collab_groups::id, desc)
        .select((
            collab_groups::id,
            collab_groups::name,
            collab_groups::created_at,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let counts: Vec<i64> = collab_members::table
        .filter(collab_members::group_id.eq_any(&ids))
        .select(collab_members::group_id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at)| GroupRow {
            id,
            name,
            members: counts.iter().filter(|g| **g == id).count() as i64,
            created_at,
        })
        .collect())
}

/// People of the space I may see, filtered by name, without `exclude`, ordered by
/// (user, organisation) from the cursor.
pub(crate) fn pickable(
    conn: &mut Conn,
    scope: &OrgScope,
    space_id: i64,
    q: &str,
    at: PickAt,
    exclude: &HashSet<i64>,
) -> AppResult<PickPage> {
    let needle = q.trim().to_lowercase();
    let mut all: Vec<SpacePerson> = visible_people(conn, scope, space_id)?
        .into_iter()
        .filter(|p| p.user_id != scope.user_id() && !exclude.contains(&p.user_id))
        .filter(|p| needle.is_empty() || p.name.to_lowercase().contains(&needle))
        .collect();
    let key = |p: &SpacePerson| (p.user_id, p.org_id);
    all.sort_by_key(key);
    Ok(pick_page(all, at, key))
}

/// Refuses picks that are not people of the space visible to the current organisation.
fn check_picks(conn: &mut Conn, scope: &OrgScope, space_id: i64, picks: &[Pick]) -> AppResult<()> {
    let visible: HashSet<(i64, i64)> = visible_people(conn, scope, space_id)?
        .into_iter()
        .map(|p| (p.user_id, p.org_id))
        .collect();
    if picks
        .iter()
        .any(|p| !visible.contains(&(p.user_id, p.org_id)))
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

fn insert_member(conn: &mut Conn, group_id: i64, p: Pick) -> AppResult<()> {
    let exists: i64 = collab_members::table
        .filter(collab_members::group_id.eq(group_id))
        .filter(collab_members::user_id.eq(p.user_id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(collab_members::table)
            .values((
                collab_members::group_id.eq(group_id),
                collab_members::user_id.eq(p.user_id),
                collab_members::org_id.eq(p.org_id),
                collab_members::added_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Starts a group with the creator and the chosen people of the space.
pub(crate) fn create(
    conn: &mut Conn,
    scope: &OrgScope,
    space_id: i64,
    name: &GroupName,
    picks: &[Pick],
) -> AppResult<i64> {
    write_tx(conn, |conn| {
        space_as_person(conn, scope, space_id)?;
        check_picks(conn, scope, space_id, picks)?;
        let id: i64 = diesel::insert_into(collab_groups::table)
            .values((
                collab_groups::space_id.eq(space_id),
                collab_groups::name.eq(name.as_str()),
                collab_groups::created_by.eq(scope.user_id()),
                collab_groups::created_at.eq(now()),
            ))
            .returning(collab_groups::id)
            .get_result(conn)?;
        insert_member(
            conn,
            id,
            Pick {
                user_id: scope.user_id(),
                org_id: scope.org_id(),
            },
        )?;
        for p in picks {
            insert_member(conn, id, *p)?;
        }
        tracing::info!(
            org.id = scope.org_id(),
            space.id = space_id,
            group.id = id,
            "collaboration group started"
        );
        Ok(id)
    })
}

/// The group if the user is its member in the current organisation and still a person of
/// its space; otherwise 404.
pub(crate) fn group_for(conn: &mut Conn, scope: &OrgScope, gid: i64) -> AppResult<Group> {
    let row: (i64, i64, String, i64) = collab_groups::table
        .inner_join(collab_members::table)
        .filter(collab_groups::id.eq(gid))
        .filter(collab_members::user_id.eq(scope.user_id()))
        .filter(collab_members::org_id.eq(scope.org_id()))
        .select((
            collab_groups::id,
            collab_groups::space_id,
            collab_groups::name,
            collab_groups::created_by,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let access = people::space_for(conn, scope, row.1).map_err(|_| AppError::NotFound)?;
    if !access.is_person {
        return Err(AppError::NotFound);
    }
    Ok(Group {
        id: row.0,
        space_id: row.1,
        space_name: access.name,
        name: row.2,
        created_by: row.3,
    })
}

/// The members with their real organisation and department, by organisation then name.
pub(crate) fn members(conn: &mut Conn, group: &Group) -> AppResult<Vec<Member>> {
    let rows: Vec<(i64, i64, String)> = collab_members::table
        .inner_join(users::table)
        .filter(collab_members::group_id.eq(group.id))
        .select((collab_members::user_id, collab_members::org_id, users::name))
        .load(conn)?;
    let org_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let org_names: HashMap<i64, String> = orgs::table
        .filter(orgs::id.eq_any(&org_ids))
        .select((orgs::id, orgs::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let user_ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let depts: HashMap<(i64, i64), Option<String>> = memberships::table
        .left_join(departments::table)
        .filter(memberships::user_id.eq_any(&user_ids))
        .filter(memberships::org_id.eq_any(&org_ids))
        .select((
            memberships::user_id,
            memberships::org_id,
            departments::name.nullable(),
        ))
        .load::<(i64, i64, Option<String>)>(conn)?
        .into_iter()
        .map(|(u, o, d)| ((u, o), d))
        .collect();
    let mut out: Vec<Member> = rows
        .into_iter()
        .map(|(user_id, org_id, name)| Member {
            user_id,
            name,
            org_name: org_names.get(&org_id).cloned().unwrap_or_default(),
            department: depts.get(&(user_id, org_id)).cloned().flatten(),
        })
        .collect();
    out.sort_by(|a, b| {
        a.org_name
            .cmp(&b.org_name)
            .then(a.name.cmp(&b.name))
            .then(a.user_id.cmp(&b.user_id))
    });
    Ok(out)
}

/// The thread, newest first, keyset by id before `before`.
pub(crate) fn messages(conn: &mut Conn, group: &Group, cursor: Cursor) -> AppResult<Page<Message>> {
    Page::fetch(
        cursor,
        |m: &Message| m.id,
        |cursor| message_rows(conn, group, cursor),
    )
}

fn message_rows(conn: &mut Conn, group: &Group, cursor: Cursor) -> AppResult<Vec<Message>> {
    let q = collab_messages::table
        .inner_join(users::table)
        .filter(collab_messages::group_id.eq(group.id))
        .limit(PAGE_SIZE + 1)
        .into_boxed();
    let rows: Vec<(i64, String, i64, String, i64)> =
        crate::keyset!(q, cursor, collab_messages::id, desc)
            .select((
                collab_messages::id,
                users::name,
                collab_messages::org_id,
                collab_messages::body,
                collab_messages::created_at,
            ))
            .load(conn)?;
    let org_ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let names: HashMap<i64, String> = orgs::table
        .filter(orgs::id.eq_any(&org_ids))
        .select((orgs::id, orgs::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, author, org, body, created_at)| Message {
            id,
            author,
            org_name: names.get(&org).cloned().unwrap_or_default(),
            body,
            created_at,
        })
        .collect())
}

pub(crate) fn post_message(
    conn: &mut Conn,
    scope: &OrgScope,
    gid: i64,
    body: &MessageBody,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let g = group_for(conn, scope, gid)?;
        diesel::insert_into(collab_messages::table)
            .values((
                collab_messages::group_id.eq(g.id),
                collab_messages::user_id.eq(scope.user_id()),
                collab_messages::org_id.eq(scope.org_id()),
                collab_messages::body.eq(body.as_str()),
                collab_messages::created_at.eq(now()),
            ))
            .execute(conn)?;
        Ok(())
    })
}

fn require_creator(scope: &OrgScope, g: &Group) -> AppResult<()> {
    if g.created_by == scope.user_id() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "interconnect.collab.error.creator_only",
        ))
    }
}

/// The creator adds people of the space they may see.
pub(crate) fn add_members(
    conn: &mut Conn,
    scope: &OrgScope,
    gid: i64,
    picks: &[Pick],
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let g = group_for(conn, scope, gid)?;
        require_creator(scope, &g)?;
        if picks.is_empty() {
            return Err(AppError::BadRequest(
                "interconnect.collab.error.pick_someone",
            ));
        }
        check_picks(conn, scope, g.space_id, picks)?;
        for p in picks {
            insert_member(conn, g.id, *p)?;
        }
        Ok(())
    })
}

/// The creator removes a member (not themselves: they leave instead).
pub(crate) fn remove_member(
    conn: &mut Conn,
    scope: &OrgScope,
    gid: i64,
    user_id: i64,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let g = group_for(conn, scope, gid)?;
        require_creator(scope, &g)?;
        if user_id == scope.user_id() {
            return Err(AppError::BadRequest(
                "interconnect.collab.error.leave_instead",
            ));
        }
        let n = diesel::delete(
            collab_members::table
                .filter(collab_members::group_id.eq(g.id))
                .filter(collab_members::user_id.eq(user_id)),
        )
        .execute(conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        Ok(())
    })
}

/// Leaves a group; a leaving creator hands the group to its longest-standing member.
pub(crate) fn leave(conn: &mut Conn, scope: &OrgScope, gid: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let g = group_for(conn, scope, gid)?;
        diesel::delete(
            collab_members::table
                .filter(collab_members::group_id.eq(g.id))
                .filter(collab_members::user_id.eq(scope.user_id())),
        )
        .execute(conn)?;
        if g.created_by == scope.user_id() {
            let heir: Option<i64> = collab_members::table
                .filter(collab_members::group_id.eq(g.id))
                .order((
                    collab_members::added_at.asc(),
                    collab_members::user_id.asc(),
                ))
                .select(collab_members::user_id)
                .first(conn)
                .optional()?;
            if let Some(h) = heir {
                diesel::update(collab_groups::table.find(g.id))
                    .set(collab_groups::created_by.eq(h))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// The user ids of a group's members (to leave them out of the picker).
pub(crate) fn member_ids(conn: &mut Conn, group: &Group) -> AppResult<HashSet<i64>> {
    Ok(collab_members::table
        .filter(collab_members::group_id.eq(group.id))
        .select(collab_members::user_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}
