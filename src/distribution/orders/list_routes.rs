//! Handlers of the order centre's list and CSV export (/provider/orders, behind the
//! certification gate). Each order links to its detail page.

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::list::{self, OrderFilter, OrderRow};
use super::{SEND_STATUSES, send_status_label};
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::distribution::projects::gate::Provider;
use crate::distribution::projects::store::ProjectOption;
use crate::error::{AppError, AppResult};
use crate::web::{AppState, Cursor, Layout, Page};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/provider/orders", Policy::Provider, orders)
        .get("/provider/orders.csv", Policy::Provider, csv)
}

#[derive(Deserialize, Default)]
pub(crate) struct OrdersQuery {
    #[serde(default)]
    project: String,
    #[serde(default)]
    send: String,
    after: Option<i64>,
    before: Option<i64>,
}

impl OrdersQuery {
    fn filter(&self) -> OrderFilter {
        OrderFilter {
            project: self.project.trim().parse().ok(),
            send_status: SEND_STATUSES
                .contains(&self.send.as_str())
                .then(|| self.send.clone()),
        }
    }
    fn base(&self, path: &str) -> String {
        let f = self.filter();
        format!(
            "{path}?project={}&send={}",
            f.project.map(|p| p.to_string()).unwrap_or_default(),
            f.send_status.unwrap_or_default()
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/orders/list.html")]
pub(crate) struct OrdersPage {
    l: Layout,
    page: Page<OrderRow>,
    /// The project filtered by, when it is the organisation's.
    project: Option<ProjectOption>,
    send: String,
    base: String,
    csv: String,
}

impl OrdersPage {
    fn send_key(&self, o: &OrderRow) -> &'static str {
        send_status_label(o.send_status())
    }
    fn statuses(&self) -> [&'static str; 4] {
        SEND_STATUSES
    }
    fn status_key(&self, s: &str) -> &'static str {
        send_status_label(s)
    }
}

async fn orders(
    State(state): State<AppState>,
    pv: Provider,
    Query(q): Query<OrdersQuery>,
) -> AppResult<OrdersPage> {
    let scope = pv.scope.clone();
    let f = q.filter();
    let cursor = Cursor::from_query(q.after, q.before);
    let (page, project) = state
        .db
        .run(move |conn| {
            let project = match f.project {
                Some(id) => Some(project_of(conn, &scope, id)?),
                None => None,
            };
            let page = list::list(conn, &scope, &f, cursor)?;
            Ok((page, project))
        })
        .await?;
    let f = q.filter();
    Ok(OrdersPage {
        l: Layout::new(&pv.ctx),
        page,
        project,
        send: f.send_status.unwrap_or_default(),
        base: q.base("/provider/orders"),
        csv: q.base("/provider/orders.csv"),
    })
}

/// The project filtered by; another organisation's project answers as a missing one.
fn project_of(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<ProjectOption> {
    crate::distribution::projects::store::option(conn, scope, id)?.ok_or(AppError::NotFound)
}

async fn csv(
    State(state): State<AppState>,
    pv: Provider,
    Query(q): Query<OrdersQuery>,
) -> AppResult<Response> {
    let scope = pv.scope.clone();
    let f = q.filter();
    let lang = pv.ctx.lang;
    let header = [
        "distribution.orders.order_no",
        "distribution.project.name",
        "distribution.project.customer_name",
        "distribution.project.customer_corp_id",
        "distribution.orders.apps",
        "distribution.orders.time",
        "distribution.orders.send_status",
    ]
    .map(|k| lang.t(k).into_owned());
    let bytes = state
        .db
        .run(move |conn| {
            if let Some(id) = f.project {
                project_of(conn, &scope, id)?;
            }
            list::export_csv(conn, &scope, &f, header, |s| {
                lang.t(send_status_label(s)).into_owned()
            })
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"orders.csv\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response())
}
