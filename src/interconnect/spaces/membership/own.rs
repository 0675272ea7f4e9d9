//! A member organisation's own side of a space: what it links, narrowing or widening it,
//! and leaving.

use super::*;

/// The scope's organisation as a joined member of a space, for its own membership page:
/// the main admin of a member organisation, or a manager of the creator for the creator's
/// own scope. Anyone else gets the same 404 as a missing space.
#[derive(Clone, Debug)]
pub(crate) struct Membership {
    pub space_id: i64,
    pub space_name: String,
    pub space_org_id: i64,
    pub owner: bool,
    pub scope_kind: ScopeKind,
    pub refs: Vec<i64>,
}

pub(crate) fn membership(
    conn: &mut Conn,
    scope: &OrgScope,
    space_id: i64,
) -> AppResult<Membership> {
    let row: Option<(i64, String, String, String)> = space_orgs::table
        .inner_join(spaces::table)
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::org_id.eq(scope.org_id()))
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .select((
            space_orgs::id,
            space_orgs::role,
            space_orgs::scope_kind,
            spaces::name,
        ))
        .first(conn)
        .optional()?;
    let (so, role, kind, space_name) = row.ok_or(AppError::NotFound)?;
    let owner = role == "owner";
    let allowed = if owner {
        crate::interconnect::scope_may_manage(scope)
    } else {
        may_apply_for_org(scope.role()) && scope.grant_id().is_none()
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let scope_kind = ScopeKind::parse(&kind).unwrap_or(ScopeKind::People);
    let refs = crate::db::schema::space_scope::table
        .filter(crate::db::schema::space_scope::space_org_id.eq(so))
        .select(crate::db::schema::space_scope::ref_id)
        .load(conn)?;
    Ok(Membership {
        space_id,
        space_name,
        space_org_id: so,
        owner,
        scope_kind,
        refs,
    })
}

/// Narrows or widens what the organisation links; widening is held to the people limit.
pub(crate) fn change_scope(
    conn: &mut Conn,
    scope: &OrgScope,
    space_id: i64,
    kind: ScopeKind,
    refs: &[i64],
) -> AppResult<Result<(), &'static str>> {
    write_tx(conn, |conn| {
        let m = membership(conn, scope, space_id)?;
        let owner: i64 = spaces::table
            .find(space_id)
            .select(spaces::owner_org_id)
            .first(conn)?;
        lock_org(conn, owner)?;
        if let Err(key) = check_refs(conn, scope.org_id(), kind, refs)? {
            return Ok(Err(key));
        }
        let before = linked_count(conn, m.space_org_id, scope.org_id())?;
        write_scope(conn, m.space_org_id, kind, refs)?;
        let after = linked_count(conn, m.space_org_id, scope.org_id())?;
        if after > before {
            let max = org_facts(conn, owner)?.limits.max_people;
            check_people(people_count(conn, space_id)? - after, after, max)?;
        }
        reconcile_org(conn, scope.org_id())?;
        Ok(Ok(()))
    })
}

/// The member organisation's main admin leaves the space with the whole organisation.
pub(crate) fn leave(conn: &mut Conn, scope: &OrgScope, space_id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let m = membership(conn, scope, space_id)?;
        if m.owner {
            return Err(AppError::Conflict(
                "interconnect.spaces.error.owner_cannot_leave",
            ));
        }
        end_membership(
            conn,
            space_id,
            m.space_org_id,
            scope.org_id(),
            ExitHow::Left,
            scope.user_id(),
        )?;
        let (owner, name): (i64, String) = spaces::table
            .find(space_id)
            .select((spaces::owner_org_id, spaces::name))
            .first(conn)?;
        let org_name: String = orgs::table
            .find(scope.org_id())
            .select(orgs::name)
            .first(conn)?;
        let managers = space_managers(conn, owner)?;
        notify_all(
            conn,
            owner,
            &managers,
            "interconnect.spaces.notify.left",
            &format!("{org_name} · {name}"),
            &format!("/interconnect/spaces/{space_id}/orgs"),
        )?;
        tracing::info!(
            space.id = space_id,
            org.id = scope.org_id(),
            "member organisation left"
        );
        Ok(())
    })
}
