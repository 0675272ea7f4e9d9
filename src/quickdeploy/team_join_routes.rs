//! The public pages of a team invitation link (团队邀请链接, /qd/team/…): what the link
//! leads to, joining when signed in, and registering right there for a person who has
//! no account yet (the same throttled registration as the deploy link), who then joins.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::signup::{self, Refused, RegisterForm};
use super::team::{self, LinkStatus};
use super::team_joins::{self, JoinOutcome};
use super::team_pages::JoinPage;
use crate::auth::{Ctx, Signed};
use crate::error::AppResult;
use crate::web::client::Peer;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/qd/team/{token}", Policy::Public, join_page)
        .post("/qd/team/{token}/join", Policy::Signed, join)
        .get("/qd/team/{token}/register", Policy::Public, register_page)
        .post("/qd/team/{token}/register", Policy::Public, register)
}

/// The link's page; `outcome` is that of a join just posted. A signed-in person whose
/// request waits is told so instead of being offered the button again.
async fn join_view(
    state: &AppState,
    ctx: &Ctx,
    token: String,
    outcome: Option<JoinOutcome>,
) -> AppResult<JoinPage> {
    let user = ctx.user.as_ref().map(|u| u.id);
    let t = token.clone();
    let (link, org_name, member, waiting) = state
        .db
        .run(move |conn| {
            let link = team::by_token(conn, &t)?;
            let name = team::org_name(conn, link.org_id)?;
            let (member, waiting) = match user {
                Some(u) => (
                    team::is_member(conn, link.org_id, u)?,
                    team_joins::is_waiting(conn, link.org_id, u)?,
                ),
                None => (false, false),
            };
            Ok((link, name, member, waiting))
        })
        .await?;
    let tone = |o: JoinOutcome| match o {
        JoinOutcome::Refused(_) => "bad",
        JoinOutcome::Joined | JoinOutcome::AlreadyMember => "ok",
        JoinOutcome::Pending | JoinOutcome::AlreadyPending => "info",
    };
    let outcome = outcome
        .map(|o| (o.message_key(), tone(o)))
        .or((waiting && !member).then_some(("quickdeploy.team.join.waiting", "info")));
    Ok(JoinPage {
        l: Layout::new(ctx),
        org_name,
        status: link.status(crate::db::now()),
        approval: link.join_approval,
        token,
        outcome,
        member,
    })
}

async fn join_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<JoinPage> {
    join_view(&state, &ctx, token, None).await
}

/// Joins `uid` through the link: the response for each outcome.
async fn join_as(state: &AppState, ctx: &Ctx, token: String, uid: i64) -> AppResult<Response> {
    let t = token.clone();
    let (outcome, org) = state
        .db
        .run(move |conn| team_joins::join(conn, &t, uid))
        .await?;
    tracing::info!(org.id = org, user.id = uid, outcome = ?outcome, "team join");
    if outcome == JoinOutcome::Joined {
        // A member now: the organisation is theirs to switch to.
        return Ok(flash_redirect(
            &format!("/qd/team/{token}"),
            "quickdeploy.team.join.joined",
        ));
    }
    let page = join_view(state, ctx, token, Some(outcome)).await?;
    let status = match outcome {
        JoinOutcome::Refused(_) => StatusCode::GONE,
        _ => StatusCode::OK,
    };
    Ok((status, page).into_response())
}

/// The join of a person who just registered: back to the link's page, which says
/// whether they are a member or wait (this request's page was drawn before they were
/// signed in).
async fn joined_after_registering(
    state: &AppState,
    token: String,
    uid: i64,
) -> AppResult<Response> {
    let t = token.clone();
    let (outcome, org) = state
        .db
        .run(move |conn| team_joins::join(conn, &t, uid))
        .await?;
    tracing::info!(org.id = org, user.id = uid, outcome = ?outcome, "team join on registering");
    let back = format!("/qd/team/{token}");
    Ok(match outcome {
        JoinOutcome::Joined => flash_redirect(&back, "quickdeploy.team.join.joined"),
        _ => Redirect::to(&back).into_response(),
    })
}

async fn join(
    State(state): State<AppState>,
    Signed { ctx, user }: Signed,
    Path(token): Path<String>,
) -> AppResult<Response> {
    join_as(&state, &ctx, token, user.id).await
}

/// Registration on a team invitation link: the team's name above the form.
#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/team/register.html")]
pub(crate) struct RegisterPage {
    l: Layout,
    token: String,
    org_name: String,
    form: RegisterForm,
    errors: Errors,
    refusal: Option<&'static str>,
}

impl RegisterPage {
    fn login_href(&self) -> String {
        format!(
            "/login?next={}",
            crate::tools::encode_query(&format!("/qd/team/{}", self.token))
        )
    }
}

/// The link's team when it still takes joins; otherwise its page, which says why.
async fn live_team(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
) -> AppResult<Result<String, Response>> {
    let t = token.to_string();
    let (link, name) = state
        .db
        .run(move |conn| {
            let link = team::by_token(conn, &t)?;
            let name = team::org_name(conn, link.org_id)?;
            Ok((link, name))
        })
        .await?;
    if link.status(crate::db::now()) != LinkStatus::Live || ctx.user.is_some() {
        return Ok(Err(
            Redirect::to(&format!("/qd/team/{token}")).into_response()
        ));
    }
    Ok(Ok(name))
}

async fn register_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let org_name = match live_team(&state, &ctx, &token).await? {
        Ok(name) => name,
        Err(go) => return Ok(go),
    };
    Ok(RegisterPage {
        l: Layout::new(&ctx),
        token,
        org_name,
        form: RegisterForm::default(),
        errors: Errors::default(),
        refusal: None,
    }
    .into_response())
}

async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    peer: Peer,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<RegisterForm>,
) -> AppResult<Response> {
    let org_name = match live_team(&state, &ctx, &token).await? {
        Ok(name) => name,
        Err(go) => return Ok(go),
    };
    let (status, errors, refusal) =
        match signup::register(&state, &ctx, peer, &headers, &form).await? {
            Ok(uid) => return joined_after_registering(&state, token, uid).await,
            Err(Refused::Throttled(why)) => {
                (StatusCode::TOO_MANY_REQUESTS, Errors::default(), Some(why))
            }
            Err(Refused::Fields(e)) => (StatusCode::UNPROCESSABLE_ENTITY, e, None),
        };
    let page = RegisterPage {
        l: Layout::new(&ctx),
        token,
        org_name,
        form: form.kept(),
        errors,
        refusal,
    };
    Ok((status, page).into_response())
}
