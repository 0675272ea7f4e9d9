//! Handlers of the link pages (/provider/links…), behind the certification gate: issue a
//! link for an approved project (also reached from an app's "Distribute this app"), show
//! it with its QR code and log, revoke it.

use crate::web::policy::{Policy, Routes};
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{LinkPage, NewLinkPage};
use super::{link_refusal, link_url, parse_expiry_days, store};
use crate::distribution::projects::gate::Provider;
use crate::error::{AppError, AppResult};
use crate::tools::qr_svg;
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .post("/provider/links", Policy::Provider, create)
        .get("/provider/links/new", Policy::Provider, new)
        .get("/provider/links/{id}", Policy::Provider, show)
        .post("/provider/links/{id}/revoke", Policy::Provider, revoke)
}

#[derive(Deserialize, Default)]
pub(crate) struct NewQuery {
    project: Option<i64>,
    app: Option<i64>,
}

struct Choice {
    project_id: Option<i64>,
    chosen: Vec<i64>,
    expiry_days: String,
}

async fn dialog(
    state: &AppState,
    pv: &Provider,
    c: Choice,
    error: Option<&'static str>,
) -> AppResult<NewLinkPage> {
    let scope = pv.scope.clone();
    let (projects, apps) = state
        .db
        .run(move |conn| {
            let projects = crate::distribution::projects::store::approved_open(conn, &scope)?;
            let apps = store::org_apps(conn, &scope)?;
            Ok((projects, apps))
        })
        .await?;
    Ok(NewLinkPage {
        l: Layout::new(&pv.ctx),
        projects,
        project_id: c.project_id,
        apps,
        chosen: c.chosen,
        expiry_days: c.expiry_days,
        error,
    })
}

async fn new(
    State(state): State<AppState>,
    pv: Provider,
    Query(q): Query<NewQuery>,
) -> AppResult<NewLinkPage> {
    let c = Choice {
        project_id: q.project,
        chosen: q.app.into_iter().collect(),
        expiry_days: String::new(),
    };
    dialog(&state, &pv, c, None).await
}

/// The dialog's form: `app_id` repeats, so it is read by hand.
fn parse_choice(body: &[u8]) -> Result<Choice, AppError> {
    let mut c = Choice {
        project_id: None,
        chosen: vec![],
        expiry_days: String::new(),
    };
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "project_id" if !v.is_empty() => {
                c.project_id = Some(
                    v.parse()
                        .map_err(|_| AppError::BadRequest("error.bad_request"))?,
                );
            }
            "app_id" => c.chosen.push(
                v.parse()
                    .map_err(|_| AppError::BadRequest("error.bad_request"))?,
            ),
            "expiry_days" => c.expiry_days = v.into_owned(),
            _ => {}
        }
    }
    Ok(c)
}

async fn create(
    State(state): State<AppState>,
    pv: Provider,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let c = parse_choice(&body)?;
    let refuse = async |c: Choice, key: &'static str| -> AppResult<Response> {
        let page = dialog(&state, &pv, c, Some(key)).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let Some(project_id) = c.project_id else {
        return refuse(c, "distribution.link.error.choose_project").await;
    };
    let expiry = match parse_expiry_days(&c.expiry_days) {
        Ok(e) => e,
        Err(key) => return refuse(c, key).await,
    };
    let scope = pv.scope.clone();
    let ids = c.chosen.clone();
    let made = state
        .db
        .run(move |conn| store::create(conn, &scope, project_id, &ids, expiry))
        .await?;
    match made {
        Ok(id) => Ok(flash_redirect(
            &format!("/provider/links/{id}"),
            "distribution.flash.link_issued",
        )),
        Err(key) => refuse(c, key).await,
    }
}

async fn show(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<LinkPage> {
    let scope = pv.scope.clone();
    let (v, events) = state
        .db
        .run(move |conn| {
            let v = store::find(conn, &scope, id)?;
            let events = store::events(conn, &scope, id)?;
            Ok((v, events))
        })
        .await?;
    let url = link_url(
        &state.config.public_base(),
        &v.link.token,
        &v.project.customer_name,
    );
    let refusal = link_refusal(
        v.link.revoked_at,
        v.link.expires_at,
        v.project.status(),
        crate::db::now(),
    );
    // A link that no longer sells (revoked, expired, its project closed) offers nothing
    // to copy, scan or revoke: only why, and its history.
    let live = refusal.is_none();
    Ok(LinkPage {
        l: Layout::new(&pv.ctx),
        qr_svg: if live { qr_svg(&url) } else { String::new() },
        url,
        refusal,
        may_revoke: live && (pv.is_admin() || v.link.created_by == pv.scope.user_id()),
        v,
        events,
    })
}

async fn revoke(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = pv.scope.clone();
    let admin = pv.is_admin();
    state
        .db
        .run(move |conn| store::revoke(conn, &scope, admin, id))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/links/{id}"),
        "distribution.flash.link_revoked",
    ))
}
