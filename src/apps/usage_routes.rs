//! The app's usage scope page (应用设置 › 使用范围): an organisation admin chooses who may
//! use the app, with the picker interconnection uses for join requests.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::App;
use super::usage::{set_usage_scope, usage_scope};
use crate::auth::{OrgAdmin, OrgScope};
use crate::error::AppResult;
use crate::org::{Picker, ScopeForm, ScopeKind, picker};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/apps/{id}/scope", Policy::OrgAdmin, scope_page)
        .post("/apps/{id}/scope", Policy::OrgAdmin, save_scope)
}

#[derive(Template, WebTemplate)]
#[template(path = "apps/scope.html")]
pub(crate) struct ScopePage {
    l: Layout,
    app: App,
    form: ScopeForm,
    picker: Picker,
    scope_kinds: [ScopeKind; 3],
    error: Option<&'static str>,
}

impl ScopePage {
    fn scope(&self) -> &ScopeForm {
        &self.form
    }
}

async fn page(
    state: &AppState,
    ctx: &crate::auth::Ctx,
    scope: &OrgScope,
    id: i64,
    typed: Option<ScopeForm>,
    error: Option<&'static str>,
) -> AppResult<ScopePage> {
    let scope = scope.clone();
    let (app, stored, picker) = state
        .db
        .run(move |conn| {
            let app = super::store::find_app(conn, &scope, id)?;
            let stored = usage_scope(conn, &scope, id)?;
            Ok((app, stored, picker(conn, scope.org_id())?))
        })
        .await?;
    let form = typed.unwrap_or_else(|| {
        let (kind, refs) = stored;
        ScopeForm {
            scope_kind: kind.as_str().into(),
            departments: if kind == ScopeKind::Departments {
                refs.clone()
            } else {
                vec![]
            },
            people: if kind == ScopeKind::People {
                refs
            } else {
                vec![]
            },
        }
    });
    Ok(ScopePage {
        l: Layout::new(ctx),
        app,
        form,
        picker,
        scope_kinds: ScopeKind::ALL,
        error,
    })
}

async fn scope_page(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<ScopePage> {
    page(&state, &ctx, &scope, id, None, None).await
}

async fn save_scope(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let form = ScopeForm::from_body(&body)?;
    let (kind, refs) = match form.parse() {
        Ok(c) => c,
        Err(key) => return refused(&state, &ctx, &scope, id, form, key).await,
    };
    let s = scope.clone();
    let done = state
        .db
        .write(move |conn| set_usage_scope(conn, &s, id, kind, &refs))
        .await?;
    match done {
        Ok(()) => Ok(flash_redirect(
            &format!("/apps/{id}"),
            "apps.scope.flash.saved",
        )),
        Err(key) => refused(&state, &ctx, &scope, id, form, key).await,
    }
}

/// The form again (422) with what was typed and the reason beside the picker.
async fn refused(
    state: &AppState,
    ctx: &crate::auth::Ctx,
    scope: &OrgScope,
    id: i64,
    form: ScopeForm,
    key: &'static str,
) -> AppResult<Response> {
    let p = page(state, ctx, scope, id, Some(form), Some(key)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
}
