//! The order centre's lists (订单中心): all orders of the provider organisation, one
//! project's orders, and the CSV export. Every function takes the provider's
//! [`OrgScope`]; the order detail (`/provider/orders/{id}`) lives beside this file.

use std::collections::HashMap;

use diesel::prelude::*;

use super::overall_send_status;
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::db::in_ids::{IN_IDS, in_ids};
use crate::db::schema::{apps, order_apps, orders, orgs, projects};
use crate::error::{AppError, AppResult};
use crate::tools::csv_cell;
use crate::web::{Cursor, PAGE_SIZE, Page};

/// One order as the lists show it.
#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug)]
pub(crate) struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub project_id: i64,
    pub project_name: String,
    pub customer_name: String,
    pub customer_corp_id: String,
    pub created_at: i64,
    /// (app name, send status) per app.
    pub apps: Vec<(String, String)>,
}

impl OrderRow {
    pub(crate) fn send_status(&self) -> &'static str {
        overall_send_status(self.apps.iter().map(|(_, s)| s.as_str()))
    }
    pub(crate) fn app_names(&self) -> String {
        self.apps
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Filters of the order centre.
#[derive(Clone, Debug, Default)]
pub(crate) struct OrderFilter {
    pub project: Option<i64>,
    pub send_status: Option<String>,
}

type Base = (i64, String, i64, String, String, String, i64);

fn page_of(
    conn: &mut Conn,
    scope: &OrgScope,
    f: &OrderFilter,
    cursor: Cursor,
    limit: i64,
) -> AppResult<Vec<OrderRow>> {
    // A status tab over all projects: the page's order ids come from the order lines'
    // (provider, status, order) index, newest first; the rows are then read by id.
    let by_status: Option<Vec<i64>> = match (&f.send_status, f.project) {
        (Some(s), None) => Some(crate::native!(conn, |c| {
            let q = order_apps::table
                .filter(order_apps::provider_org_id.eq(scope.org_id()))
                .filter(order_apps::send_status.eq(s))
                .select(order_apps::order_id)
                .distinct()
                .limit(limit)
                .into_boxed();
            crate::keyset!(q, cursor, order_apps::order_id, desc).load::<i64>(c)
        })?),
        _ => None,
    };
    if by_status.as_ref().is_some_and(|ids| ids.is_empty()) {
        return Ok(vec![]);
    }
    let base: Vec<Base> = crate::native!(conn, |c| {
        let mut q = orders::table
            .inner_join(projects::table.on(projects::id.eq(orders::project_id)))
            .inner_join(orgs::table.on(orgs::id.eq(orders::customer_org_id)))
            .filter(orders::provider_org_id.eq(scope.org_id()))
            .select((
                orders::id,
                orders::order_no,
                orders::project_id,
                projects::name,
                orgs::name,
                orgs::corp_id,
                orders::created_at,
            ))
            .limit(limit)
            .into_boxed();
        if let Some(p) = f.project {
            q = q.filter(orders::project_id.eq(p));
        }
        if let Some(ids) = &by_status {
            // A page's ids fit the cached fixed-width list; the CSV export's chunks don't.
            q = if ids.len() <= IN_IDS {
                q.filter(in_ids(orders::id, ids))
            } else {
                q.filter(orders::id.eq_any(ids))
            };
        } else if let Some(s) = &f.send_status {
            // Within one project (a project has few orders) EXISTS walks its orders
            // newest first and stops at a page.
            q = q.filter(diesel::dsl::exists(
                order_apps::table
                    .filter(order_apps::order_id.eq(orders::id))
                    .filter(order_apps::send_status.eq(s.clone())),
            ));
        }
        crate::keyset!(q, cursor, orders::id, desc).load(c)
    })?;
    let ids: Vec<i64> = base.iter().map(|b| b.0).collect();
    let mut by_order: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for chunk in ids.chunks(IN_IDS) {
        let lines: Vec<(i64, String, String)> = crate::native!(conn, |c| order_apps::table
            .inner_join(apps::table.on(apps::id.eq(order_apps::source_app_id)))
            .filter(in_ids(order_apps::order_id, chunk))
            .order(order_apps::id.asc())
            .select((order_apps::order_id, apps::name, order_apps::send_status))
            .load(c))?;
        for (order, name, status) in lines {
            by_order.entry(order).or_default().push((name, status));
        }
    }
    Ok(base
        .into_iter()
        .map(
            |(
                id,
                order_no,
                project_id,
                project_name,
                customer_name,
                customer_corp_id,
                created_at,
            )| {
                OrderRow {
                    apps: by_order.remove(&id).unwrap_or_default(),
                    id,
                    order_no,
                    project_id,
                    project_name,
                    customer_name,
                    customer_corp_id,
                    created_at,
                }
            },
        )
        .collect())
}

/// The organisation's orders, newest first, keyset-paginated.
pub(crate) fn list(
    conn: &mut Conn,
    scope: &OrgScope,
    f: &OrderFilter,
    cursor: Cursor,
) -> AppResult<Page<OrderRow>> {
    Page::fetch(
        cursor,
        |r: &OrderRow| r.id,
        |cursor| page_of(conn, scope, f, cursor, PAGE_SIZE + 1),
    )
}

/// One project's orders (a project has few; the newest 200).
pub(crate) fn for_project(
    conn: &mut Conn,
    scope: &OrgScope,
    project_id: i64,
) -> AppResult<Vec<OrderRow>> {
    let f = OrderFilter {
        project: Some(project_id),
        send_status: None,
    };
    page_of(conn, scope, &f, Cursor::First, 200)
}

/// Every matching order, walked by keyset in chunks, as CSV with a UTF-8 BOM (so that
/// spreadsheet programs read the Chinese names correctly).
pub(crate) fn export_csv(
    conn: &mut Conn,
    scope: &OrgScope,
    f: &OrderFilter,
    header: [String; 7],
    status_text: impl Fn(&str) -> String,
) -> AppResult<Vec<u8>> {
    let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(&header).map_err(AppError::internal)?;
        let mut cursor = Cursor::First;
        loop {
            let rows = page_of(conn, scope, f, cursor, 500)?;
            let Some(last) = rows.last() else { break };
            cursor = Cursor::After(last.id);
            for r in &rows {
                w.write_record([
                    csv_cell(&r.order_no),
                    csv_cell(&r.project_name),
                    csv_cell(&r.customer_name),
                    csv_cell(&r.customer_corp_id),
                    csv_cell(&r.app_names()),
                    crate::web::format_time(r.created_at),
                    status_text(r.send_status()),
                ])
                .map_err(AppError::internal)?;
            }
        }
        w.flush().map_err(AppError::internal)?;
    }
    Ok(out)
}
