//! 企业邀请码: the operator issues a certified provider a code; an application takes it
//! (single use, in the same transaction as the application), within 30 days, and only
//! the provider it was issued to.

use diesel::prelude::*;
use rand::Rng;

use crate::db::schema::{orgs, qd_invite_codes as c};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::tools::Cursor;
use crate::web::{PAGE_SIZE, Page};

/// Letters and digits that cannot be mistaken for one another when read aloud or typed
/// from paper (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub(crate) const CODE_LEN: usize = 12;
/// A code is valid this long after it is issued.
pub(crate) const VALID_SECS: i64 = 30 * 86_400;

pub(crate) fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// What a provider types, as codes are stored (spaces and case forgiven).
pub(crate) fn normalise(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = c)]
pub(crate) struct InviteCode {
    pub id: i64,
    pub code: String,
    pub provider_org_id: i64,
    pub note: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A code's one status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CodeStatus {
    Unused,
    Used,
    Expired,
    Revoked,
}

impl CodeStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CodeStatus::Unused => "unused",
            CodeStatus::Used => "used",
            CodeStatus::Expired => "expired",
            CodeStatus::Revoked => "revoked",
        }
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            CodeStatus::Unused => "quickdeploy.code.unused",
            CodeStatus::Used => "quickdeploy.code.used",
            CodeStatus::Expired => "quickdeploy.code.expired",
            CodeStatus::Revoked => "quickdeploy.code.revoked",
        }
    }
    pub(crate) fn tone(self) -> &'static str {
        match self {
            CodeStatus::Unused => "ok",
            CodeStatus::Used => "muted",
            CodeStatus::Expired => "warn",
            CodeStatus::Revoked => "bad",
        }
    }
    /// Why an application cannot take a code in this status (`None`: it can).
    pub(crate) fn refusal(self) -> Option<&'static str> {
        match self {
            CodeStatus::Unused => None,
            CodeStatus::Used => Some("quickdeploy.error.code_used"),
            CodeStatus::Expired => Some("quickdeploy.error.code_expired"),
            CodeStatus::Revoked => Some("quickdeploy.error.code_revoked"),
        }
    }
}

impl InviteCode {
    /// Used wins over revoked or expired (what happened to it first stays true).
    pub(crate) fn status(&self, now: i64) -> CodeStatus {
        if self.used_at.is_some() {
            CodeStatus::Used
        } else if self.revoked_at.is_some() {
            CodeStatus::Revoked
        } else if now >= self.expires_at {
            CodeStatus::Expired
        } else {
            CodeStatus::Unused
        }
    }
}

/// The code an application may take for `provider`, or the message for the field.
pub(crate) fn usable(
    conn: &mut Conn,
    provider: i64,
    raw: &str,
) -> AppResult<Result<i64, &'static str>> {
    let code = normalise(raw);
    if code.is_empty() {
        return Ok(Err("quickdeploy.error.code_required"));
    }
    let found: Option<InviteCode> = c::table
        .filter(c::code.eq(&code))
        .select(InviteCode::as_select())
        .first(conn)
        .optional()?;
    Ok(match found {
        None => Err("quickdeploy.error.code_unknown"),
        Some(x) if x.provider_org_id != provider => Err("quickdeploy.error.code_not_yours"),
        Some(x) => match x.status(now()).refusal() {
            Some(k) => Err(k),
            None => Ok(x.id),
        },
    })
}

/// Takes the code: exactly one application wins it (the caller's transaction).
pub(crate) fn take(conn: &mut Conn, provider: i64, id: i64) -> AppResult<()> {
    let t = now();
    let n = diesel::update(
        c::table
            .filter(c::id.eq(id))
            .filter(c::provider_org_id.eq(provider))
            .filter(c::used_at.is_null())
            .filter(c::revoked_at.is_null())
            .filter(c::expires_at.gt(t)),
    )
    .set(c::used_at.eq(Some(t)))
    .execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(AppError::Conflict("quickdeploy.error.code_used"))
    }
}

/// The operator issues a code to a certified provider; the code.
pub(crate) fn issue(conn: &mut Conn, provider: i64, note: &str, by: i64) -> AppResult<String> {
    write_tx(conn, |conn| {
        let certified: bool = orgs::table
            .find(provider)
            .select(orgs::certified.and(orgs::provider_level.ne("none")))
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        if !certified {
            return Err(AppError::Conflict("quickdeploy.error.not_certified"));
        }
        let t = now();
        // A clash of two random codes is all but impossible; a retry would hide nothing.
        let code = new_code();
        diesel::insert_into(c::table)
            .values((
                c::code.eq(&code),
                c::provider_org_id.eq(provider),
                c::note.eq(note),
                c::issued_by.eq(by),
                c::issued_at.eq(t),
                c::expires_at.eq(t + VALID_SECS),
            ))
            .execute(conn)?;
        Ok(code)
    })
}

/// The operator revokes a code nobody used.
pub(crate) fn revoke(conn: &mut Conn, id: i64) -> AppResult<()> {
    let n = diesel::update(
        c::table
            .filter(c::id.eq(id))
            .filter(c::used_at.is_null())
            .filter(c::revoked_at.is_null()),
    )
    .set(c::revoked_at.eq(Some(now())))
    .execute(conn)?;
    if n == 1 {
        return Ok(());
    }
    let exists: i64 = c::table.filter(c::id.eq(id)).count().get_result(conn)?;
    if exists == 0 {
        Err(AppError::NotFound)
    } else {
        Err(AppError::Conflict("quickdeploy.error.code_not_revocable"))
    }
}

/// A code with its provider's name, for the operator's list.
pub(crate) struct CodeRow {
    pub code: InviteCode,
    pub provider_name: String,
}

/// Every code, newest first.
pub(crate) fn list(conn: &mut Conn, cursor: Cursor) -> AppResult<Page<CodeRow>> {
    let page = Page::fetch(
        cursor,
        |x: &InviteCode| x.id,
        |cur| {
            let q = c::table
                .select(InviteCode::as_select())
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            Ok(crate::keyset!(q, cur, c::id, desc).load(conn)?)
        },
    )?;
    let ids: Vec<i64> = page.items.iter().map(|x| x.provider_org_id).collect();
    let names: Vec<(i64, String)> = orgs::table
        .filter(orgs::id.eq_any(&ids))
        .select((orgs::id, orgs::name))
        .load(conn)?;
    Ok(Page {
        prev: page.prev,
        next: page.next,
        items: page
            .items
            .into_iter()
            .map(|code| CodeRow {
                provider_name: names
                    .iter()
                    .find(|n| n.0 == code.provider_org_id)
                    .map(|n| n.1.clone())
                    .unwrap_or_default(),
                code,
            })
            .collect(),
    })
}

/// The provider's codes it can still use (for its page).
pub(crate) fn unused_of(conn: &mut Conn, provider: i64) -> AppResult<Vec<InviteCode>> {
    Ok(c::table
        .filter(c::provider_org_id.eq(provider))
        .filter(c::used_at.is_null())
        .filter(c::revoked_at.is_null())
        .filter(c::expires_at.gt(now()))
        .order(c::id.desc())
        .limit(50)
        .select(InviteCode::as_select())
        .load(conn)?)
}

/// A code by id (for the application page).
pub(crate) fn find(conn: &mut Conn, id: i64) -> AppResult<InviteCode> {
    c::table
        .find(id)
        .select(InviteCode::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Certified providers (id, name, CorpID) the operator may issue codes to.
pub(crate) fn providers(conn: &mut Conn) -> AppResult<Vec<(i64, String, String)>> {
    Ok(orgs::table
        .filter(orgs::certified.eq(true))
        .filter(orgs::provider_level.ne("none"))
        .order(orgs::id.asc())
        .select((orgs::id, orgs::name, orgs::corp_id))
        .limit(500)
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(used: Option<i64>, revoked: Option<i64>, expires_at: i64) -> InviteCode {
        InviteCode {
            id: 1,
            code: "ABCDEFGHJKMN".into(),
            provider_org_id: 1,
            note: String::new(),
            issued_at: 0,
            expires_at,
            used_at: used,
            revoked_at: revoked,
        }
    }

    #[test]
    fn a_code_has_one_status_and_only_an_unused_one_can_be_taken() {
        assert_eq!(code(None, None, 100).status(50), CodeStatus::Unused);
        assert_eq!(code(None, None, 100).status(100), CodeStatus::Expired);
        assert_eq!(code(Some(10), None, 100).status(500), CodeStatus::Used);
        assert_eq!(code(None, Some(10), 100).status(50), CodeStatus::Revoked);
        assert_eq!(CodeStatus::Unused.refusal(), None);
        assert!(CodeStatus::Expired.refusal().is_some());
    }

    #[test]
    fn codes_are_twelve_unambiguous_characters_and_typing_is_forgiven() {
        let c = new_code();
        assert_eq!(c.len(), CODE_LEN);
        assert!(c.bytes().all(|b| ALPHABET.contains(&b)));
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(normalise(" abcd-efgh jkmn "), "ABCDEFGHJKMN");
    }
}
