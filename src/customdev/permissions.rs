//! The permission catalogue of custom apps (seed 003 代开发权限): basic permissions come with
//! the authorisation, custom ones only with the enterprise's consent. Each names the API
//! routes it unlocks. Plain data and set arithmetic; the store is `consent.rs`.

/// One permission of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Permission {
    pub(crate) key: &'static str,
    /// Granted with the authorisation (基础权限); otherwise custom (自定义权限).
    pub(crate) basic: bool,
    /// The API routes it unlocks (method and path under `/api/v1`).
    pub(crate) routes: &'static [&'static str],
}

impl Permission {
    pub(crate) fn label_key(&self) -> String {
        format!("customdev.perm.{}", self.key)
    }
}

pub(crate) const ORG_IDENTITY: &str = "org_identity";
pub(crate) const SCOPE_PEOPLE: &str = "scope_people";
pub(crate) const APP_DATA: &str = "app_data";
pub(crate) const DIRECTORY: &str = "directory";
pub(crate) const MESSAGES: &str = "messages";
pub(crate) const PARTNERS: &str = "partners";
pub(crate) const SUBMIT: &str = "submit_on_behalf";

pub(crate) const CATALOGUE: [Permission; 7] = [
    Permission {
        key: ORG_IDENTITY,
        basic: true,
        routes: &["GET /api/v1/enterprise"],
    },
    Permission {
        key: SCOPE_PEOPLE,
        basic: true,
        routes: &["GET /api/v1/scope/people"],
    },
    Permission {
        key: APP_DATA,
        basic: true,
        routes: &["GET /api/v1/forms", "GET /api/v1/forms/{id}/submissions"],
    },
    Permission {
        key: DIRECTORY,
        basic: false,
        routes: &["GET /api/v1/directory"],
    },
    Permission {
        key: MESSAGES,
        basic: false,
        routes: &["POST /api/v1/messages"],
    },
    Permission {
        key: PARTNERS,
        basic: false,
        routes: &["GET /api/v1/partners"],
    },
    Permission {
        key: SUBMIT,
        basic: false,
        routes: &["POST /api/v1/forms/{id}/submissions"],
    },
];

pub(crate) fn find(key: &str) -> Option<&'static Permission> {
    CATALOGUE.iter().find(|p| p.key == key)
}

/// The custom permissions, in catalogue order.
pub(crate) fn custom() -> impl Iterator<Item = &'static Permission> {
    CATALOGUE.iter().filter(|p| !p.basic)
}

/// A set as stored: known custom keys, in catalogue order, comma-separated.
pub(crate) fn join(keys: &[String]) -> String {
    custom()
        .filter(|p| keys.iter().any(|k| k == p.key))
        .map(|p| p.key)
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|k| find(k).is_some_and(|p| !p.basic))
        .map(str::to_string)
        .collect()
}

/// What a provider's save of `wanted` (a custom set) does to `confirmed`: the
/// permissions it drops take effect at once; the ones it adds wait for consent.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    pub(crate) removed: Vec<String>,
    pub(crate) added: Vec<String>,
}

pub(crate) fn edit(confirmed: &[String], wanted: &[String]) -> Edit {
    let wanted = split(&join(wanted));
    Edit {
        removed: confirmed
            .iter()
            .filter(|c| !wanted.contains(c))
            .cloned()
            .collect(),
        added: wanted
            .iter()
            .filter(|w| !confirmed.contains(w))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn dropping_a_permission_is_immediate_and_adding_one_waits_for_consent() {
        let e = edit(&v(&[DIRECTORY, MESSAGES]), &v(&[MESSAGES, PARTNERS]));
        assert_eq!(e.removed, v(&[DIRECTORY]));
        assert_eq!(e.added, v(&[PARTNERS]));
    }

    #[test]
    fn basic_or_unknown_keys_are_never_part_of_a_custom_set() {
        assert_eq!(
            join(&v(&[ORG_IDENTITY, "root", SUBMIT, DIRECTORY])),
            "directory,submit_on_behalf"
        );
        assert_eq!(split("directory,app_data,nope"), v(&[DIRECTORY]));
    }
}
