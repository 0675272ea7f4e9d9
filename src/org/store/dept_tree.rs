//! The department tree of the current organisation: queries scoped like every other
//! tenant query, and the pre-order walk the tree page displays.

use diesel::prelude::*;

use crate::auth::OrgScope;
use crate::db::schema::{departments, memberships};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::org::{DeptId, DeptName};

/// A department with its direct member count.
#[derive(Clone, Debug)]
pub(crate) struct DeptRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub members: i64,
}

pub(crate) fn find_dept(conn: &mut Conn, scope: &OrgScope, id: DeptId) -> AppResult<DeptRow> {
    let (id, parent_id, name): (i64, Option<i64>, String) = departments::table
        .filter(departments::org_id.eq(scope.org_id()))
        .filter(departments::id.eq(id.0))
        .select((departments::id, departments::parent_id, departments::name))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let members = memberships::table
        .filter(memberships::org_id.eq(scope.org_id()))
        .filter(memberships::department_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(DeptRow {
        id,
        parent_id,
        name,
        members,
    })
}

/// Every department of the organisation with member counts, by name. A tree is shown
/// whole, so it is not paginated.
pub(crate) fn departments(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<DeptRow>> {
    let rows: Vec<(i64, Option<i64>, String)> = departments::table
        .filter(departments::org_id.eq(scope.org_id()))
        .order((departments::name.asc(), departments::id.asc()))
        .select((departments::id, departments::parent_id, departments::name))
        .load(conn)?;
    let counts: Vec<(Option<i64>, i64)> = memberships::table
        .filter(memberships::org_id.eq(scope.org_id()))
        .filter(memberships::department_id.is_not_null())
        .group_by(memberships::department_id)
        .select((memberships::department_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, parent_id, name)| DeptRow {
            id,
            parent_id,
            name,
            members: counts
                .iter()
                .find(|(d, _)| *d == Some(id))
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect())
}

pub(crate) fn create_dept(
    conn: &mut Conn,
    scope: &OrgScope,
    name: &DeptName,
    parent: Option<DeptId>,
) -> AppResult<DeptId> {
    write_tx(conn, |conn| {
        if let Some(p) = parent {
            find_dept(conn, scope, p)?;
        }
        let id = diesel::insert_into(departments::table)
            .values((
                departments::org_id.eq(scope.org_id()),
                departments::parent_id.eq(parent.map(|p| p.0)),
                departments::name.eq(name.as_str()),
                departments::created_at.eq(now()),
            ))
            .returning(departments::id)
            .get_result::<i64>(conn)?;
        Ok(DeptId(id))
    })
}

pub(crate) fn rename_dept(
    conn: &mut Conn,
    scope: &OrgScope,
    id: DeptId,
    name: &DeptName,
) -> AppResult<()> {
    let n = diesel::update(
        departments::table
            .filter(departments::org_id.eq(scope.org_id()))
            .filter(departments::id.eq(id.0)),
    )
    .set(departments::name.eq(name.as_str()))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    crate::org::events::announce(
        conn,
        crate::org::events::DirectoryEvent::DepartmentRenamed {
            org_id: scope.org_id(),
            department_id: id.0,
        },
    )
}

/// Deletes an empty department; one with sub-departments or members is refused.
pub(crate) fn delete_dept(conn: &mut Conn, scope: &OrgScope, id: DeptId) -> AppResult<()> {
    write_tx(conn, |conn| {
        let d = find_dept(conn, scope, id)?;
        let children: i64 = departments::table
            .filter(departments::org_id.eq(scope.org_id()))
            .filter(departments::parent_id.eq(d.id))
            .count()
            .get_result(conn)?;
        if children > 0 {
            return Err(AppError::Conflict("org.error.dept_has_children"));
        }
        if d.members > 0 {
            return Err(AppError::Conflict("org.error.dept_has_members"));
        }
        // An empty department may still be named elsewhere (a space's scope, seats granted
        // automatically, an app's usage scope): the listeners let go of it first.
        crate::org::events::announce(
            conn,
            crate::org::events::DirectoryEvent::DepartmentRemoved {
                org_id: scope.org_id(),
                department_id: d.id,
            },
        )?;
        diesel::delete(
            departments::table
                .filter(departments::org_id.eq(scope.org_id()))
                .filter(departments::id.eq(d.id)),
        )
        .execute(conn)?;
        Ok(())
    })
}

/// A department in the tree as shown: pre-order, with its depth and how many nested
/// lists close after it.
#[derive(Clone, Debug)]
pub(crate) struct TreeNode {
    pub dept: DeptRow,
    pub depth: usize,
    pub has_children: bool,
    pub closes: usize,
}

/// Orders departments as a tree (roots first, children under their parent).
pub(crate) fn tree(depts: Vec<DeptRow>) -> Vec<TreeNode> {
    fn visit(all: &[DeptRow], parent: Option<i64>, depth: usize, out: &mut Vec<(DeptRow, usize)>) {
        // Depth bound guards against a cycle written outside the portal.
        if depth > 32 {
            return;
        }
        for d in all.iter().filter(|d| d.parent_id == parent) {
            out.push((d.clone(), depth));
            visit(all, Some(d.id), depth + 1, out);
        }
    }
    let mut flat = vec![];
    visit(&depts, None, 0, &mut flat);
    let depths: Vec<usize> = flat.iter().map(|(_, d)| *d).collect();
    flat.into_iter()
        .enumerate()
        .map(|(i, (dept, depth))| {
            let next = depths.get(i + 1).copied().unwrap_or(0);
            TreeNode {
                dept,
                depth,
                has_children: next > depth,
                closes: depth.saturating_sub(next),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: i64, parent: Option<i64>) -> DeptRow {
        DeptRow {
            id,
            parent_id: parent,
            name: id.to_string(),
            members: 0,
        }
    }

    #[test]
    fn the_tree_lists_children_under_their_parent() {
        let t = tree(vec![d(1, None), d(2, None), d(3, Some(1)), d(4, Some(3))]);
        let order: Vec<(i64, usize, bool, usize)> = t
            .iter()
            .map(|n| (n.dept.id, n.depth, n.has_children, n.closes))
            .collect();
        assert_eq!(
            order,
            vec![
                (1, 0, true, 0),
                (3, 1, true, 0),
                (4, 2, false, 2),
                (2, 0, false, 0)
            ]
        );
    }
}
