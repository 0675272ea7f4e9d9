//! Copying an app into another organisation (发送应用). A send is all or nothing: the copy
//! is built in one write transaction, and on any error that transaction rolls back and a
//! separate small update marks the send failed with the stage where it stopped. A send
//! runs exactly once: it starts only by moving the row from pending/failed to sending.
//!
//! What does not survive the move (seed 001 appendix) is copied unconfigured and listed
//! on the copy for the customer: process flows (their approvers are provider people),
//! notification templates, third-party services (connectors) and automations.

use std::collections::HashMap;

use diesel::prelude::*;

use super::events::{self, EventKind};
use super::orders::detail::{Order, OrderApp, SendOptions, SendStatus};
use crate::apps::{App, AppStatus, Field, Page, PageKind};
use crate::apps::{Automation, Component, Connector, NotificationTemplate};
use crate::auth::OrgScope;
use crate::db::schema::{
    app_admins, apps, automations, components, connectors, fields, memberships,
    notification_templates, order_apps, orders, pages, submissions,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::forms::Submission;
use crate::notifications::notify;
use crate::org::ScopeKind;

mod rules;
pub use rules::{FieldMap, Reconfigure, Stage, reconfigure_for, remap_sample};

/// An order app and its order, both the provider's (else "not found").
pub fn order_app_for_provider(
    conn: &mut Conn,
    scope: &OrgScope,
    order_app_id: i64,
) -> AppResult<(Order, OrderApp)> {
    let oa: OrderApp = order_apps::table
        .find(order_app_id)
        .select(OrderApp::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let order: Order = orders::table
        .find(oa.order_id)
        .filter(orders::provider_org_id.eq(scope.org_id()))
        .select(Order::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok((order, oa))
}

/// Seconds after which an attempt still marked "sending" is taken as dead.
pub const STALE_SEND: i64 = 600;

/// Sends an order's app into the customer organisation; returns the copy's id. Refused
/// (409) when it was already sent or is being sent; a failed copy leaves nothing behind,
/// is marked failed with its reason and may be retried.
pub fn send_app(
    conn: &mut Conn,
    scope: &OrgScope,
    order_app_id: i64,
    options: SendOptions,
) -> AppResult<i64> {
    let (order, oa) = order_app_for_provider(conn, scope, order_app_id)?;
    // A send still "sending" after STALE_SEND seconds died with its process (the copy
    // itself is one transaction, so nothing of it remains) and may be claimed again.
    // While sending, `sent_at` holds when the attempt started.
    let t = now();
    let claimed = diesel::update(
        order_apps::table.find(oa.id).filter(
            order_apps::send_status
                .eq_any(["pending", "failed"])
                .or(order_apps::send_status
                    .eq(SendStatus::Sending.as_str())
                    .and(order_apps::sent_at.lt(t - STALE_SEND))),
        ),
    )
    .set((
        order_apps::send_status.eq(SendStatus::Sending.as_str()),
        order_apps::failure_reason.eq(""),
        order_apps::sent_at.eq(Some(t)),
    ))
    .execute(conn)?;
    if claimed != 1 {
        return Err(AppError::Conflict(match oa.status() {
            SendStatus::Sending => "distribution.error.send_in_progress",
            _ => "distribution.error.already_sent",
        }));
    }
    let actor = scope.user_id();
    let mut stage = Stage::App;
    let result = write_tx(conn, |conn| {
        let (copy_id, name) = copy_app(conn, &order, &oa, options, &mut stage)?;
        diesel::update(order_apps::table.find(oa.id))
            .set((
                order_apps::copy_app_id.eq(Some(copy_id)),
                order_apps::send_status.eq(SendStatus::Succeeded.as_str()),
                order_apps::failure_reason.eq(""),
                order_apps::with_sample.eq(options.with_sample),
                order_apps::with_connectors.eq(options.with_connectors),
                order_apps::full_edit.eq(options.full_edit),
                order_apps::sent_by.eq(Some(actor)),
                order_apps::sent_at.eq(Some(now())),
            ))
            .execute(conn)?;
        events::record_in_order(
            conn,
            order.project_id,
            Some(order.id),
            Some(actor),
            EventKind::Sent,
            &name,
        )?;
        let admins: Vec<i64> = memberships::table
            .filter(memberships::org_id.eq(order.customer_org_id))
            .filter(memberships::role.eq_any(["main_admin", "platform_admin"]))
            .select(memberships::user_id)
            .load(conn)?;
        let link = format!("/my-apps/{copy_id}");
        for u in admins {
            notify(
                conn,
                order.customer_org_id,
                u,
                "distribution.notify.app_sent",
                &name,
                &link,
            )?;
        }
        Ok::<i64, AppError>(copy_id)
    });
    match result {
        Ok(id) => {
            tracing::info!(order.id = order.id, app.id = id, "app sent");
            Ok(id)
        }
        Err(e) => {
            tracing::warn!(order.id = order.id, stage = ?stage, error = %e, "send failed");
            let reason = stage.reason_key();
            write_tx(conn, |conn| {
                diesel::update(order_apps::table.find(oa.id))
                    .set((
                        order_apps::send_status.eq(SendStatus::Failed.as_str()),
                        order_apps::failure_reason.eq(reason),
                    ))
                    .execute(conn)?;
                let name: String = apps::table
                    .find(oa.source_app_id)
                    .select(apps::name)
                    .first(conn)?;
                events::record_in_order(
                    conn,
                    order.project_id,
                    Some(order.id),
                    Some(actor),
                    EventKind::SendFailed,
                    &name,
                )?;
                notify(
                    conn,
                    scope.org_id(),
                    actor,
                    "distribution.notify.send_failed",
                    &name,
                    &format!("/provider/orders/{}", order.id),
                )
            })?;
            Err(AppError::Conflict("distribution.error.send_failed"))
        }
    }
}

fn missing(stage: Stage) -> AppError {
    AppError::Conflict(stage.reason_key())
}

/// Copies one page with its fields (not its approval steps) into `target`; returns the new
/// page and the field map old id → (new id, is a file field). Report ids stay unset.
pub fn copy_page_into(
    conn: &mut Conn,
    page: &Page,
    target: &App,
    position: i32,
) -> AppResult<(i64, FieldMap)> {
    let new_id: i64 = diesel::insert_into(pages::table)
        .values((
            pages::org_id.eq(target.org_id),
            pages::app_id.eq(target.id),
            pages::kind.eq(&page.kind),
            pages::name.eq(&page.name),
            pages::position.eq(position),
            pages::body.eq(&page.body),
            pages::report_agg.eq(&page.report_agg),
            pages::created_at.eq(now()),
        ))
        .returning(pages::id)
        .get_result(conn)?;
    let src_fields: Vec<Field> = fields::table
        .filter(fields::page_id.eq(page.id))
        .order((fields::position.asc(), fields::id.asc()))
        .select(Field::as_select())
        .load(conn)?;
    let mut map = HashMap::new();
    for f in src_fields {
        let id: i64 = diesel::insert_into(fields::table)
            .values((
                fields::page_id.eq(new_id),
                fields::label.eq(&f.label),
                fields::kind.eq(&f.kind),
                fields::required.eq(f.required),
                fields::options.eq(&f.options),
                fields::position.eq(f.position),
            ))
            .returning(fields::id)
            .get_result(conn)?;
        map.insert(f.id, (id, f.kind().is_file()));
    }
    Ok((new_id, map))
}

/// Points a copied report at the copies of its source form and fields.
pub fn set_report_ids(
    conn: &mut Conn,
    copy_page_id: i64,
    form: Option<i64>,
    group: Option<i64>,
    value: Option<i64>,
) -> AppResult<()> {
    diesel::update(pages::table.find(copy_page_id))
        .set((
            pages::report_form_id.eq(form),
            pages::report_group_field_id.eq(group),
            pages::report_value_field_id.eq(value),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn copy_component_into(conn: &mut Conn, c: &Component, target: &App) -> AppResult<i64> {
    Ok(diesel::insert_into(components::table)
        .values((
            components::org_id.eq(target.org_id),
            components::app_id.eq(target.id),
            components::name.eq(&c.name),
            components::description.eq(&c.description),
            components::markup.eq(&c.markup),
            components::created_at.eq(now()),
        ))
        .returning(components::id)
        .get_result(conn)?)
}

/// Builds the copy; `stage` tells where it stopped when it fails.
fn copy_app(
    conn: &mut Conn,
    order: &Order,
    oa: &OrderApp,
    options: SendOptions,
    stage: &mut Stage,
) -> AppResult<(i64, String)> {
    copy_app_into(
        conn,
        &CopySpec {
            source_app_id: oa.source_app_id,
            source_org_id: order.provider_org_id,
            target_org_id: order.customer_org_id,
            owner_id: order.purchaser_id,
            state: AppStatus::Maintenance,
            usage: ScopeKind::All,
            provider_org_id: Some(order.provider_org_id),
            maintenance_open: true,
            options,
        },
        stage,
    )
}

/// What to copy where, and what the copy starts as.
pub struct CopySpec {
    pub source_app_id: i64,
    /// The source must belong to this organisation, or the copy stops at [`Stage::App`].
    pub source_org_id: i64,
    pub target_org_id: i64,
    /// Becomes the copy's app admin and the submitter of its sample data.
    pub owner_id: i64,
    pub state: AppStatus,
    pub usage: ScopeKind,
    /// Set for a distributed copy (the customer's purchased apps list it).
    pub provider_org_id: Option<i64>,
    pub maintenance_open: bool,
    pub options: SendOptions,
}

/// Copies an app with its pages, reports, components, connectors (optionally),
/// notification templates, automations (off) and sample data (optionally) into another
/// organisation, inside the caller's transaction. Returns the copy's id and name;
/// `stage` tells where a failure stopped.
pub fn copy_app_into(
    conn: &mut Conn,
    spec: &CopySpec,
    stage: &mut Stage,
) -> AppResult<(i64, String)> {
    let options = spec.options;
    *stage = Stage::App;
    let source: App = apps::table
        .find(spec.source_app_id)
        .filter(apps::org_id.eq(spec.source_org_id))
        .select(App::as_select())
        .first(conn)
        .optional()?
        .ok_or(missing(Stage::App))?;
    let copy_id: i64 = diesel::insert_into(apps::table)
        .values((
            apps::org_id.eq(spec.target_org_id),
            apps::name.eq(&source.name),
            apps::icon_glyph.eq(&source.icon_glyph),
            apps::icon_color.eq(&source.icon_color),
            // Uploaded files are never overwritten: the copy shares the image's key.
            apps::icon_image.eq(&source.icon_image),
            apps::description.eq(&source.description),
            apps::premium.eq(false),
            apps::state.eq(spec.state.as_str()),
            apps::source_app_id.eq(Some(source.id)),
            apps::created_by.eq(spec.owner_id),
            apps::created_at.eq(now()),
            apps::provider_org_id.eq(spec.provider_org_id),
            apps::maintenance_open.eq(spec.maintenance_open),
            apps::full_edit.eq(options.full_edit),
            apps::usage_scope.eq(spec.usage.as_str()),
        ))
        .returning(apps::id)
        .get_result(conn)?;
    diesel::insert_into(app_admins::table)
        .values((
            app_admins::app_id.eq(copy_id),
            app_admins::user_id.eq(spec.owner_id),
        ))
        .execute(conn)?;
    let copy: App = apps::table
        .find(copy_id)
        .select(App::as_select())
        .first(conn)?;

    *stage = Stage::Pages;
    let src_pages: Vec<Page> = pages::table
        .filter(pages::app_id.eq(source.id))
        .order((pages::position.asc(), pages::id.asc()))
        .select(Page::as_select())
        .load(conn)?;
    let mut page_map: HashMap<i64, i64> = HashMap::new();
    let mut field_map: FieldMap = HashMap::new();
    for p in &src_pages {
        let (id, fm) = copy_page_into(conn, p, &copy, p.position)?;
        page_map.insert(p.id, id);
        field_map.extend(fm);
    }
    let process_forms = src_pages
        .iter()
        .filter(|p| p.kind() == PageKind::Process)
        .count();

    *stage = Stage::Reports;
    for p in src_pages.iter().filter(|p| p.kind() == PageKind::Report) {
        let remap_field = |f: Option<i64>| -> AppResult<Option<i64>> {
            f.map(|f| {
                field_map
                    .get(&f)
                    .map(|x| x.0)
                    .ok_or(missing(Stage::Reports))
            })
            .transpose()
        };
        let form = p
            .report_form_id
            .map(|f| page_map.get(&f).copied().ok_or(missing(Stage::Reports)))
            .transpose()?;
        let group = remap_field(p.report_group_field_id)?;
        let value = remap_field(p.report_value_field_id)?;
        set_report_ids(conn, page_map[&p.id], form, group, value)?;
    }

    *stage = Stage::Components;
    let comps: Vec<Component> = components::table
        .filter(components::app_id.eq(source.id))
        .order(components::id.asc())
        .select(Component::as_select())
        .load(conn)?;
    for c in &comps {
        copy_component_into(conn, c, &copy)?;
    }

    *stage = Stage::Connectors;
    let mut connector_map: HashMap<i64, i64> = HashMap::new();
    if options.with_connectors {
        let list: Vec<Connector> = connectors::table
            .filter(connectors::app_id.eq(source.id))
            .order(connectors::id.asc())
            .select(Connector::as_select())
            .load(conn)?;
        for c in list {
            let id: i64 = diesel::insert_into(connectors::table)
                .values((
                    connectors::org_id.eq(copy.org_id),
                    connectors::app_id.eq(copy.id),
                    connectors::name.eq(&c.name),
                    connectors::endpoint_url.eq(&c.endpoint_url),
                    connectors::auth_kind.eq(&c.auth_kind),
                    connectors::created_at.eq(now()),
                ))
                .returning(connectors::id)
                .get_result(conn)?;
            connector_map.insert(c.id, id);
        }
    }

    *stage = Stage::Templates;
    let templates: Vec<NotificationTemplate> = notification_templates::table
        .filter(notification_templates::app_id.eq(source.id))
        .order(notification_templates::id.asc())
        .select(NotificationTemplate::as_select())
        .load(conn)?;
    let mut template_map: HashMap<i64, i64> = HashMap::new();
    for t in &templates {
        let id: i64 = diesel::insert_into(notification_templates::table)
            .values((
                notification_templates::org_id.eq(copy.org_id),
                notification_templates::app_id.eq(copy.id),
                notification_templates::name.eq(&t.name),
                notification_templates::title.eq(&t.title),
                notification_templates::body.eq(&t.body),
                notification_templates::created_at.eq(now()),
            ))
            .returning(notification_templates::id)
            .get_result(conn)?;
        template_map.insert(t.id, id);
    }

    *stage = Stage::Automations;
    let autos: Vec<Automation> = automations::table
        .filter(automations::app_id.eq(source.id))
        .order(automations::id.asc())
        .select(Automation::as_select())
        .load(conn)?;
    for a in &autos {
        let form = page_map
            .get(&a.form_id)
            .copied()
            .ok_or(missing(Stage::Automations))?;
        let template = a
            .template_id
            .map(|t| {
                template_map
                    .get(&t)
                    .copied()
                    .ok_or(missing(Stage::Automations))
            })
            .transpose()?;
        let connector = a.connector_id.and_then(|c| connector_map.get(&c).copied());
        diesel::insert_into(automations::table)
            .values((
                automations::org_id.eq(copy.org_id),
                automations::app_id.eq(copy.id),
                automations::name.eq(&a.name),
                automations::form_id.eq(form),
                automations::action.eq(&a.action),
                automations::template_id.eq(template),
                automations::connector_id.eq(connector),
                automations::recipient_id.eq(None::<i64>),
                automations::enabled.eq(false),
                automations::created_at.eq(now()),
            ))
            .execute(conn)?;
    }

    *stage = Stage::Samples;
    if options.with_sample {
        let samples: Vec<Submission> = submissions::table
            .filter(submissions::app_id.eq(source.id))
            .filter(submissions::sample.eq(true))
            .order(submissions::id.asc())
            .select(Submission::as_select())
            .load(conn)?;
        for s in samples {
            let page = page_map
                .get(&s.page_id)
                .copied()
                .ok_or(missing(Stage::Samples))?;
            diesel::insert_into(submissions::table)
                .values((
                    submissions::org_id.eq(copy.org_id),
                    submissions::app_id.eq(copy.id),
                    submissions::page_id.eq(page),
                    submissions::submitter_id.eq(spec.owner_id),
                    submissions::submitter_org_id.eq(Some(copy.org_id)),
                    submissions::data.eq(remap_sample(&s.data, &field_map)),
                    submissions::status.eq(&s.status),
                    submissions::current_step.eq(0),
                    submissions::sample.eq(true),
                    submissions::created_at.eq(now()),
                    submissions::updated_at.eq(now()),
                ))
                .execute(conn)?;
        }
    }

    let reconfigure = reconfigure_for(
        process_forms,
        templates.len(),
        connector_map.len(),
        autos.len(),
    );
    diesel::update(apps::table.find(copy.id))
        .set(apps::reconfigure.eq(Reconfigure::join(&reconfigure)))
        .execute(conn)?;
    Ok((copy.id, source.name))
}
