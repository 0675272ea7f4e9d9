//! The provider's quick-deploy API key (get_auth_info): one per provider, shown once when
//! issued, stored as its SHA-256 with a short prefix to recognise it by. Issuing again
//! rotates it: the old key stops working at once (the row is replaced).

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::qd_api_keys as k;
use crate::db::{Conn, now, write_tx};
use crate::error::AppResult;

/// The characters of a key shown to recognise it.
const PREFIX_LEN: usize = 8;

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The key on record: its prefix and when it was issued.
#[derive(Queryable, Clone, Debug)]
pub(crate) struct KeyInfo {
    pub prefix: String,
    pub created_at: i64,
}

pub(crate) fn current(conn: &mut Conn, provider: i64) -> AppResult<Option<KeyInfo>> {
    Ok(k::table
        .find(provider)
        .select((k::key_prefix, k::created_at))
        .first(conn)
        .optional()?)
}

/// Issues a new key for `provider`, replacing any earlier one; the key (shown once).
pub(crate) fn issue(conn: &mut Conn, provider: i64, by: i64) -> AppResult<String> {
    let key = crate::tools::new_token();
    let prefix: String = key.chars().take(PREFIX_LEN).collect();
    write_tx(conn, |conn| -> AppResult<()> {
        let replaced = diesel::update(k::table.find(provider))
            .set((
                k::key_hash.eq(hash(&key)),
                k::key_prefix.eq(&prefix),
                k::created_by.eq(by),
                k::created_at.eq(now()),
            ))
            .execute(conn)?;
        if replaced == 0 {
            diesel::insert_into(k::table)
                .values((
                    k::provider_org_id.eq(provider),
                    k::key_hash.eq(hash(&key)),
                    k::key_prefix.eq(&prefix),
                    k::created_by.eq(by),
                    k::created_at.eq(now()),
                ))
                .execute(conn)?;
        }
        Ok(())
    })?;
    Ok(key)
}

/// The provider whose current key `key` is, if any.
pub(crate) fn provider_of(conn: &mut Conn, key: &str) -> AppResult<Option<i64>> {
    if !crate::tools::token_shape_ok(key) {
        return Ok(None);
    }
    Ok(k::table
        .filter(k::key_hash.eq(hash(key)))
        .select(k::provider_org_id)
        .first(conn)
        .optional()?)
}
