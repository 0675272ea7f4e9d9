//! Spaces (上下游组织 / 上下级组织, seed 004): creation under edition gates and limits,
//! invitations (link, QR code, batch by CorpID, API with a per-space key), join requests
//! decided only by the space admin's review, member organisations' scopes, visibility,
//! the space directory, the space's own groups of member organisations, and leaving.
//!
//! The rules free of the database live here; `store` (spaces, invitations), `membership`
//! (join, review, scope, leave) and `directory` (people, visibility, groups) run them in
//! write transactions; `routes`, `admin_routes` and `api` are the handlers.

pub(crate) mod admin_routes;
pub(crate) mod api;
pub(crate) mod directory;
pub(crate) mod forms;
pub(crate) mod invite_routes;
pub(crate) mod invites;
pub(crate) mod membership;
pub(crate) mod pages;
pub(crate) mod review;
pub(crate) mod routes;
pub(crate) mod store;

use sha2::{Digest, Sha256};

pub(crate) use routes::router;

/// At most this many CorpIDs in one batch invitation (upload, form or API call).
pub(crate) const MAX_BATCH: usize = 1000;

/// A space's name: 2–30 characters once trimmed.
pub(crate) fn parse_name(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    let n = s.chars().count();
    if (2..=30).contains(&n) {
        Ok(s.to_string())
    } else {
        Err("interconnect.spaces.error.name")
    }
}

/// A rejection needs its reason (the applicant is told why).
pub(crate) fn parse_reason(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        Err("interconnect.spaces.error.reason_required")
    } else if s.chars().count() > 200 {
        Err("interconnect.spaces.error.reason_long")
    } else {
        Ok(s.to_string())
    }
}

/// The CorpIDs of a batch: one per line (commas and semicolons also separate), blanks
/// skipped, duplicates kept once, in the order given.
pub(crate) fn parse_corp_ids(text: &str) -> Result<Vec<String>, &'static str> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split(['\n', '\r', ',', ';', '\t']) {
        let c = part.trim().trim_matches('"').trim();
        if c.is_empty() || out.iter().any(|o| o == c) {
            continue;
        }
        out.push(c.to_string());
    }
    if out.is_empty() {
        return Err("interconnect.spaces.error.batch_empty");
    }
    if out.len() > MAX_BATCH {
        return Err("interconnect.spaces.error.batch_too_long");
    }
    Ok(out)
}

/// What a batch invitation did for one CorpID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InviteOutcome {
    Invited,
    UnknownCorpId,
    AlreadyMember,
}

impl InviteOutcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            InviteOutcome::Invited => "invited",
            InviteOutcome::UnknownCorpId => "unknown_corp_id",
            InviteOutcome::AlreadyMember => "already_member",
        }
    }

    pub(crate) fn label_key(self) -> &'static str {
        match self {
            InviteOutcome::Invited => "interconnect.spaces.invite.invited",
            InviteOutcome::UnknownCorpId => "interconnect.spaces.invite.unknown",
            InviteOutcome::AlreadyMember => "interconnect.spaces.invite.already",
        }
    }
}

/// The stored form of an API key: its SHA-256 in hex (the key itself is shown once).
pub(crate) fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Compares two hex digests without stopping at the first difference.
pub(crate) fn digest_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_two_to_thirty_characters() {
        assert!(parse_name(" 华东供应链 ").is_ok());
        assert!(parse_name("a").is_err());
        assert!(parse_name(&"长".repeat(31)).is_err());
    }

    #[test]
    fn corp_id_batches_skip_blanks_and_duplicates() {
        let ids = parse_corp_ids("ding1\r\n\n ding2 ,ding1;\"ding3\"").expect("ids");
        assert_eq!(ids, vec!["ding1", "ding2", "ding3"]);
        assert!(parse_corp_ids(" \n ").is_err());
        let long: String = (0..=MAX_BATCH).map(|i| format!("d{i}\n")).collect();
        assert!(parse_corp_ids(&long).is_err());
    }

    #[test]
    fn keys_are_stored_hashed_and_compared_whole() {
        let h = hash_key("secret");
        assert_eq!(h.len(), 64);
        assert!(digest_eq(&h, &hash_key("secret")));
        assert!(!digest_eq(&h, &hash_key("secreT")));
        assert!(!digest_eq(&h, "short"));
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        assert!(parse_reason("  ").is_err());
        assert_eq!(parse_reason(" 资质不全 "), Ok("资质不全".into()));
    }
}
