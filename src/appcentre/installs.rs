//! Installing a product into an organisation (授权) and uninstalling it. A free edition
//! installs at once; a paid one is purchased first: exactly one order per product,
//! organisation and install round (the unique key settles concurrent clicks), in the same
//! transaction as the copy of the app and the install row, so either all of it happens or
//! none.

use std::collections::HashMap;

use diesel::prelude::*;

use super::centre;
use super::products::{self, Product};
use super::rules::phase_of;
use crate::apps::AppStatus;
use crate::auth::OrgScope;
use crate::db::in_ids::in_ids;
use crate::db::schema::{
    ac_editions as ed, ac_installs as ins, ac_orders as o, ac_products as p, apps, orgs,
};
use crate::db::{Conn, TxError, now, write_tx};
use crate::distribution::{CopySpec, SendOptions, copy_app_into};
use crate::error::{AppError, AppResult};
use crate::org::ScopeKind;
use crate::tools::Cursor;
use crate::tools::money::yuan;
use crate::web::{PAGE_SIZE, Page};

/// What an install request came to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A paid edition not yet confirmed: the purchase confirmation page comes first.
    Confirm,
    /// Installed now: the copy's id.
    Installed(i64),
    /// The organisation already has it (installed earlier or by a concurrent click).
    Already(Option<i64>),
}

/// Installs `edition` of a product the organisation sees into it; paid editions need
/// `confirmed` (the purchase confirmation page).
pub(crate) fn install(
    conn: &mut Conn,
    scope: &OrgScope,
    product: i64,
    edition: i64,
    confirmed: bool,
) -> AppResult<Outcome> {
    let org = scope.org_id();
    let done = write_tx(conn, |conn| -> Result<Outcome, TxError> {
        let prod = centre::find_visible(conn, org, product)?;
        if prod.provider_org_id == org {
            return Err(AppError::Conflict("appcentre.error.own_product").into());
        }
        let ed = products::editions(conn, product)?
            .into_iter()
            .find(|e| e.id == edition)
            .ok_or(AppError::BadRequest("appcentre.error.edition_unknown"))?;
        if let Some((_, app)) = centre::live_install(conn, product, org)? {
            return Ok(Outcome::Already(app));
        }
        if !centre::lacking(conn, org, prod.app_id)?.is_empty() {
            return Err(AppError::Conflict("appcentre.error.edition_lacks").into());
        }
        if !ed.is_free() && !confirmed {
            return Ok(Outcome::Confirm);
        }
        let round: i64 = ins::table
            .filter(ins::product_id.eq(product))
            .filter(ins::org_id.eq(org))
            .count()
            .get_result(conn)?;
        let order = if ed.is_free() {
            None
        } else {
            Some(place_order(conn, scope, &prod, ed.id, ed.price_fen, round)?)
        };
        // The install row first: a concurrent twin stops here, on ac_installs_live,
        // before copying anything.
        let t = now();
        let install: i64 = diesel::insert_into(ins::table)
            .values((
                ins::product_id.eq(product),
                ins::org_id.eq(org),
                ins::phase.eq(phase_of(prod.stage())),
                ins::edition_id.eq(Some(ed.id)),
                ins::version.eq(prod.version),
                ins::order_id.eq(order.as_ref().map(|x| x.0)),
                ins::installed_by.eq(scope.user_id()),
                ins::installed_at.eq(t),
            ))
            .returning(ins::id)
            .get_result(conn)?;
        let mut stage = crate::distribution::CopyStage::App;
        let (copy, _) = copy_app_into(
            conn,
            &CopySpec {
                source_app_id: prod.app_id,
                source_org_id: prod.provider_org_id,
                target_org_id: org,
                owner_id: scope.user_id(),
                state: AppStatus::Enabled,
                // Nobody but its admins until the organisation's admin sets the scope,
                // which the install asks for next.
                usage: ScopeKind::People,
                provider_org_id: Some(prod.provider_org_id),
                maintenance_open: false,
                options: SendOptions {
                    with_sample: false,
                    with_connectors: true,
                    full_edit: false,
                },
            },
            &mut stage,
        )?;
        diesel::update(ins::table.find(install))
            .set(ins::app_id.eq(Some(copy)))
            .execute(conn)?;
        if let Some((_, no)) = &order {
            let buyer: String = orgs::table.find(org).select(orgs::name).first(conn)?;
            crate::notifications::notify_admins(
                conn,
                prod.provider_org_id,
                "appcentre.notify.purchased",
                &format!("{} · {no} · {buyer}", prod.name),
                "/provider/app-centre/orders",
            )?;
        }
        Ok(Outcome::Installed(copy))
    });
    match done {
        Ok(o) => Ok(o),
        // A concurrent click won the order or the live install: its result is ours.
        Err(TxError::Duplicate) => Ok(Outcome::Already(
            centre::live_install(conn, product, org)?.and_then(|(_, app)| app),
        )),
        Err(TxError::App(e)) => Err(e),
    }
}

/// The purchase of a paid edition: (order id, order number).
fn place_order(
    conn: &mut Conn,
    scope: &OrgScope,
    prod: &Product,
    edition: i64,
    price_fen: i64,
    round: i64,
) -> Result<(i64, String), TxError> {
    let t = now();
    let id: i64 = diesel::insert_into(o::table)
        .values((
            o::order_no.eq(format!("tmp-{}", uuid::Uuid::new_v4().simple())),
            o::product_id.eq(prod.id),
            o::edition_id.eq(edition),
            o::provider_org_id.eq(prod.provider_org_id),
            o::customer_org_id.eq(scope.org_id()),
            o::round.eq(round as i32),
            o::price_fen.eq(price_fen),
            o::purchaser_id.eq(scope.user_id()),
            o::created_at.eq(t),
        ))
        .returning(o::id)
        .get_result(conn)?;
    let no = crate::tools::order_no("AC", t, id);
    diesel::update(o::table.find(id))
        .set(o::order_no.eq(&no))
        .execute(conn)?;
    Ok((id, no))
}

/// What becomes of the app's data when a product is uninstalled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// The copy stays as the organisation's own app.
    Keep,
    /// The data was exported (CSV per form); the copy is then deleted.
    Export,
    Delete,
}

impl Fate {
    pub(crate) const ALL: [Fate; 3] = [Fate::Keep, Fate::Export, Fate::Delete];
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Fate::Keep => "keep",
            Fate::Export => "export",
            Fate::Delete => "delete",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<Fate> {
        Fate::ALL.into_iter().find(|f| f.as_str() == s)
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Fate::Keep => "appcentre.uninstall.keep",
            Fate::Export => "appcentre.uninstall.export",
            Fate::Delete => "appcentre.uninstall.delete",
        }
    }
    pub(crate) fn hint_key(self) -> &'static str {
        match self {
            Fate::Keep => "appcentre.uninstall.keep_hint",
            Fate::Export => "appcentre.uninstall.export_hint",
            Fate::Delete => "appcentre.uninstall.delete_hint",
        }
    }
}

/// One live install, as the organisation's admin sees it.
#[derive(Clone, Debug)]
pub(crate) struct InstallRow {
    pub id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub app_id: Option<i64>,
    pub edition: String,
    pub phase: String,
    pub version: i32,
    pub installed_at: i64,
}

type RawInstall = (i64, i64, Option<i64>, Option<i64>, String, i32, i64);

fn install_rows(conn: &mut Conn, raw: Vec<RawInstall>) -> AppResult<Vec<InstallRow>> {
    let pids: Vec<i64> = raw.iter().map(|r| r.1).collect();
    let eids: Vec<i64> = raw.iter().filter_map(|r| r.3).collect();
    let names: HashMap<i64, String> = p::table
        .filter(in_ids(p::id, &pids))
        .select((p::id, p::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let eds: HashMap<i64, String> = ed::table
        .filter(in_ids(ed::id, &eids))
        .select((ed::id, ed::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(raw
        .into_iter()
        .map(
            |(id, product_id, app_id, edition, phase, version, installed_at)| InstallRow {
                id,
                product_name: names.get(&product_id).cloned().unwrap_or_default(),
                product_id,
                app_id,
                edition: edition
                    .and_then(|e| eds.get(&e).cloned())
                    .unwrap_or_default(),
                phase,
                version,
                installed_at,
            },
        )
        .collect())
}

const INSTALL_COLS: (
    ins::id,
    ins::product_id,
    ins::app_id,
    ins::edition_id,
    ins::phase,
    ins::version,
    ins::installed_at,
) = (
    ins::id,
    ins::product_id,
    ins::app_id,
    ins::edition_id,
    ins::phase,
    ins::version,
    ins::installed_at,
);

/// The organisation's live installs, newest first.
pub(crate) fn of_org(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<Page<InstallRow>> {
    let org = scope.org_id();
    let page = Page::fetch(
        cursor,
        |r: &RawInstall| r.0,
        |c| {
            let q = ins::table
                .filter(ins::org_id.eq(org))
                .filter(ins::uninstalled_at.is_null())
                .select(INSTALL_COLS)
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            Ok(crate::keyset!(q, c, ins::id, desc).load(conn)?)
        },
    )?;
    Ok(Page {
        items: install_rows(conn, page.items)?,
        prev: page.prev,
        next: page.next,
    })
}

/// One live install of the organisation (another's, or an uninstalled one, is missing).
pub(crate) fn find_live(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<InstallRow> {
    let raw: RawInstall = ins::table
        .find(id)
        .filter(ins::org_id.eq(scope.org_id()))
        .filter(ins::uninstalled_at.is_null())
        .select(INSTALL_COLS)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    install_rows(conn, vec![raw])?
        .pop()
        .ok_or(AppError::NotFound)
}

/// The form pages of the installed copy whose data can be exported (id, name).
pub(crate) fn exportable(
    conn: &mut Conn,
    scope: &OrgScope,
    app: Option<i64>,
) -> AppResult<Vec<(i64, String)>> {
    let Some(app) = app else {
        return Ok(vec![]);
    };
    Ok(crate::apps::pages_of(conn, scope, app)?
        .into_iter()
        .filter(|pg| matches!(pg.kind.as_str(), "form" | "process"))
        .map(|pg| (pg.id, pg.name))
        .collect())
}

/// Uninstalls: the install ends; the copy is kept as the organisation's own app or set
/// deleted. Checked again inside the transaction (a twin finds it gone: 404).
pub(crate) fn uninstall(conn: &mut Conn, scope: &OrgScope, id: i64, fate: Fate) -> AppResult<()> {
    write_tx(conn, |conn| {
        let row = find_live(conn, scope, id)?;
        diesel::update(ins::table.find(id))
            .set(ins::uninstalled_at.eq(Some(now())))
            .execute(conn)?;
        match (row.app_id, fate) {
            // 保留: the copy becomes the organisation's own app, off the provider's books.
            (Some(app), Fate::Keep) => crate::apps::adopt(conn, scope.org_id(), app)?,
            (Some(app), Fate::Export | Fate::Delete) => {
                crate::apps::set_state(conn, scope.org_id(), app, AppStatus::Deleted, None)?;
            }
            (None, _) => {}
        }
        Ok(())
    })
}

/// An app-centre order as its provider sees it.
#[derive(Clone, Debug)]
pub(crate) struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub product: String,
    pub customer: String,
    pub edition: String,
    pub price_fen: i64,
    pub created_at: i64,
}

impl OrderRow {
    pub(crate) fn price(&self) -> String {
        yuan(self.price_fen)
    }
}

/// The provider's app-centre orders, newest first.
pub(crate) fn orders_of_provider(
    conn: &mut Conn,
    provider: i64,
    cursor: Cursor,
) -> AppResult<Page<OrderRow>> {
    type Raw = (i64, String, i64, i64, i64, i64, i64);
    let page = Page::fetch(
        cursor,
        |r: &Raw| r.0,
        |c| {
            let q = o::table
                .filter(o::provider_org_id.eq(provider))
                .select((
                    o::id,
                    o::order_no,
                    o::product_id,
                    o::customer_org_id,
                    o::edition_id,
                    o::price_fen,
                    o::created_at,
                ))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            Ok(crate::keyset!(q, c, o::id, desc).load(conn)?)
        },
    )?;
    let pids: Vec<i64> = page.items.iter().map(|r| r.2).collect();
    let cids: Vec<i64> = page.items.iter().map(|r| r.3).collect();
    let eids: Vec<i64> = page.items.iter().map(|r| r.4).collect();
    let products: HashMap<i64, String> = p::table
        .filter(in_ids(p::id, &pids))
        .select((p::id, p::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let customers: HashMap<i64, String> = orgs::table
        .filter(in_ids(orgs::id, &cids))
        .select((orgs::id, orgs::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let eds: HashMap<i64, String> = ed::table
        .filter(in_ids(ed::id, &eids))
        .select((ed::id, ed::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let get = |m: &HashMap<i64, String>, k: i64| m.get(&k).cloned().unwrap_or_default();
    Ok(Page {
        prev: page.prev,
        items: page
            .items
            .into_iter()
            .map(
                |(id, order_no, pid, cid, eid, price_fen, created_at)| OrderRow {
                    id,
                    order_no,
                    product: get(&products, pid),
                    customer: get(&customers, cid),
                    edition: get(&eds, eid),
                    price_fen,
                    created_at,
                },
            )
            .collect(),
        next: page.next,
    })
}

/// The name of an app of the organisation (for the uninstall page), if it still exists.
pub(crate) fn app_name(conn: &mut Conn, scope: &OrgScope, app: Option<i64>) -> Option<String> {
    let app = app?;
    apps::table
        .find(app)
        .filter(apps::org_id.eq(scope.org_id()))
        .select(apps::name)
        .first(conn)
        .ok()
}
