//! What the operator gathers beside recorded use: the satisfaction survey sent to the users
//! of the organisations that installed the product in a phase (用户满意度调查), and the
//! bugs recorded against it by severity (bug记录评分).

use diesel::prelude::*;

use super::figures::Severity;
use super::products;
use crate::db::schema::{
    ac_answers as an, ac_bugs as bg, ac_installs as ins, ac_surveys as sv, memberships,
};
use crate::db::{Conn, is_unique_violation, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::notifications::notify;

/// Sends the survey of `phase` to every member of the organisations that installed the
/// product in it; returns how many people were asked.
pub(crate) fn send_survey(conn: &mut Conn, product: i64, phase: &str, by: i64) -> AppResult<usize> {
    write_tx(conn, |conn| {
        let prod = products::find(conn, product)?;
        let orgs: Vec<i64> = ins::table
            .filter(ins::product_id.eq(product))
            .filter(ins::phase.eq(phase))
            .filter(ins::uninstalled_at.is_null())
            .select(ins::org_id)
            .load(conn)?;
        if orgs.is_empty() {
            return Err(AppError::Conflict("appcentre.error.survey_nobody"));
        }
        let id: i64 = diesel::insert_into(sv::table)
            .values((
                sv::product_id.eq(product),
                sv::phase.eq(phase),
                sv::sent_by.eq(by),
                sv::sent_at.eq(now()),
            ))
            .returning(sv::id)
            .get_result(conn)?;
        let people: Vec<(i64, i64)> = memberships::table
            .filter(memberships::org_id.eq_any(&orgs))
            .select((memberships::org_id, memberships::user_id))
            .load(conn)?;
        for (org, user) in &people {
            notify(
                conn,
                *org,
                *user,
                "appcentre.notify.survey",
                &prod.name,
                &format!("/app-centre/surveys/{id}"),
            )?;
        }
        Ok(people.len())
    })
}

/// A survey as its respondent sees it: the product's name and whether they answered.
#[derive(Clone, Debug)]
pub(crate) struct SurveyView {
    pub id: i64,
    pub product_name: String,
    pub answered: Option<i32>,
}

/// The survey for `user` of `org`: only people of organisations that installed the product
/// in the survey's phase (others: missing).
pub(crate) fn survey_for(conn: &mut Conn, id: i64, org: i64, user: i64) -> AppResult<SurveyView> {
    let (product, phase): (i64, String) = sv::table
        .find(id)
        .select((sv::product_id, sv::phase))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let asked: bool = diesel::select(diesel::dsl::exists(
        ins::table
            .filter(ins::product_id.eq(product))
            .filter(ins::phase.eq(&phase))
            .filter(ins::org_id.eq(org)),
    ))
    .get_result(conn)?;
    if !asked {
        return Err(AppError::NotFound);
    }
    let answered = an::table
        .find((id, user))
        .select(an::score)
        .first(conn)
        .optional()?;
    Ok(SurveyView {
        id,
        product_name: products::find(conn, product)?.name,
        answered,
    })
}

/// Records one answer per person (the key makes a second answer a conflict).
pub(crate) fn answer(
    conn: &mut Conn,
    id: i64,
    org: i64,
    user: i64,
    score: i32,
    comment: &str,
) -> AppResult<()> {
    survey_for(conn, id, org, user)?;
    diesel::insert_into(an::table)
        .values((
            an::survey_id.eq(id),
            an::user_id.eq(user),
            an::org_id.eq(org),
            an::score.eq(score),
            an::comment.eq(comment),
            an::answered_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict("appcentre.error.answered")
            } else {
                e.into()
            }
        })?;
    Ok(())
}

/// A score typed on the survey: a whole number from 0 to 100.
pub(crate) fn parse_score(s: &str) -> Result<i32, &'static str> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|n| (0..=100).contains(n))
        .ok_or("appcentre.error.score")
}

/// The answers of a product's surveys: (phase, score, comment), newest first.
pub(crate) fn answers(conn: &mut Conn, product: i64) -> AppResult<Vec<(String, i32, String)>> {
    Ok(an::table
        .inner_join(sv::table.on(sv::id.eq(an::survey_id)))
        .filter(sv::product_id.eq(product))
        .order(an::answered_at.desc())
        .select((sv::phase, an::score, an::comment))
        .limit(500)
        .load(conn)?)
}

#[derive(Queryable, Clone, Debug)]
pub(crate) struct Bug {
    pub phase: String,
    pub severity: String,
    pub title: String,
    pub recorded_at: i64,
}

impl Bug {
    pub(crate) fn severity_key(&self) -> &'static str {
        Severity::parse(&self.severity).map_or("appcentre.severity.minor", Severity::label_key)
    }
}

pub(crate) fn record_bug(
    conn: &mut Conn,
    product: i64,
    phase: &str,
    severity: Severity,
    title: &str,
    by: i64,
) -> AppResult<()> {
    products::find(conn, product)?;
    diesel::insert_into(bg::table)
        .values((
            bg::product_id.eq(product),
            bg::phase.eq(phase),
            bg::severity.eq(severity.as_str()),
            bg::title.eq(title),
            bg::recorded_by.eq(by),
            bg::recorded_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn bugs(conn: &mut Conn, product: i64) -> AppResult<Vec<Bug>> {
    Ok(bg::table
        .filter(bg::product_id.eq(product))
        .order(bg::id.desc())
        .select((bg::phase, bg::severity, bg::title, bg::recorded_at))
        .limit(500)
        .load(conn)?)
}
