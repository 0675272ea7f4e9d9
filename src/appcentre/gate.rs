//! The gates of co-creation (共创) and the grey release (灰度): who co-creates, when the
//! seven-day period runs, and the figures over it, gathered from recorded use (app_uses,
//! written off the request path), the survey's answers, the operator's bug records and the
//! server errors counted on the installed copies' pages.

use diesel::prelude::*;

use super::figures::{self, Figures, Inputs, Severity, Thresholds, Use};
use super::products::{self, Product};
use super::rules::{COCREATORS, ESTABLISHED_DAYS, ESTABLISHED_MIN, PERIOD_DAYS, Stage};
use crate::db::schema::{
    ac_answers as an, ac_bugs as bg, ac_cocreators as co, ac_installs as ins, ac_products as p,
    ac_surveys as sv, ac_thresholds as th, app_errors, app_uses, orgs,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::tools::wait::{DAY, cst_day};

pub(crate) const COCREATION: &str = "cocreation";
pub(crate) const GREY: &str = "grey";

/// An organisation on the platform for 90 days or more whose members used an app in the
/// last 30 days (钉钉老用户; the seed leaves the definition open).
pub(crate) fn established(conn: &mut Conn, org: i64, at: i64) -> AppResult<bool> {
    let created: Option<i64> = orgs::table
        .find(org)
        .select(orgs::created_at)
        .first(conn)
        .optional()?;
    let Some(created) = created else {
        return Ok(false);
    };
    if at - created < ESTABLISHED_DAYS * DAY {
        return Ok(false);
    }
    Ok(diesel::select(diesel::dsl::exists(
        app_uses::table
            .filter(app_uses::org_id.eq(org))
            .filter(app_uses::day.gt(cst_day(at) - 30)),
    ))
    .get_result(conn)?)
}

/// One co-creator as the provider's page lists it.
#[derive(Clone, Debug)]
pub(crate) struct Cocreator {
    pub org_id: i64,
    pub name: String,
    pub corp_id: String,
    pub established: bool,
    pub installed: bool,
}

pub(crate) fn cocreators(conn: &mut Conn, product: i64) -> AppResult<Vec<Cocreator>> {
    let rows: Vec<(i64, String, String)> = co::table
        .inner_join(orgs::table.on(orgs::id.eq(co::org_id)))
        .filter(co::product_id.eq(product))
        .filter(co::active.eq(true))
        .order(co::invited_at.asc())
        .select((co::org_id, orgs::name, orgs::corp_id))
        .load(conn)?;
    let installed: Vec<i64> = ins::table
        .filter(ins::product_id.eq(product))
        .filter(ins::phase.eq(COCREATION))
        .filter(ins::uninstalled_at.is_null())
        .select(ins::org_id)
        .load(conn)?;
    let t = now();
    rows.into_iter()
        .map(|(org_id, name, corp_id)| {
            Ok(Cocreator {
                established: established(conn, org_id, t)?,
                installed: installed.contains(&org_id),
                org_id,
                name,
                corp_id,
            })
        })
        .collect()
}

fn prelisted_own(conn: &mut Conn, provider: i64, product: i64) -> AppResult<Product> {
    let prod = products::find_own(conn, provider, product)?;
    if prod.stage() != Stage::Prelisted {
        return Err(AppError::Conflict("appcentre.error.not_prelisted"));
    }
    Ok(prod)
}

/// Invites an organisation by its CorpID to co-create; at most [`COCREATORS`] at once,
/// and not once the period has started.
pub(crate) fn invite(
    conn: &mut Conn,
    provider: i64,
    product: i64,
    corp_id: &str,
) -> Result<(), &'static str> {
    let run = |conn: &mut Conn| -> AppResult<Result<(), &'static str>> {
        let prod = prelisted_own(conn, provider, product)?;
        if prod.cocreation_started_at.is_some() {
            return Ok(Err("appcentre.error.cocreation_started"));
        }
        let org: Option<i64> = orgs::table
            .filter(orgs::corp_id.eq(corp_id.trim()))
            .select(orgs::id)
            .first(conn)
            .optional()?;
        let Some(org) = org else {
            return Ok(Err("appcentre.error.corp_unknown"));
        };
        if org == provider {
            return Ok(Err("appcentre.error.cocreator_self"));
        }
        let active: i64 = co::table
            .filter(co::product_id.eq(product))
            .filter(co::active.eq(true))
            .count()
            .get_result(conn)?;
        if active >= COCREATORS as i64 {
            return Ok(Err("appcentre.error.cocreators_full"));
        }
        let updated = diesel::update(co::table.find((product, org)))
            .set(co::active.eq(true))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(co::table)
                .values((
                    co::product_id.eq(product),
                    co::org_id.eq(org),
                    co::active.eq(true),
                    co::invited_at.eq(now()),
                ))
                .execute(conn)?;
        }
        crate::notifications::notify_admins(
            conn,
            org,
            "appcentre.notify.cocreation_invited",
            &prod.name,
            &format!("/app-centre/products/{product}"),
        )?;
        Ok(Ok(()))
    };
    match write_tx(conn, run) {
        Ok(r) => r,
        Err(AppError::Conflict(k)) => Err(k),
        Err(AppError::NotFound) => Err("appcentre.error.not_prelisted"),
        Err(_) => Err("error.internal"),
    }
}

/// Withdraws an invitation before the period starts.
pub(crate) fn withdraw(conn: &mut Conn, provider: i64, product: i64, org: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = prelisted_own(conn, provider, product)?;
        if prod.cocreation_started_at.is_some() {
            return Err(AppError::Conflict("appcentre.error.cocreation_started"));
        }
        diesel::update(co::table.find((product, org)))
            .set(co::active.eq(false))
            .execute(conn)?;
        Ok(())
    })
}

/// Starts the seven-day period: exactly ten active co-creators, at least two established.
pub(crate) fn start(conn: &mut Conn, provider: i64, product: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = prelisted_own(conn, provider, product)?;
        if prod.cocreation_started_at.is_some() {
            return Err(AppError::Conflict("appcentre.error.cocreation_started"));
        }
        let list = cocreators(conn, product)?;
        if list.len() != COCREATORS {
            return Err(AppError::Conflict("appcentre.error.cocreators_ten"));
        }
        if list.iter().filter(|c| c.established).count() < ESTABLISHED_MIN {
            return Err(AppError::Conflict("appcentre.error.established_two"));
        }
        diesel::update(p::table.find(product))
            .set(p::cocreation_started_at.eq(Some(now())))
            .execute(conn)?;
        Ok(())
    })
}

/// A phase's period: its first day and whether it is over at `at`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Period {
    pub start_day: i64,
}

impl Period {
    pub(crate) fn of(started_at: i64) -> Period {
        Period {
            start_day: cst_day(started_at),
        }
    }
    pub(crate) fn end_day(&self) -> i64 {
        self.start_day + PERIOD_DAYS
    }
    /// Over once the seventh day has passed (China Standard Time).
    pub(crate) fn is_over(&self, at: i64) -> bool {
        cst_day(at) >= self.end_day()
    }
}

/// The thresholds of a phase: the seed's, or for the grey release the operator's
/// adjustment of this product.
pub(crate) fn thresholds(conn: &mut Conn, product: i64, phase: &str) -> AppResult<Thresholds> {
    if phase == COCREATION {
        return Ok(figures::COCREATION);
    }
    let adjusted: Option<(i32, i32, i32, i32)> = th::table
        .find(product)
        .select((
            th::active_permille,
            th::dau_wau_permille,
            th::satisfaction,
            th::quality,
        ))
        .first(conn)
        .optional()?;
    Ok(adjusted.map_or(figures::GREY, |(a, d, s, q)| Thresholds {
        active_permille: a,
        dau_wau_permille: d,
        satisfaction: s,
        quality: q,
    }))
}

/// The figures of `product` over the phase's period starting on `start_day`.
pub(crate) fn measure(
    conn: &mut Conn,
    product: i64,
    phase: &str,
    start_day: i64,
) -> AppResult<Figures> {
    let end_day = start_day + PERIOD_DAYS;
    let end = crate::tools::wait::cst_day_start(end_day);
    let installs: Vec<(i64, Option<i64>)> = ins::table
        .filter(ins::product_id.eq(product))
        .filter(ins::phase.eq(phase))
        .filter(ins::installed_at.lt(end))
        .select((ins::org_id, ins::app_id))
        .load(conn)?;
    let orgs_installed: Vec<i64> = installs.iter().map(|i| i.0).collect();
    let apps: Vec<i64> = installs.iter().filter_map(|i| i.1).collect();
    let uses: Vec<(i64, i64, i64)> = app_uses::table
        .filter(app_uses::app_id.eq_any(&apps))
        .filter(app_uses::day.ge(start_day))
        .filter(app_uses::day.lt(end_day))
        .select((app_uses::day, app_uses::org_id, app_uses::user_id))
        .load(conn)?;
    let uses: Vec<Use> = uses
        .into_iter()
        .map(|(day, org_id, user_id)| Use {
            day,
            org_id,
            user_id,
        })
        .collect();
    let scores: Vec<i32> = an::table
        .inner_join(sv::table.on(sv::id.eq(an::survey_id)))
        .filter(sv::product_id.eq(product))
        .filter(sv::phase.eq(phase))
        .select(an::score)
        .load(conn)?;
    let bugs: Vec<Severity> = bg::table
        .filter(bg::product_id.eq(product))
        .filter(bg::phase.eq(phase))
        .select(bg::severity)
        .load::<String>(conn)?
        .iter()
        .filter_map(|s| Severity::parse(s))
        .collect();
    let errors: Vec<i64> = app_errors::table
        .filter(app_errors::app_id.eq_any(&apps))
        .filter(app_errors::day.ge(start_day))
        .filter(app_errors::day.lt(end_day))
        .select(app_errors::count)
        .load(conn)?;
    Ok(figures::compute(&Inputs {
        start_day,
        installed_orgs: &orgs_installed,
        uses: &uses,
        scores: &scores,
        bugs: &bugs,
        server_errors: errors.iter().sum(),
    }))
}

/// The phase a product is measured in now, with its period once started.
pub(crate) fn current(prod: &Product) -> Option<(&'static str, Option<Period>)> {
    match prod.stage() {
        Stage::Prelisted | Stage::AccessReview | Stage::AccessRejected => {
            Some((COCREATION, prod.cocreation_started_at.map(Period::of)))
        }
        Stage::SalesReview | Stage::SalesRejected => {
            Some((COCREATION, prod.cocreation_started_at.map(Period::of)))
        }
        Stage::Grey | Stage::FinalReview | Stage::Open => {
            Some((GREY, prod.grey_started_at.map(Period::of)))
        }
        _ => None,
    }
}

/// After the co-creation period, with every figure passing, the provider submits the
/// product to the access review (商品接入审核). The quality score is kept for the grade.
pub(crate) fn submit_for_review(
    conn: &mut Conn,
    provider: i64,
    product: i64,
    by: i64,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = prelisted_own(conn, provider, product)?;
        let period = prod
            .cocreation_started_at
            .map(Period::of)
            .ok_or(AppError::Conflict("appcentre.error.cocreation_not_started"))?;
        if !period.is_over(now()) {
            return Err(AppError::Conflict("appcentre.error.cocreation_running"));
        }
        let f = measure(conn, product, COCREATION, period.start_day)?;
        if !f.passes(&figures::COCREATION) {
            return Err(AppError::Conflict("appcentre.error.gate_failed"));
        }
        let snap = products::snapshot(conn, &prod)?;
        diesel::update(p::table.find(product))
            .set((
                p::stage.eq(Stage::AccessReview.as_str()),
                p::quality.eq(f.quality),
                p::updated_at.eq(now()),
            ))
            .execute(conn)?;
        products::open_review(conn, product, Stage::AccessReview, prod.version, &snap, by)
    })
}
