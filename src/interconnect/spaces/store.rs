//! Queries of spaces: the organisation's facts and limits, creating a space, the landing
//! list and the space home's figures. Invitation links, API keys and batch invitations
//! are in `invites.rs` (re-exported here).

use diesel::prelude::*;

use crate::auth::{OrgScope, Perm, Role};
use crate::db::schema::{memberships, orgs, space_orgs, space_scope, spaces};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::interconnect::people::{
    LinkedOrg, SpaceAccess, linked_user_ids, lock_org, people_count, reconcile_org,
};
use crate::interconnect::{
    Limits, OrgStatus, ScopeKind, SpaceKind, check_people, check_room, scope_may_manage,
};
use crate::org::Edition;
use crate::tools::new_token;
use crate::web::Errors;

pub(crate) use super::invites::{
    invite_batch, invite_facts, regenerate_api_key, regenerate_token, space_by_key,
};

/// What the space rules need to know about an organisation.
#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug)]
pub(crate) struct OrgFacts {
    pub id: i64,
    pub name: String,
    pub corp_id: String,
    pub edition: Edition,
    pub certified: bool,
    pub limits: Limits,
}

pub(crate) fn org_facts(conn: &mut Conn, org_id: i64) -> AppResult<OrgFacts> {
    #[expect(clippy::type_complexity, reason = "one row of orgs")]
    let row: (
        String,
        String,
        String,
        bool,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
    ) = orgs::table
        .find(org_id)
        .select((
            orgs::name,
            orgs::corp_id,
            orgs::edition,
            orgs::certified,
            orgs::ic_max_spaces,
            orgs::ic_max_joined,
            orgs::ic_max_people,
            orgs::ic_max_orgs,
        ))
        .first(conn)?;
    let (name, corp_id, edition, certified, s, j, p, o) = row;
    Ok(OrgFacts {
        id: org_id,
        name,
        corp_id,
        edition: Edition::parse(&edition).unwrap_or(Edition::Free),
        certified,
        limits: Limits::for_org(certified, [s, j, p, o]),
    })
}

/// Main admins of an organisation (they apply, leave and receive the space notices).
pub(crate) fn main_admins(conn: &mut Conn, org_id: i64) -> AppResult<Vec<i64>> {
    Ok(memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::role.eq(Role::MainAdmin.as_str()))
        .select(memberships::user_id)
        .load(conn)?)
}

/// Those who manage an organisation's spaces: main admins and interconnect sub-admins.
pub(crate) fn space_managers(conn: &mut Conn, org_id: i64) -> AppResult<Vec<i64>> {
    let rows: Vec<(i64, String, String)> = memberships::table
        .filter(memberships::org_id.eq(org_id))
        .select((
            memberships::user_id,
            memberships::role,
            memberships::permissions,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, role, perms)| {
            Role::parse(role).is_some_and(|r| {
                crate::interconnect::may_manage_spaces(r, &Perm::parse_list(perms))
            })
        })
        .map(|(u, _, _)| u)
        .collect())
}

/// Sends one notice to each of `users` in `org_id`.
pub(crate) fn notify_all(
    conn: &mut Conn,
    org_id: i64,
    users: &[i64],
    title: &str,
    body: &str,
    link: &str,
) -> AppResult<()> {
    for u in users {
        crate::notifications::notify(conn, org_id, *u, title, body, link)?;
    }
    Ok(())
}

pub(crate) use crate::org::{Picker, check_refs, picker};

/// Replaces what a space organisation links.
pub(crate) fn write_scope(
    conn: &mut Conn,
    space_org_id: i64,
    kind: ScopeKind,
    refs: &[i64],
) -> AppResult<()> {
    diesel::delete(space_scope::table.filter(space_scope::space_org_id.eq(space_org_id)))
        .execute(conn)?;
    let ref_kind = match kind {
        ScopeKind::All => return set_kind(conn, space_org_id, kind),
        ScopeKind::Departments => "department",
        ScopeKind::People => "user",
    };
    let mut unique = refs.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for r in unique {
        diesel::insert_into(space_scope::table)
            .values((
                space_scope::space_org_id.eq(space_org_id),
                space_scope::kind.eq(ref_kind),
                space_scope::ref_id.eq(r),
            ))
            .execute(conn)?;
    }
    set_kind(conn, space_org_id, kind)
}

fn set_kind(conn: &mut Conn, space_org_id: i64, kind: ScopeKind) -> AppResult<()> {
    diesel::update(space_orgs::table.find(space_org_id))
        .set(space_orgs::scope_kind.eq(kind.as_str()))
        .execute(conn)?;
    Ok(())
}

/// People a space organisation links under its stored scope, now.
pub(crate) fn linked_count(conn: &mut Conn, space_org_id: i64, org_id: i64) -> AppResult<i64> {
    let kind: String = space_orgs::table
        .find(space_org_id)
        .select(space_orgs::scope_kind)
        .first(conn)?;
    let l = LinkedOrg {
        space_org_id,
        org_id,
        scope: ScopeKind::parse(&kind).unwrap_or(ScopeKind::People),
    };
    Ok(linked_user_ids(conn, &l)?.len() as i64)
}

/// Spaces an organisation created.
pub(crate) fn owned_count(conn: &mut Conn, org_id: i64) -> AppResult<i64> {
    Ok(spaces::table
        .filter(spaces::owner_org_id.eq(org_id))
        .count()
        .get_result(conn)?)
}

/// Creates a space owned by the scope's organisation, which joins it with its chosen
/// people. Refuses (as a page) who may not manage, an edition without the kind, and the
/// eleventh space; form mistakes come back as field errors.
pub(crate) fn create_space(
    conn: &mut Conn,
    scope: &OrgScope,
    name: &str,
    kind: SpaceKind,
    scope_kind: ScopeKind,
    refs: &[i64],
) -> AppResult<Result<i64, Errors>> {
    if !scope_may_manage(scope) {
        return Err(AppError::Forbidden("interconnect.spaces.error.not_manager"));
    }
    write_tx(conn, |conn| {
        lock_org(conn, scope.org_id())?;
        let facts = org_facts(conn, scope.org_id())?;
        if !kind.allowed_on(facts.edition) {
            return Err(AppError::Forbidden(kind.edition_refusal()));
        }
        check_room(
            owned_count(conn, facts.id)?,
            facts.limits.max_spaces,
            "interconnect.spaces.error.spaces_limit",
        )?;
        if let Err(key) = check_refs(conn, facts.id, scope_kind, refs)? {
            let mut e = Errors::default();
            e.add("scope", key);
            return Ok(Err(e));
        }
        let t = now();
        let space_id: i64 = diesel::insert_into(spaces::table)
            .values((
                spaces::owner_org_id.eq(facts.id),
                spaces::kind.eq(kind.as_str()),
                spaces::name.eq(name),
                spaces::invite_token.eq(new_token()),
                spaces::created_by.eq(scope.user_id()),
                spaces::created_at.eq(t),
            ))
            .returning(spaces::id)
            .get_result(conn)?;
        let so: i64 = diesel::insert_into(space_orgs::table)
            .values((
                space_orgs::space_id.eq(space_id),
                space_orgs::org_id.eq(facts.id),
                space_orgs::role.eq("owner"),
                space_orgs::status.eq(OrgStatus::Joined.as_str()),
                space_orgs::scope_kind.eq(scope_kind.as_str()),
                space_orgs::applied_by.eq(Some(scope.user_id())),
                space_orgs::applied_at.eq(Some(t)),
                space_orgs::joined_at.eq(Some(t)),
                space_orgs::created_at.eq(t),
            ))
            .returning(space_orgs::id)
            .get_result(conn)?;
        write_scope(conn, so, scope_kind, refs)?;
        check_people(
            0,
            linked_count(conn, so, facts.id)?,
            facts.limits.max_people,
        )?;
        reconcile_org(conn, facts.id)?;
        tracing::info!(org.id = facts.id, space.id = space_id, "space created");
        Ok(Ok(space_id))
    })
}

/// One line of the landing page: a space the organisation created, joined, applied to or
/// was invited to.
#[derive(Clone, Debug)]
pub(crate) struct SpaceItem {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub owner_name: String,
    pub status: OrgStatus,
    pub owned: bool,
    /// The user may open the space home (a manager of the creator, or one of its people).
    pub can_open: bool,
    /// The invitation token, given only to the main admin of an invited organisation.
    pub join_token: Option<String>,
}

impl SpaceItem {
    pub(crate) fn is_joined(&self) -> bool {
        self.status == OrgStatus::Joined
    }
    pub(crate) fn kind_key(&self) -> &'static str {
        SpaceKind::parse(&self.kind).map_or("interconnect.kind.partner", |k| k.label_key())
    }
}

/// The organisation's spaces for the landing page, created ones first.
pub(crate) fn landing(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<SpaceItem>> {
    let rows: Vec<(i64, String, String, String, String, String, String)> = space_orgs::table
        .inner_join(spaces::table)
        .inner_join(orgs::table.on(orgs::id.eq(spaces::owner_org_id)))
        .filter(space_orgs::org_id.eq(scope.org_id()))
        .filter(space_orgs::status.ne(OrgStatus::Left.as_str()))
        .order((space_orgs::role.desc(), spaces::id.asc()))
        .select((
            spaces::id,
            spaces::name,
            spaces::kind,
            orgs::name,
            space_orgs::status,
            space_orgs::role,
            spaces::invite_token,
        ))
        .load(conn)?;
    let manages = scope_may_manage(scope);
    let main_admin = crate::interconnect::may_apply_for_org(scope.role());
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, kind, owner_name, status, role, token) in rows {
        let status = OrgStatus::parse(&status).unwrap_or(OrgStatus::Left);
        let owned = role == "owner";
        let person = status == OrgStatus::Joined
            && crate::interconnect::people::in_space(conn, id, scope.org_id(), scope.user_id())?;
        if !(person || main_admin || (owned && manages)) {
            continue;
        }
        out.push(SpaceItem {
            id,
            name,
            kind,
            owner_name,
            status,
            owned,
            can_open: (owned && manages) || person || (status == OrgStatus::Joined && manages),
            join_token: (main_admin && status.may_apply() && !owned).then_some(token),
        });
    }
    Ok(out)
}

/// The figures on the space home.
#[derive(Clone, Debug)]
pub(crate) struct HomeFacts {
    pub owner_name: String,
    pub description: String,
    pub member_orgs: i64,
    pub people: i64,
    pub pending: i64,
    pub limits: Limits,
}

pub(crate) fn home(conn: &mut Conn, access: &SpaceAccess) -> AppResult<HomeFacts> {
    let owner = org_facts(conn, access.owner_org_id)?;
    let description: String = spaces::table
        .find(access.space_id)
        .select(spaces::description)
        .first(conn)?;
    let count_status = |conn: &mut Conn, s: OrgStatus| -> AppResult<i64> {
        Ok(space_orgs::table
            .filter(space_orgs::space_id.eq(access.space_id))
            .filter(space_orgs::role.eq("member"))
            .filter(space_orgs::status.eq(s.as_str()))
            .count()
            .get_result(conn)?)
    };
    let member_orgs = count_status(conn, OrgStatus::Joined)?;
    let pending = count_status(conn, OrgStatus::Pending)?;
    Ok(HomeFacts {
        owner_name: owner.name,
        description,
        member_orgs,
        people: people_count(conn, access.space_id)?,
        pending,
        limits: owner.limits,
    })
}

/// The form pages of the apps published in the space, whose data pages (with their CSV
/// export) let a leaving organisation keep a copy of its own submissions first.
pub(crate) fn export_pages(conn: &mut Conn, space_id: i64) -> AppResult<Vec<(i64, String)>> {
    use crate::db::schema::{apps, pages, space_apps};
    let rows: Vec<(i64, String, String)> = space_apps::table
        .inner_join(apps::table)
        .inner_join(pages::table.on(pages::app_id.eq(apps::id)))
        .filter(space_apps::space_id.eq(space_id))
        .filter(pages::kind.eq_any(["form", "process"]))
        .order((apps::id.asc(), pages::position.asc(), pages::id.asc()))
        .select((pages::id, apps::name, pages::name))
        .limit(200)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, app, page)| (id, format!("{app} · {page}")))
        .collect())
}
