//! Queries over the apps delivered into the scope's organisation. Every function takes
//! the customer's [`OrgScope`]; apps of another organisation, or apps that were not
//! delivered, are "not found".

use diesel::prelude::*;

use super::{Acceptance, Delivered, enable_blocker};
use crate::auth::OrgScope;
use crate::db::schema::{
    apps, maintenance_grants, order_apps, orders, orgs, pages, project_events, projects, users,
};
use crate::db::{Conn, now, write_tx};
use crate::distribution::copy::Reconfigure;
use crate::distribution::events::{self, EventKind};
use crate::error::{AppError, AppResult};
use crate::notifications::notify;
use crate::web::{Cursor, PAGE_SIZE, Page};

/// Organisation admins (main or platform) manage purchased apps.
fn require(scope: &OrgScope) -> AppResult<()> {
    if scope.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("error.admin_only"))
    }
}

pub(crate) struct Row {
    pub app: Delivered,
    pub provider: String,
    /// The order that delivered it: two purchases of one app are told apart by it.
    pub order_no: String,
}

/// The delivered apps of the scope's organisation, newest first, keyset by id.
pub(crate) fn list(conn: &mut Conn, scope: &OrgScope, cursor: Cursor) -> AppResult<Page<Row>> {
    require(scope)?;
    Page::fetch(
        cursor,
        |r: &Row| r.app.id,
        |cursor| rows(conn, scope, cursor),
    )
}

fn rows(conn: &mut Conn, scope: &OrgScope, cursor: Cursor) -> AppResult<Vec<Row>> {
    let q = apps::table
        .inner_join(orgs::table.on(apps::provider_org_id.eq(orgs::id.nullable())))
        .filter(apps::org_id.eq(scope.org_id()))
        .left_join(order_apps::table.on(order_apps::copy_app_id.eq(apps::id.nullable())))
        .left_join(orders::table.on(orders::id.eq(order_apps::order_id)))
        .filter(apps::provider_org_id.is_not_null())
        .limit(PAGE_SIZE + 1)
        .select((
            Delivered::as_select(),
            orgs::name,
            orders::order_no.nullable(),
        ))
        .into_boxed();
    let rows: Vec<(Delivered, String, Option<String>)> =
        crate::keyset!(q, cursor, apps::id, desc).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(app, provider, order_no)| Row {
            app,
            provider,
            order_no: order_no.unwrap_or_default(),
        })
        .collect())
}

fn find(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<Delivered> {
    require(scope)?;
    apps::table
        .find(app_id)
        .filter(apps::org_id.eq(scope.org_id()))
        .filter(apps::provider_org_id.is_not_null())
        .select(Delivered::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The order (id, number, project id) that delivered the copy.
fn order_of(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<(i64, String, i64)> {
    order_apps::table
        .inner_join(orders::table)
        .filter(order_apps::copy_app_id.eq(app_id))
        .filter(orders::customer_org_id.eq(scope.org_id()))
        .select((orders::id, orders::order_no, orders::project_id))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// One item of the reconfiguration checklist with where to do it in the designer.
pub(crate) struct Todo {
    pub item: Reconfigure,
    pub link: String,
}

pub(crate) struct Event {
    pub kind: String,
    pub actor: String,
    pub detail: String,
    pub created_at: i64,
    /// Seconds since the previous event.
    pub waited: Option<i64>,
}

pub(crate) struct Detail {
    pub app: Delivered,
    pub provider: String,
    pub order_no: String,
    pub project_name: String,
    pub todos: Vec<Todo>,
    pub timeline: Vec<Event>,
    pub live_grants: i64,
}

pub(crate) fn detail(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<Detail> {
    let app = find(conn, scope, app_id)?;
    let provider: String = orgs::table
        .find(app.provider_org_id.unwrap_or_default())
        .select(orgs::name)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let (order_no, project_name, timeline) = match order_of(conn, scope, app.id) {
        Ok((order, no, project)) => {
            let name: String = projects::table
                .find(project)
                .select(projects::name)
                .first(conn)?;
            let rows: Vec<(String, Option<String>, String, i64)> = project_events::table
                .left_join(users::table.on(project_events::actor_id.eq(users::id.nullable())))
                .filter(project_events::project_id.eq(project))
                .filter(project_events::customer_visible.eq(true))
                // The project's own events and this purchase's, not another order's.
                .filter(
                    project_events::order_id
                        .is_null()
                        .or(project_events::order_id.eq(order)),
                )
                .order(project_events::id.asc())
                .limit(500)
                .select((
                    project_events::kind,
                    users::name.nullable(),
                    project_events::detail,
                    project_events::created_at,
                ))
                .load(conn)?;
            let mut prev: Option<i64> = None;
            let events = rows
                .into_iter()
                .map(|(kind, actor, detail, at)| {
                    let waited = prev.map(|p| at - p);
                    prev = Some(at);
                    Event {
                        kind,
                        actor: actor.unwrap_or_default(),
                        detail,
                        created_at: at,
                        waited,
                    }
                })
                .collect();
            (no, name, events)
        }
        Err(AppError::NotFound) => (String::new(), String::new(), vec![]),
        Err(e) => return Err(e),
    };
    let first_process: Option<i64> = pages::table
        .filter(pages::app_id.eq(app.id))
        .filter(pages::kind.eq("process"))
        .order((pages::position.asc(), pages::id.asc()))
        .select(pages::id)
        .first(conn)
        .optional()?;
    let todos = Reconfigure::parse_list(&app.reconfigure)
        .into_iter()
        .map(|item| {
            let link = match (item, first_process) {
                (Reconfigure::Process, Some(p)) => format!("/apps/{}/pages/{p}", app.id),
                (Reconfigure::Process, None) => format!("/apps/{}#pages", app.id),
                (Reconfigure::Notification, _) => format!("/apps/{}#templates", app.id),
                (Reconfigure::ThirdParty, _) => format!("/apps/{}#connectors", app.id),
                (Reconfigure::Automation, _) => format!("/apps/{}#automations", app.id),
            };
            Todo { item, link }
        })
        .collect();
    let live_grants: i64 = maintenance_grants::table
        .filter(maintenance_grants::app_id.eq(app.id))
        .filter(maintenance_grants::status.eq_any(["requested", "active"]))
        .count()
        .get_result(conn)?;
    Ok(Detail {
        app,
        provider,
        order_no,
        project_name,
        todos,
        timeline,
        live_grants,
    })
}

fn record(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
    kind: EventKind,
    detail: &str,
) -> AppResult<()> {
    if let Ok((order, _, project)) = order_of(conn, scope, app_id) {
        events::record_in_order(
            conn,
            project,
            Some(order),
            Some(scope.user_id()),
            kind,
            detail,
        )?;
    }
    Ok(())
}

/// 验收: pass, or fail with comments. The provider sees the result on the order; the
/// project creator is notified.
pub(crate) fn accept(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
    result: Acceptance,
    comment: &str,
) -> AppResult<()> {
    let app = find(conn, scope, app_id)?;
    if app.enabled() {
        return Err(AppError::Conflict("distribution.error.already_enabled"));
    }
    write_tx(conn, |conn| {
        diesel::update(apps::table.find(app.id))
            .set((
                apps::acceptance.eq(result.as_str()),
                apps::acceptance_comment.eq(comment),
            ))
            .execute(conn)?;
        let (kind, title) = match result {
            Acceptance::Failed => (
                EventKind::AcceptanceFailed,
                "distribution.notify.acceptance_failed",
            ),
            _ => (
                EventKind::AcceptancePassed,
                "distribution.notify.acceptance_passed",
            ),
        };
        let detail = if comment.is_empty() {
            app.name.clone()
        } else {
            format!("{}：{comment}", app.name)
        };
        record(conn, scope, app.id, kind, comment)?;
        if let Ok((order_id, _, project)) = order_of(conn, scope, app.id) {
            let (creator, provider): (i64, i64) = projects::table
                .find(project)
                .select((projects::creator_id, projects::provider_org_id))
                .first(conn)?;
            notify(
                conn,
                provider,
                creator,
                title,
                &detail,
                &format!("/provider/orders/{order_id}"),
            )?;
        }
        Ok(())
    })
}

/// 关闭开发维护: blocks remote maintenance and ends every requested or active grant, in
/// one transaction. Returns how many grants ended.
pub(crate) fn close_maintenance(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
) -> AppResult<usize> {
    let app = find(conn, scope, app_id)?;
    write_tx(conn, |conn| {
        // Grants first, then the app: the order in which a grant-holder's action locks
        // them (`apps::store::find_app_for_edit`), so the two never deadlock.
        let developers: Vec<(i64, i64)> = maintenance_grants::table
            .filter(maintenance_grants::app_id.eq(app.id))
            .filter(maintenance_grants::status.eq_any(["requested", "active"]))
            .select((
                maintenance_grants::developer_id,
                maintenance_grants::provider_org_id,
            ))
            .load(conn)?;
        let ended = diesel::update(
            maintenance_grants::table
                .filter(maintenance_grants::app_id.eq(app.id))
                .filter(maintenance_grants::status.eq_any(["requested", "active"])),
        )
        .set((
            maintenance_grants::status.eq("ended"),
            maintenance_grants::ended_at.eq(Some(now())),
            maintenance_grants::ended_by.eq(Some(scope.user_id())),
        ))
        .execute(conn)?;
        diesel::update(apps::table.find(app.id))
            .set(apps::maintenance_open.eq(false))
            .execute(conn)?;
        for (dev, provider) in developers {
            notify(
                conn,
                provider,
                dev,
                "distribution.notify.maintenance_closed",
                &app.name,
                "/maintenance",
            )?;
        }
        record(conn, scope, app.id, EventKind::MaintenanceClosed, &app.name)?;
        Ok(ended)
    })
}

/// 申请维护: opens the app to remote maintenance again.
pub(crate) fn reopen_maintenance(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<()> {
    let app = find(conn, scope, app_id)?;
    write_tx(conn, |conn| {
        diesel::update(apps::table.find(app.id))
            .set(apps::maintenance_open.eq(true))
            .execute(conn)?;
        record(
            conn,
            scope,
            app.id,
            EventKind::MaintenanceReopened,
            &app.name,
        )
    })
}

/// "Approve grants automatically while under maintenance" (Yida's behaviour, opt-in).
pub(crate) fn set_auto_approve(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
    on: bool,
) -> AppResult<()> {
    let app = find(conn, scope, app_id)?;
    diesel::update(apps::table.find(app.id))
        .set(apps::auto_approve_grants.eq(on))
        .execute(conn)?;
    Ok(())
}

/// 应用发布 › 启用: only after a passed acceptance and with maintenance closed; members
/// then see the app on their workbench.
pub(crate) fn enable(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<()> {
    let app = find(conn, scope, app_id)?;
    if let Some(why) = enable_blocker(&app) {
        return Err(AppError::Conflict(why));
    }
    write_tx(conn, |conn| {
        diesel::update(apps::table.find(app.id))
            .set(apps::state.eq("enabled"))
            .execute(conn)?;
        record(conn, scope, app.id, EventKind::AppEnabled, &app.name)
    })
}
