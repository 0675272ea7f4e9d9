//! Using apps: the workbench, an app's home, filling in forms, submissions, approvals,
//! data management, reports, custom pages and file downloads.

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::approval::{Refusal, parse_action};
use super::data::{self, DataQuery};
use super::pages::{
    AppHomePage, ApprovalsPage, CustomPage, DataPage, FillPage, ReportPage, SubmissionPage,
    SubmissionsPage,
};
use super::submission::{RawForm, Status, validate};
use super::{approval_store, member, report, store};
use crate::apps::{AppTile, PageKind};
use crate::auth::InOrg;
use crate::error::{AppError, AppResult};
use crate::interconnect::{PublishedApp, SeatState, usable_page, workbench_apps};
use crate::tools::CursorQuery;
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    member::router()
        .merge(super::app_icon::router())
        .get("/workbench", Policy::InOrg, workbench)
        .get("/a/{app_id}", Policy::InOrg, app_home)
        .get("/f/{page_id}", Policy::InOrg, fill_form)
        .post("/f/{page_id}", Policy::InOrg, submit)
        .get("/f/{page_id}/data", Policy::InOrg, data_page)
        .get("/f/{page_id}/data.csv", Policy::InOrg, data_csv)
        .get("/r/{page_id}", Policy::InOrg, report_page)
        .get("/p/{page_id}", Policy::InOrg, custom_page)
        .get("/submissions", Policy::InOrg, submissions)
        .get("/submissions/{id}", Policy::InOrg, submission)
        .post("/submissions/{id}/tasks/{task_id}", Policy::InOrg, act)
        .get("/approvals", Policy::InOrg, approvals)
        .get("/files/{id}", Policy::InOrg, file)
}

#[derive(Template, WebTemplate)]
#[template(path = "forms/workbench.html")]
pub(crate) struct WorkbenchPage {
    l: Layout,
    apps: Vec<AppTile>,
    prev: Option<i64>,
    next: Option<i64>,
    /// Apps published to this organisation by upstream organisations (first page only).
    published: Vec<PublishedApp>,
}

impl WorkbenchPage {
    /// A published app's tile names the caller's seat: 有名额, or whom to ask for one.
    pub(crate) fn seat_text(&self, p: &PublishedApp) -> String {
        match &p.seat {
            SeatState::Held => self.l.t("interconnect.seats.tile_held").into_owned(),
            SeatState::Missing(admins) if admins.is_empty() => self
                .l
                .t("interconnect.seats.tile_missing_no_admin")
                .into_owned(),
            SeatState::Missing(admins) => self.l.tf(
                "interconnect.seats.tile_missing",
                "admins",
                &admins.join(&self.l.t("interconnect.seats.name_separator")),
            ),
        }
    }
}

/// 工作台: the apps of the current organisation this member can open, and in a section
/// of its own the apps upstream organisations published to it, marked with their origin.
async fn workbench(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Query(q): Query<CursorQuery>,
) -> AppResult<WorkbenchPage> {
    let (page, published) = state
        .db
        .run(move |conn| {
            let page = crate::apps::workbench_tiles(conn, &scope, q.cursor())?;
            let published = if page.prev.is_none() {
                workbench_apps(conn, &scope)?
            } else {
                vec![]
            };
            Ok((page, published))
        })
        .await?;
    Ok(WorkbenchPage {
        l: Layout::new(&ctx),
        apps: page.items,
        prev: page.prev,
        next: page.next,
        published,
    })
}

/// An app's pages: forms to fill in, reports and custom pages to read.
async fn app_home(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(app_id): Path<i64>,
) -> AppResult<AppHomePage> {
    let user = member::Use::of(&scope);
    let page = member::home(&state, scope, app_id).await?;
    user.record(&state, app_id);
    Ok(AppHomePage::new(Layout::new(&ctx), page))
}

async fn fill_form(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(page_id): Path<i64>,
) -> AppResult<FillPage> {
    let user = member::Use::of(&scope);
    let def = state
        .db
        .run(move |conn| store::load_form(conn, &scope, page_id))
        .await?;
    user.record(&state, def.app.id);
    Ok(FillPage::new(
        Layout::new(&ctx),
        def,
        &RawForm::default(),
        &Errors::default(),
    ))
}

/// Reads a multipart form: text inputs and files by input name. A file input left empty
/// arrives with an empty name and body and counts as "no file".
async fn read_multipart(mut mp: Multipart) -> AppResult<RawForm> {
    let mut raw = RawForm::default();
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
            Some(f) => {
                raw.files.insert(name, (f, bytes.to_vec()));
            }
            None => {
                raw.texts
                    .insert(name, crate::web::input::text_field(&bytes)?);
            }
        }
    }
    Ok(raw)
}

async fn submit(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(page_id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let raw = read_multipart(mp).await?;
    let user = member::Use::of(&scope);
    let max = state.config.max_upload_bytes();
    let storage = state.storage.clone();
    // The form's one-time key: a second post with it shows the first submission.
    let idem = raw
        .texts
        .get("idem")
        .filter(|k| !k.is_empty() && k.len() <= 64)
        .cloned();
    let outcome = state
        .db
        .run(move |conn| {
            let def = store::load_form(conn, &scope, page_id)?;
            if !def.accepts_submissions() {
                return Err(AppError::Conflict("forms.error.no_steps"));
            }
            let app_id = def.app.id;
            match validate(&def.fields, &raw, &def.member_ids(), max) {
                Ok(valid) => match idem {
                    Some(key) => {
                        let filed = crate::db::write_tx(conn, |conn| {
                            if let Some(id) = store::submission_by_idem(conn, &scope, &key)? {
                                return Ok(id);
                            }
                            let id = store::submit(conn, &scope, storage.as_ref(), &def, valid)?;
                            store::set_idem(conn, id, &key)?;
                            Ok(id)
                        });
                        // A concurrent twin won the unique key: show its submission.
                        match filed {
                            Err(e) => store::submission_by_idem(conn, &scope, &key)?.ok_or(e),
                            ok => ok,
                        }
                        .map(|id| Ok((id, app_id)))
                    }
                    None => store::submit(conn, &scope, storage.as_ref(), &def, valid)
                        .map(|id| Ok((id, app_id))),
                },
                Err(errors) => Ok(Err(Box::new((def, raw, errors)))),
            }
        })
        .await?;
    match outcome {
        Ok((id, app_id)) => {
            user.record(&state, app_id);
            Ok(flash_redirect(
                &format!("/submissions/{id}"),
                "forms.flash.submitted",
            ))
        }
        Err(refused) => {
            let (def, raw, errors) = *refused;
            let page = FillPage::new(Layout::new(&ctx), def, &raw, &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn submissions(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Query(q): Query<CursorQuery>,
) -> AppResult<SubmissionsPage> {
    let page = state
        .db
        .run(move |conn| store::my_submissions(conn, &scope, q.cursor()))
        .await?;
    Ok(SubmissionsPage {
        l: Layout::new(&ctx),
        rows: page.items,
        prev: page.prev,
        next: page.next,
    })
}

async fn submission(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<SubmissionPage> {
    let d = state
        .db
        .run(move |conn| store::detail(conn, &scope, id))
        .await?;
    Ok(SubmissionPage::new(Layout::new(&ctx), d))
}

#[derive(Deserialize)]
pub(crate) struct ActForm {
    action: String,
    #[serde(default)]
    comment: String,
    target: Option<String>,
}

/// An approval action by the task's assignee; the store makes it exactly-once. A
/// refused action (no comment on a reject, a target outside the initiator's
/// organisation, the submitter as target, approving one's own submission) shows the
/// submission again with the error beside the field and what was typed (422).
async fn act(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, task_id)): Path<(i64, i64)>,
    Form(f): Form<ActForm>,
) -> AppResult<Response> {
    let parsed = match parse_action(&f.action, &f.comment, f.target.as_deref(), scope.user_id()) {
        Err("error.bad_request") => return Err(AppError::BadRequest("error.bad_request")),
        other => other.map_err(Refusal::of),
    };
    let outcome = state
        .db
        .run(move |conn| {
            let refused = match parsed {
                Ok(action) => match approval_store::act(conn, &scope, id, task_id, action)? {
                    Ok(key) => return Ok(Ok(key)),
                    Err(r) => r,
                },
                Err(r) => r,
            };
            Ok(Err((store::detail(conn, &scope, id)?, refused)))
        })
        .await?;
    match outcome {
        Ok(key) => Ok(flash_redirect(&format!("/submissions/{id}"), key)),
        Err((d, refused)) => {
            let mut page = SubmissionPage::new(Layout::new(&ctx), d);
            page.errors.add(refused.field, refused.key);
            page.comment = f.comment;
            page.target = f.target.unwrap_or_default();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn approvals(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Query(q): Query<CursorQuery>,
) -> AppResult<ApprovalsPage> {
    let page = state
        .db
        .run(move |conn| approval_store::my_tasks(conn, &scope, q.cursor()))
        .await?;
    Ok(ApprovalsPage {
        l: Layout::new(&ctx),
        rows: page.items,
        prev: page.prev,
        next: page.next,
    })
}

/// 数据管理: all submissions of a form, for its app admins.
async fn data_page(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(page_id): Path<i64>,
    Query(q): Query<DataQuery>,
) -> AppResult<DataPage> {
    let query = q.clone();
    let ((app, page), view) = state
        .db
        .run(move |conn| {
            let form = store::form_page(conn, &scope, page_id)?;
            let view = data::view(conn, &scope, &form.0, &form.1, &query)?;
            Ok((form, view))
        })
        .await?;
    Ok(DataPage {
        l: Layout::new(&ctx),
        app,
        page,
        fields: view.fields,
        rows: view.rows.items,
        prev: view.rows.prev,
        next: view.rows.next,
        people: view.people,
        orgs: view.orgs,
        q,
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_key()))
            .collect(),
    })
}

async fn data_csv(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(page_id): Path<i64>,
    Query(q): Query<DataQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let bytes = state
        .db
        .run(move |conn| {
            let (app, page) = store::form_page(conn, &scope, page_id)?;
            data::export_csv(conn, &scope, &app, &page, &q, lang)
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"form-{page_id}.csv\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct ReportQuery {
    /// `org`: split the figures by the submitter's organisation.
    pub by: Option<String>,
}

async fn report_page(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(page_id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> AppResult<ReportPage> {
    let by_org = q.by.as_deref() == Some("org");
    let user = member::Use::of(&scope);
    let (app, page, r) = state
        .db
        .run(move |conn| {
            let (app, page) = usable_page(conn, &scope, page_id)?;
            if page.kind() != PageKind::Report {
                return Err(AppError::NotFound);
            }
            let r = report::view(conn, &scope, &page, by_org)?;
            Ok((app, page, r))
        })
        .await?;
    user.record(&state, app.id);
    Ok(ReportPage {
        l: Layout::new(&ctx),
        app,
        page,
        r,
    })
}

/// A custom page's rich text, cleaned again on the way out (defence in depth).
async fn custom_page(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(page_id): Path<i64>,
) -> AppResult<CustomPage> {
    let user = member::Use::of(&scope);
    let (app, page) = state
        .db
        .run(move |conn| usable_page(conn, &scope, page_id))
        .await?;
    if page.kind() != PageKind::Custom {
        return Err(AppError::NotFound);
    }
    user.record(&state, app.id);
    let html = ammonia::clean(&page.body);
    Ok(CustomPage {
        l: Layout::new(&ctx),
        app,
        page,
        html,
    })
}

/// A download, for those who may see a submission that references the file.
async fn file(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let storage = state.storage.clone();
    let (a, bytes) = state
        .db
        .run(move |conn| {
            let a = store::find_file(conn, &scope, id)?;
            let bytes = storage.get(&a.storage_key)?;
            Ok((a, bytes))
        })
        .await?;
    let is_image = a.content_type.starts_with("image/");
    // RFC 5987 wants percent-encoding, where form encoding would turn spaces into "+".
    let encoded = crate::tools::encode_query(&a.filename).replace('+', "%20");
    let disposition = if is_image { "inline" } else { "attachment" };
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Body::from(bytes),
    )
        .into_response())
}
