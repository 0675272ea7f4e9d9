//! The provider API's credentials and the data behind its calls. An app id and a secret
//! per custom app (the secret shown once, stored as its SHA-256), exchanged for an access
//! token valid two hours; every call resolves its token to the custom app here.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::custom_apps::{self, CustomApp};
use crate::auth::OrgScope;
use crate::db::schema::{
    apps, cd_access_tokens as tk, cd_credentials as cr, departments, memberships, pages, users,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};

/// An access token's lifetime (an addition: the seed's tokens expire too).
pub(crate) const TOKEN_SECS: i64 = 7200;

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The app id shown to the provider, if credentials were issued.
pub(crate) fn client_id(conn: &mut Conn, cid: i64) -> AppResult<Option<String>> {
    Ok(cr::table
        .find(cid)
        .select(cr::client_id)
        .first(conn)
        .optional()?)
}

/// Issues (or rotates) the app's secret: returns (app id, secret), the secret shown once.
/// Rotating ends every token issued with the old secret.
pub(crate) fn issue_secret(
    conn: &mut Conn,
    scope: &OrgScope,
    cid: i64,
) -> AppResult<(String, String)> {
    write_tx(conn, |conn| {
        let c = custom_apps::for_provider(conn, scope, cid)?;
        if !c.is_active() {
            return Err(AppError::Conflict("customdev.error.cancelled"));
        }
        let secret = crate::tools::new_token();
        let existing = client_id(conn, cid)?;
        let id = match existing {
            Some(id) => {
                diesel::update(cr::table.find(cid))
                    .set((cr::secret_hash.eq(sha(&secret)), cr::created_at.eq(now())))
                    .execute(conn)?;
                diesel::delete(tk::table.filter(tk::custom_app_id.eq(cid))).execute(conn)?;
                id
            }
            None => {
                let id = format!("cd{}", &crate::tools::new_token()[..16]);
                diesel::insert_into(cr::table)
                    .values((
                        cr::custom_app_id.eq(cid),
                        cr::client_id.eq(&id),
                        cr::secret_hash.eq(sha(&secret)),
                        cr::created_at.eq(now()),
                    ))
                    .execute(conn)?;
                id
            }
        };
        Ok((id, secret))
    })
}

/// Exchanges an app id and secret for an access token; `None` when they do not match.
pub(crate) fn token_for(
    conn: &mut Conn,
    client_id: &str,
    secret: &str,
) -> AppResult<Option<(String, i64)>> {
    let row: Option<(i64, String)> = cr::table
        .filter(cr::client_id.eq(client_id))
        .select((cr::custom_app_id, cr::secret_hash))
        .first(conn)
        .optional()?;
    let Some((cid, hash)) = row else {
        return Ok(None);
    };
    // Both sides are hex digests of the same length: compare without an early exit.
    let given = sha(secret);
    let same = given.len() == hash.len()
        && given
            .bytes()
            .zip(hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Ok(None);
    }
    let token = crate::tools::new_token();
    write_tx(conn, |conn| {
        diesel::delete(tk::table.filter(tk::expires_at.lt(now()))).execute(conn)?;
        diesel::insert_into(tk::table)
            .values((
                tk::token_hash.eq(sha(&token)),
                tk::custom_app_id.eq(cid),
                tk::expires_at.eq(now() + TOKEN_SECS),
                tk::created_at.eq(now()),
            ))
            .execute(conn)?;
        Ok::<(), AppError>(())
    })?;
    Ok(Some((token, TOKEN_SECS)))
}

/// The custom app a live token belongs to.
pub(crate) fn app_of_token(conn: &mut Conn, token: &str) -> AppResult<Option<CustomApp>> {
    let cid: Option<i64> = tk::table
        .find(sha(token))
        .filter(tk::expires_at.gt(now()))
        .select(tk::custom_app_id)
        .first(conn)
        .optional()?;
    match cid {
        Some(cid) => custom_apps::load(conn, cid),
        None => Ok(None),
    }
}

/// A person as the API shows them.
#[derive(serde::Serialize, Queryable)]
pub(crate) struct Person {
    pub(crate) user_id: i64,
    pub(crate) name: String,
    pub(crate) department_id: Option<i64>,
}

/// The people of the enterprise (all, or those in the app's usage scope).
pub(crate) fn people(conn: &mut Conn, c: &CustomApp, in_scope: bool) -> AppResult<Vec<Person>> {
    let all: Vec<Person> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(c.enterprise_org_id))
        .order(users::id.asc())
        .limit(5000)
        .select((users::id, users::name, memberships::department_id))
        .load(conn)?;
    if !in_scope {
        return Ok(all);
    }
    let Some(app_id) = c.app_id else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for p in all {
        // The scope rule is apps' own: ask it as that person would be asked.
        let scope = OrgScope::member(c.enterprise_org_id, p.user_id);
        if crate::apps::may_use(conn, &scope, app_id)? {
            out.push(p);
        }
    }
    Ok(out)
}

#[derive(serde::Serialize, Queryable)]
pub(crate) struct Department {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) parent_id: Option<i64>,
}

pub(crate) fn departments(conn: &mut Conn, c: &CustomApp) -> AppResult<Vec<Department>> {
    Ok(departments::table
        .filter(departments::org_id.eq(c.enterprise_org_id))
        .order(departments::id.asc())
        .select((departments::id, departments::name, departments::parent_id))
        .load(conn)?)
}

/// The app's forms (form and process pages).
pub(crate) fn forms(conn: &mut Conn, c: &CustomApp) -> AppResult<Vec<(i64, String)>> {
    let Some(app_id) = c.app_id else {
        return Ok(vec![]);
    };
    Ok(pages::table
        .inner_join(apps::table)
        .filter(pages::app_id.eq(app_id))
        .filter(apps::org_id.eq(c.enterprise_org_id))
        .filter(pages::kind.eq_any(["form", "process"]))
        .order((pages::position.asc(), pages::id.asc()))
        .select((pages::id, pages::name))
        .load(conn)?)
}
