//! The remote-maintenance audit trail: one record for every provider action inside a
//! customer organisation and for every grant decision. Records are append-only (there is
//! no update or delete path anywhere) and hash-chained per customer organisation, so a
//! record changed or removed in the database shows up when the chain is verified.

pub(crate) mod routes;
pub mod store;

use sha2::{Digest, Sha256};

/// The `prev_hash` of a customer organisation's first record.
pub const GENESIS: &str = "genesis";

/// The hashed content of one record.
#[derive(Clone, Debug)]
pub struct RecordContent<'a> {
    pub customer_org_id: i64,
    pub provider_org_id: i64,
    pub app_id: i64,
    pub grant_id: Option<i64>,
    pub actor_id: i64,
    pub action: &'a str,
    pub detail: &'a str,
    pub created_at: i64,
}

/// Text fields are escaped so that a `|` moved between fields changes the hash.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|")
}

/// hex(sha256(prev_hash | customer_org_id | provider_org_id | app_id | grant_id | actor_id |
/// action | detail | created_at)); a missing grant id hashes as the empty string.
pub fn chain_hash(prev_hash: &str, c: &RecordContent<'_>) -> String {
    let grant = c.grant_id.map(|g| g.to_string()).unwrap_or_default();
    let text = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}",
        esc(prev_hash),
        c.customer_org_id,
        c.provider_org_id,
        c.app_id,
        grant,
        c.actor_id,
        esc(c.action),
        esc(c.detail),
        c.created_at
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The result of walking a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    Intact {
        records: usize,
    },
    /// The first record whose link or hash does not hold.
    Broken {
        record_id: i64,
    },
}

/// A stored record as the verifier sees it.
#[derive(Clone, Debug)]
pub struct Stored<'a> {
    pub id: i64,
    pub prev_hash: &'a str,
    pub hash: &'a str,
    pub content: RecordContent<'a>,
}

/// Walks one step of a chain: `expected_prev` is the previous record's hash (or
/// [`GENESIS`]). Returns the hash to expect next, or `None` when this record is broken.
pub fn check_link(expected_prev: &str, r: &Stored<'_>) -> Option<String> {
    if r.prev_hash != expected_prev || chain_hash(r.prev_hash, &r.content) != r.hash {
        None
    } else {
        Some(r.hash.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(detail: &str) -> RecordContent<'_> {
        RecordContent {
            customer_org_id: 1,
            provider_org_id: 2,
            app_id: 3,
            grant_id: Some(4),
            actor_id: 5,
            action: "POST /apps/3/edit",
            detail,
            created_at: 1_700_000_000,
        }
    }

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let h = chain_hash(GENESIS, &content("a"));
        assert_eq!(h.len(), 64);
        assert_eq!(h, chain_hash(GENESIS, &content("a")));
        assert_ne!(h, chain_hash(GENESIS, &content("b")));
        assert_ne!(h, chain_hash("x", &content("a")));
        let mut c = content("a");
        c.grant_id = None;
        assert_ne!(h, chain_hash(GENESIS, &c));
        // A separator moved between fields does not collide.
        let mut c1 = content("b");
        c1.action = "a|";
        let mut c2 = content("|b");
        c2.action = "a";
        assert_ne!(chain_hash(GENESIS, &c1), chain_hash(GENESIS, &c2));
    }

    #[test]
    fn a_changed_record_or_a_broken_link_is_detected() {
        let h1 = chain_hash(GENESIS, &content("one"));
        let r1 = Stored {
            id: 1,
            prev_hash: GENESIS,
            hash: &h1,
            content: content("one"),
        };
        let next = check_link(GENESIS, &r1).expect("intact");
        let h2 = chain_hash(&next, &content("two"));
        let r2 = Stored {
            id: 2,
            prev_hash: &next,
            hash: &h2,
            content: content("two"),
        };
        assert!(check_link(&next, &r2).is_some());
        let tampered = Stored {
            content: content("TWO"),
            ..r2.clone()
        };
        assert!(check_link(&next, &tampered).is_none());
        assert!(check_link(GENESIS, &r2).is_none(), "skipped a record");
    }
}
