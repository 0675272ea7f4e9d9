//! Custom permissions and the enterprise's consent: the provider requests a set, the
//! enterprise agrees (the set takes effect at once) or declines (the previous set stays),
//! a new request replaces a pending one, a removal is immediate, and the enterprise may
//! revoke one later. Every decision lands in the consent history.

use diesel::prelude::*;

use super::custom_apps::{self, CustomApp};
use super::permissions::{self, Edit};
use crate::auth::OrgScope;
use crate::db::schema::{
    cd_app_permissions as ap, cd_permission_log as log, cd_permission_requests as pr, users,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};

pub(crate) const PENDING: &str = "pending";

/// The confirmed custom permissions of a custom app.
pub(crate) fn confirmed(conn: &mut Conn, cid: i64) -> AppResult<Vec<String>> {
    let keys: Vec<String> = ap::table
        .filter(ap::custom_app_id.eq(cid))
        .select(ap::perm)
        .load(conn)?;
    Ok(permissions::split(&permissions::join(&keys)))
}

/// The pending request: (id, the requested set).
pub(crate) fn pending(conn: &mut Conn, cid: i64) -> AppResult<Option<(i64, Vec<String>)>> {
    let row: Option<(i64, String)> = pr::table
        .filter(pr::custom_app_id.eq(cid))
        .filter(pr::state.eq(PENDING))
        .select((pr::id, pr::perms))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, p)| (id, permissions::split(&p))))
}

fn record(conn: &mut Conn, cid: i64, action: &str, perms: &[String], user: i64) -> AppResult<()> {
    diesel::insert_into(log::table)
        .values((
            log::custom_app_id.eq(cid),
            log::action.eq(action),
            log::perms.eq(permissions::join(perms)),
            log::user_id.eq(user),
            log::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn set_confirmed(conn: &mut Conn, cid: i64, keys: &[String]) -> AppResult<()> {
    diesel::delete(ap::table.filter(ap::custom_app_id.eq(cid))).execute(conn)?;
    for k in keys {
        diesel::insert_into(ap::table)
            .values((ap::custom_app_id.eq(cid), ap::perm.eq(k)))
            .execute(conn)?;
    }
    Ok(())
}

/// The provider saves the custom set it wants. Dropped permissions go at once; added
/// ones become a request (replacing a pending one) and the enterprise's admins are told.
pub(crate) fn request(
    conn: &mut Conn,
    scope: &OrgScope,
    cid: i64,
    wanted: &[String],
) -> AppResult<Edit> {
    write_tx(conn, |conn| {
        let c = custom_apps::for_provider(conn, scope, cid)?;
        if !c.is_active() {
            return Err(AppError::Conflict("customdev.error.cancelled"));
        }
        custom_apps::lock(conn, cid)?;
        let current = confirmed(conn, cid)?;
        let e = permissions::edit(&current, wanted);
        if !e.removed.is_empty() {
            let kept: Vec<String> = current
                .iter()
                .filter(|p| !e.removed.contains(p))
                .cloned()
                .collect();
            set_confirmed(conn, cid, &kept)?;
            record(conn, cid, "removed", &e.removed, scope.user_id())?;
        }
        diesel::update(
            pr::table
                .filter(pr::custom_app_id.eq(cid))
                .filter(pr::state.eq(PENDING)),
        )
        .set(pr::state.eq("replaced"))
        .execute(conn)?;
        if !e.added.is_empty() {
            diesel::insert_into(pr::table)
                .values((
                    pr::custom_app_id.eq(cid),
                    pr::perms.eq(permissions::join(wanted)),
                    pr::state.eq(PENDING),
                    pr::requested_by.eq(scope.user_id()),
                    pr::requested_at.eq(now()),
                ))
                .execute(conn)?;
            crate::notifications::notify_admins(
                conn,
                c.enterprise_org_id,
                "customdev.notify.permission_request",
                &c.name,
                &format!("/org/custom-apps/{cid}/permissions"),
            )?;
        }
        Ok(e)
    })
}

/// The enterprise agrees to or declines the pending request.
pub(crate) fn decide(conn: &mut Conn, scope: &OrgScope, cid: i64, agree: bool) -> AppResult<()> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden("customdev.error.admins_cancel"));
    }
    write_tx(conn, |conn| {
        let c = custom_apps::for_enterprise(conn, scope, cid)?;
        custom_apps::lock(conn, cid)?;
        let Some((rid, wanted)) = pending(conn, cid)? else {
            return Err(AppError::Conflict("customdev.error.no_pending_request"));
        };
        diesel::update(pr::table.find(rid))
            .set((
                pr::state.eq(if agree { "agreed" } else { "declined" }),
                pr::decided_by.eq(Some(scope.user_id())),
                pr::decided_at.eq(Some(now())),
            ))
            .execute(conn)?;
        if agree {
            set_confirmed(conn, cid, &wanted)?;
        }
        record(
            conn,
            cid,
            if agree { "agreed" } else { "declined" },
            &wanted,
            scope.user_id(),
        )?;
        // The provider's system learns the outcome with the change (the outbox).
        let in_force = confirmed(conn, cid)?;
        super::callbacks::enqueue(
            conn,
            cid,
            if agree {
                super::callbacks::Event::PermissionAgreed
            } else {
                super::callbacks::Event::PermissionDeclined
            },
            serde_json::json!({ "requested": wanted, "confirmed": in_force }),
        )?;
        crate::notifications::notify_admins(
            conn,
            c.provider_org_id,
            if agree {
                "customdev.notify.permission_agreed"
            } else {
                "customdev.notify.permission_declined"
            },
            &format!("{} · {}", c.name, c.enterprise_name),
            &format!("/provider/custom-dev/custom-apps/{cid}"),
        )
    })
}

/// The enterprise takes back one confirmed custom permission (beyond the seed).
pub(crate) fn revoke(conn: &mut Conn, scope: &OrgScope, cid: i64, perm: &str) -> AppResult<()> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden("customdev.error.admins_cancel"));
    }
    write_tx(conn, |conn| {
        let c = custom_apps::for_enterprise(conn, scope, cid)?;
        custom_apps::lock(conn, cid)?;
        let n = diesel::delete(
            ap::table
                .filter(ap::custom_app_id.eq(cid))
                .filter(ap::perm.eq(perm)),
        )
        .execute(conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        record(conn, cid, "revoked", &[perm.to_string()], scope.user_id())?;
        crate::notifications::notify_admins(
            conn,
            c.provider_org_id,
            "customdev.notify.permission_revoked",
            &format!("{} · {}", c.name, c.enterprise_name),
            &format!("/provider/custom-dev/custom-apps/{cid}"),
        )
    })
}

/// One line of the consent history.
pub(crate) struct LogRow {
    pub(crate) action: String,
    pub(crate) perms: Vec<String>,
    pub(crate) user_name: String,
    pub(crate) at: i64,
}

impl LogRow {
    pub(crate) fn action_key(&self) -> String {
        format!("customdev.consent.{}", self.action)
    }
}

pub(crate) fn history(conn: &mut Conn, cid: i64) -> AppResult<Vec<LogRow>> {
    let rows: Vec<(String, String, String, i64)> = log::table
        .inner_join(users::table)
        .filter(log::custom_app_id.eq(cid))
        .order(log::id.desc())
        .limit(100)
        .select((log::action, log::perms, users::name, log::at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(action, perms, user_name, at)| LogRow {
            action,
            perms: permissions::split(&perms),
            user_name,
            at,
        })
        .collect())
}

/// Is `perm` in force for the custom app (basic ones always are)?
pub(crate) fn granted(conn: &mut Conn, c: &CustomApp, perm: &str) -> AppResult<bool> {
    let Some(p) = permissions::find(perm) else {
        return Ok(false);
    };
    if p.basic {
        return Ok(true);
    }
    Ok(ap::table
        .filter(ap::custom_app_id.eq(c.id))
        .filter(ap::perm.eq(perm))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// What a custom permission lets the provider do in this enterprise, in words with counts
/// ("读取 1,234 人、18 个部门的通讯录").
pub(crate) fn impact(
    conn: &mut Conn,
    c: &CustomApp,
    perm: &str,
    lang: crate::i18n::Lang,
) -> AppResult<String> {
    use crate::db::schema::{departments, memberships, pages, space_orgs};
    let org = c.enterprise_org_id;
    let n = |x: i64| group_digits(x);
    let people: i64 = memberships::table
        .filter(memberships::org_id.eq(org))
        .count()
        .get_result(conn)?;
    Ok(match perm {
        permissions::DIRECTORY => {
            let depts: i64 = departments::table
                .filter(departments::org_id.eq(org))
                .count()
                .get_result(conn)?;
            lang.tf(
                "customdev.impact.directory",
                &[("people", &n(people)), ("departments", &n(depts))],
            )
        }
        permissions::MESSAGES => lang.tf("customdev.impact.messages", &[("people", &n(people))]),
        permissions::PARTNERS => {
            let spaces: Vec<i64> = space_orgs::table
                .filter(space_orgs::org_id.eq(org))
                .filter(space_orgs::status.eq("joined"))
                .select(space_orgs::space_id)
                .load(conn)?;
            let partners: i64 = space_orgs::table
                .filter(space_orgs::space_id.eq_any(&spaces))
                .filter(space_orgs::org_id.ne(org))
                .filter(space_orgs::status.eq("joined"))
                .count()
                .get_result(conn)?;
            lang.tf(
                "customdev.impact.partners",
                &[("spaces", &n(spaces.len() as i64)), ("orgs", &n(partners))],
            )
        }
        permissions::SUBMIT => {
            let forms: i64 = match c.app_id {
                Some(a) => pages::table
                    .filter(pages::app_id.eq(a))
                    .filter(pages::kind.eq_any(["form", "process"]))
                    .count()
                    .get_result(conn)?,
                None => 0,
            };
            lang.tf("customdev.impact.submit", &[("forms", &n(forms))])
        }
        other => lang.t(&format!("customdev.perm.{other}")).into_owned(),
    })
}

/// 1234567 → "1,234,567".
pub(crate) fn group_digits(x: i64) -> String {
    let s = x.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if x < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_read_with_thousands_separators() {
        assert_eq!(super::group_digits(1234), "1,234");
        assert_eq!(super::group_digits(18), "18");
        assert_eq!(super::group_digits(1_234_567), "1,234,567");
    }
}
