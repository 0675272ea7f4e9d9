//! What the space admin reads beside each member organisation: the scope it applied or
//! joined with, named (which departments or people, how many, and how many people that
//! links), and, for an organisation that is no longer in the space, how its membership
//! ended (it left by itself, or the space admin removed it), by whom and when.

use std::collections::HashMap;

use diesel::prelude::*;

use super::directory::OrgRow;
use super::store::linked_count;
use crate::db::schema::{departments, space_org_exits, space_scope, users};
use crate::db::{Conn, now};
use crate::error::AppResult;
use crate::interconnect::{OrgStatus, ScopeKind};

/// At most this many names are listed per row; the count says how many there are.
pub(crate) const NAMES_SHOWN: usize = 20;

/// A member organisation's scope, named.
#[derive(Clone, Debug, Default)]
pub(crate) struct ScopeSummary {
    /// The chosen departments' or people's names (the first [`NAMES_SHOWN`]).
    pub names: Vec<String>,
    /// How many departments or people were chosen.
    pub chosen: i64,
    /// How many people the scope links now (sub-departments included).
    pub people: i64,
    /// Chosen but not listed (past [`NAMES_SHOWN`]).
    pub more: i64,
}

impl ScopeSummary {
    pub(crate) fn joined_names(&self) -> String {
        self.names.join("、")
    }
}

/// The scope of each member row that is pending or joined, by row id.
pub(crate) fn summaries(conn: &mut Conn, rows: &[OrgRow]) -> AppResult<HashMap<i64, ScopeSummary>> {
    let mut out = HashMap::new();
    for r in rows {
        if !r.is_member() || !matches!(r.status, OrgStatus::Pending | OrgStatus::Joined) {
            continue;
        }
        let names: Vec<String> = match r.scope {
            ScopeKind::All => vec![],
            ScopeKind::Departments => space_scope::table
                .inner_join(departments::table.on(departments::id.eq(space_scope::ref_id)))
                .filter(space_scope::space_org_id.eq(r.space_org_id))
                .filter(space_scope::kind.eq("department"))
                .filter(departments::org_id.eq(r.org_id))
                .order((departments::name.asc(), departments::id.asc()))
                .select(departments::name)
                .load(conn)?,
            ScopeKind::People => space_scope::table
                .inner_join(users::table.on(users::id.eq(space_scope::ref_id)))
                .filter(space_scope::space_org_id.eq(r.space_org_id))
                .filter(space_scope::kind.eq("user"))
                .order((users::name.asc(), users::id.asc()))
                .select(users::name)
                .load(conn)?,
        };
        let chosen = names.len() as i64;
        out.insert(
            r.space_org_id,
            ScopeSummary {
                more: (chosen - NAMES_SHOWN as i64).max(0),
                names: names.into_iter().take(NAMES_SHOWN).collect(),
                chosen,
                people: linked_count(conn, r.space_org_id, r.org_id)?,
            },
        );
    }
    Ok(out)
}

/// How a membership ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitHow {
    /// The member organisation's main admin left the space.
    Left,
    /// The space admin removed the organisation (取消关联).
    Removed,
}

impl ExitHow {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ExitHow::Left => "left",
            ExitHow::Removed => "removed",
        }
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            ExitHow::Left => "interconnect.spaces.exit.left",
            ExitHow::Removed => "interconnect.spaces.exit.removed",
        }
    }
}

/// The latest ending of a membership, as shown.
#[derive(Clone, Debug)]
pub(crate) struct Exit {
    pub how: ExitHow,
    pub by: String,
    pub at: i64,
}

/// Records how the membership on row `so` ended, in the caller's transaction.
pub(crate) fn record(conn: &mut Conn, so: i64, how: ExitHow, by: i64) -> AppResult<()> {
    diesel::insert_into(space_org_exits::table)
        .values((
            space_org_exits::space_org_id.eq(so),
            space_org_exits::how.eq(how.as_str()),
            space_org_exits::by_user_id.eq(by),
            space_org_exits::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The latest ending of each row that has left the space, by row id.
pub(crate) fn exits(conn: &mut Conn, rows: &[OrgRow]) -> AppResult<HashMap<i64, Exit>> {
    let mut out = HashMap::new();
    for r in rows.iter().filter(|r| r.status == OrgStatus::Left) {
        let last: Option<(String, String, i64)> = space_org_exits::table
            .inner_join(users::table)
            .filter(space_org_exits::space_org_id.eq(r.space_org_id))
            .order(space_org_exits::id.desc())
            .select((space_org_exits::how, users::name, space_org_exits::at))
            .first(conn)
            .optional()?;
        if let Some((how, by, at)) = last {
            let how = if how == "removed" {
                ExitHow::Removed
            } else {
                ExitHow::Left
            };
            out.insert(r.space_org_id, Exit { how, by, at });
        }
    }
    Ok(out)
}
