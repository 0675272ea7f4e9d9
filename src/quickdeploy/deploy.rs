//! The customer's side of a deploy link (钉钉快速部署产品主体流程): the steps a visitor takes
//! from the guide page to the workbench, where a visitor is in them, and the rules of each
//! step's form. Free of the web and the database so each rule has a plain unit test.

use super::model::DirectoryMethod;
use crate::org::{Login, PersonName};
use crate::web::Errors;

/// A step of the customer's flow, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    /// 登录或注册.
    SignIn,
    /// 创建团队 (or pick an organisation one administers).
    Team,
    /// 输入序列号, when the provider verifies them.
    Serial,
    /// 立即授权.
    Authorise,
    /// 使用范围设置.
    Scope,
    /// 开始使用.
    Start,
    /// Started: the app is on the workbench.
    Done,
}

impl Stage {
    pub(crate) const SHOWN: [Stage; 6] = [
        Stage::SignIn,
        Stage::Team,
        Stage::Serial,
        Stage::Authorise,
        Stage::Scope,
        Stage::Start,
    ];
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Stage::SignIn => "quickdeploy.deploy.step.sign_in",
            Stage::Team => "quickdeploy.deploy.step.team",
            Stage::Serial => "quickdeploy.deploy.step.serial",
            Stage::Authorise => "quickdeploy.deploy.step.authorise",
            Stage::Scope => "quickdeploy.deploy.step.scope",
            Stage::Start => "quickdeploy.deploy.step.start",
            Stage::Done => "quickdeploy.deploy.step.done",
        }
    }
    /// The page of this step on the link `token`.
    pub(crate) fn path(self, token: &str) -> String {
        match self {
            Stage::SignIn => format!("/qd/{token}/register"),
            Stage::Team => format!("/qd/{token}/team"),
            Stage::Serial => format!("/qd/{token}/serial"),
            Stage::Authorise => format!("/qd/{token}/authorise"),
            Stage::Scope => format!("/qd/{token}/scope"),
            Stage::Start => format!("/qd/{token}/start"),
            Stage::Done => "/workbench".to_string(),
        }
    }
}

/// How far a deployment has come (the columns of `qd_deployments` that say it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Progress {
    pub serial: bool,
    pub authorised: bool,
    pub scoped: bool,
    pub started: bool,
}

/// Where a visitor is: signed in or not, the deployment of the organisation they act in
/// (if any), and whether the link asks for a serial number.
pub(crate) fn stage_of(signed_in: bool, d: Option<Progress>, verify_serials: bool) -> Stage {
    let Some(d) = d.filter(|_| signed_in) else {
        return if signed_in {
            Stage::Team
        } else {
            Stage::SignIn
        };
    };
    if verify_serials && !d.serial {
        Stage::Serial
    } else if !d.authorised {
        Stage::Authorise
    } else if !d.scoped {
        Stage::Scope
    } else if !d.started {
        Stage::Start
    } else {
        Stage::Done
    }
}

/// The step `wanted` may be taken now only when every step before it is done; otherwise
/// the page the visitor should be on.
pub(crate) fn may_take(at: Stage, wanted: Stage) -> Result<(), Stage> {
    if wanted <= at || (wanted == Stage::Serial && at > Stage::Serial) {
        Ok(())
    } else {
        Err(at)
    }
}

/// The team a customer creates (seed 3.: 1人团队 / 多人团队) or an organisation they
/// administer already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TeamKind {
    One,
    Many,
    Existing,
}

impl TeamKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TeamKind::One => "one",
            TeamKind::Many => "many",
            TeamKind::Existing => "existing",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<TeamKind> {
        [TeamKind::One, TeamKind::Many, TeamKind::Existing]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The new team the application's directory method offers: the one-person team for a
/// directory imported later (by the admin or the provider's system), the multi-person
/// team entered on the phone. Every method also offers an existing organisation.
pub(crate) fn offered(m: DirectoryMethod) -> TeamKind {
    match m {
        DirectoryMethod::AdminFile | DirectoryMethod::ProviderApi => TeamKind::One,
        DirectoryMethod::PhoneTeam => TeamKind::Many,
    }
}

/// A multi-person team has at least this many people, the creator included.
pub(crate) const MIN_TEAM: usize = 6;
/// The most people entered on the spot.
pub(crate) const MAX_ROWS: usize = 50;

/// One person typed into the multi-person team's rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RowInput {
    pub name: String,
    pub login: String,
}

/// The rows' people, checked: each filled row needs a name and a login of the right shape,
/// no login twice (nor the creator's); together with the creator at least [`MIN_TEAM`].
/// Errors are keyed `name_{i}` / `login_{i}` beside the row and `rows` for the count.
pub(crate) fn check_rows(
    rows: &[RowInput],
    creator_login: &str,
) -> Result<Vec<(PersonName, Login)>, Errors> {
    let mut errors = Errors::default();
    let mut people = Vec::new();
    let mut seen: Vec<String> = vec![creator_login.to_ascii_lowercase()];
    for (i, r) in rows.iter().enumerate() {
        if r.name.trim().is_empty() && r.login.trim().is_empty() {
            continue;
        }
        let name = PersonName::parse(&r.name);
        let login = Login::parse(&r.login);
        if let Err(e) = &name {
            errors.add(&format!("name_{i}"), e);
        }
        match &login {
            Err(e) => errors.add(&format!("login_{i}"), e),
            Ok(l) if seen.contains(&l.as_str().to_ascii_lowercase()) => {
                errors.add(
                    &format!("login_{i}"),
                    "quickdeploy.deploy.error.login_twice",
                );
            }
            Ok(l) => seen.push(l.as_str().to_ascii_lowercase()),
        }
        if let (Ok(n), Ok(l)) = (name, login) {
            people.push((n, l));
        }
    }
    // Counted over the filled rows, so a typo in one row does not also read "too few".
    let filled = rows
        .iter()
        .filter(|r| !(r.name.trim().is_empty() && r.login.trim().is_empty()))
        .count();
    if filled + 1 < MIN_TEAM {
        errors.add("rows", "quickdeploy.deploy.error.team_too_small");
    }
    if filled > MAX_ROWS {
        errors.add("rows", "quickdeploy.deploy.error.team_too_large");
    }
    if errors.is_empty() {
        Ok(people)
    } else {
        Err(errors)
    }
}

/// Registrations from one address in an hour (the only self-registration in Fenfa).
pub(crate) const SIGNUP_ATTEMPTS_PER_HOUR: i64 = 20;
pub(crate) const SIGNUP_ACCOUNTS_PER_HOUR: i64 = 5;

/// Why a registration from an address is refused now, given its attempts and accounts of
/// the last hour (before this one).
pub(crate) fn signup_refusal(attempts: i64, accounts: i64) -> Option<&'static str> {
    if accounts >= SIGNUP_ACCOUNTS_PER_HOUR {
        Some("quickdeploy.deploy.error.too_many_accounts")
    } else if attempts >= SIGNUP_ATTEMPTS_PER_HOUR {
        Some("quickdeploy.deploy.error.too_many_attempts")
    } else {
        None
    }
}

/// A team's CorpID: "qd" and 10 random lowercase letters and digits.
pub(crate) fn new_corp_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let tail: String = (0..10)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("qd{tail}")
}

/// A serial number as typed: trimmed, 1–64 characters without control characters.
pub(crate) fn clean_serial(s: &str) -> Result<String, &'static str> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 64 || s.chars().any(char::is_control) {
        Err("quickdeploy.deploy.error.serial_format")
    } else {
        Ok(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, login: &str) -> RowInput {
        RowInput {
            name: name.into(),
            login: login.into(),
        }
    }

    #[test]
    fn a_visitor_moves_through_the_steps_in_order_and_the_serial_only_when_asked_for() {
        assert_eq!(stage_of(false, None, true), Stage::SignIn);
        assert_eq!(stage_of(true, None, true), Stage::Team);
        let mut p = Progress::default();
        assert_eq!(stage_of(true, Some(p), true), Stage::Serial);
        assert_eq!(stage_of(true, Some(p), false), Stage::Authorise);
        p.serial = true;
        assert_eq!(stage_of(true, Some(p), true), Stage::Authorise);
        p.authorised = true;
        assert_eq!(stage_of(true, Some(p), true), Stage::Scope);
        p.scoped = true;
        assert_eq!(stage_of(true, Some(p), true), Stage::Start);
        p.started = true;
        assert_eq!(stage_of(true, Some(p), true), Stage::Done);
        assert_eq!(
            may_take(Stage::Serial, Stage::Authorise),
            Err(Stage::Serial)
        );
        assert_eq!(may_take(Stage::Scope, Stage::Authorise), Ok(()));
    }

    #[test]
    fn a_multi_person_team_needs_six_people_with_the_creator_and_distinct_logins() {
        let five: Vec<RowInput> = (0..5).map(|i| row("张三", &format!("zs{i}x"))).collect();
        let four = &five[..4];
        assert_eq!(check_rows(&five, "boss").map(|p| p.len()).ok(), Some(5));
        let e = check_rows(four, "boss").expect_err("five people");
        assert_eq!(
            e.get("rows"),
            Some("quickdeploy.deploy.error.team_too_small")
        );
        let mut dup = five.clone();
        dup[3].login = "ZS0x".into();
        let e = check_rows(&dup, "boss").expect_err("twice");
        assert_eq!(
            e.get("login_3"),
            Some("quickdeploy.deploy.error.login_twice")
        );
        let mut me = five.clone();
        me[0].login = "boss".into();
        assert!(check_rows(&me, "boss").is_err());
        let mut blank = five.clone();
        blank.push(row("", ""));
        assert_eq!(check_rows(&blank, "boss").map(|p| p.len()).ok(), Some(5));
    }

    #[test]
    fn the_directory_method_decides_the_team_offered() {
        assert_eq!(offered(DirectoryMethod::PhoneTeam), TeamKind::Many);
        assert_eq!(offered(DirectoryMethod::AdminFile), TeamKind::One);
        assert_eq!(offered(DirectoryMethod::ProviderApi), TeamKind::One);
    }

    #[test]
    fn an_address_is_refused_after_five_accounts_or_twenty_attempts_an_hour() {
        assert_eq!(signup_refusal(19, 4), None);
        assert!(signup_refusal(20, 0).is_some());
        assert_eq!(
            signup_refusal(5, 5),
            Some("quickdeploy.deploy.error.too_many_accounts")
        );
    }

    #[test]
    fn a_team_corp_id_is_qd_and_ten_lowercase_characters() {
        let c = new_corp_id();
        assert_eq!(c.len(), 12);
        assert!(c.starts_with("qd"));
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert!(crate::org::CorpId::parse(&c).is_ok());
    }
}
