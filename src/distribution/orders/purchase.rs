//! The customer's side of a distribution link (购买应用): what the page shows, and the
//! purchase itself, which creates exactly one order per (link, customer organisation)
//! however often and however concurrently it is submitted.

use diesel::prelude::*;

use super::{Eligibility, corp_matches, order_no};
use crate::auth::{OrgScope, Role};
use crate::db::schema::{memberships, order_apps, orders, orgs, users};
use crate::db::{Conn, TxError, now, write_tx};
use crate::distribution::events::{EventKind, record_in_order};
use crate::distribution::links::link_refusal;
use crate::distribution::links::store::{LinkView, by_token, log_event};
use crate::error::{AppError, AppResult};

/// Everything the purchase page shows.
#[derive(Clone, Debug)]
pub(crate) struct PurchaseView {
    pub v: LinkView,
    pub provider_name: String,
    pub eligibility: Eligibility,
    /// Why the link itself cannot be used (expired, revoked, project closed…).
    pub link_refusal: Option<&'static str>,
    /// The order this organisation already placed through this link.
    pub existing: Option<(i64, String)>,
}

impl PurchaseView {
    /// The first reason this user cannot purchase now.
    pub(crate) fn refusal(&self) -> Option<&'static str> {
        self.link_refusal.or_else(|| self.eligibility.refusal())
    }

    /// Whether the page may show the project, its customer and its apps: only to the
    /// organisation the project names. Anyone else who opens the link (another
    /// organisation's admin, a user outside any organisation) learns the provider's name
    /// and the seed's refusal, not whom the provider sells what.
    pub(crate) fn reveals_project(&self) -> bool {
        self.eligibility.org.is_some() && self.eligibility.corp_matches
    }
}

fn eligibility(
    conn: &mut Conn,
    user_id: i64,
    scope: Option<&OrgScope>,
    project_corp_id: &str,
) -> AppResult<Eligibility> {
    let user_name: String = users::table.find(user_id).select(users::name).first(conn)?;
    let Some(scope) = scope else {
        return Ok(Eligibility {
            user_name,
            ..Eligibility::default()
        });
    };
    let (name, corp_id): (String, String) = orgs::table
        .find(scope.org_id())
        .select((orgs::name, orgs::corp_id))
        .first(conn)?;
    let admins: Vec<String> = memberships::table
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(memberships::org_id.eq(scope.org_id()))
        .filter(memberships::role.eq_any([Role::MainAdmin.as_str(), Role::PlatformAdmin.as_str()]))
        .filter(users::disabled.eq(false))
        .order(users::id.asc())
        .limit(20)
        .select(users::name)
        .load(conn)?;
    Ok(Eligibility {
        user_name,
        corp_matches: corp_matches(&corp_id, project_corp_id),
        org: Some((name, corp_id)),
        is_admin: scope.is_admin(),
        admins,
    })
}

fn existing_order(
    conn: &mut Conn,
    link_id: i64,
    scope: Option<&OrgScope>,
) -> AppResult<Option<(i64, String)>> {
    let Some(scope) = scope else {
        return Ok(None);
    };
    Ok(orders::table
        .filter(orders::link_id.eq(link_id))
        .filter(orders::customer_org_id.eq(scope.org_id()))
        .select((orders::id, orders::order_no))
        .first(conn)
        .optional()?)
}

fn load(
    conn: &mut Conn,
    token: &str,
    user_id: i64,
    scope: Option<&OrgScope>,
) -> AppResult<PurchaseView> {
    let (v, provider_name) = by_token(conn, token)?;
    let link_refusal = link_refusal(
        v.link.revoked_at,
        v.link.expires_at,
        v.project.status(),
        now(),
    );
    let eligibility = eligibility(conn, user_id, scope, &v.project.customer_corp_id)?;
    let existing = existing_order(conn, v.link.id, scope)?;
    Ok(PurchaseView {
        v,
        provider_name,
        eligibility,
        link_refusal,
        existing,
    })
}

/// The storage key of the icon image of `app_id` as the purchase page shows it: only to
/// whom the page reveals the link's apps, and only for an app of the link.
pub(crate) fn icon_image(
    conn: &mut Conn,
    token: &str,
    user_id: i64,
    scope: Option<&OrgScope>,
    app_id: i64,
) -> AppResult<String> {
    let view = load(conn, token, user_id, scope)?;
    if !view.reveals_project() {
        return Err(AppError::NotFound);
    }
    view.v
        .apps
        .into_iter()
        .find(|a| a.id == app_id && !a.icon_image.is_empty())
        .map(|a| a.icon_image)
        .ok_or(AppError::NotFound)
}

/// Opens the link: the page's content, with the open (or the refusal) logged.
pub(crate) fn open(
    conn: &mut Conn,
    token: &str,
    user_id: i64,
    scope: Option<&OrgScope>,
) -> AppResult<PurchaseView> {
    let view = load(conn, token, user_id, scope)?;
    let org = scope.map(OrgScope::org_id);
    match view.link_refusal {
        Some(reason) => log_event(conn, view.v.link.id, Some(user_id), org, "refused", reason)?,
        None => log_event(conn, view.v.link.id, Some(user_id), org, "opened", "")?,
    }
    Ok(view)
}

/// The outcome of a purchase: the order (new or the one already placed), or the refusal
/// with the page to show again.
#[expect(
    dead_code,
    reason = "the order's id is returned for callers; the purchase page needs only the token"
)]
pub(crate) enum Purchase {
    Ordered(i64),
    Refused(Box<PurchaseView>, &'static str),
}

/// Purchases the link's apps for the caller's organisation. Refusals are logged on the
/// link. A second or concurrent submission finds the unique (link, customer org) pair
/// taken and returns the existing order: that is a success, not an error.
pub(crate) fn purchase(
    conn: &mut Conn,
    token: &str,
    user_id: i64,
    scope: Option<&OrgScope>,
) -> AppResult<Purchase> {
    let view = load(conn, token, user_id, scope)?;
    let link_id = view.v.link.id;
    let org = scope.map(OrgScope::org_id);
    if let Some(reason) = view.refusal() {
        log_event(conn, link_id, Some(user_id), org, "refused", reason)?;
        return Ok(Purchase::Refused(Box::new(view), reason));
    }
    let Some(scope) = scope else {
        return Err(AppError::Forbidden("error.no_org"));
    };
    if let Some((id, _)) = view.existing {
        return Ok(Purchase::Ordered(id));
    }
    let p = &view.v.project;
    let customer_name = view
        .eligibility
        .org
        .as_ref()
        .map(|(n, _)| n.clone())
        .unwrap_or_default();
    let placed = write_tx(conn, |conn| -> Result<i64, TxError> {
        let ts = now();
        let id: i64 = diesel::insert_into(orders::table)
            .values((
                orders::order_no.eq(format!("tmp-{}", uuid::Uuid::new_v4().simple())),
                orders::project_id.eq(p.id),
                orders::link_id.eq(link_id),
                orders::provider_org_id.eq(p.provider_org_id),
                orders::customer_org_id.eq(scope.org_id()),
                orders::purchaser_id.eq(user_id),
                orders::created_at.eq(ts),
            ))
            .returning(orders::id)
            .get_result(conn)?;
        let no = order_no(ts, id);
        diesel::update(orders::table.find(id))
            .set(orders::order_no.eq(&no))
            .execute(conn)?;
        for a in &view.v.apps {
            diesel::insert_into(order_apps::table)
                .values((
                    order_apps::order_id.eq(id),
                    order_apps::provider_org_id.eq(p.provider_org_id),
                    order_apps::source_app_id.eq(a.id),
                    order_apps::send_status.eq("pending"),
                ))
                .execute(conn)?;
        }
        record_in_order(
            conn,
            p.id,
            Some(id),
            Some(user_id),
            EventKind::Purchased,
            &format!("{no} · {customer_name}"),
        )?;
        log_event(
            conn,
            link_id,
            Some(user_id),
            Some(scope.org_id()),
            "purchased",
            "",
        )?;
        crate::notifications::notify(
            conn,
            p.provider_org_id,
            p.creator_id,
            "distribution.notify.purchased",
            &format!("{} · {no} · {customer_name}", p.name),
            &format!("/provider/orders/{id}"),
        )?;
        Ok(id)
    });
    match placed {
        Ok(id) => Ok(Purchase::Ordered(id)),
        Err(TxError::Duplicate) => existing_order(conn, link_id, Some(scope))?
            .map(|(id, _)| Purchase::Ordered(id))
            .ok_or(AppError::Internal),
        Err(TxError::App(e)) => Err(e),
    }
}

/// The confirmation: this organisation's order through this link.
pub(crate) fn confirmation(
    conn: &mut Conn,
    token: &str,
    user_id: i64,
    scope: &OrgScope,
) -> AppResult<PurchaseView> {
    let view = load(conn, token, user_id, Some(scope))?;
    if view.existing.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(view)
}
