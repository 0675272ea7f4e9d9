//! The provider's pages (服务商 › 代开发): templates, go-live, batch authorisation and test
//! organisations (each enterprise's app is `app_routes.rs`). Admins change things;
//! developers read and build.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{
    BatchNewPage, BatchPage, GoLivePage, TemplateFormPage, TemplatePage, TemplatesPage,
    TestOrgsPage, TicketPage,
};
use super::rules::{MAX_TEST_ORGS, TemplateForm, check_template};
use super::{custom_apps, review, store};
use crate::auth::SESSION_ORG;
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::storage::FileKind;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Cursor, CursorQuery, Errors, Layout, flash_redirect};

pub fn router() -> Routes {
    Routes::new()
        .get("/provider/custom-dev", Policy::Provider, list)
        .post("/provider/custom-dev", Policy::Provider, create)
        .get("/provider/custom-dev/new", Policy::Provider, new)
        .get("/provider/custom-dev/golive", Policy::Provider, golive)
        .post(
            "/provider/custom-dev/golive/templates",
            Policy::Provider,
            submit_templates,
        )
        .post(
            "/provider/custom-dev/golive/apps",
            Policy::Provider,
            submit_apps,
        )
        .get(
            "/provider/custom-dev/tickets/{id}",
            Policy::Provider,
            ticket,
        )
        .post(
            "/provider/custom-dev/tickets/{id}/live",
            Policy::Provider,
            ticket_live,
        )
        .get("/provider/custom-dev/batch", Policy::Provider, batch_new)
        .post("/provider/custom-dev/batch", Policy::Provider, batch_create)
        .get(
            "/provider/custom-dev/batch/{id}",
            Policy::Provider,
            batch_show,
        )
        .get(
            "/provider/custom-dev/test-orgs",
            Policy::Provider,
            test_orgs,
        )
        .post(
            "/provider/custom-dev/test-orgs",
            Policy::Provider,
            test_org_create,
        )
        .get("/provider/custom-dev/{id}", Policy::Provider, show)
        .post("/provider/custom-dev/{id}", Policy::Provider, save)
        .get("/provider/custom-dev/{id}/edit", Policy::Provider, edit)
        .merge(super::app_routes::router())
        .merge(super::callback_routes::router())
        .merge(super::enterprise_routes::router())
        .merge(super::consent_routes::router())
        .merge(super::api::router())
        .merge(super::operator_routes::router())
}

pub(super) fn admin_only(pv: &Provider) -> AppResult<()> {
    if pv.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("customdev.error.provider_admin_only"))
    }
}

async fn list(
    State(state): State<AppState>,
    pv: Provider,
    Query(q): Query<CursorQuery>,
) -> AppResult<TemplatesPage> {
    let scope = pv.scope.clone();
    let page = state
        .db
        .run(move |conn| store::list_templates(conn, &scope, q.cursor()))
        .await?;
    Ok(TemplatesPage {
        l: Layout::new(&pv.ctx),
        page,
        is_admin: pv.is_admin(),
    })
}

/// The text fields and the `logo` file of a multipart form (an empty file input is none).
pub(super) async fn read_form(
    mut mp: Multipart,
) -> AppResult<(HashMap<String, String>, Option<Vec<u8>>)> {
    let mut texts = HashMap::new();
    let mut logo = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.bad_request"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let is_file = field.file_name().is_some();
        let bytes = field
            .bytes()
            .await
            .map_err(|_| AppError::BadRequest("error.bad_request"))?;
        if is_file {
            if name == "logo" && !bytes.is_empty() {
                logo = Some(bytes.to_vec());
            }
        } else {
            texts.insert(name, crate::web::input::text_field(&bytes)?);
        }
    }
    Ok((texts, logo))
}

pub(super) fn text(t: &HashMap<String, String>, k: &str) -> String {
    t.get(k).cloned().unwrap_or_default()
}

fn template_form(t: &HashMap<String, String>) -> TemplateForm {
    TemplateForm {
        name: text(t, "name"),
        intro: text(t, "intro"),
        category: text(t, "category"),
        industry: text(t, "industry"),
        callback_url: text(t, "callback_url"),
        source_app_id: text(t, "source_app_id"),
    }
}

/// Stores an uploaded logo (already checked) under a fresh key.
pub(super) fn put_logo(state: &AppState, bytes: &[u8]) -> AppResult<String> {
    let kind = FileKind::sniff(bytes);
    let key = format!("{}.{}", uuid::Uuid::new_v4(), kind.extension());
    state.storage.put(&key, bytes)?;
    Ok(key)
}

async fn form_page(
    state: &AppState,
    pv: &Provider,
    id: Option<i64>,
    form: TemplateForm,
    errors: Errors,
) -> AppResult<TemplateFormPage> {
    let scope = pv.scope.clone();
    let (catalogue, own_apps, tpl) = state
        .db
        .run(move |conn| {
            let tpl = match id {
                Some(id) => Some(store::find_template(conn, &scope, id)?),
                None => None,
            };
            Ok((store::catalogue(conn)?, store::own_apps(conn, &scope)?, tpl))
        })
        .await?;
    Ok(TemplateFormPage {
        l: Layout::new(&pv.ctx),
        id,
        form,
        errors,
        catalogue,
        own_apps,
        live: tpl.as_ref().is_some_and(store::Template::is_live),
        has_logo: tpl.is_some(),
    })
}

async fn new(State(state): State<AppState>, pv: Provider) -> AppResult<Response> {
    admin_only(&pv)?;
    Ok(form_page(
        &state,
        &pv,
        None,
        TemplateForm::default(),
        Errors::default(),
    )
    .await?
    .into_response())
}

async fn edit(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    admin_only(&pv)?;
    let scope = pv.scope.clone();
    let tpl = state
        .db
        .run(move |conn| store::find_template(conn, &scope, id))
        .await?;
    let v = &tpl.latest;
    let form = TemplateForm {
        name: v.name.clone(),
        intro: v.intro.clone(),
        category: v.category.clone(),
        industry: v.industry.clone(),
        callback_url: v.callback_url.clone(),
        source_app_id: tpl.source_app_id.map(|s| s.to_string()).unwrap_or_default(),
    };
    Ok(form_page(&state, &pv, Some(id), form, Errors::default())
        .await?
        .into_response())
}

/// Checks a template form on the server; the form comes back with the errors (422).
async fn checked(
    state: &AppState,
    pv: &Provider,
    id: Option<i64>,
    mp: Multipart,
) -> AppResult<Result<(TemplateForm, Option<i64>, Option<String>), Response>> {
    let (texts, logo) = read_form(mp).await?;
    let form = template_form(&texts);
    let scope = pv.scope.clone();
    let (catalogue, own) = state
        .db
        .run(move |conn| {
            let own: Vec<i64> = store::own_apps(conn, &scope)?
                .into_iter()
                .map(|a| a.0)
                .collect();
            Ok((store::catalogue(conn)?, own))
        })
        .await?;
    let mut result = check_template(&form, &catalogue, logo.as_deref(), id.is_some(), &own);
    if result.is_ok()
        && let Some(k) =
            super::callbacks::template_url_refusal(state, &pv.scope, id, &form.callback_url).await?
    {
        let mut e = Errors::default();
        e.add("callback_url", k);
        result = Err(e);
    }
    match result {
        Ok(source) => {
            let key = match logo {
                Some(b) => Some(put_logo(state, &b)?),
                None => None,
            };
            Ok(Ok((form, source, key)))
        }
        Err(errors) => {
            let page = form_page(state, pv, id, form, errors).await?;
            Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, page).into_response()))
        }
    }
}

async fn create(State(state): State<AppState>, pv: Provider, mp: Multipart) -> AppResult<Response> {
    admin_only(&pv)?;
    let (form, source, key) = match checked(&state, &pv, None, mp).await? {
        Ok(x) => x,
        Err(page) => return Ok(page),
    };
    let scope = pv.scope.clone();
    let id = state
        .db
        .run(move |conn| {
            store::create_template(
                conn,
                &scope,
                &store::NewVersion {
                    form: &form,
                    source_app_id: source,
                    logo_key: key,
                },
            )
        })
        .await?;
    tracing::info!(template.id = id, "custom-development template created");
    Ok(flash_redirect(
        &format!("/provider/custom-dev/{id}"),
        "customdev.flash.saved",
    ))
}

async fn save(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    admin_only(&pv)?;
    let (form, source, key) = match checked(&state, &pv, Some(id), mp).await? {
        Ok(x) => x,
        Err(page) => return Ok(page),
    };
    let scope = pv.scope.clone();
    state
        .db
        .run(move |conn| {
            store::save_template(
                conn,
                &scope,
                id,
                &store::NewVersion {
                    form: &form,
                    source_app_id: source,
                    logo_key: key,
                },
            )
        })
        .await?;
    Ok(flash_redirect(
        &format!("/provider/custom-dev/{id}"),
        "customdev.flash.saved",
    ))
}

/// The stable authorisation link of a template.
pub(crate) fn template_link(state: &AppState, token: &str) -> String {
    format!(
        "{}/custom-dev/authorise/{token}",
        state.config.public_base()
    )
}

async fn show(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Query(q): Query<CursorQuery>,
) -> AppResult<TemplatePage> {
    let scope = pv.scope.clone();
    let (t, versions, enterprises, source_name) = state
        .db
        .run(move |conn| {
            let t = store::find_template(conn, &scope, id)?;
            let versions = store::versions(conn, &t)?;
            let enterprises = custom_apps::of_template(conn, t.id, q.cursor())?;
            let source_name = match t.source_app_id {
                Some(s) => store::own_apps(conn, &scope)?
                    .into_iter()
                    .find(|a| a.0 == s)
                    .map(|a| a.1),
                None => None,
            };
            Ok((t, versions, enterprises, source_name))
        })
        .await?;
    // The authorisation code exists only once the template went live.
    let (link, qr) = if t.is_live() {
        let link = template_link(&state, &t.token);
        let qr = crate::tools::qr_svg(&link);
        (link, qr)
    } else {
        (String::new(), String::new())
    };
    Ok(TemplatePage {
        l: Layout::new(&pv.ctx),
        t,
        versions,
        enterprises,
        link,
        qr,
        is_admin: pv.is_admin(),
        source_name,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct GoLiveQuery {
    template: Option<i64>,
    after: Option<i64>,
    before: Option<i64>,
}

async fn golive_page(
    state: &AppState,
    pv: &Provider,
    chosen: Option<i64>,
    cursor: Cursor,
    error: Option<&'static str>,
) -> AppResult<GoLivePage> {
    let scope = pv.scope.clone();
    let (tickets, all, live, apps) = state
        .db
        .run(move |conn| {
            let tickets = review::provider_tickets(conn, &scope, cursor)?;
            let all = store::list_templates(conn, &scope, Cursor::First)?.items;
            let live = store::live_templates(conn, scope.org_id())?;
            let apps = match chosen {
                Some(t) if live.iter().any(|x| x.id == t) => {
                    custom_apps::awaiting_go_live(conn, t)?
                }
                _ => vec![],
            };
            Ok((tickets, all, live, apps))
        })
        .await?;
    let submittable = all
        .into_iter()
        .filter(|t| {
            let is_live = t.live.as_ref().is_some_and(|l| l.id == t.latest.id);
            let open = matches!(
                t.latest_review,
                Some(super::rules::ReviewState::InReview | super::rules::ReviewState::Ready)
            );
            !is_live && !open
        })
        .collect();
    Ok(GoLivePage {
        l: Layout::new(&pv.ctx),
        tickets,
        submittable,
        live,
        chosen,
        apps,
        error,
    })
}

async fn golive(
    State(state): State<AppState>,
    pv: Provider,
    Query(q): Query<GoLiveQuery>,
) -> AppResult<GoLivePage> {
    golive_page(
        &state,
        &pv,
        q.template,
        Cursor::from_query(q.after, q.before),
        None,
    )
    .await
}

/// Repeated checkbox values (`ids=1&ids=2`) of a form.
fn ids_of(pairs: &[(String, String)], name: &str) -> Vec<i64> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

async fn submit_templates(
    State(state): State<AppState>,
    pv: Provider,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    admin_only(&pv)?;
    let ids = ids_of(&pairs, "template");
    if ids.is_empty() {
        let page = golive_page(
            &state,
            &pv,
            None,
            Cursor::First,
            Some("customdev.error.choose_templates"),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let scope = pv.scope.clone();
    state
        .db
        .run(move |conn| review::submit_templates(conn, &scope, &ids))
        .await?;
    Ok(flash_redirect(
        "/provider/custom-dev/golive",
        "customdev.flash.submitted",
    ))
}

async fn submit_apps(
    State(state): State<AppState>,
    pv: Provider,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    admin_only(&pv)?;
    let template = ids_of(&pairs, "template_id")
        .first()
        .copied()
        .ok_or(AppError::BadRequest("error.bad_request"))?;
    let ids = ids_of(&pairs, "app");
    if ids.is_empty() {
        let page = golive_page(
            &state,
            &pv,
            Some(template),
            Cursor::First,
            Some("customdev.error.choose_apps"),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let scope = pv.scope.clone();
    state
        .db
        .run(move |conn| review::submit_apps(conn, &scope, template, &ids))
        .await?;
    Ok(flash_redirect(
        "/provider/custom-dev/golive",
        "customdev.flash.submitted",
    ))
}

async fn ticket(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<TicketPage> {
    let scope = pv.scope.clone();
    let t = state
        .db
        .run(move |conn| review::provider_ticket(conn, &scope, id))
        .await?;
    Ok(TicketPage {
        l: Layout::new(&pv.ctx),
        t,
    })
}

async fn ticket_live(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    admin_only(&pv)?;
    let scope = pv.scope.clone();
    let t = state
        .db
        .run(move |conn| review::go_live(conn, &scope, id))
        .await?;
    tracing::info!(review.id = id, subject = %t.subject, "went live");
    let to = if t.is_app() {
        format!("/provider/custom-dev/tickets/{id}")
    } else {
        format!("/provider/custom-dev/{}", t.template_id)
    };
    Ok(flash_redirect(&to, "customdev.flash.live"))
}

async fn batch_page(
    state: &AppState,
    pv: &Provider,
    chosen: Vec<i64>,
    error: Option<&'static str>,
) -> AppResult<BatchNewPage> {
    let org = pv.scope.org_id();
    let live = state
        .db
        .run(move |conn| store::live_templates(conn, org))
        .await?;
    Ok(BatchNewPage {
        l: Layout::new(&pv.ctx),
        live,
        chosen,
        error,
    })
}

async fn batch_new(State(state): State<AppState>, pv: Provider) -> AppResult<BatchNewPage> {
    batch_page(&state, &pv, vec![], None).await
}

async fn batch_create(
    State(state): State<AppState>,
    pv: Provider,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    admin_only(&pv)?;
    let mut ids = ids_of(&pairs, "template");
    ids.sort_unstable();
    ids.dedup();
    if let Err(k) = super::rules::check_batch(ids.len()) {
        let page = batch_page(&state, &pv, ids, Some(k)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let scope = pv.scope.clone();
    let id = state
        .db
        .run(move |conn| store::create_batch(conn, &scope, &ids))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/custom-dev/batch/{id}"),
        "customdev.flash.batch",
    ))
}

async fn batch_show(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<BatchPage> {
    let scope = pv.scope.clone();
    let b = state
        .db
        .run(move |conn| store::find_batch(conn, &scope, id))
        .await?;
    let link = format!(
        "{}/custom-dev/batch/{}",
        state.config.public_base(),
        b.token
    );
    let expired = b.expired(crate::db::now());
    Ok(BatchPage {
        l: Layout::new(&pv.ctx),
        qr: if expired {
            String::new()
        } else {
            crate::tools::qr_svg(&link)
        },
        link,
        b,
        expired,
    })
}

async fn test_orgs_page(
    state: &AppState,
    pv: &Provider,
    name: String,
    errors: Errors,
) -> AppResult<TestOrgsPage> {
    let scope = pv.scope.clone();
    let orgs = state
        .db
        .run(move |conn| custom_apps::test_orgs(conn, &scope))
        .await?;
    Ok(TestOrgsPage {
        l: Layout::new(&pv.ctx),
        orgs,
        typed_name: name,
        errors,
        max: MAX_TEST_ORGS,
    })
}

async fn test_orgs(State(state): State<AppState>, pv: Provider) -> AppResult<TestOrgsPage> {
    test_orgs_page(&state, &pv, String::new(), Errors::default()).await
}

#[derive(Deserialize)]
pub(crate) struct NameForm {
    #[serde(default)]
    name: String,
}

async fn test_org_create(
    State(state): State<AppState>,
    pv: Provider,
    Form(f): Form<NameForm>,
) -> AppResult<Response> {
    admin_only(&pv)?;
    let name = f.name.trim().to_string();
    let n = name.chars().count();
    if n == 0 || n > 50 {
        let mut e = Errors::default();
        e.add("name", "customdev.error.test_org_name");
        let page = test_orgs_page(&state, &pv, f.name, e).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let scope = pv.scope.clone();
    let res = state
        .db
        .run(move |conn| custom_apps::create_test_org(conn, &scope, &name))
        .await;
    match res {
        Ok(id) => {
            tracing::info!(org.id = id, "test organisation created");
            // The admin now belongs to one more organisation: stay in the provider's
            // (without a choice in the session the first by name would be current).
            pv.ctx
                .session
                .insert(SESSION_ORG, pv.scope.org_id())
                .await
                .map_err(AppError::internal)?;
            Ok(flash_redirect(
                "/provider/custom-dev/test-orgs",
                "customdev.flash.test_org",
            ))
        }
        Err(AppError::Conflict(k)) => {
            let mut e = Errors::default();
            e.add("name", k);
            let page = test_orgs_page(&state, &pv, f.name, e).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e),
    }
}
