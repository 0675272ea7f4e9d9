//! An app's usage scope (使用范围 / 可见范围): the whole organisation, chosen departments
//! (with their sub-departments) or chosen people. Members outside it do not see the app
//! on the workbench, and its pages, forms and data answer them exactly as a missing app
//! does. Those who build the organisation's apps manage every app whatever its scope.
//! Membership is computed live from the directory, so someone who moves out of a chosen
//! department loses the app at once; what the directory removes is let go through
//! [`FollowDirectory`].

use diesel::prelude::*;

use crate::auth::OrgScope;
use crate::db::schema::{app_usage_refs, apps};
use crate::db::{Conn, write_tx};
use crate::error::{AppError, AppResult};
use crate::org::{DirectoryEvent, DirectoryListener, ScopeKind, check_refs, department_chain};

pub(super) const DEPARTMENT: &str = "department";
pub(super) const PERSON: &str = "person";

/// The kind an app's scope refers to with `ScopeKind` (none for the whole organisation).
fn ref_kind(kind: ScopeKind) -> Option<&'static str> {
    match kind {
        ScopeKind::All => None,
        ScopeKind::Departments => Some(DEPARTMENT),
        ScopeKind::People => Some(PERSON),
    }
}

/// Is `user_id` among the people an app's scope names? Pure, for a plain unit test.
pub(crate) fn covers(
    kind: ScopeKind,
    refs: &[i64],
    user_id: i64,
    department_chain: &[i64],
) -> bool {
    match kind {
        ScopeKind::All => true,
        ScopeKind::People => refs.contains(&user_id),
        ScopeKind::Departments => department_chain.iter().any(|d| refs.contains(d)),
    }
}

/// The stored scope of one app of the caller's organisation.
pub(crate) fn usage_scope(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
) -> AppResult<(ScopeKind, Vec<i64>)> {
    scope_in(conn, scope.org_id(), app_id)?.ok_or(AppError::NotFound)
}

/// The stored scope of app `app_id` of organisation `org_id` (another organisation's app:
/// `None`), for a reader with no session in that organisation: a provider's API reading
/// the scope of the app copy an organisation deployed (quick deploy's get_auth_info).
pub(crate) fn scope_in(
    conn: &mut Conn,
    org_id: i64,
    app_id: i64,
) -> AppResult<Option<(ScopeKind, Vec<i64>)>> {
    let Some(kind) = apps::table
        .find(app_id)
        .filter(apps::org_id.eq(org_id))
        .select(apps::usage_scope)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let kind = ScopeKind::parse(&kind).unwrap_or(ScopeKind::All);
    let refs = match ref_kind(kind) {
        None => vec![],
        Some(k) => app_usage_refs::table
            .filter(app_usage_refs::app_id.eq(app_id))
            .filter(app_usage_refs::kind.eq(k))
            .order(app_usage_refs::ref_id.asc())
            .select(app_usage_refs::ref_id)
            .load(conn)?,
    };
    Ok(Some((kind, refs)))
}

/// Whether the caller may use the app under its scope. Builders and delegated
/// maintainers are not limited by it (they manage the app); members are.
pub(crate) fn may_use(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<bool> {
    if scope.can_build_apps() || scope.grant_app().is_some() {
        return Ok(true);
    }
    let (kind, refs) = usage_scope(conn, scope, app_id)?;
    if kind == ScopeKind::All {
        return Ok(true);
    }
    // An app admin (应用管理员) administers the app whoever it is for.
    if super::store::is_app_admin(conn, scope, app_id)? {
        return Ok(true);
    }
    let chain = if kind == ScopeKind::Departments {
        department_chain(conn, scope.org_id(), scope.user_id())?
    } else {
        vec![]
    };
    Ok(covers(kind, &refs, scope.user_id(), &chain))
}

/// Replaces an app's scope after checking that the chosen departments or people are the
/// organisation's own; a foreign or empty choice is the field error.
pub(crate) fn set_usage_scope(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
    kind: ScopeKind,
    refs: &[i64],
) -> AppResult<Result<(), &'static str>> {
    write_tx(conn, |conn| {
        usage_scope(conn, scope, app_id)?;
        if let Err(e) = check_refs(conn, scope.org_id(), kind, refs)? {
            return Ok(Err(e));
        }
        diesel::update(apps::table.find(app_id))
            .set(apps::usage_scope.eq(kind.as_str()))
            .execute(conn)?;
        diesel::delete(app_usage_refs::table.filter(app_usage_refs::app_id.eq(app_id)))
            .execute(conn)?;
        if let Some(k) = ref_kind(kind) {
            let mut unique = refs.to_vec();
            unique.sort_unstable();
            unique.dedup();
            for r in unique {
                diesel::insert_into(app_usage_refs::table)
                    .values((
                        app_usage_refs::app_id.eq(app_id),
                        app_usage_refs::kind.eq(k),
                        app_usage_refs::ref_id.eq(r),
                    ))
                    .execute(conn)?;
            }
        }
        super::events::announce(
            conn,
            super::events::AppEvent::UsageScopeChanged {
                org_id: scope.org_id(),
                app_id,
                kind,
            },
        )?;
        Ok(Ok(()))
    })
}

/// Usage scopes follow the directory: a removed department or a person who left is no
/// longer named (an app left naming nobody is used by nobody until an admin widens it).
pub(crate) struct FollowDirectory;

impl DirectoryListener for FollowDirectory {
    fn changed(&self, conn: &mut Conn, event: &DirectoryEvent) -> AppResult<()> {
        let (kind, id, org_id) = match *event {
            DirectoryEvent::DepartmentRemoved {
                org_id,
                department_id,
            } => (DEPARTMENT, department_id, org_id),
            DirectoryEvent::PersonLeft { org_id, user_id } => (PERSON, user_id, org_id),
            _ => return Ok(()),
        };
        let org_apps = apps::table.filter(apps::org_id.eq(org_id)).select(apps::id);
        diesel::delete(
            app_usage_refs::table
                .filter(app_usage_refs::kind.eq(kind))
                .filter(app_usage_refs::ref_id.eq(id))
                .filter(app_usage_refs::app_id.eq_any(org_apps)),
        )
        .execute(conn)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_department_covers_its_sub_departments_and_people_only_themselves() {
        assert!(covers(ScopeKind::All, &[], 7, &[]));
        assert!(covers(ScopeKind::People, &[7, 8], 7, &[]));
        assert!(!covers(ScopeKind::People, &[8], 7, &[]));
        // The user sits in department 30, under 20, under 10.
        assert!(covers(ScopeKind::Departments, &[10], 7, &[30, 20, 10]));
        assert!(!covers(ScopeKind::Departments, &[40], 7, &[30, 20, 10]));
        assert!(!covers(ScopeKind::Departments, &[10], 7, &[]));
    }
}
