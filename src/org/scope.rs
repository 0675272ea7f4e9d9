//! Parts of an organisation: the whole of it, chosen departments (with their
//! sub-departments) or chosen people. Interconnection links such a part into a space; an
//! app's usage scope (使用范围) is one too. One picker serves both.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{departments, memberships, users};
use crate::error::{AppError, AppResult};

/// A part of an organisation: the whole of it, chosen departments (with their
/// sub-departments) or chosen people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    All,
    Departments,
    People,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 3] = [ScopeKind::All, ScopeKind::Departments, ScopeKind::People];

    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::All => "all",
            ScopeKind::Departments => "departments",
            ScopeKind::People => "people",
        }
    }

    pub fn parse(s: &str) -> Option<ScopeKind> {
        ScopeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ScopeKind::All => "org.scope.all",
            ScopeKind::Departments => "org.scope.departments",
            ScopeKind::People => "org.scope.people",
        }
    }
}

/// A scope as typed: the whole organisation, chosen
/// departments (sub-departments included) or chosen people.
#[derive(Clone, Debug, Default)]
pub struct ScopeForm {
    pub scope_kind: String,
    pub departments: Vec<i64>,
    pub people: Vec<i64>,
}

impl ScopeForm {
    pub fn whole() -> ScopeForm {
        ScopeForm {
            scope_kind: ScopeKind::All.as_str().into(),
            ..ScopeForm::default()
        }
    }

    /// The chosen kind and the ids that go with it (none for the whole organisation).
    pub fn parse(&self) -> Result<(ScopeKind, Vec<i64>), &'static str> {
        let kind = ScopeKind::parse(&self.scope_kind).ok_or("org.scope.error.choose")?;
        let refs = match kind {
            ScopeKind::All => vec![],
            ScopeKind::Departments => self.departments.clone(),
            ScopeKind::People => self.people.clone(),
        };
        if kind != ScopeKind::All && refs.is_empty() {
            return Err("org.scope.error.empty");
        }
        Ok((kind, refs))
    }

    /// Reads the picker's fields (`scope_kind`, repeated `department` and `person`) from
    /// an urlencoded body; an id that is not a number is a request no form of ours sends.
    pub fn from_body(body: &[u8]) -> Result<ScopeForm, AppError> {
        let mut f = ScopeForm::default();
        let id = |v: &str| {
            v.parse::<i64>()
                .map_err(|_| AppError::BadRequest("error.bad_request"))
        };
        for (k, v) in url::form_urlencoded::parse(body) {
            match k.as_ref() {
                "scope_kind" => f.scope_kind = v.into_owned(),
                "department" => f.departments.push(id(&v)?),
                "person" => f.people.push(id(&v)?),
                _ => {}
            }
        }
        Ok(f)
    }

    pub fn has_department(&self, id: &i64) -> bool {
        self.departments.contains(id)
    }
    pub fn has_person(&self, id: &i64) -> bool {
        self.people.contains(id)
    }
    pub fn is_kind(&self, k: &ScopeKind) -> bool {
        self.scope_kind == k.as_str()
    }
}

/// The departments and people of an organisation, for the scope pickers.
#[derive(Clone, Debug, Default)]
pub struct Picker {
    pub departments: Vec<(i64, String)>,
    pub people: Vec<(i64, String)>,
}

/// At most this many people are listed in the picker (the rest are linked by department).
pub const PICKER_PEOPLE: i64 = 500;

pub fn picker(conn: &mut Conn, org_id: i64) -> AppResult<Picker> {
    let departments = departments::table
        .filter(departments::org_id.eq(org_id))
        .order(departments::id.asc())
        .select((departments::id, departments::name))
        .load(conn)?;
    let people = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org_id))
        .order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name))
        .limit(PICKER_PEOPLE)
        .load(conn)?;
    Ok(Picker {
        departments,
        people,
    })
}

/// Checks that the chosen departments / people belong to `org_id`; the field error if not.
pub fn check_refs(
    conn: &mut Conn,
    org_id: i64,
    kind: ScopeKind,
    refs: &[i64],
) -> AppResult<Result<(), &'static str>> {
    let found: i64 = match kind {
        ScopeKind::All => return Ok(Ok(())),
        ScopeKind::Departments => departments::table
            .filter(departments::org_id.eq(org_id))
            .filter(departments::id.eq_any(refs))
            .count()
            .get_result(conn)?,
        ScopeKind::People => memberships::table
            .filter(memberships::org_id.eq(org_id))
            .filter(memberships::user_id.eq_any(refs))
            .count()
            .get_result(conn)?,
    };
    let mut unique = refs.to_vec();
    unique.sort_unstable();
    unique.dedup();
    Ok(if found == unique.len() as i64 {
        Ok(())
    } else {
        Err("org.scope.error.foreign")
    })
}

/// The department `user_id` belongs to in `org_id` and every department above it: a
/// scope of chosen departments includes their sub-departments.
pub fn department_chain(conn: &mut Conn, org_id: i64, user_id: i64) -> AppResult<Vec<i64>> {
    let own: Option<Option<i64>> = memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::department_id)
        .first(conn)
        .optional()?;
    let mut chain = vec![];
    let mut next = own.flatten();
    // A tree is shallow; the bound only guards against a cycle in bad data.
    while let Some(d) = next {
        if chain.contains(&d) || chain.len() > 64 {
            break;
        }
        chain.push(d);
        next = departments::table
            .find(d)
            .filter(departments::org_id.eq(org_id))
            .select(departments::parent_id)
            .first::<Option<i64>>(conn)
            .optional()?
            .flatten();
    }
    Ok(chain)
}
