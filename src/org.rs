//! Organisations, their people and their departments: the domain values a form becomes,
//! and the rules about who may change whose role. Free of the web and the database so
//! each rule has a plain unit test.
#![warn(unreachable_pub)]

pub(crate) mod events;
pub(crate) mod forms;
pub(crate) mod made_orgs;
pub(crate) mod routes;
pub(crate) mod scope;
pub(crate) mod store;

// The face: what other domains may use of this one.
pub use events::{DirectoryEvent, DirectoryListener};
pub use forms::NewAccount;
pub use forms::{
    AccountForm, AddMemberForm, ListQuery, NewOrg, OrgForm, OrgSettings, PasswordForm,
};
pub use made_orgs::{create_team, create_test_org};
pub use scope::{
    PICKER_PEOPLE, Picker, ScopeForm, ScopeKind, check_refs, department_chain, picker,
};
pub use store::MemberRow;
pub(crate) use store::{insert_membership, insert_user, members_of, user_by_login};
// Quick deploy's teams: people entered or imported, placed in departments by name.
pub(crate) use store::{dept_named_or_new, insert_user_without_password, move_member};

use crate::auth::{Perm, Role};
use crate::error::AppError;

/// A membership row's id (组织成员).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberId(pub i64);

/// A department's id (部门).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeptId(pub i64);

/// An organisation's id, used by the operator console (never for tenant access).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrgId(pub i64);

/// A user account's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserId(pub i64);

/// 版本: what an organisation has bought; gates features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edition {
    Free,
    Light,
    Professional,
    Exclusive,
}

impl Edition {
    pub const ALL: [Edition; 4] = [
        Edition::Free,
        Edition::Light,
        Edition::Professional,
        Edition::Exclusive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Free => "free",
            Edition::Light => "light",
            Edition::Professional => "professional",
            Edition::Exclusive => "exclusive",
        }
    }

    pub fn parse(s: &str) -> Option<Edition> {
        Edition::ALL.into_iter().find(|e| e.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Edition::Free => "edition.free",
            Edition::Light => "edition.light",
            Edition::Professional => "edition.professional",
            Edition::Exclusive => "edition.exclusive",
        }
    }

    /// One line on what the edition unlocks.
    pub fn unlocks_key(self) -> &'static str {
        match self {
            Edition::Free => "org.unlocks.free",
            Edition::Light => "org.unlocks.light",
            Edition::Professional => "org.unlocks.professional",
            Edition::Exclusive => "org.unlocks.exclusive",
        }
    }
}

/// 服务商认证: only certified providers may distribute apps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderLevel {
    None,
    Intermediate,
    Advanced,
}

impl ProviderLevel {
    pub const ALL: [ProviderLevel; 3] = [
        ProviderLevel::None,
        ProviderLevel::Intermediate,
        ProviderLevel::Advanced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderLevel::None => "none",
            ProviderLevel::Intermediate => "intermediate",
            ProviderLevel::Advanced => "advanced",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderLevel> {
        ProviderLevel::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ProviderLevel::None => "provider.none",
            ProviderLevel::Intermediate => "provider.intermediate",
            ProviderLevel::Advanced => "provider.advanced",
        }
    }
}

/// Label key of a stored edition string (unknown values shown as free).
pub fn edition_label(s: &str) -> &'static str {
    Edition::parse(s).unwrap_or(Edition::Free).label_key()
}

/// Label key of a stored provider level string.
pub fn provider_label(s: &str) -> &'static str {
    ProviderLevel::parse(s)
        .unwrap_or(ProviderLevel::None)
        .label_key()
}

fn char_len_between(s: &str, min: usize, max: usize) -> bool {
    let n = s.chars().count();
    (min..=max).contains(&n)
}

/// An organisation's name: 1–50 characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgName(String);

impl OrgName {
    pub fn parse(s: &str) -> Result<OrgName, &'static str> {
        let s = s.trim();
        if char_len_between(s, 1, 50) {
            Ok(OrgName(s.to_string()))
        } else {
            Err("org.error.org_name")
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// CorpID: 4–64 ASCII letters, digits, `-` or `_`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpId(String);

impl CorpId {
    pub fn parse(s: &str) -> Result<CorpId, &'static str> {
        let s = s.trim();
        let ok = (4..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(CorpId(s.to_string()))
        } else {
            Err("org.error.corp_id_format")
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A sign-in name: 3–40 of letters, digits and `._-@`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login(String);

impl Login {
    pub fn parse(s: &str) -> Result<Login, &'static str> {
        let s = s.trim();
        let ok = (3..=40).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
        if ok {
            Ok(Login(s.to_string()))
        } else {
            Err("org.error.login_format")
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: 1–50 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(s: &str) -> Result<PersonName, &'static str> {
        let s = s.trim();
        if char_len_between(s, 1, 50) {
            Ok(PersonName(s.to_string()))
        } else {
            Err("org.error.person_name")
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An initial or reset password: at least 8 characters (at most 200, argon2 input bound).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub fn parse(s: &str) -> Result<NewPassword, &'static str> {
        if char_len_between(s, 8, 200) {
            Ok(NewPassword(s.to_string()))
        } else {
            Err("org.error.password_short")
        }
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A department's name: 1–30 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeptName(String);

impl DeptName {
    pub fn parse(s: &str) -> Result<DeptName, &'static str> {
        let s = s.trim();
        if char_len_between(s, 1, 30) {
            Ok(DeptName(s.to_string()))
        } else {
            Err("org.error.dept_name")
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who is acting, as far as the role rules care.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
}

/// The member being changed.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub user_id: i64,
    pub role: Role,
}

fn is_admin(r: Role) -> bool {
    matches!(r, Role::MainAdmin | Role::PlatformAdmin)
}

/// May `actor` turn `target`'s role into `new`? `main_admins` counts the organisation's
/// main admins now.
///
/// Only admins change roles; only the main admin grants or takes away the main-admin role;
/// the last main admin is never demoted.
pub fn check_role_change(
    actor: Actor,
    target: Target,
    new: Role,
    main_admins: i64,
) -> Result<(), AppError> {
    if !is_admin(actor.role) {
        return Err(AppError::Forbidden("org.error.roles_admin_only"));
    }
    let touches_main = target.role == Role::MainAdmin || new == Role::MainAdmin;
    if touches_main && target.role != new && actor.role != Role::MainAdmin {
        return Err(AppError::Forbidden("org.error.main_admin_only"));
    }
    if target.role == Role::MainAdmin && new != Role::MainAdmin && main_admins <= 1 {
        return Err(AppError::Conflict("org.error.last_main_admin"));
    }
    Ok(())
}

/// May `actor` remove `target` from the organisation? Nobody removes themself; admins are
/// removed only by admins, the main admin only by a main admin, the last one never.
pub fn check_removal(actor: Actor, target: Target, main_admins: i64) -> Result<(), AppError> {
    if actor.user_id == target.user_id {
        return Err(AppError::Conflict("org.error.cannot_remove_self"));
    }
    if target.role == Role::MainAdmin {
        if main_admins <= 1 {
            return Err(AppError::Conflict("org.error.last_main_admin"));
        }
        if actor.role != Role::MainAdmin {
            return Err(AppError::Forbidden("org.error.main_admin_only"));
        }
    }
    if is_admin(target.role) && !is_admin(actor.role) {
        return Err(AppError::Forbidden("org.error.cannot_remove_admin"));
    }
    Ok(())
}

/// Permission points are kept for sub-admins only; any other role stores none.
pub fn stored_perms(role: Role, perms: &[Perm]) -> String {
    if role == Role::SubAdmin {
        let mut ps: Vec<Perm> = Perm::ALL
            .into_iter()
            .filter(|p| perms.contains(p))
            .collect();
        ps.dedup();
        Perm::join(&ps)
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(role: Role) -> Actor {
        Actor { user_id: 1, role }
    }
    fn t(role: Role) -> Target {
        Target { user_id: 2, role }
    }
    fn key(r: Result<(), AppError>) -> &'static str {
        r.err().map(|e| e.key()).unwrap_or("ok")
    }

    #[test]
    fn corp_ids_are_ascii_words_of_4_to_64() {
        assert!(CorpId::parse("ding-01_x").is_ok());
        assert!(CorpId::parse("abc").is_err());
        assert!(CorpId::parse("has space").is_err());
        assert!(CorpId::parse("企业编号1234").is_err());
        assert!(CorpId::parse(&"a".repeat(65)).is_err());
        assert!(CorpId::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn logins_allow_letters_digits_and_dot_dash_underscore_at() {
        assert!(Login::parse("li.lei@acme").is_ok());
        assert!(Login::parse("ab").is_err());
        assert!(Login::parse("bad login").is_err());
        assert!(NewPassword::parse("1234567").is_err());
        assert!(NewPassword::parse("12345678").is_ok());
        assert!(DeptName::parse("").is_err());
        assert!(DeptName::parse(&"部".repeat(30)).is_ok());
        assert!(DeptName::parse(&"部".repeat(31)).is_err());
    }

    #[test]
    fn only_the_main_admin_grants_or_takes_the_main_admin_role() {
        let pa = a(Role::PlatformAdmin);
        let ma = a(Role::MainAdmin);
        assert_eq!(
            key(check_role_change(pa, t(Role::Member), Role::MainAdmin, 1)),
            "org.error.main_admin_only"
        );
        assert_eq!(
            key(check_role_change(pa, t(Role::MainAdmin), Role::Member, 2)),
            "org.error.main_admin_only"
        );
        assert_eq!(
            key(check_role_change(ma, t(Role::Member), Role::MainAdmin, 1)),
            "ok"
        );
        assert_eq!(
            key(check_role_change(pa, t(Role::Member), Role::SubAdmin, 1)),
            "ok"
        );
        assert_eq!(
            key(check_role_change(
                pa,
                t(Role::SubAdmin),
                Role::PlatformAdmin,
                1
            )),
            "ok"
        );
    }

    #[test]
    fn the_last_main_admin_is_neither_demoted_nor_removed() {
        let ma = a(Role::MainAdmin);
        assert_eq!(
            key(check_role_change(ma, t(Role::MainAdmin), Role::Member, 1)),
            "org.error.last_main_admin"
        );
        assert_eq!(
            key(check_removal(ma, t(Role::MainAdmin), 1)),
            "org.error.last_main_admin"
        );
        assert_eq!(key(check_removal(ma, t(Role::MainAdmin), 2)), "ok");
    }

    #[test]
    fn sub_admins_change_no_roles_and_remove_no_admins_and_nobody_removes_themself() {
        let sa = a(Role::SubAdmin);
        assert_eq!(
            key(check_role_change(sa, t(Role::Member), Role::SubAdmin, 1)),
            "org.error.roles_admin_only"
        );
        assert_eq!(
            key(check_removal(sa, t(Role::PlatformAdmin), 1)),
            "org.error.cannot_remove_admin"
        );
        assert_eq!(key(check_removal(sa, t(Role::Member), 1)), "ok");
        let me = Target {
            user_id: 1,
            role: Role::PlatformAdmin,
        };
        assert_eq!(
            key(check_removal(a(Role::MainAdmin), me, 1)),
            "org.error.cannot_remove_self"
        );
    }

    #[test]
    fn permission_points_are_stored_for_sub_admins_only() {
        let ps = [Perm::Apps, Perm::Members, Perm::Apps];
        assert_eq!(stored_perms(Role::SubAdmin, &ps), "members,apps");
        assert_eq!(stored_perms(Role::Member, &ps), "");
        assert_eq!(stored_perms(Role::PlatformAdmin, &ps), "");
    }
}
