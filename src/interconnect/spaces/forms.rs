//! The raw forms of the space pages. Departments and people repeat, so forms are read by
//! hand from the urlencoded body; what was typed is kept to show the form again.

use crate::error::AppError;
use crate::interconnect::ScopeKind;

/// What an organisation links into a space, as typed: the whole organisation, chosen
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
        let kind = ScopeKind::parse(&self.scope_kind).ok_or("interconnect.spaces.error.scope")?;
        let refs = match kind {
            ScopeKind::All => vec![],
            ScopeKind::Departments => self.departments.clone(),
            ScopeKind::People => self.people.clone(),
        };
        if kind != ScopeKind::All && refs.is_empty() {
            return Err("interconnect.spaces.error.scope_empty");
        }
        Ok((kind, refs))
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

/// The create form: name, kind and the creating organisation's own scope.
#[derive(Clone, Debug, Default)]
pub struct CreateForm {
    pub name: String,
    pub kind: String,
    pub scope: ScopeForm,
}

fn id(v: &str) -> Result<i64, AppError> {
    v.parse()
        .map_err(|_| AppError::BadRequest("error.bad_request"))
}

/// Reads a scope (and the create form's name and kind) from an urlencoded body.
pub fn parse_create(body: &[u8]) -> Result<CreateForm, AppError> {
    let mut f = CreateForm::default();
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "name" => f.name = v.into_owned(),
            "kind" => f.kind = v.into_owned(),
            "scope_kind" => f.scope.scope_kind = v.into_owned(),
            "department" => f.scope.departments.push(id(&v)?),
            "person" => f.scope.people.push(id(&v)?),
            _ => {}
        }
    }
    Ok(f)
}

/// Reads the ids of one repeated field (`org` of the visibility editor).
pub fn parse_ids(body: &[u8], field: &str) -> Result<Vec<i64>, AppError> {
    let mut out = vec![];
    for (k, v) in url::form_urlencoded::parse(body) {
        if k == field {
            out.push(id(&v)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_of_departments_or_people_needs_at_least_one() {
        let f = parse_create(b"name=x&kind=partner&scope_kind=departments&department=3&person=9")
            .expect("form");
        assert_eq!(f.scope.parse(), Ok((ScopeKind::Departments, vec![3])));
        let empty = ScopeForm {
            scope_kind: "people".into(),
            ..ScopeForm::default()
        };
        assert!(empty.parse().is_err());
        assert_eq!(ScopeForm::whole().parse(), Ok((ScopeKind::All, vec![])));
        assert!(parse_create(b"department=x").is_err());
    }
}
