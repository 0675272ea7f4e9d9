//! Queries behind the order detail: the order with its customer and apps, changing edit
//! rights on a copy, and sending a single page or custom component into the customer's
//! copy. Every function takes the provider's [`OrgScope`]; another organisation's order
//! is "not found".

use diesel::prelude::*;

use super::detail::{Order, OrderApp, PartKind, PartSend};
use crate::apps::Component;
use crate::apps::{App, AppIcon, Field, Page, PageKind};
use crate::auth::{OrgScope, Perm};
use crate::db::schema::{
    apps, components, fields, order_apps, orders, orgs, pages, part_sends, projects, users,
};
use crate::db::{Conn, now, write_tx};
use crate::distribution::copy::{self, Reconfigure};
use crate::distribution::entitlements::{self, Feature};
use crate::error::{AppError, AppResult};

/// Provider admins and the provider's developers work in the order centre.
pub(crate) fn may_work_orders(scope: &OrgScope) -> bool {
    scope.is_admin() || scope.can_build_apps() || scope.has_perm(Perm::Provider)
}

fn require(scope: &OrgScope) -> AppResult<()> {
    if may_work_orders(scope) {
        Ok(())
    } else {
        Err(AppError::Forbidden("distribution.error.provider_only"))
    }
}

/// The customer's copy as the provider sees it.
#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug, Queryable)]
pub(crate) struct CopyView {
    pub id: i64,
    pub name: String,
    pub state: String,
    pub full_edit: bool,
    pub maintenance_open: bool,
    pub acceptance: String,
    pub acceptance_comment: String,
}

/// A page or component send with the name of what was sent.
pub(crate) struct PartLine {
    pub send: PartSend,
    pub name: String,
}

pub(crate) struct AppLine {
    pub oa: OrderApp,
    pub source_name: String,
    pub source_icon: AppIcon,
    pub sent_by: String,
    pub copy: Option<CopyView>,
    /// Features the app uses that the customer's edition lacks.
    pub lacking: Vec<Feature>,
    pub pages: Vec<Page>,
    pub components: Vec<Component>,
    pub parts: Vec<PartLine>,
}

pub(crate) struct OrderDetail {
    pub order: Order,
    pub project_name: String,
    pub customer_name: String,
    pub customer_corp_id: String,
    pub customer_edition: String,
    pub purchaser: String,
    pub apps: Vec<AppLine>,
}

fn user_name(conn: &mut Conn, id: Option<i64>) -> AppResult<String> {
    match id {
        None => Ok(String::new()),
        Some(id) => Ok(users::table
            .find(id)
            .select(users::name)
            .first(conn)
            .optional()?
            .unwrap_or_default()),
    }
}

pub(crate) fn order_detail(
    conn: &mut Conn,
    scope: &OrgScope,
    order_id: i64,
) -> AppResult<OrderDetail> {
    require(scope)?;
    let order: Order = orders::table
        .find(order_id)
        .filter(orders::provider_org_id.eq(scope.org_id()))
        .select(Order::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let project_name: String = projects::table
        .find(order.project_id)
        .select(projects::name)
        .first(conn)?;
    let (customer_name, customer_corp_id, customer_edition): (String, String, String) = orgs::table
        .find(order.customer_org_id)
        .select((orgs::name, orgs::corp_id, orgs::edition))
        .first(conn)?;
    let purchaser = user_name(conn, Some(order.purchaser_id))?;
    let oas: Vec<OrderApp> = order_apps::table
        .filter(order_apps::order_id.eq(order.id))
        .order(order_apps::id.asc())
        .select(OrderApp::as_select())
        .load(conn)?;
    let mut lines = Vec::with_capacity(oas.len());
    for oa in oas {
        let source: App = apps::table
            .find(oa.source_app_id)
            .filter(apps::org_id.eq(scope.org_id()))
            .select(App::as_select())
            .first(conn)?;
        let copy: Option<CopyView> = match oa.copy_app_id {
            Some(id) => apps::table
                .find(id)
                .select((
                    apps::id,
                    apps::name,
                    apps::state,
                    apps::full_edit,
                    apps::maintenance_open,
                    apps::acceptance,
                    apps::acceptance_comment,
                ))
                .first(conn)
                .optional()?,
            None => None,
        };
        let used = entitlements::features_used(conn, source.id)?;
        let pages: Vec<Page> = pages::table
            .filter(pages::app_id.eq(source.id))
            .order((pages::position.asc(), pages::id.asc()))
            .select(Page::as_select())
            .load(conn)?;
        let comps: Vec<Component> = components::table
            .filter(components::app_id.eq(source.id))
            .order(components::id.asc())
            .select(Component::as_select())
            .load(conn)?;
        let sends: Vec<PartSend> = part_sends::table
            .filter(part_sends::order_app_id.eq(oa.id))
            .order(part_sends::id.desc())
            .limit(50)
            .select(PartSend::as_select())
            .load(conn)?;
        let parts = sends
            .into_iter()
            .map(|s| {
                let name = match PartKind::parse(&s.kind) {
                    Some(PartKind::Page) => pages.iter().find(|p| p.id == s.source_id),
                    _ => None,
                }
                .map(|p| p.name.clone())
                .or_else(|| {
                    comps
                        .iter()
                        .find(|c| c.id == s.source_id && s.kind == "component")
                        .map(|c| c.name.clone())
                })
                .unwrap_or_default();
                PartLine { send: s, name }
            })
            .collect();
        lines.push(AppLine {
            sent_by: user_name(conn, oa.sent_by)?,
            lacking: entitlements::lacking(&customer_edition, &used),
            source_icon: source.icon(),
            source_name: source.name,
            copy,
            pages,
            components: comps,
            parts,
            oa,
        });
    }
    Ok(OrderDetail {
        order,
        project_name,
        customer_name,
        customer_corp_id,
        customer_edition,
        purchaser,
        apps: lines,
    })
}

/// An order app of this order that has been sent, with its copy.
fn sent_app(
    conn: &mut Conn,
    scope: &OrgScope,
    order_id: i64,
    order_app_id: i64,
) -> AppResult<(Order, OrderApp, App)> {
    require(scope)?;
    let (order, oa) = copy::order_app_for_provider(conn, scope, order_app_id)?;
    if order.id != order_id {
        return Err(AppError::NotFound);
    }
    let copy_id = match (oa.sent(), oa.copy_app_id) {
        (true, Some(id)) => id,
        _ => return Err(AppError::Conflict("distribution.error.not_sent")),
    };
    let copy: App = apps::table
        .find(copy_id)
        .filter(apps::org_id.eq(order.customer_org_id))
        .select(App::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok((order, oa, copy))
}

/// Sends an order's app (the scope's order only).
pub(crate) fn send(
    conn: &mut Conn,
    scope: &OrgScope,
    order_id: i64,
    order_app_id: i64,
    options: super::detail::SendOptions,
) -> AppResult<i64> {
    require(scope)?;
    let (order, _) = copy::order_app_for_provider(conn, scope, order_app_id)?;
    if order.id != order_id {
        return Err(AppError::NotFound);
    }
    copy::send_app(conn, scope, order_app_id, options)
}

/// Grants or withdraws full edit rights (开放应用全部编辑权限) on the customer's copy.
pub(crate) fn set_edit_rights(
    conn: &mut Conn,
    scope: &OrgScope,
    order_id: i64,
    order_app_id: i64,
    full_edit: bool,
) -> AppResult<()> {
    let (_, oa, copy) = sent_app(conn, scope, order_id, order_app_id)?;
    write_tx(conn, |conn| {
        diesel::update(apps::table.find(copy.id))
            .set(apps::full_edit.eq(full_edit))
            .execute(conn)?;
        diesel::update(order_apps::table.find(oa.id))
            .set(order_apps::full_edit.eq(full_edit))
            .execute(conn)?;
        Ok(())
    })
}

/// The copy's page that stands for a source page: same kind and name.
fn counterpart(conn: &mut Conn, copy: &App, source_page_id: i64) -> AppResult<Option<Page>> {
    let src: Page = pages::table
        .find(source_page_id)
        .select(Page::as_select())
        .first(conn)?;
    Ok(pages::table
        .filter(pages::app_id.eq(copy.id))
        .filter(pages::kind.eq(&src.kind))
        .filter(pages::name.eq(&src.name))
        .order(pages::id.asc())
        .select(Page::as_select())
        .first(conn)
        .optional()?)
}

/// The copy's field that stands for a source field: same label on the counterpart page.
fn field_counterpart(conn: &mut Conn, page: &Page, source_field: i64) -> AppResult<Option<i64>> {
    let src: Field = fields::table
        .find(source_field)
        .select(Field::as_select())
        .first(conn)?;
    Ok(fields::table
        .filter(fields::page_id.eq(page.id))
        .filter(fields::label.eq(&src.label))
        .select(fields::id)
        .first(conn)
        .optional()?)
}

fn copy_part(
    conn: &mut Conn,
    copy: &App,
    source_app: i64,
    kind: PartKind,
    source_id: i64,
) -> AppResult<i64> {
    match kind {
        PartKind::Component => {
            let c: Component = components::table
                .find(source_id)
                .filter(components::app_id.eq(source_app))
                .select(Component::as_select())
                .first(conn)
                .optional()?
                .ok_or(AppError::NotFound)?;
            copy::copy_component_into(conn, &c, copy)
        }
        PartKind::Page => {
            let p: Page = pages::table
                .find(source_id)
                .filter(pages::app_id.eq(source_app))
                .select(Page::as_select())
                .first(conn)
                .optional()?
                .ok_or(AppError::NotFound)?;
            let position: Option<i32> = pages::table
                .filter(pages::app_id.eq(copy.id))
                .select(diesel::dsl::max(pages::position))
                .first(conn)?;
            let (id, _) = copy::copy_page_into(conn, &p, copy, position.map_or(0, |x| x + 1))?;
            if p.kind() == PageKind::Report
                && let Some(form) = p.report_form_id
            {
                let target = counterpart(conn, copy, form)?
                    .ok_or(AppError::Conflict("distribution.failure.report_source"))?;
                let mut ids = [None, None];
                for (slot, f) in ids
                    .iter_mut()
                    .zip([p.report_group_field_id, p.report_value_field_id])
                {
                    if let Some(f) = f {
                        *slot = Some(
                            field_counterpart(conn, &target, f)?
                                .ok_or(AppError::Conflict("distribution.failure.report_source"))?,
                        );
                    }
                }
                copy::set_report_ids(conn, id, Some(target.id), ids[0], ids[1])?;
            }
            if p.kind() == PageKind::Process {
                let current: String = apps::table
                    .find(copy.id)
                    .select(apps::reconfigure)
                    .first(conn)?;
                let mut list = Reconfigure::parse_list(&current);
                list.push(Reconfigure::Process);
                diesel::update(apps::table.find(copy.id))
                    .set(apps::reconfigure.eq(Reconfigure::join(&list)))
                    .execute(conn)?;
            }
            Ok(id)
        }
    }
}

/// Sends one page (with its fields) or one custom component of the source app into the
/// customer's copy, recording the send with its status. `Ok(Err(reason))` when the copy
/// failed (nothing was copied; the failed send is listed with its reason).
pub(crate) fn send_part(
    conn: &mut Conn,
    scope: &OrgScope,
    order_id: i64,
    order_app_id: i64,
    kind: PartKind,
    source_id: i64,
) -> AppResult<Result<i64, &'static str>> {
    let (_, oa, copy) = sent_app(conn, scope, order_id, order_app_id)?;
    let copy_row: (bool,) = apps::table
        .find(copy.id)
        .select((apps::maintenance_open,))
        .first(conn)?;
    if !copy_row.0 {
        return Err(AppError::Conflict("distribution.error.maintenance_closed"));
    }
    let record = |conn: &mut Conn, copy_id: Option<i64>, status: &str, reason: &str| {
        diesel::insert_into(part_sends::table)
            .values((
                part_sends::order_app_id.eq(oa.id),
                part_sends::kind.eq(kind.as_str()),
                part_sends::source_id.eq(source_id),
                part_sends::copy_id.eq(copy_id),
                part_sends::status.eq(status),
                part_sends::failure_reason.eq(reason),
                part_sends::created_by.eq(scope.user_id()),
                part_sends::created_at.eq(now()),
            ))
            .execute(conn)
    };
    let result = write_tx(conn, |conn| {
        let id = copy_part(conn, &copy, oa.source_app_id, kind, source_id)?;
        record(conn, Some(id), "succeeded", "")?;
        Ok::<i64, AppError>(id)
    });
    match result {
        Ok(id) => Ok(Ok(id)),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => {
            let reason = match e {
                AppError::Conflict(k) => k,
                _ => "distribution.failure.part",
            };
            record(conn, None, "failed", reason)?;
            Ok(Err(reason))
        }
    }
}
