//! Handlers of the team after it deployed: /org/quick-deploy (the organisation's admins),
//! the complaint form (every member) and the public team invitation pages /qd/team/….

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::team::{self, LinkStatus};
use super::team_apps::{self, Whose};
use super::team_import;
use super::team_joins;
use super::team_pages::{ComplaintPage, ImportView, LinkView, ListsQuery, OrgPage};
use crate::auth::{Ctx, InOrg, OrgAdmin, OrgScope};
use crate::error::{AppError, AppResult};
use crate::tools::{Cursor, CursorQuery};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/org/quick-deploy", Policy::OrgAdmin, overview)
        .post("/org/quick-deploy/team-link", Policy::OrgAdmin, create_link)
        .post(
            "/org/quick-deploy/team-link/{id}/revoke",
            Policy::OrgAdmin,
            revoke_link,
        )
        .post(
            "/org/quick-deploy/team-link/approval",
            Policy::OrgAdmin,
            set_approval,
        )
        .post(
            "/org/quick-deploy/joins/{id}/approve",
            Policy::OrgAdmin,
            approve,
        )
        .post(
            "/org/quick-deploy/joins/{id}/reject",
            Policy::OrgAdmin,
            reject,
        )
        .post("/org/quick-deploy/import", Policy::OrgAdmin, import)
        .get(
            "/org/quick-deploy/invitations/export",
            Policy::OrgAdmin,
            export_invitations,
        )
        .get(
            "/org/quick-deploy/deployments/{id}/complaint",
            Policy::InOrg,
            complaint_page,
        )
        .post(
            "/org/quick-deploy/deployments/{id}/complaint",
            Policy::InOrg,
            complain,
        )
}

/// What the admin's page shows besides its lists.
struct Extra {
    expiry_days: String,
    errors: Errors,
    import: ImportView,
}

impl Default for Extra {
    fn default() -> Extra {
        Extra {
            expiry_days: String::new(),
            errors: Errors::default(),
            import: ImportView::Form,
        }
    }
}

async fn org_page(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    q: ListsQuery,
    extra: Extra,
) -> AppResult<OrgPage> {
    let s = scope.clone();
    let (deployments, link, joins, complaints) = state
        .db
        .run(move |conn| {
            let d = team_apps::deployments(conn, &s, Cursor::from_query(q.d_after, q.d_before))?;
            let link = team::current(conn, s.org_id())?;
            let j = team_joins::pending(conn, &s, Cursor::from_query(q.j_after, q.j_before))?;
            let c = team_apps::complaints(
                conn,
                &s,
                Whose::Org,
                Cursor::from_query(q.c_after, q.c_before),
            )?;
            Ok((d, link, j, c))
        })
        .await?;
    let base = state.config.public_base();
    let now = crate::db::now();
    let link = link.map(|link| {
        let status = link.status(now);
        let url = team::team_url(&base, &link.token);
        LinkView {
            // Only a live link is offered to scan.
            qr_svg: if status == LinkStatus::Live {
                crate::tools::qr_svg(&url)
            } else {
                String::new()
            },
            status,
            url,
            link,
        }
    });
    Ok(OrgPage {
        l: Layout::new(ctx),
        q,
        deployments,
        link,
        expiry_days: extra.expiry_days,
        errors: extra.errors,
        joins,
        complaints,
        import: extra.import,
        public_base: base,
    })
}

async fn overview(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Query(q): Query<ListsQuery>,
) -> AppResult<OrgPage> {
    org_page(&state, &ctx, &scope, q, Extra::default()).await
}

#[derive(Deserialize)]
pub(crate) struct LinkForm {
    #[serde(default)]
    expiry_days: String,
}

async fn create_link(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    Form(f): Form<LinkForm>,
) -> AppResult<Response> {
    let days = match team::parse_expiry_days(&f.expiry_days) {
        Ok(d) => d,
        Err(key) => {
            let mut errors = Errors::default();
            errors.add("expiry_days", key);
            let extra = Extra {
                expiry_days: f.expiry_days,
                errors,
                ..Extra::default()
            };
            let page = org_page(&state, &ctx, &scope, ListsQuery::default(), extra).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let s = scope.clone();
    let link = state
        .db
        .run(move |conn| team::create(conn, &s, days))
        .await?;
    tracing::info!(
        org.id = scope.org_id(),
        link.id = link.id,
        days,
        "team link created"
    );
    Ok(flash_redirect(
        "/org/quick-deploy#team-link",
        "quickdeploy.team.flash.link_created",
    ))
}

async fn revoke_link(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let s = scope.clone();
    state.db.run(move |conn| team::revoke(conn, &s, id)).await?;
    tracing::info!(org.id = scope.org_id(), link.id = id, "team link revoked");
    Ok(flash_redirect(
        "/org/quick-deploy#team-link",
        "quickdeploy.team.flash.link_revoked",
    ))
}

#[derive(Deserialize)]
pub(crate) struct ApprovalForm {
    #[serde(default)]
    approval: String,
}

async fn set_approval(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
    Form(f): Form<ApprovalForm>,
) -> AppResult<Response> {
    let on = match f.approval.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    state
        .db
        .run(move |conn| team::set_approval(conn, &scope, on))
        .await?;
    Ok(flash_redirect(
        "/org/quick-deploy#team-link",
        if on {
            "quickdeploy.team.flash.approval_on"
        } else {
            "quickdeploy.team.flash.approval_off"
        },
    ))
}

async fn decide(state: &AppState, scope: OrgScope, id: i64, approve: bool) -> AppResult<Response> {
    let org = scope.org_id();
    let out = state
        .db
        .run(move |conn| team_joins::decide(conn, &scope, id, approve))
        .await?;
    tracing::info!(org.id = org, join.id = id, approve, "team join decided");
    Ok(flash_redirect("/org/quick-deploy#joins", out.flash_key()))
}

async fn approve(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    decide(&state, scope, id, true).await
}

async fn reject(
    State(state): State<AppState>,
    OrgAdmin { scope, .. }: OrgAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    decide(&state, scope, id, false).await
}

async fn import(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
    mp: Multipart,
) -> AppResult<Response> {
    let text = super::form::uploaded_text(mp).await?;
    let refused = async |import: ImportView| -> AppResult<Response> {
        let extra = Extra {
            import,
            ..Extra::default()
        };
        let page = org_page(&state, &ctx, &scope, ListsQuery::default(), extra).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let rows = match team_import::parse(&text) {
        Ok(rows) => rows,
        Err(key) => return refused(ImportView::FileRefused(key)).await,
    };
    let s = scope.clone();
    let done = state
        .db
        .run(move |conn| team_import::import(conn, &s, rows))
        .await?;
    match done {
        Err(rows) => refused(ImportView::RowsRefused(rows)).await,
        Ok(invited) => {
            tracing::info!(
                org.id = scope.org_id(),
                people = invited.len(),
                "directory imported"
            );
            let extra = Extra {
                import: ImportView::Done(invited),
                ..Extra::default()
            };
            let page = org_page(&state, &ctx, &scope, ListsQuery::default(), extra).await?;
            Ok(page.into_response())
        }
    }
}

/// name, login, invitation link of every invitation still open.
async fn export_invitations(
    State(state): State<AppState>,
    OrgAdmin { ctx, scope }: OrgAdmin,
) -> AppResult<Response> {
    let rows = state
        .db
        .run(move |conn| team_import::open_invitations(conn, &scope))
        .await?;
    let lang = ctx.lang;
    let header = [
        lang.t("quickdeploy.import.name"),
        lang.t("quickdeploy.import.login"),
        lang.t("quickdeploy.import.invitation"),
    ];
    let body = team_import::invitations_csv(
        &rows,
        &state.config.public_base(),
        [header[0].as_ref(), header[1].as_ref(), header[2].as_ref()],
    )?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"invitations.csv\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}

async fn complaint_view(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    cursor: Cursor,
    body: String,
    errors: Errors,
) -> AppResult<ComplaintPage> {
    let s = scope.clone();
    let (d, mine) = state
        .db
        .run(move |conn| {
            let d = team_apps::find(conn, &s, id)?;
            let whose = Whose::Mine {
                application_id: d.application_id,
            };
            let mine = team_apps::complaints(conn, &s, whose, cursor)?;
            Ok((d, mine))
        })
        .await?;
    Ok(ComplaintPage {
        l: Layout::new(ctx),
        d,
        body,
        errors,
        mine,
    })
}

async fn complaint_page(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
    Query(q): Query<CursorQuery>,
) -> AppResult<ComplaintPage> {
    complaint_view(
        &state,
        &ctx,
        &scope,
        id,
        q.cursor(),
        String::new(),
        Errors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub(crate) struct ComplaintForm {
    #[serde(default)]
    body: String,
}

async fn complain(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
    Form(f): Form<ComplaintForm>,
) -> AppResult<Response> {
    let body = match team_apps::parse_complaint(&f.body) {
        Ok(b) => b,
        Err(key) => {
            let mut errors = Errors::default();
            errors.add("body", key);
            let page =
                complaint_view(&state, &ctx, &scope, id, Cursor::First, f.body, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let s = scope.clone();
    state
        .db
        .run(move |conn| team_apps::complain(conn, &s, id, &body))
        .await?;
    tracing::info!(
        org.id = scope.org_id(),
        deployment.id = id,
        "complaint filed"
    );
    Ok(flash_redirect(
        &format!("/org/quick-deploy/deployments/{id}/complaint"),
        "quickdeploy.team.flash.complaint_filed",
    ))
}
