//! "Purchased apps" at `/my-apps` for the customer's organisation admins: the delivered
//! apps, and per app the reconfiguration checklist, the deal timeline and the actions
//! accept, close / request maintenance, automatic grant approval and enable.

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::store::{self, Detail, Row};
use super::{AcceptForm, ToggleForm, enable_blocker, event_label_key, waited};
use crate::auth::OrgAdmin;
use crate::error::AppResult;
use crate::tools::CursorQuery;
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/my-apps", Policy::OrgAdmin, list)
        .get("/my-apps/{id}", Policy::OrgAdmin, show)
        .post("/my-apps/{id}/accept", Policy::OrgAdmin, accept)
        .post(
            "/my-apps/{id}/close-maintenance",
            Policy::OrgAdmin,
            close_maintenance,
        )
        .post(
            "/my-apps/{id}/request-maintenance",
            Policy::OrgAdmin,
            request_maintenance,
        )
        .post("/my-apps/{id}/auto-approve", Policy::OrgAdmin, auto_approve)
        .post("/my-apps/{id}/enable", Policy::OrgAdmin, enable)
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/customer/list.html")]
pub(crate) struct ListPage {
    pub l: Layout,
    pub rows: Vec<Row>,
    pub prev: Option<i64>,
    pub next: Option<i64>,
}

impl ListPage {}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/customer/show.html")]
pub(crate) struct ShowPage {
    pub l: Layout,
    pub d: Detail,
    pub form: AcceptForm,
    pub errors: Errors,
}

impl ShowPage {
    pub(crate) fn enable_blocker(&self) -> Option<&'static str> {
        enable_blocker(&self.d.app)
    }
    pub(crate) fn acceptance_key(&self) -> &'static str {
        self.d.app.acceptance().label_key()
    }
    pub(crate) fn event_key(&self, kind: &str) -> &'static str {
        event_label_key(kind)
    }
    pub(crate) fn waited(&self, secs: &i64) -> String {
        let (n, key) = waited(*secs);
        self.l.tf(key, "n", &n)
    }
    pub(crate) fn result_is(&self, v: &str) -> bool {
        self.form.result == v
    }
}

async fn list(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Query(q): Query<CursorQuery>,
) -> AppResult<ListPage> {
    let page = state
        .db
        .run(move |conn| store::list(conn, &scope, q.cursor()))
        .await?;
    Ok(ListPage {
        l: Layout::new(&ctx),
        rows: page.items,
        prev: page.prev,
        next: page.next,
    })
}

async fn show(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<ShowPage> {
    let d = state
        .db
        .run(move |conn| store::detail(conn, &scope, id))
        .await?;
    Ok(ShowPage {
        l: Layout::new(&ctx),
        d,
        form: AcceptForm::default(),
        errors: Errors::default(),
    })
}

fn back(id: i64, key: &'static str) -> Response {
    flash_redirect(&format!("/my-apps/{id}"), key)
}

async fn accept(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Path(id): Path<i64>,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    let (result, comment) = match form.parse() {
        Ok(v) => v,
        Err(errors) => {
            let d = state
                .db
                .run(move |conn| store::detail(conn, &scope, id))
                .await?;
            let page = ShowPage {
                l: Layout::new(&ctx),
                d,
                form,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    state
        .db
        .run(move |conn| store::accept(conn, &scope, id, result, &comment))
        .await?;
    Ok(back(id, "distribution.flash.accepted"))
}

async fn close_maintenance(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    state
        .db
        .run(move |conn| store::close_maintenance(conn, &scope, id))
        .await?;
    Ok(back(id, "distribution.flash.maintenance_closed"))
}

async fn request_maintenance(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    state
        .db
        .run(move |conn| store::reopen_maintenance(conn, &scope, id))
        .await?;
    Ok(back(id, "distribution.flash.maintenance_reopened"))
}

async fn auto_approve(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
    Path(id): Path<i64>,
    Form(form): Form<ToggleForm>,
) -> AppResult<Response> {
    let on = form.on();
    state
        .db
        .run(move |conn| store::set_auto_approve(conn, &scope, id, on))
        .await?;
    Ok(back(id, "distribution.flash.saved"))
}

async fn enable(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    state
        .db
        .run(move |conn| store::enable(conn, &scope, id))
        .await?;
    Ok(back(id, "distribution.flash.enabled"))
}
