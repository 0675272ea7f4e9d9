//! Go-live review tickets (代开发应用上线): a template version or a custom app is submitted,
//! the operator approves (待上线) or rejects with a reason, and the provider confirms
//! 提交上线. A template's authorisation code exists from its first go-live; a custom
//! app becomes 已启用 in its enterprise.

use diesel::prelude::*;

use super::rules::ReviewState;
use crate::apps::AppStatus;
use crate::auth::OrgScope;
use crate::db::schema::{
    cd_custom_apps as ca, cd_reviews as r, cd_template_versions as v, cd_templates as t, orgs,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::notifications::notify_admins;
use crate::web::{Cursor, PAGE_SIZE, Page};

pub(crate) const TEMPLATE: &str = "template";
pub(crate) const APP: &str = "app";

/// One ticket as the lists show it.
#[derive(Queryable, Clone, Debug)]
pub(crate) struct Ticket {
    pub id: i64,
    pub provider_org_id: i64,
    pub subject: String,
    pub template_id: i64,
    pub version_id: Option<i64>,
    pub custom_app_id: Option<i64>,
    pub state: String,
    pub reason: String,
    pub submitted_at: i64,
    pub reviewed_at: Option<i64>,
    pub live_at: Option<i64>,
    /// The template version's name, or the custom app's.
    pub name: String,
    /// The version number, or the enterprise's name.
    pub detail: String,
}

impl Ticket {
    pub(crate) fn state(&self) -> ReviewState {
        ReviewState::parse(&self.state).unwrap_or(ReviewState::InReview)
    }
    pub(crate) fn is_app(&self) -> bool {
        self.subject == APP
    }
}

/// The tickets with ids `ids`, in that order, with their names.
fn ticket_rows(conn: &mut Conn, ids: &[i64]) -> AppResult<Vec<Ticket>> {
    type Row = (
        i64,
        i64,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        String,
        String,
        i64,
        Option<i64>,
        Option<i64>,
    );
    let mut rows: Vec<Row> = r::table
        .filter(r::id.eq_any(ids))
        .select((
            r::id,
            r::provider_org_id,
            r::subject,
            r::template_id,
            r::version_id,
            r::custom_app_id,
            r::state,
            r::reason,
            r::submitted_at,
            r::reviewed_at,
            r::live_at,
        ))
        .load(conn)?;
    rows.sort_by_key(|x| ids.iter().position(|i| *i == x.0));
    let mut out = Vec::with_capacity(rows.len());
    for x in rows {
        let (name, detail) = match (x.4, x.5) {
            (Some(vid), _) => {
                let (n, ver): (String, i32) = v::table
                    .find(vid)
                    .select((v::name, v::version))
                    .first(conn)?;
                (n, format!("v{ver}"))
            }
            (None, Some(cid)) => ca::table
                .inner_join(orgs::table.on(orgs::id.eq(ca::enterprise_org_id)))
                .filter(ca::id.eq(cid))
                .select((ca::name, orgs::name))
                .first(conn)?,
            _ => (String::new(), String::new()),
        };
        out.push(Ticket {
            id: x.0,
            provider_org_id: x.1,
            subject: x.2,
            template_id: x.3,
            version_id: x.4,
            custom_app_id: x.5,
            state: x.6,
            reason: x.7,
            submitted_at: x.8,
            reviewed_at: x.9,
            live_at: x.10,
            name,
            detail,
        });
    }
    Ok(out)
}

/// The provider's tickets, newest first (代开发应用上线 list).
pub(crate) fn provider_tickets(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<Page<Ticket>> {
    Page::fetch(
        cursor,
        |t: &Ticket| t.id,
        |cursor| {
            let q = r::table
                .filter(r::provider_org_id.eq(scope.org_id()))
                .limit(PAGE_SIZE + 1)
                .select(r::id)
                .into_boxed();
            let ids: Vec<i64> = crate::keyset!(q, cursor, r::id, desc).load(&mut *conn)?;
            ticket_rows(conn, &ids)
        },
    )
}

/// The operator's queue: tickets in review, oldest first.
pub(crate) fn queue(conn: &mut Conn, cursor: Cursor) -> AppResult<Page<Ticket>> {
    Page::fetch(
        cursor,
        |t: &Ticket| t.id,
        |cursor| {
            let q = r::table
                .filter(r::state.eq(ReviewState::InReview.as_str()))
                .limit(PAGE_SIZE + 1)
                .select(r::id)
                .into_boxed();
            let ids: Vec<i64> = crate::keyset!(q, cursor, r::id, asc).load(&mut *conn)?;
            ticket_rows(conn, &ids)
        },
    )
}

fn one(conn: &mut Conn, id: i64) -> AppResult<Ticket> {
    ticket_rows(conn, &[id])?.pop().ok_or(AppError::NotFound)
}

/// One of the provider's tickets.
pub(crate) fn provider_ticket(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Ticket> {
    let t = one(conn, id)?;
    if t.provider_org_id != scope.org_id() {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

/// Submits the latest version of each chosen template for go-live review. A version
/// already live, in review or approved is skipped; returns how many were submitted.
pub(crate) fn submit_templates(conn: &mut Conn, scope: &OrgScope, ids: &[i64]) -> AppResult<usize> {
    if ids.is_empty() {
        return Err(AppError::BadRequest("customdev.error.choose_templates"));
    }
    write_tx(conn, |conn| {
        let mut n = 0;
        for &id in ids {
            let tpl = super::store::find_template(conn, scope, id)?;
            let live = tpl.live.as_ref().is_some_and(|l| l.id == tpl.latest.id);
            let open = matches!(
                tpl.latest_review,
                Some(ReviewState::InReview | ReviewState::Ready)
            );
            if live || open {
                continue;
            }
            insert_ticket(conn, scope, TEMPLATE, id, Some(tpl.latest.id), None)?;
            n += 1;
        }
        if n == 0 {
            return Err(AppError::Conflict("customdev.error.nothing_to_submit"));
        }
        Ok(n)
    })
}

fn insert_ticket(
    conn: &mut Conn,
    scope: &OrgScope,
    subject: &str,
    template_id: i64,
    version_id: Option<i64>,
    custom_app_id: Option<i64>,
) -> AppResult<()> {
    diesel::insert_into(r::table)
        .values((
            r::provider_org_id.eq(scope.org_id()),
            r::subject.eq(subject),
            r::template_id.eq(template_id),
            r::version_id.eq(version_id),
            r::custom_app_id.eq(custom_app_id),
            r::state.eq(ReviewState::InReview.as_str()),
            r::submitted_by.eq(scope.user_id()),
            r::submitted_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                AppError::Conflict("customdev.error.already_in_review")
            } else {
                e.into()
            }
        })?;
    Ok(())
}

/// Submits custom apps of one template for go-live review. Each must be the
/// provider's, authorised (not cancelled), configured and not yet live, with no open
/// ticket. The template needs no new review of its own (不需要再次提交所属代开发模版的上线流程).
pub(crate) fn submit_apps(
    conn: &mut Conn,
    scope: &OrgScope,
    template_id: i64,
    app_ids: &[i64],
) -> AppResult<usize> {
    if app_ids.is_empty() {
        return Err(AppError::BadRequest("customdev.error.choose_apps"));
    }
    write_tx(conn, |conn| {
        super::store::find_template(conn, scope, template_id)?;
        for &cid in app_ids {
            let row: Option<(String, Option<i64>, Option<i64>)> = ca::table
                .filter(ca::id.eq(cid))
                .filter(ca::template_id.eq(template_id))
                .filter(ca::provider_org_id.eq(scope.org_id()))
                .select((ca::status, ca::configured_at, ca::live_at))
                .first(conn)
                .optional()?;
            let Some((status, configured, live)) = row else {
                return Err(AppError::NotFound);
            };
            if status != "active" {
                return Err(AppError::Conflict("customdev.error.cancelled"));
            }
            if configured.is_none() {
                return Err(AppError::Conflict("customdev.error.configure_first"));
            }
            if live.is_some() {
                return Err(AppError::Conflict("customdev.error.app_already_live"));
            }
            insert_ticket(conn, scope, APP, template_id, None, Some(cid))?;
        }
        Ok(app_ids.len())
    })
}

/// The operator approves (→ 待上线) or rejects with a reason (→ 已驳回); the provider's
/// admins are told either way.
pub(crate) fn decide(
    conn: &mut Conn,
    operator_id: i64,
    id: i64,
    approve: bool,
    reason: &str,
) -> AppResult<Ticket> {
    if !approve && reason.trim().is_empty() {
        return Err(AppError::BadRequest("customdev.error.reason_required"));
    }
    write_tx(conn, |conn| {
        let to = if approve {
            ReviewState::Ready
        } else {
            ReviewState::Rejected
        };
        let n = diesel::update(
            r::table
                .find(id)
                .filter(r::state.eq(ReviewState::InReview.as_str())),
        )
        .set((
            r::state.eq(to.as_str()),
            r::reason.eq(reason.trim()),
            r::reviewed_by.eq(Some(operator_id)),
            r::reviewed_at.eq(Some(now())),
        ))
        .execute(conn)?;
        if n != 1 {
            return Err(AppError::Conflict("customdev.error.already_decided"));
        }
        let ticket = one(conn, id)?;
        let title = if approve {
            "customdev.notify.approved"
        } else {
            "customdev.notify.rejected"
        };
        notify_admins(
            conn,
            ticket.provider_org_id,
            title,
            &ticket.name,
            &format!("/provider/custom-dev/tickets/{id}"),
        )?;
        Ok(ticket)
    })
}

/// 提交上线: the provider puts an approved ticket live.
pub(crate) fn go_live(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Ticket> {
    write_tx(conn, |conn| {
        let ticket = provider_ticket(conn, scope, id)?;
        let n = diesel::update(
            r::table
                .find(id)
                .filter(r::state.eq(ReviewState::Ready.as_str())),
        )
        .set((
            r::state.eq(ReviewState::Live.as_str()),
            r::live_at.eq(Some(now())),
        ))
        .execute(conn)?;
        if n != 1 {
            return Err(AppError::Conflict("customdev.error.not_ready"));
        }
        match (ticket.version_id, ticket.custom_app_id) {
            (Some(vid), _) => {
                diesel::update(t::table.find(ticket.template_id))
                    .set(t::live_version_id.eq(Some(vid)))
                    .execute(conn)?;
            }
            (None, Some(cid)) => app_live(conn, cid)?,
            _ => {}
        }
        Ok(ticket)
    })
}

/// A custom app goes live: 已启用 in its enterprise, whose admins get the seed's
/// "代开发应用已完成" message pointing at the usage scope (start small).
fn app_live(conn: &mut Conn, cid: i64) -> AppResult<()> {
    let (enterprise, app_id, name, status): (i64, Option<i64>, String, String) = ca::table
        .find(cid)
        .select((ca::enterprise_org_id, ca::app_id, ca::name, ca::status))
        .first(conn)?;
    let Some(app_id) = app_id.filter(|_| status == "active") else {
        return Err(AppError::Conflict("customdev.error.cancelled"));
    };
    diesel::update(ca::table.find(cid))
        .set(ca::live_at.eq(Some(now())))
        .execute(conn)?;
    crate::apps::set_state(conn, enterprise, app_id, AppStatus::Enabled, None)?;
    super::callbacks::enqueue(
        conn,
        cid,
        super::callbacks::Event::AppLive,
        serde_json::json!({ "app_name": name }),
    )?;
    notify_admins(
        conn,
        enterprise,
        "customdev.notify.app_done",
        &name,
        &format!("/apps/{app_id}/scope"),
    )
}
