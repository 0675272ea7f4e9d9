//! The applications' queries and state changes: submitting (which takes the invitation
//! code), resubmitting a rejected one in place, the operator's review (approval makes the
//! deploy link), and what either side does to a link afterwards.

use diesel::prelude::*;
use rand::RngCore;

use super::codes;
use super::form::{AppForm, Checked};
use super::model::{self, Application, ApplicationStatus};
use crate::db::schema::{orgs, qd_applications as a};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::tools::Cursor;
use crate::web::{Errors, PAGE_SIZE, Page};

/// The secret that signs the verification calls and the deployment callbacks.
pub(crate) fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// What the lookups decided: the product and the invitation code to take.
pub(crate) struct Looked {
    pub product_id: i64,
    pub code_id: Option<i64>,
}

/// The rules that look things up: the provider's registered name, an accepted product of
/// this provider with that code, and (when applying, not when resubmitting) a usable
/// invitation code issued to this provider.
pub(crate) fn check_lookups(
    conn: &mut Conn,
    provider: i64,
    f: &AppForm,
    resubmitting: bool,
    e: &mut Errors,
) -> AppResult<Option<Looked>> {
    let name: String = orgs::table.find(provider).select(orgs::name).first(conn)?;
    if !f.provider_name.is_empty() && f.provider_name != name.trim() {
        e.add("provider_name", "quickdeploy.error.provider_name");
    }
    let mut product_id = None;
    if e.get("product_code").is_none() {
        match crate::appcentre::product_by_code(conn, provider, &f.product_code)? {
            None => e.add("product_code", "quickdeploy.error.product_unknown"),
            Some(p) if !p.accepted => {
                e.add("product_code", "quickdeploy.error.product_not_accepted")
            }
            Some(p) => product_id = Some(p.id),
        }
    }
    let mut code_id = None;
    if !resubmitting {
        match codes::usable(conn, provider, &f.invite_code)? {
            Ok(id) => code_id = Some(id),
            Err(k) => e.add("invite_code", k),
        }
    }
    Ok(product_id.map(|product_id| Looked {
        product_id,
        code_id,
    }))
}

/// Submits a new application, taking its invitation code in the same transaction; its id.
#[expect(
    clippy::too_many_arguments,
    reason = "the form's parts, each checked elsewhere"
)]
pub(crate) fn create(
    conn: &mut Conn,
    provider: i64,
    by: i64,
    f: &AppForm,
    c: &Checked,
    product_id: i64,
    code_id: i64,
    icon_key: &str,
) -> AppResult<i64> {
    write_tx(conn, |conn| {
        codes::take(conn, provider, code_id)?;
        let id = diesel::insert_into(a::table)
            .values((
                a::provider_org_id.eq(provider),
                a::product_id.eq(product_id),
                a::invite_code_id.eq(code_id),
                a::provider_name.eq(&f.provider_name),
                a::product_code.eq(&f.product_code),
                a::reason.eq(&f.reason),
                a::scenario.eq(&f.scenario),
                a::onsite_staff.eq(c.onsite_staff),
                a::qr_sharing.eq(&c.qr_sharing),
                a::directory_method.eq(c.directory_method.as_str()),
                a::verify_serials.eq(c.verify_serials),
                a::serial_source.eq(c.serial_source.as_str()),
                a::verify_url.eq(&c.verify_url),
                a::verify_secret.eq(new_secret()),
                a::callback_url.eq(&f.callback_url),
                a::icon_key.eq(icon_key),
                a::status.eq(ApplicationStatus::Pending.as_str()),
                a::submitted_by.eq(by),
                a::submitted_at.eq(now()),
            ))
            .returning(a::id)
            .get_result(conn)
            .map_err(|e| {
                if crate::db::is_unique_violation(&e) {
                    AppError::Conflict("quickdeploy.error.code_used")
                } else {
                    AppError::from(e)
                }
            })?;
        Ok(id)
    })
}

/// Resubmits a rejected application in place (same code); a new icon only if one came.
pub(crate) fn resubmit(
    conn: &mut Conn,
    provider: i64,
    id: i64,
    f: &AppForm,
    c: &Checked,
    product_id: i64,
    icon_key: Option<&str>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let x = model::find_own(conn, provider, id)?;
        if x.status() != ApplicationStatus::Rejected {
            return Err(AppError::Conflict("quickdeploy.error.not_editable"));
        }
        let n = diesel::update(
            a::table
                .filter(a::id.eq(id))
                .filter(a::status.eq(ApplicationStatus::Rejected.as_str())),
        )
        .set((
            a::product_id.eq(product_id),
            a::provider_name.eq(&f.provider_name),
            a::product_code.eq(&f.product_code),
            a::reason.eq(&f.reason),
            a::scenario.eq(&f.scenario),
            a::onsite_staff.eq(c.onsite_staff),
            a::qr_sharing.eq(&c.qr_sharing),
            a::directory_method.eq(c.directory_method.as_str()),
            a::verify_serials.eq(c.verify_serials),
            a::serial_source.eq(c.serial_source.as_str()),
            a::verify_url.eq(&c.verify_url),
            a::callback_url.eq(&f.callback_url),
            a::icon_key.eq(icon_key.unwrap_or(&x.icon_key)),
            a::status.eq(ApplicationStatus::Pending.as_str()),
            a::submitted_at.eq(now()),
        ))
        .execute(conn)?;
        if n != 1 {
            return Err(AppError::Conflict("quickdeploy.error.not_editable"));
        }
        Ok(())
    })
}

/// The provider's applications, newest first.
pub(crate) fn list_own(
    conn: &mut Conn,
    provider: i64,
    cursor: Cursor,
) -> AppResult<Page<Application>> {
    Page::fetch(
        cursor,
        |x: &Application| x.id,
        |c| {
            let q = a::table
                .filter(a::provider_org_id.eq(provider))
                .select(Application::as_select())
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            Ok(crate::keyset!(q, c, a::id, desc).load(conn)?)
        },
    )
}

/// The operator's list: the pending applications oldest first (the queue), or all of
/// them newest first.
pub(crate) fn list_all(
    conn: &mut Conn,
    pending: bool,
    cursor: Cursor,
) -> AppResult<Page<Application>> {
    Page::fetch(
        cursor,
        |x: &Application| x.id,
        |c| {
            let q = a::table
                .select(Application::as_select())
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            Ok(if pending {
                let q = q.filter(a::status.eq(ApplicationStatus::Pending.as_str()));
                crate::keyset!(q, c, a::id, asc).load(conn)?
            } else {
                crate::keyset!(q, c, a::id, desc).load(conn)?
            })
        },
    )
}

/// The operator approves: the deploy link is made (a stable token pointing at the
/// product applied for) and the provider's admins are told.
pub(crate) fn approve(conn: &mut Conn, id: i64, by: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let x = model::find(conn, id)?;
        let n = diesel::update(
            a::table
                .filter(a::id.eq(id))
                .filter(a::status.eq(ApplicationStatus::Pending.as_str())),
        )
        .set((
            a::status.eq(ApplicationStatus::Approved.as_str()),
            a::decision_reason.eq(""),
            a::decided_by.eq(Some(by)),
            a::decided_at.eq(Some(now())),
            a::link_token.eq(Some(
                x.link_token.clone().unwrap_or_else(crate::tools::new_token),
            )),
            a::link_product_id.eq(Some(x.link_product_id.unwrap_or(x.product_id))),
        ))
        .execute(conn)?;
        if n != 1 {
            return Err(AppError::Conflict("quickdeploy.error.not_pending"));
        }
        let name = crate::appcentre::product_ref(conn, x.product_id)
            .map(|p| p.name)
            .unwrap_or_else(|_| x.product_code.clone());
        crate::notifications::notify_admins(
            conn,
            x.provider_org_id,
            "quickdeploy.notify.approved",
            &name,
            &format!("/provider/quick-deploy/applications/{id}"),
        )
    })
}

/// The operator rejects, with the reason the provider reads.
pub(crate) fn reject(conn: &mut Conn, id: i64, by: i64, reason: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let x = model::find(conn, id)?;
        let n = diesel::update(
            a::table
                .filter(a::id.eq(id))
                .filter(a::status.eq(ApplicationStatus::Pending.as_str())),
        )
        .set((
            a::status.eq(ApplicationStatus::Rejected.as_str()),
            a::decision_reason.eq(reason),
            a::decided_by.eq(Some(by)),
            a::decided_at.eq(Some(now())),
        ))
        .execute(conn)?;
        if n != 1 {
            return Err(AppError::Conflict("quickdeploy.error.not_pending"));
        }
        crate::notifications::notify_admins(
            conn,
            x.provider_org_id,
            "quickdeploy.notify.rejected",
            reason,
            &format!("/provider/quick-deploy/applications/{id}"),
        )
    })
}

/// A change to an approved application's link.
pub(crate) enum LinkChange {
    Pause(bool),
    /// No new deployments, with the operator's note (suspending) or none (lifting).
    Suspend(bool, String),
    Retarget(i64),
}

/// Applies a link change to an approved application (`provider`: the provider's own only).
pub(crate) fn change_link(
    conn: &mut Conn,
    provider: Option<i64>,
    id: i64,
    change: LinkChange,
) -> AppResult<()> {
    let x = match provider {
        Some(p) => model::find_own(conn, p, id)?,
        None => model::find(conn, id)?,
    };
    if x.status() != ApplicationStatus::Approved || x.link_token.is_none() {
        return Err(AppError::Conflict("quickdeploy.error.no_link"));
    }
    let q = a::table.filter(a::id.eq(id));
    match change {
        LinkChange::Pause(p) => diesel::update(q).set(a::link_paused.eq(p)).execute(conn)?,
        LinkChange::Suspend(s, note) => diesel::update(q)
            .set((a::link_suspended.eq(s), a::link_note.eq(note)))
            .execute(conn)?,
        LinkChange::Retarget(product) => {
            let p = crate::appcentre::product_ref(conn, product)?;
            if p.provider_org_id != x.provider_org_id {
                return Err(AppError::NotFound);
            }
            if !p.accepted {
                return Err(AppError::Conflict("quickdeploy.error.product_not_accepted"));
            }
            diesel::update(q)
                .set(a::link_product_id.eq(Some(product)))
                .execute(conn)?
        }
    };
    Ok(())
}
