//! Queries over connectors, notification templates, automations and custom components.
//! Each takes an app already loaded through the caller's scope; ids of another app or
//! organisation are "not found".

use diesel::prelude::*;

use super::app::App;
use super::parts::{ACTION_NOTIFY, Automation, Component, Connector, NotificationTemplate};
use crate::db::schema::{automations, components, connectors, notification_templates};
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};

fn one<T>(row: Option<T>) -> AppResult<T> {
    row.ok_or(AppError::NotFound)
}

/// The rows of a part table that belong to the app, within the app's organisation.
macro_rules! of_app {
    ($t:ident, $app:expr) => {
        $t::table
            .filter($t::app_id.eq($app.id))
            .filter($t::org_id.eq($app.org_id))
    };
}

fn changed(n: usize) -> AppResult<()> {
    if n == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

// ---- connectors ----

pub(crate) fn connectors_of(conn: &mut Conn, app: &App) -> AppResult<Vec<Connector>> {
    Ok(of_app!(connectors, app)
        .order(connectors::id.asc())
        .select(Connector::as_select())
        .load(conn)?)
}

pub(crate) fn find_connector(conn: &mut Conn, app: &App, id: i64) -> AppResult<Connector> {
    one(of_app!(connectors, app)
        .filter(connectors::id.eq(id))
        .select(Connector::as_select())
        .first(conn)
        .optional()?)
}

pub(crate) struct ConnectorInput {
    pub name: String,
    pub endpoint_url: String,
    pub auth_kind: &'static str,
}

/// Creates (`id` = None) or updates a connector of the app.
pub(crate) fn save_connector(
    conn: &mut Conn,
    app: &App,
    id: Option<i64>,
    c: &ConnectorInput,
) -> AppResult<i64> {
    match id {
        None => Ok(diesel::insert_into(connectors::table)
            .values((
                connectors::org_id.eq(app.org_id),
                connectors::app_id.eq(app.id),
                connectors::name.eq(&c.name),
                connectors::endpoint_url.eq(&c.endpoint_url),
                connectors::auth_kind.eq(c.auth_kind),
                connectors::created_at.eq(now()),
            ))
            .returning(connectors::id)
            .get_result(conn)?),
        Some(id) => {
            let n = diesel::update(of_app!(connectors, app).filter(connectors::id.eq(id)))
                .set((
                    connectors::name.eq(&c.name),
                    connectors::endpoint_url.eq(&c.endpoint_url),
                    connectors::auth_kind.eq(c.auth_kind),
                ))
                .execute(conn)?;
            changed(n).map(|()| id)
        }
    }
}

/// Deletes a connector unless an automation uses it.
pub(crate) fn delete_connector(conn: &mut Conn, app: &App, id: i64) -> AppResult<()> {
    let c = find_connector(conn, app, id)?;
    let used: i64 = automations::table
        .filter(automations::connector_id.eq(c.id))
        .count()
        .get_result(conn)?;
    if used > 0 {
        return Err(AppError::Conflict("apps.error.connector_in_use"));
    }
    changed(diesel::delete(connectors::table.find(c.id)).execute(conn)?)
}

// ---- notification templates ----

pub(crate) fn templates_of(conn: &mut Conn, app: &App) -> AppResult<Vec<NotificationTemplate>> {
    Ok(of_app!(notification_templates, app)
        .order(notification_templates::id.asc())
        .select(NotificationTemplate::as_select())
        .load(conn)?)
}

pub(crate) fn find_template(
    conn: &mut Conn,
    app: &App,
    id: i64,
) -> AppResult<NotificationTemplate> {
    one(of_app!(notification_templates, app)
        .filter(notification_templates::id.eq(id))
        .select(NotificationTemplate::as_select())
        .first(conn)
        .optional()?)
}

pub(crate) struct TemplateInput {
    pub name: String,
    pub title: String,
    pub body: String,
}

pub(crate) fn save_template(
    conn: &mut Conn,
    app: &App,
    id: Option<i64>,
    t: &TemplateInput,
) -> AppResult<i64> {
    match id {
        None => Ok(diesel::insert_into(notification_templates::table)
            .values((
                notification_templates::org_id.eq(app.org_id),
                notification_templates::app_id.eq(app.id),
                notification_templates::name.eq(&t.name),
                notification_templates::title.eq(&t.title),
                notification_templates::body.eq(&t.body),
                notification_templates::created_at.eq(now()),
            ))
            .returning(notification_templates::id)
            .get_result(conn)?),
        Some(id) => {
            let n = diesel::update(
                of_app!(notification_templates, app).filter(notification_templates::id.eq(id)),
            )
            .set((
                notification_templates::name.eq(&t.name),
                notification_templates::title.eq(&t.title),
                notification_templates::body.eq(&t.body),
            ))
            .execute(conn)?;
            changed(n).map(|()| id)
        }
    }
}

/// Deletes a template unless an automation sends it.
pub(crate) fn delete_template(conn: &mut Conn, app: &App, id: i64) -> AppResult<()> {
    let t = find_template(conn, app, id)?;
    let used: i64 = automations::table
        .filter(automations::template_id.eq(t.id))
        .count()
        .get_result(conn)?;
    if used > 0 {
        return Err(AppError::Conflict("apps.error.template_in_use"));
    }
    changed(diesel::delete(notification_templates::table.find(t.id)).execute(conn)?)
}

// ---- automations ----

pub(crate) fn automations_of(conn: &mut Conn, app: &App) -> AppResult<Vec<Automation>> {
    Ok(of_app!(automations, app)
        .order(automations::id.asc())
        .select(Automation::as_select())
        .load(conn)?)
}

pub(crate) fn find_automation(conn: &mut Conn, app: &App, id: i64) -> AppResult<Automation> {
    one(of_app!(automations, app)
        .filter(automations::id.eq(id))
        .select(Automation::as_select())
        .first(conn)
        .optional()?)
}

/// An automation whose form, template and recipient were checked against the app and
/// the organisation.
pub(crate) struct AutomationInput {
    pub name: String,
    pub form_id: i64,
    pub template_id: i64,
    pub recipient_id: Option<i64>,
    pub enabled: bool,
}

pub(crate) fn save_automation(
    conn: &mut Conn,
    app: &App,
    id: Option<i64>,
    a: &AutomationInput,
) -> AppResult<i64> {
    match id {
        None => Ok(diesel::insert_into(automations::table)
            .values((
                automations::org_id.eq(app.org_id),
                automations::app_id.eq(app.id),
                automations::name.eq(&a.name),
                automations::form_id.eq(a.form_id),
                automations::action.eq(ACTION_NOTIFY),
                automations::template_id.eq(Some(a.template_id)),
                automations::recipient_id.eq(a.recipient_id),
                automations::enabled.eq(a.enabled),
                automations::created_at.eq(now()),
            ))
            .returning(automations::id)
            .get_result(conn)?),
        Some(id) => {
            let n = diesel::update(of_app!(automations, app).filter(automations::id.eq(id)))
                .set((
                    automations::name.eq(&a.name),
                    automations::form_id.eq(a.form_id),
                    automations::action.eq(ACTION_NOTIFY),
                    automations::template_id.eq(Some(a.template_id)),
                    automations::recipient_id.eq(a.recipient_id),
                    automations::enabled.eq(a.enabled),
                ))
                .execute(conn)?;
            changed(n).map(|()| id)
        }
    }
}

/// Switches an automation on or off.
pub(crate) fn toggle_automation(conn: &mut Conn, app: &App, id: i64) -> AppResult<bool> {
    let a = find_automation(conn, app, id)?;
    diesel::update(automations::table.find(a.id))
        .set(automations::enabled.eq(!a.enabled))
        .execute(conn)?;
    Ok(!a.enabled)
}

pub(crate) fn delete_automation(conn: &mut Conn, app: &App, id: i64) -> AppResult<()> {
    let a = find_automation(conn, app, id)?;
    changed(diesel::delete(automations::table.find(a.id)).execute(conn)?)
}

// ---- custom components ----

pub(crate) fn components_of(conn: &mut Conn, app: &App) -> AppResult<Vec<Component>> {
    Ok(of_app!(components, app)
        .order(components::id.asc())
        .select(Component::as_select())
        .load(conn)?)
}

pub(crate) fn find_component(conn: &mut Conn, app: &App, id: i64) -> AppResult<Component> {
    one(of_app!(components, app)
        .filter(components::id.eq(id))
        .select(Component::as_select())
        .first(conn)
        .optional()?)
}

pub(crate) struct ComponentInput {
    pub name: String,
    pub description: String,
    /// Already sanitised.
    pub markup: String,
}

pub(crate) fn save_component(
    conn: &mut Conn,
    app: &App,
    id: Option<i64>,
    c: &ComponentInput,
) -> AppResult<i64> {
    match id {
        None => Ok(diesel::insert_into(components::table)
            .values((
                components::org_id.eq(app.org_id),
                components::app_id.eq(app.id),
                components::name.eq(&c.name),
                components::description.eq(&c.description),
                components::markup.eq(&c.markup),
                components::created_at.eq(now()),
            ))
            .returning(components::id)
            .get_result(conn)?),
        Some(id) => {
            let n = diesel::update(of_app!(components, app).filter(components::id.eq(id)))
                .set((
                    components::name.eq(&c.name),
                    components::description.eq(&c.description),
                    components::markup.eq(&c.markup),
                ))
                .execute(conn)?;
            changed(n).map(|()| id)
        }
    }
}

pub(crate) fn delete_component(conn: &mut Conn, app: &App, id: i64) -> AppResult<()> {
    let c = find_component(conn, app, id)?;
    changed(diesel::delete(components::table.find(c.id)).execute(conn)?)
}

/// Checks an automation's ids against the app and the organisation: the trigger must be
/// a form or process form of this app, the template one of its templates, the recipient
/// (when chosen) a member of the organisation. Anything else is "not found".
pub(crate) fn check_automation(
    conn: &mut Conn,
    scope: &crate::auth::OrgScope,
    app: &App,
    d: crate::apps::forms::AutomationDraft,
) -> AppResult<AutomationInput> {
    let form = super::store::page_of_app(conn, app, d.form_id)?;
    if !form.kind().takes_submissions() {
        return Err(AppError::NotFound);
    }
    let template = find_template(conn, app, d.template_id)?;
    if let Some(r) = d.recipient_id
        && !super::store::is_org_member(conn, scope, r)?
    {
        return Err(AppError::NotFound);
    }
    Ok(AutomationInput {
        name: d.name,
        form_id: form.id,
        template_id: template.id,
        recipient_id: d.recipient_id,
        enabled: d.enabled,
    })
}
