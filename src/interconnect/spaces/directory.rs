//! The space directory (people with their real organisation and department, limited by
//! visibility), the member-organisation list the space admin reviews and manages, the
//! visibility editor and the space's own groups of member organisations. The space admin
//! arranges organisations into groups; it never edits their departments or people.

use std::collections::HashSet;

use diesel::prelude::*;

use crate::db::in_ids::{IN_IDS, in_ids};
use crate::db::schema::{
    departments, memberships, orgs, space_groups, space_orgs, space_visibility, users,
};
use crate::db::{Conn, is_unique_violation, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::interconnect::people::{
    LinkedOrg, ScopeFilter, SpaceAccess, linked_orgs, scope_filter, visible_among,
};
use crate::interconnect::{OrgStatus, ScopeKind};
use crate::web::{Cursor, PAGE_SIZE, Page};

/// One person of the directory.
#[derive(Clone, Debug)]
pub(crate) struct DirPerson {
    pub membership_id: i64,
    pub name: String,
    pub org_name: String,
    pub department: Option<String>,
}

/// The people the viewer's organisation may see, by membership (organisation × person),
/// keyset-paginated on the membership id.
pub(crate) fn people(
    conn: &mut Conn,
    access: &SpaceAccess,
    viewer_org: i64,
    cursor: Cursor,
) -> AppResult<Page<DirPerson>> {
    let linked = linked_orgs(conn, access.space_id)?;
    let visible: HashSet<i64> = visible_among(conn, access.space_id, viewer_org, &linked)?
        .into_iter()
        .collect();
    Page::fetch(
        cursor,
        |p: &DirPerson| p.membership_id,
        |cursor| people_rows(conn, &linked, &visible, cursor),
    )
}

fn people_rows(
    conn: &mut Conn,
    linked: &[LinkedOrg],
    visible: &HashSet<i64>,
    cursor: Cursor,
) -> AppResult<Vec<DirPerson>> {
    // Each organisation's first page from the cursor (an index range on its memberships,
    // filtered by its scope); the page is the nearest ids of their union.
    let mut ids: Vec<i64> = Vec::new();
    let mut whole_orgs: Vec<i64> = Vec::new();
    for l in linked {
        if !visible.contains(&l.org_id) {
            continue;
        }
        let filter = scope_filter(conn, l)?;
        if matches!(filter, ScopeFilter::All) {
            whole_orgs.push(l.org_id);
            continue;
        }
        ids.extend(crate::native!(conn, |c| {
            let mut q = memberships::table
                .filter(memberships::org_id.eq(l.org_id))
                .select(memberships::id)
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            q = match &filter {
                ScopeFilter::All => q,
                ScopeFilter::Departments(d) => q.filter(memberships::department_id.eq_any(d)),
                ScopeFilter::People(p) => q.filter(memberships::user_id.eq_any(p)),
            };
            crate::keyset!(q, cursor, memberships::id, asc).load::<i64>(c)
        })?);
    }
    // Organisations linked whole: one query per 64 of them.
    for chunk in whole_orgs.chunks(IN_IDS) {
        // Unboxed, so that the statement stays cached: the first page reads after id 0.
        ids.extend(crate::native!(conn, |c| {
            let q = memberships::table
                .filter(in_ids(memberships::org_id, chunk))
                .select(memberships::id)
                .limit(PAGE_SIZE + 1);
            match cursor {
                Cursor::First => q
                    .filter(memberships::id.gt(0))
                    .order(memberships::id.asc())
                    .load::<i64>(c),
                Cursor::After(a) => q
                    .filter(memberships::id.gt(a))
                    .order(memberships::id.asc())
                    .load::<i64>(c),
                Cursor::Before(b) => q
                    .filter(memberships::id.lt(b))
                    .order(memberships::id.desc())
                    .load::<i64>(c),
            }
        })?);
    }
    ids.sort_unstable();
    if !cursor.forward() {
        ids.reverse();
    }
    ids.truncate(usize::try_from(PAGE_SIZE + 1).unwrap_or(51));
    let rows: Vec<(i64, String, String, Option<String>)> =
        crate::native!(conn, |c| memberships::table
            .inner_join(users::table)
            .inner_join(orgs::table)
            .left_join(departments::table)
            .filter(in_ids(memberships::id, &ids))
            .order(memberships::id.asc())
            .select((
                memberships::id,
                users::name,
                orgs::name,
                departments::name.nullable(),
            ))
            .load(c))?;
    let mut rows: Vec<DirPerson> = rows
        .into_iter()
        .map(|(membership_id, name, org_name, department)| DirPerson {
            membership_id,
            name,
            org_name,
            department,
        })
        .collect();
    // Read by id ascending; going back wants the nearest first.
    if !cursor.forward() {
        rows.reverse();
    }
    Ok(rows)
}

/// One organisation row of the space admin's list.
#[derive(Clone, Debug)]
pub(crate) struct OrgRow {
    pub space_org_id: i64,
    pub org_id: i64,
    pub name: String,
    pub corp_id: String,
    pub role: String,
    pub status: OrgStatus,
    pub scope: ScopeKind,
    pub reason: String,
    pub group_id: Option<i64>,
}

impl OrgRow {
    pub(crate) fn is_member(&self) -> bool {
        self.role == "member"
    }
    pub(crate) fn is_pending(&self) -> bool {
        self.status == OrgStatus::Pending
    }
    pub(crate) fn is_joined(&self) -> bool {
        self.status == OrgStatus::Joined
    }
    pub(crate) fn in_group(&self, g: &i64) -> bool {
        self.group_id == Some(*g)
    }
}

/// The organisations of a space (creator first, then by arrival), keyset on the row id;
/// `status` filters (e.g. only pending requests, only joined members).
pub(crate) fn orgs_page(
    conn: &mut Conn,
    space_id: i64,
    status: Option<OrgStatus>,
    cursor: Cursor,
) -> AppResult<Page<OrgRow>> {
    Page::fetch(
        cursor,
        |r: &OrgRow| r.space_org_id,
        |cursor| org_rows(conn, space_id, status, cursor),
    )
}

fn org_rows(
    conn: &mut Conn,
    space_id: i64,
    status: Option<OrgStatus>,
    cursor: Cursor,
) -> AppResult<Vec<OrgRow>> {
    let mut q = space_orgs::table
        .inner_join(orgs::table)
        .filter(space_orgs::space_id.eq(space_id))
        .limit(PAGE_SIZE + 1)
        .select((
            space_orgs::id,
            space_orgs::org_id,
            orgs::name,
            orgs::corp_id,
            space_orgs::role,
            space_orgs::status,
            space_orgs::scope_kind,
            space_orgs::reason,
            space_orgs::group_id,
        ))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(space_orgs::status.eq(s.as_str()));
    }
    #[expect(clippy::type_complexity, reason = "one row of the join")]
    let rows: Vec<(
        i64,
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
    )> = crate::keyset!(q, cursor, space_orgs::id, asc).load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(space_org_id, org_id, name, corp_id, role, status, scope, reason, group_id)| OrgRow {
                space_org_id,
                org_id,
                name,
                corp_id,
                role,
                status: OrgStatus::parse(&status).unwrap_or(OrgStatus::Left),
                scope: ScopeKind::parse(&scope).unwrap_or(ScopeKind::People),
                reason,
                group_id,
            },
        )
        .collect())
}

/// One row of the space, by its id within the space (404 for another space's row).
pub(crate) fn org_row(conn: &mut Conn, space_id: i64, so: i64) -> AppResult<OrgRow> {
    let page = orgs_page(conn, space_id, None, Cursor::After(so - 1))?;
    page.items
        .into_iter()
        .find(|r| r.space_org_id == so)
        .ok_or(AppError::NotFound)
}

fn require_manager(access: &SpaceAccess) -> AppResult<()> {
    if access.manages {
        Ok(())
    } else {
        Err(AppError::Forbidden("interconnect.spaces.error.not_manager"))
    }
}

/// Member organisations by id and name.
pub(crate) type NamedOrgs = Vec<(i64, String)>;

/// The joined organisations (the creator included) `viewer` may be allowed to see, and
/// those allowed now.
pub(crate) fn visibility(
    conn: &mut Conn,
    access: &SpaceAccess,
    viewer: i64,
) -> AppResult<(NamedOrgs, Vec<i64>)> {
    require_manager(access)?;
    let candidates: Vec<(i64, String)> = space_orgs::table
        .inner_join(orgs::table)
        .filter(space_orgs::space_id.eq(access.space_id))
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .filter(space_orgs::org_id.ne(viewer))
        .order(orgs::name.asc())
        .select((orgs::id, orgs::name))
        .load(conn)?;
    let allowed = space_visibility::table
        .filter(space_visibility::space_id.eq(access.space_id))
        .filter(space_visibility::viewer_org_id.eq(viewer))
        .select(space_visibility::visible_org_id)
        .load(conn)?;
    Ok((candidates, allowed))
}

/// Sets which other organisations `viewer` sees (itself always).
pub(crate) fn set_visibility(
    conn: &mut Conn,
    access: &SpaceAccess,
    viewer: i64,
    chosen: &[i64],
) -> AppResult<()> {
    require_manager(access)?;
    write_tx(conn, |conn| {
        let (candidates, _) = visibility(conn, access, viewer)?;
        let ok: HashSet<i64> = candidates.iter().map(|(id, _)| *id).collect();
        if chosen.iter().any(|c| !ok.contains(c)) {
            return Err(AppError::BadRequest("error.bad_request"));
        }
        diesel::delete(
            space_visibility::table
                .filter(space_visibility::space_id.eq(access.space_id))
                .filter(space_visibility::viewer_org_id.eq(viewer)),
        )
        .execute(conn)?;
        let mut unique = chosen.to_vec();
        unique.sort_unstable();
        unique.dedup();
        for o in unique {
            diesel::insert_into(space_visibility::table)
                .values((
                    space_visibility::space_id.eq(access.space_id),
                    space_visibility::viewer_org_id.eq(viewer),
                    space_visibility::visible_org_id.eq(o),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// The space's own groups of member organisations.
pub(crate) fn groups(conn: &mut Conn, space_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(space_groups::table
        .filter(space_groups::space_id.eq(space_id))
        .order((space_groups::name.asc(), space_groups::id.asc()))
        .select((space_groups::id, space_groups::name))
        .load(conn)?)
}

/// A group name: 1–30 characters once trimmed.
pub(crate) fn parse_group_name(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    if (1..=30).contains(&s.chars().count()) {
        Ok(s.to_string())
    } else {
        Err("interconnect.spaces.error.group_name")
    }
}

fn group_of(conn: &mut Conn, space_id: i64, gid: i64) -> AppResult<i64> {
    space_groups::table
        .filter(space_groups::id.eq(gid))
        .filter(space_groups::space_id.eq(space_id))
        .select(space_groups::id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Creates (`gid` None) or renames a group; a taken name is the field error.
pub(crate) fn save_group(
    conn: &mut Conn,
    access: &SpaceAccess,
    gid: Option<i64>,
    name: &str,
) -> AppResult<Result<(), &'static str>> {
    require_manager(access)?;
    let done = write_tx(conn, |conn| match gid {
        None => diesel::insert_into(space_groups::table)
            .values((
                space_groups::space_id.eq(access.space_id),
                space_groups::name.eq(name),
                space_groups::created_at.eq(now()),
            ))
            .execute(conn),
        Some(g) => {
            let g =
                group_of(conn, access.space_id, g).map_err(|_| diesel::result::Error::NotFound)?;
            diesel::update(space_groups::table.find(g))
                .set(space_groups::name.eq(name))
                .execute(conn)
        }
    });
    match done {
        Ok(_) => Ok(Ok(())),
        Err(e) if is_unique_violation(&e) => Ok(Err("interconnect.spaces.error.group_taken")),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a group; its organisations stay in the space, ungrouped.
pub(crate) fn delete_group(conn: &mut Conn, access: &SpaceAccess, gid: i64) -> AppResult<()> {
    require_manager(access)?;
    write_tx(conn, |conn| {
        let g = group_of(conn, access.space_id, gid)?;
        diesel::update(
            space_orgs::table
                .filter(space_orgs::space_id.eq(access.space_id))
                .filter(space_orgs::group_id.eq(g)),
        )
        .set(space_orgs::group_id.eq(None::<i64>))
        .execute(conn)?;
        diesel::delete(space_groups::table.find(g)).execute(conn)?;
        Ok(())
    })
}

/// Puts a joined organisation of the space into a group (or none).
pub(crate) fn assign_group(
    conn: &mut Conn,
    access: &SpaceAccess,
    so: i64,
    gid: Option<i64>,
) -> AppResult<()> {
    require_manager(access)?;
    write_tx(conn, |conn| {
        let row = org_row(conn, access.space_id, so)?;
        if row.status != OrgStatus::Joined {
            return Err(AppError::NotFound);
        }
        let g = match gid {
            Some(g) => Some(group_of(conn, access.space_id, g)?),
            None => None,
        };
        diesel::update(space_orgs::table.find(so))
            .set(space_orgs::group_id.eq(g))
            .execute(conn)?;
        Ok(())
    })
}
