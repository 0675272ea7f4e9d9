//! Handlers of the provider's project pages (/provider/projects…). Each starts with the
//! certification gate ([`Provider`]); a submitted project has no edit route.

use crate::web::policy::{Policy, Routes};
use std::collections::HashMap;

use axum::Form;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::gate::Provider;
use super::pages::{NewProjectPage, ProjectPage, ProjectsPage};
use super::{ClosingForm, ProjectForm, ProjectStatus, Upload, parse_closing, parse_project, store};
use crate::error::{AppError, AppResult};
use crate::forms::Attachment;
use crate::tools::encode_query;
use crate::web::{AppState, Cursor, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/provider/projects", Policy::Provider, list)
        .post("/provider/projects", Policy::Provider, create)
        .get("/provider/projects/new", Policy::Provider, new)
        .get("/provider/projects/{id}", Policy::Provider, show)
        .post(
            "/provider/projects/{id}/withdraw",
            Policy::Provider,
            withdraw,
        )
        .post("/provider/projects/{id}/close", Policy::Provider, close)
        .get(
            "/provider/projects/{id}/contract",
            Policy::Provider,
            contract,
        )
        .merge(super::review::router())
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
    after: Option<i64>,
    before: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    pv: Provider,
    Query(lq): Query<ListQuery>,
) -> AppResult<ProjectsPage> {
    let status = ProjectStatus::parse(&lq.status);
    let q = lq.q.trim().to_string();
    let scope = pv.scope.clone();
    let search = q.clone();
    let cursor = Cursor::from_query(lq.after, lq.before);
    let (page, counts) = state
        .db
        .run(move |conn| {
            let page = store::list(conn, &scope, status, &search, cursor)?;
            Ok((page, store::status_counts(conn, &scope, &search)?))
        })
        .await?;
    let tab = status.map_or("all", ProjectStatus::as_str).to_string();
    let mut base = format!("/provider/projects?status={tab}");
    if !q.is_empty() {
        base.push_str(&format!("&q={}", encode_query(&q)));
    }
    Ok(ProjectsPage {
        l: Layout::new(&pv.ctx),
        page,
        tab,
        q,
        base,
        is_admin: pv.is_admin(),
        user_id: pv.scope.user_id(),
        counts,
    })
}

async fn new(pv: Provider) -> AppResult<NewProjectPage> {
    pv.require_admin()?;
    Ok(NewProjectPage {
        l: Layout::new(&pv.ctx),
        form: ProjectForm::default(),
        errors: Errors::default(),
        rechoose_file: false,
    })
}

/// Text inputs and the one file input of a multipart form. An empty file input arrives
/// with an empty body and counts as "no file".
async fn read_multipart(mut mp: Multipart) -> AppResult<(HashMap<String, String>, Option<Upload>)> {
    let mut texts = HashMap::new();
    let mut file = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.bad_request"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|_| AppError::BadRequest("error.bad_request"))?;
        match file_name {
            Some(f) if name == "contract" => {
                if !bytes.is_empty() {
                    file = Some(Upload {
                        filename: f,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            Some(_) => {}
            None => {
                texts.insert(name, crate::web::input::text_field(&bytes)?);
            }
        }
    }
    Ok((texts, file))
}

async fn create(State(state): State<AppState>, pv: Provider, mp: Multipart) -> AppResult<Response> {
    pv.require_admin()?;
    let (texts, file) = read_multipart(mp).await?;
    let form = ProjectForm::from_texts(&texts);
    let new = match parse_project(&form, file.as_ref(), state.config.max_upload_bytes()) {
        Ok(n) => n,
        Err(errors) => {
            let page = NewProjectPage {
                l: Layout::new(&pv.ctx),
                form,
                errors,
                rechoose_file: true,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let storage = state.storage.clone();
    let scope = pv.scope.clone();
    let id = state
        .db
        .run(move |conn| store::create(conn, &scope, storage.as_ref(), new))
        .await?;
    tracing::info!(
        org.id = pv.scope.org_id(),
        project.id = id,
        "project submitted"
    );
    Ok(flash_redirect(
        &format!("/provider/projects/{id}"),
        "distribution.flash.submitted",
    ))
}

async fn render_show(
    state: &AppState,
    pv: &Provider,
    id: i64,
    closing: ClosingForm,
    errors: Errors,
) -> AppResult<ProjectPage> {
    let scope = pv.scope.clone();
    let (p, file_name, timeline, links, orders) = state
        .db
        .run(move |conn| {
            let p = store::find_own(conn, &scope, id)?;
            let file = store::contract_file(conn, &p)?;
            let timeline = store::timeline(conn, &p)?;
            let links = crate::distribution::links::store::for_project(conn, &scope, p.id)?;
            let orders = crate::distribution::orders::list::for_project(conn, &scope, p.id)?;
            Ok((p, file.filename, timeline, links, orders))
        })
        .await?;
    Ok(ProjectPage {
        l: Layout::new(&pv.ctx),
        p,
        file_name,
        timeline,
        links,
        orders,
        closing,
        errors,
        now: crate::db::now(),
    })
}

async fn show(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<ProjectPage> {
    render_show(&state, &pv, id, ClosingForm::default(), Errors::default()).await
}

async fn withdraw(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = pv.scope.clone();
    state
        .db
        .run(move |conn| store::withdraw(conn, &scope, id))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/projects/{id}"),
        "distribution.flash.withdrawn",
    ))
}

async fn close(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Form(form): Form<ClosingForm>,
) -> AppResult<Response> {
    let closing = match parse_closing(&form) {
        Ok(c) => c,
        Err(errors) => {
            let page = render_show(&state, &pv, id, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let scope = pv.scope.clone();
    state
        .db
        .run(move |conn| store::close(conn, &scope, id, &closing))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/projects/{id}"),
        "distribution.flash.closed",
    ))
}

async fn contract(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = pv.scope.clone();
    let storage = state.storage.clone();
    let (a, bytes) = state
        .db
        .run(move |conn| {
            let a = store::contract_for_creator(conn, &scope, id)?;
            let bytes = storage.get(&a.storage_key)?;
            Ok((a, bytes))
        })
        .await?;
    Ok(file_response(&a, bytes))
}

/// A stored file as a private download (images and PDFs inline, so they open in place).
pub(crate) fn file_response(a: &Attachment, bytes: Vec<u8>) -> Response {
    // RFC 5987 wants percent-encoding, where form encoding would turn spaces into "+".
    let encoded = encode_query(&a.filename).replace('+', "%20");
    (
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Body::from(bytes),
    )
        .into_response()
}
