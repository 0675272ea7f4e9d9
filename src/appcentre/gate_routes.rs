//! Co-creation and its gate: the provider invites ten organisations and starts the week,
//! both sides see the figures against the thresholds, the operator records bugs and sends
//! the survey, members answer it, and a passed gate lets the provider submit the product
//! to the access review.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::feedback;
use super::figures::Severity;
use super::gate::{self, COCREATION, GREY};
use super::gate_pages::{Gate, GatePage, GreyTyped, GreyView, SurveyPage};
use super::grey;
use super::products::{self, Product};
use super::rules::Stage;
use crate::auth::{Ctx, Operator};
use crate::db::{Conn, now};
use crate::distribution::Provider;
use crate::error::{AppError, AppResult};
use crate::tools::{Cursor, CursorQuery};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .post(
            "/provider/app-centre/products/{id}/cocreators",
            Policy::Provider,
            invite,
        )
        .post(
            "/provider/app-centre/products/{id}/cocreators/{org}/withdraw",
            Policy::Provider,
            withdraw,
        )
        .post(
            "/provider/app-centre/products/{id}/cocreation/start",
            Policy::Provider,
            start,
        )
        .get(
            "/provider/app-centre/products/{id}/gate",
            Policy::Provider,
            provider_gate,
        )
        .post(
            "/provider/app-centre/products/{id}/review",
            Policy::Provider,
            submit_review,
        )
        .get(
            "/operator/app-centre/products/{id}",
            Policy::Operator,
            operator_gate,
        )
        .post(
            "/operator/app-centre/products/{id}/survey",
            Policy::Operator,
            send_survey,
        )
        .post(
            "/operator/app-centre/products/{id}/bugs",
            Policy::Operator,
            record_bug,
        )
        .get("/app-centre/surveys/{id}", Policy::InOrg, survey)
        .post("/app-centre/surveys/{id}", Policy::InOrg, answer)
}

/// The phase the product is measured in now, with its figures once the period started.
pub(crate) fn gate_of(conn: &mut Conn, p: &Product) -> AppResult<Gate> {
    let (phase, period) = gate::current(p).unwrap_or((COCREATION, None));
    let (figures, checks) = match period {
        Some(period) => {
            let f = gate::measure(conn, p.id, phase, period.start_day)?;
            let t = gate::thresholds(conn, p.id, phase)?;
            let checks = f.checks(&t);
            (Some(f), checks)
        }
        None => (None, Vec::new()),
    };
    Ok(Gate {
        phase,
        over: period.is_some_and(|x| x.is_over(now())),
        period,
        figures,
        checks,
    })
}

/// The grey release of a listed product (grey, final review or open), else nothing.
pub(crate) fn grey_of(conn: &mut Conn, p: &Product, cursor: Cursor) -> AppResult<Option<GreyView>> {
    if !matches!(p.stage(), Stage::Grey | Stage::FinalReview | Stage::Open) {
        return Ok(None);
    }
    let adjusted = grey::is_adjusted(conn, p.id)?;
    Ok(Some(GreyView {
        cohort_size: grey::cohort_size(conn, p.id)?,
        cohort: grey::cohort(conn, p.id, cursor)?,
        started: p.grey_started_at.is_some(),
        thresholds: gate::thresholds(conn, p.id, GREY)?,
        adjusted,
        events: grey::events(conn, p.id)?,
        can_roll_back: p.stage() != Stage::Open,
    }))
}

#[derive(Deserialize)]
pub(crate) struct InviteForm {
    #[serde(default)]
    corp_id: String,
}

async fn invite(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Form(f): Form<InviteForm>,
) -> AppResult<Response> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    let corp = f.corp_id.clone();
    let refused = state
        .db
        .run(move |conn| Ok(gate::invite(conn, org, id, &corp).err()))
        .await?;
    if let Some(key) = refused {
        let page =
            super::provider_routes::product_page(&state, &pv, id, None, Some((key, f.corp_id)))
                .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok(flash_redirect(
        &format!("/provider/app-centre/products/{id}#cocreation"),
        "appcentre.flash.cocreator_invited",
    ))
}

async fn withdraw(
    State(state): State<AppState>,
    pv: Provider,
    Path((id, target)): Path<(i64, i64)>,
) -> AppResult<Response> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    state
        .db
        .run(move |conn| gate::withdraw(conn, org, id, target))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/app-centre/products/{id}#cocreation"),
        "appcentre.flash.cocreator_withdrawn",
    ))
}

async fn start(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    pv.require_admin()?;
    let org = pv.scope.org_id();
    state.db.run(move |conn| gate::start(conn, org, id)).await?;
    Ok(flash_redirect(
        &format!("/provider/app-centre/products/{id}/gate"),
        "appcentre.flash.cocreation_started",
    ))
}

async fn provider_gate(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
    Query(q): Query<CursorQuery>,
) -> AppResult<GatePage> {
    let org = pv.scope.org_id();
    let (p, gate, grey) = state
        .db
        .run(move |conn| {
            let p = products::find_own(conn, org, id)?;
            let g = gate_of(conn, &p)?;
            let grey = grey_of(conn, &p, q.cursor())?;
            Ok((p, g, grey))
        })
        .await?;
    let ready = pv.is_admin() && gate.over && gate.passes();
    let can_submit = ready && p.stage() == Stage::Prelisted;
    let can_final = ready && p.stage() == Stage::Grey && gate.phase == GREY;
    Ok(GatePage {
        l: Layout::new(&pv.ctx),
        p,
        gate,
        operator: false,
        bugs: Vec::new(),
        answers: Vec::new(),
        errors: Errors::default(),
        typed_title: String::new(),
        can_submit,
        grey,
        typed: GreyTyped::default(),
        can_final,
    })
}

async fn submit_review(
    State(state): State<AppState>,
    pv: Provider,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    pv.require_admin()?;
    let (org, by) = (pv.scope.org_id(), pv.scope.user_id());
    state
        .db
        .run(move |conn| gate::submit_for_review(conn, org, id, by))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/app-centre/products/{id}"),
        "appcentre.flash.submitted_access",
    ))
}

/// The operator's product page: the gate, feedback and the grey release's forms.
pub(crate) async fn operator_page(
    state: &AppState,
    op: &Operator,
    id: i64,
    errors: Errors,
    typed_title: String,
    typed: GreyTyped,
    cohort: Cursor,
) -> AppResult<GatePage> {
    let (p, gate, bugs, answers, grey) = state
        .db
        .run(move |conn| {
            let p = products::find(conn, id)?;
            let g = gate_of(conn, &p)?;
            let grey = grey_of(conn, &p, cohort)?;
            Ok((
                p,
                g,
                feedback::bugs(conn, id)?,
                feedback::answers(conn, id)?,
                grey,
            ))
        })
        .await?;
    Ok(GatePage {
        l: Layout::new(&op.ctx),
        p,
        gate,
        operator: true,
        bugs,
        answers,
        errors,
        typed_title,
        can_submit: false,
        grey,
        typed,
        can_final: false,
    })
}

async fn operator_gate(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Query(q): Query<CursorQuery>,
) -> AppResult<GatePage> {
    let (e, t) = (Errors::default(), GreyTyped::default());
    operator_page(&state, &op, id, e, String::new(), t, q.cursor()).await
}

#[derive(Deserialize)]
pub(crate) struct PhaseForm {
    #[serde(default)]
    phase: String,
}

fn phase(s: &str) -> AppResult<&'static str> {
    match s {
        COCREATION => Ok(COCREATION),
        GREY => Ok(GREY),
        _ => Err(AppError::BadRequest("error.bad_request")),
    }
}

async fn send_survey(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<PhaseForm>,
) -> AppResult<Response> {
    let phase = phase(&f.phase)?;
    let by = op.user_id;
    let n = state
        .db
        .run(move |conn| feedback::send_survey(conn, id, phase, by))
        .await?;
    tracing::info!(product.id = id, asked = n, "survey sent");
    Ok(flash_redirect(
        &format!("/operator/app-centre/products/{id}"),
        "appcentre.flash.survey_sent",
    ))
}

#[derive(Deserialize)]
pub(crate) struct BugForm {
    #[serde(default)]
    phase: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    title: String,
}

async fn record_bug(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(f): Form<BugForm>,
) -> AppResult<Response> {
    let phase = phase(&f.phase)?;
    let severity = Severity::parse(&f.severity).ok_or(AppError::BadRequest("error.bad_request"))?;
    let title = f.title.trim().to_string();
    if !(2..=200).contains(&title.chars().count()) {
        let mut e = Errors::default();
        e.add("title", "appcentre.error.bug_title");
        let (t, c) = (GreyTyped::default(), Cursor::First);
        let page = operator_page(&state, &op, id, e, f.title, t, c).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let by = op.user_id;
    state
        .db
        .run(move |conn| feedback::record_bug(conn, id, phase, severity, &title, by))
        .await?;
    Ok(flash_redirect(
        &format!("/operator/app-centre/products/{id}"),
        "appcentre.flash.bug_recorded",
    ))
}

async fn survey(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<SurveyPage> {
    let scope = ctx.scope()?;
    let (org, user) = (scope.org_id(), scope.user_id());
    let s = state
        .db
        .run(move |conn| feedback::survey_for(conn, id, org, user))
        .await?;
    Ok(SurveyPage {
        l: Layout::new(&ctx),
        s,
        errors: Errors::default(),
        score: String::new(),
        comment: String::new(),
    })
}

#[derive(Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let (org, user) = (scope.org_id(), scope.user_id());
    let comment: String = f.comment.trim().chars().take(500).collect();
    let score = match feedback::parse_score(&f.score) {
        Ok(s) => s,
        Err(k) => {
            let s = state
                .db
                .run(move |conn| feedback::survey_for(conn, id, org, user))
                .await?;
            let mut errors = Errors::default();
            errors.add("score", k);
            let page = SurveyPage {
                l: Layout::new(&ctx),
                s,
                errors,
                score: f.score,
                comment: f.comment,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    state
        .db
        .run(move |conn| feedback::answer(conn, id, org, user, score, &comment))
        .await?;
    Ok(flash_redirect(
        &format!("/app-centre/surveys/{id}"),
        "appcentre.flash.answered",
    ))
}
