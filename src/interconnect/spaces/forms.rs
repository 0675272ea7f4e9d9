//! The raw forms of the space pages. Departments and people repeat, so forms are read by
//! hand from the urlencoded body; what was typed is kept to show the form again.

use crate::error::AppError;

pub(crate) use crate::org::ScopeForm;

/// The create form: name, kind and the creating organisation's own scope.
#[derive(Clone, Debug, Default)]
pub(crate) struct CreateForm {
    pub name: String,
    pub kind: String,
    pub scope: ScopeForm,
}

fn id(v: &str) -> Result<i64, AppError> {
    v.parse()
        .map_err(|_| AppError::BadRequest("error.bad_request"))
}

/// Reads a scope (and the create form's name and kind) from an urlencoded body.
pub(crate) fn parse_create(body: &[u8]) -> Result<CreateForm, AppError> {
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
pub(crate) fn parse_ids(body: &[u8], field: &str) -> Result<Vec<i64>, AppError> {
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
    use crate::org::ScopeKind;

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
