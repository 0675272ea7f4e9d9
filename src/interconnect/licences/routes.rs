//! Handlers of /interconnect/licences…: each first checks that the user manages the
//! current organisation's spaces (the pool is always that organisation's own), then calls
//! the store.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{OrgSeatsPage, PoolPage, ReportPage};
use super::{Days, auto, ids_of, report, require_manager, store};
use crate::auth::{InOrg, OrgScope};
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Cursor, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/interconnect/licences", Policy::InOrg, pool)
        .get(
            "/interconnect/licences/orgs/{org}",
            Policy::InOrg,
            org_seats,
        )
        .post(
            "/interconnect/licences/orgs/{org}/grant",
            Policy::InOrg,
            grant,
        )
        .post(
            "/interconnect/licences/orgs/{org}/release",
            Policy::InOrg,
            release,
        )
        .post(
            "/interconnect/licences/orgs/{org}/auto",
            Policy::InOrg,
            set_auto,
        )
        .get("/interconnect/licences/report", Policy::InOrg, report_page)
        .get(
            "/interconnect/licences/report/export",
            Policy::InOrg,
            report_csv,
        )
}

#[derive(Deserialize, Default)]
struct PoolQuery {
    /// The cursor of the seat orders' history.
    after: Option<i64>,
    before: Option<i64>,
}

async fn pool(
    State(state): State<AppState>,
    g: InOrg,
    Query(q): Query<PoolQuery>,
) -> AppResult<PoolPage> {
    require_manager(&g.scope)?;
    let scope = g.scope.clone();
    let (ov, orders, usage) = state
        .db
        .run(move |conn| {
            let today = crate::tools::wait::cst_day(crate::db::now());
            Ok((
                store::overview(conn, &scope)?,
                super::purchase::orders_of(conn, &scope, Cursor::from_query(q.after, q.before))?,
                super::usage::last_days(conn, &scope, today)?,
            ))
        })
        .await?;
    Ok(PoolPage {
        l: Layout::new(&g.ctx),
        ov,
        orders,
        usage,
    })
}

#[derive(Deserialize, Default)]
struct OrgQuery {
    after: Option<i64>,
    before: Option<i64>,
    hafter: Option<i64>,
    hbefore: Option<i64>,
}

/// A list's cursor as query text (`after=5`), to keep it while the other list pages.
fn cursor_param(prefix: &str, c: Cursor) -> String {
    match c {
        Cursor::First => String::new(),
        Cursor::After(a) => format!("{prefix}after={a}"),
        Cursor::Before(b) => format!("{prefix}before={b}"),
    }
}

async fn org_seats(
    State(state): State<AppState>,
    g: InOrg,
    Path(org): Path<i64>,
    Query(q): Query<OrgQuery>,
) -> AppResult<OrgSeatsPage> {
    org_page(&state, &g, org, q, Errors::default()).await
}

/// One member organisation's seats page, with `errors` beside the refused form.
async fn org_page(
    state: &AppState,
    g: &InOrg,
    org: i64,
    q: OrgQuery,
    errors: Errors,
) -> AppResult<OrgSeatsPage> {
    require_manager(&g.scope)?;
    let scope = g.scope.clone();
    let (people, seats) = (
        Cursor::from_query(q.after, q.before),
        Cursor::from_query(q.hafter, q.hbefore),
    );
    let (org_name, corp_id, remaining, candidates, holders, depts) = state
        .db
        .run(move |conn| {
            let (name, corp) = store::member_org(conn, scope.org_id(), org)?;
            let remaining = crate::interconnect::people::seat_use(conn, scope.org_id())?;
            Ok((
                name,
                corp,
                remaining.remaining(),
                store::candidates(conn, &scope, org, people)?,
                store::holders(conn, &scope, org, seats)?,
                auto::auto_departments(conn, &scope, org)?,
            ))
        })
        .await?;
    Ok(OrgSeatsPage {
        l: Layout::new(&g.ctx),
        org_id: org,
        org_name,
        corp_id,
        remaining,
        candidates,
        holders,
        depts,
        people_at: cursor_param("", people),
        holders_at: cursor_param("h", seats),
        errors,
    })
}

async fn grant(
    State(state): State<AppState>,
    g: InOrg,
    Path(org): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ids = ids_of(&pairs, "user_id")?;
    on_org(
        state,
        g,
        org,
        "interconnect.licences.flash.granted",
        move |conn, scope| store::grant(conn, scope, org, &ids),
    )
    .await
}

async fn release(
    State(state): State<AppState>,
    g: InOrg,
    Path(org): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ids = ids_of(&pairs, "seat_id")?;
    // Nothing chosen: say so beside the button, on the page itself (422).
    if ids.is_empty() {
        let mut errors = Errors::default();
        errors.add("seat_id", "interconnect.licences.pick_seats");
        let page = org_page(&state, &g, org, OrgQuery::default(), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    on_org(
        state,
        g,
        org,
        "interconnect.licences.flash.released",
        move |conn, scope| store::release(conn, scope, org, &ids),
    )
    .await
}

async fn set_auto(
    State(state): State<AppState>,
    g: InOrg,
    Path(org): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ids = ids_of(&pairs, "department_id")?;
    on_org(
        state,
        g,
        org,
        "interconnect.licences.flash.auto_saved",
        move |conn, scope| auto::set_auto_departments(conn, scope, org, &ids),
    )
    .await
}

/// A pool manager's change to one member organisation's seats, back to its page.
async fn on_org<T: Send + 'static>(
    state: AppState,
    g: InOrg,
    org: i64,
    flash: &'static str,
    change: impl FnOnce(&mut Conn, &OrgScope) -> AppResult<T> + Send + 'static,
) -> AppResult<Response> {
    require_manager(&g.scope)?;
    let scope = g.scope;
    state.db.run(move |conn| change(conn, &scope)).await?;
    Ok(flash_redirect(
        &format!("/interconnect/licences/orgs/{org}"),
        flash,
    ))
}

#[derive(Deserialize, Default)]
struct ReportQuery {
    days: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
}

async fn report_page(
    State(state): State<AppState>,
    g: InOrg,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    require_manager(&g.scope)?;
    let typed = q
        .days
        .clone()
        .unwrap_or_else(|| Days::DEFAULT.get().to_string());
    let mut errors = Errors::default();
    let days = match Days::parse(&typed) {
        Ok(d) => d,
        Err(key) => {
            errors.add("days", key);
            Days::DEFAULT
        }
    };
    let scope = g.scope.clone();
    let cursor = Cursor::from_query(q.after, q.before);
    let report = state
        .db
        .run(move |conn| report::report(conn, &scope, days, cursor))
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ReportPage {
        l: Layout::new(&g.ctx),
        report,
        days: typed,
        errors,
    };
    Ok((status, page).into_response())
}

async fn report_csv(
    State(state): State<AppState>,
    g: InOrg,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    require_manager(&g.scope)?;
    let days = q
        .days
        .as_deref()
        .map(Days::parse)
        .transpose()
        .map_err(crate::error::AppError::BadRequest)?
        .unwrap_or(Days::DEFAULT);
    let scope = g.scope;
    let lang = g.ctx.lang;
    let body = state
        .db
        .run(move |conn| report::csv(conn, &scope, days, lang))
        .await?;
    let name = format!("attachment; filename=\"licences-{}.csv\"", crate::db::now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    )
        .into_response())
}
