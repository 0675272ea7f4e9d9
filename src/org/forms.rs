//! Raw forms as typed, and their parsing into domain values. A form that does not parse
//! comes back with its [`Errors`] and is shown again with what was typed.

use serde::Deserialize;

use super::{
    CorpId, DeptId, DeptName, Edition, Login, NewPassword, OrgName, PersonName, ProviderLevel,
};
use crate::auth::{Perm, Role};
use crate::error::AppError;
use crate::web::Errors;

/// Keeps the first error of a field and yields the parsed value, if any.
fn field<T>(errors: &mut Errors, name: &str, r: Result<T, &'static str>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(k) => {
            errors.add(name, k);
            None
        }
    }
}

/// The operator's "new organisation" form.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub corp_id: String,
    #[serde(default)]
    pub edition: String,
    #[serde(default)]
    pub certified: String,
    #[serde(default)]
    pub provider_level: String,
}

pub struct NewOrg {
    pub name: OrgName,
    pub corp_id: CorpId,
    pub settings: OrgSettings,
}

/// What the operator may change on an existing organisation.
#[derive(Clone, Copy, Debug)]
pub struct OrgSettings {
    pub edition: Edition,
    pub certified: bool,
    pub provider_level: ProviderLevel,
}

fn yes_no(s: &str) -> Result<bool, &'static str> {
    match s {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err("org.error.choose_one"),
    }
}

impl OrgForm {
    fn settings(&self, errors: &mut Errors) -> Option<OrgSettings> {
        let edition = field(
            errors,
            "edition",
            Edition::parse(&self.edition).ok_or("org.error.choose_one"),
        );
        let certified = field(errors, "certified", yes_no(&self.certified));
        let provider_level = field(
            errors,
            "provider_level",
            ProviderLevel::parse(&self.provider_level).ok_or("org.error.choose_one"),
        );
        Some(OrgSettings {
            edition: edition?,
            certified: certified?,
            provider_level: provider_level?,
        })
    }

    pub fn parse(&self) -> Result<NewOrg, Errors> {
        let mut errors = Errors::default();
        let name = field(&mut errors, "name", OrgName::parse(&self.name));
        let corp_id = field(&mut errors, "corp_id", CorpId::parse(&self.corp_id));
        let settings = self.settings(&mut errors);
        match (name, corp_id, settings) {
            (Some(name), Some(corp_id), Some(settings)) => Ok(NewOrg {
                name,
                corp_id,
                settings,
            }),
            _ => Err(errors),
        }
    }

    /// The edit form carries only the settings; anything else is a tampered request.
    pub fn parse_settings(&self) -> Result<OrgSettings, AppError> {
        let mut errors = Errors::default();
        self.settings(&mut errors)
            .ok_or(AppError::BadRequest("error.bad_request"))
    }
}

/// A new account: operator's user form, or the org admin's "new account" member form.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub is_operator: Option<String>,
}

pub struct NewAccount {
    pub login: Login,
    pub name: PersonName,
    pub password: NewPassword,
    pub is_operator: bool,
}

impl AccountForm {
    pub fn parse(&self) -> Result<NewAccount, Errors> {
        let mut errors = Errors::default();
        let login = field(&mut errors, "login", Login::parse(&self.login));
        let name = field(&mut errors, "name", PersonName::parse(&self.name));
        let password = field(&mut errors, "password", NewPassword::parse(&self.password));
        match (login, name, password) {
            (Some(login), Some(name), Some(password)) => Ok(NewAccount {
                login,
                name,
                password,
                is_operator: self.is_operator.is_some(),
            }),
            _ => Err(errors),
        }
    }

    /// What is shown again after a failure: never the password.
    pub fn redisplay(mut self) -> AccountForm {
        self.password.clear();
        self
    }
}

/// Add an existing account by login, optionally with a role (operator console).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AddMemberForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub role: String,
}

impl AddMemberForm {
    pub fn login(&self) -> String {
        self.login.trim().to_string()
    }

    pub fn role(&self) -> Result<Role, AppError> {
        if self.role.is_empty() {
            return Ok(Role::Member);
        }
        Role::parse(&self.role).ok_or(AppError::BadRequest("error.bad_request"))
    }
}

/// Reset password form.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub password: String,
}

/// A role change, sent as pairs because permission points are repeated checkboxes.
#[derive(Clone, Debug)]
pub(crate) struct RoleChange {
    pub role: Role,
    pub perms: Vec<Perm>,
    pub can_build_apps: bool,
}

impl RoleChange {
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> Result<RoleChange, AppError> {
        let bad = AppError::BadRequest("error.bad_request");
        let role = pairs
            .iter()
            .find(|(k, _)| k == "role")
            .and_then(|(_, v)| Role::parse(v))
            .ok_or(bad)?;
        let mut perms = vec![];
        for (k, v) in pairs {
            if k == "perm" {
                perms.push(Perm::parse(v).ok_or(AppError::BadRequest("error.bad_request"))?);
            }
        }
        let can_build_apps = pairs.iter().any(|(k, _)| k == "can_build_apps");
        Ok(RoleChange {
            role,
            perms,
            can_build_apps,
        })
    }
}

/// A department form: name and optional parent (empty = top level).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct DeptForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent_id: String,
}

/// Parses an optional id field: empty means none, anything not a number is tampering.
pub(crate) fn optional_id(s: &str) -> Result<Option<i64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        Ok(None)
    } else {
        s.parse()
            .map(Some)
            .map_err(|_| AppError::BadRequest("error.bad_request"))
    }
}

impl DeptForm {
    pub(crate) fn parse(&self) -> Result<(Result<DeptName, Errors>, Option<DeptId>), AppError> {
        let parent = optional_id(&self.parent_id)?.map(DeptId);
        let mut errors = Errors::default();
        let name = match field(&mut errors, "name", DeptName::parse(&self.name)) {
            Some(n) => Ok(n),
            None => Err(errors),
        };
        Ok((name, parent))
    }
}

/// Move a member to a department (empty = none).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct MoveForm {
    #[serde(default)]
    pub department_id: String,
}

/// Search and pagination of lists.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub department: Option<String>,
}

impl ListQuery {
    pub fn cursor(&self) -> crate::web::Cursor {
        crate::web::Cursor::from_query(self.after, self.before)
    }
    pub fn q(&self) -> String {
        self.q.as_deref().unwrap_or("").trim().to_string()
    }
}
