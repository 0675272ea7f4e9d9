//! The grey release (灰度, seed 002 step 5): the operator chooses a cohort of up to 1000
//! organisations (by CorpID list, by edition, or a sample of active ones), starts the
//! week, may adjust the thresholds for the product with a reason, and may pause, resume
//! or roll the release back; the provider applies for the final review once the week
//! passed with every figure above its threshold. Each operator action is written to the
//! product's trail (`ac_events`).

use diesel::prelude::*;
use rand::seq::IndexedRandom;

use super::gate::{self, GREY, Period};
use super::products::{self, Product};
use super::rules::{COHORT_MAX, Stage};
use crate::db::schema::{
    ac_cohort as ch, ac_events as ev, ac_products as p, ac_reviews as r, ac_thresholds as th,
    app_uses, orgs, users,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::notifications::notify_admins;
use crate::tools::wait::cst_day;

/// A refused operator form: the field and the message key shown beside it.
pub(crate) type Refusal = (&'static str, &'static str);

/// How the operator picks organisations for the cohort.
#[derive(Clone, Debug)]
pub(crate) enum Pick {
    /// CorpIDs, separated by spaces, commas or lines.
    List(String),
    /// Every organisation on this edition.
    Edition(crate::org::Edition),
    /// This many organisations drawn at random from those whose members used any app in
    /// the last 30 days.
    Sample(usize),
}

/// The product, in a stage where its grey release is the operator's to shape.
pub(crate) fn grey_product(conn: &mut Conn, product: i64) -> AppResult<Product> {
    let prod = products::find(conn, product)?;
    if !matches!(prod.stage(), Stage::Grey | Stage::FinalReview) {
        return Err(AppError::Conflict("appcentre.error.not_grey"));
    }
    Ok(prod)
}

pub(crate) fn log(
    conn: &mut Conn,
    product: i64,
    kind: &str,
    detail: &str,
    by: i64,
) -> AppResult<()> {
    diesel::insert_into(ev::table)
        .values((
            ev::product_id.eq(product),
            ev::kind.eq(kind),
            ev::detail.eq(detail),
            ev::by_user.eq(by),
            ev::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the operator adjusted this product's grey thresholds.
pub(crate) fn is_adjusted(conn: &mut Conn, product: i64) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(th::table.find(product))).get_result(conn)?)
}

pub(crate) fn cohort_size(conn: &mut Conn, product: i64) -> AppResult<i64> {
    Ok(ch::table
        .filter(ch::product_id.eq(product))
        .count()
        .get_result(conn)?)
}

/// Adds the picked organisations to the cohort before the week starts; the cohort never
/// passes [`COHORT_MAX`]. Returns how many were added, or why not (with the CorpIDs not
/// found, for a list).
pub(crate) fn add(
    conn: &mut Conn,
    product: i64,
    pick: &Pick,
    by: i64,
) -> AppResult<Result<usize, (Refusal, Vec<String>)>> {
    write_tx(conn, |conn| {
        let prod = grey_product(conn, product)?;
        if prod.grey_started_at.is_some() {
            return Ok(Err((("cohort", "appcentre.error.grey_started"), vec![])));
        }
        let have: Vec<i64> = ch::table
            .filter(ch::product_id.eq(product))
            .select(ch::org_id)
            .load(conn)?;
        let room = COHORT_MAX.saturating_sub(have.len());
        let fresh = |ids: Vec<i64>| -> Vec<i64> {
            let mut v: Vec<i64> = ids
                .into_iter()
                .filter(|o| *o != prod.provider_org_id && !have.contains(o))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let (field, picked) = match pick {
            Pick::List(text) => {
                let wanted: Vec<&str> = text
                    .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
                    .filter(|s| !s.is_empty())
                    .collect();
                if wanted.is_empty() {
                    return Ok(Err((
                        ("corp_ids", "appcentre.error.cohort_list_empty"),
                        vec![],
                    )));
                }
                let found: Vec<(i64, String)> = orgs::table
                    .filter(orgs::corp_id.eq_any(&wanted))
                    .select((orgs::id, orgs::corp_id))
                    .load(conn)?;
                let unknown: Vec<String> = wanted
                    .iter()
                    .filter(|w| !found.iter().any(|(_, c)| c == *w))
                    .map(|w| w.to_string())
                    .collect();
                if !unknown.is_empty() {
                    return Ok(Err((
                        ("corp_ids", "appcentre.error.cohort_unknown"),
                        unknown,
                    )));
                }
                (
                    "corp_ids",
                    fresh(found.into_iter().map(|(id, _)| id).collect()),
                )
            }
            Pick::Edition(e) => {
                let ids: Vec<i64> = orgs::table
                    .filter(orgs::edition.eq(e.as_str()))
                    .select(orgs::id)
                    .load(conn)?;
                ("edition", fresh(ids))
            }
            Pick::Sample(n) => {
                if *n == 0 || *n > COHORT_MAX {
                    return Ok(Err((("count", "appcentre.error.sample_count"), vec![])));
                }
                let active: Vec<i64> = app_uses::table
                    .filter(app_uses::day.gt(cst_day(now()) - 30))
                    .select(app_uses::org_id)
                    .distinct()
                    .load(conn)?;
                let pool = fresh(active);
                if pool.len() < *n {
                    return Ok(Err((("count", "appcentre.error.sample_short"), vec![])));
                }
                let drawn = pool
                    .choose_multiple(&mut rand::rng(), *n)
                    .copied()
                    .collect();
                ("count", drawn)
            }
        };
        if picked.is_empty() {
            return Ok(Err(((field, "appcentre.error.cohort_none_new"), vec![])));
        }
        if picked.len() > room {
            return Ok(Err(((field, "appcentre.error.cohort_full"), vec![])));
        }
        // One row at a time: diesel's batch insert is not available on the two-backend
        // connection; at most 1000 rows, in this one transaction.
        for o in &picked {
            diesel::insert_into(ch::table)
                .values((ch::product_id.eq(product), ch::org_id.eq(*o)))
                .execute(conn)?;
        }
        log(conn, product, "cohort_added", &picked.len().to_string(), by)?;
        Ok(Ok(picked.len()))
    })
}

/// Takes an organisation out of the cohort before the week starts.
pub(crate) fn remove(conn: &mut Conn, product: i64, org: i64, by: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = grey_product(conn, product)?;
        if prod.grey_started_at.is_some() {
            return Err(AppError::Conflict("appcentre.error.grey_started"));
        }
        let n = diesel::delete(ch::table.find((product, org))).execute(conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        log(conn, product, "cohort_removed", &org.to_string(), by)
    })
}

/// Starts the seven-day grey week once a cohort is chosen; the cohort is fixed from then.
pub(crate) fn start(conn: &mut Conn, product: i64, by: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = grey_product(conn, product)?;
        if prod.stage() != Stage::Grey || prod.grey_started_at.is_some() {
            return Err(AppError::Conflict("appcentre.error.grey_started"));
        }
        let size = cohort_size(conn, product)?;
        if size == 0 {
            return Err(AppError::Conflict("appcentre.error.cohort_empty"));
        }
        diesel::update(p::table.find(product))
            .set((p::grey_started_at.eq(Some(now())), p::updated_at.eq(now())))
            .execute(conn)?;
        log(conn, product, "grey_started", &size.to_string(), by)?;
        notify_admins(
            conn,
            prod.provider_org_id,
            "appcentre.notify.grey_started",
            &prod.name,
            &format!("/provider/app-centre/products/{product}/gate"),
        )
    })
}

/// Pauses (or resumes) a listed product: it keeps working where installed and stops
/// appearing to organisations that have not installed it.
pub(crate) fn set_paused(
    conn: &mut Conn,
    product: i64,
    paused: bool,
    reason: &str,
    by: i64,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = products::find(conn, product)?;
        if !matches!(prod.stage(), Stage::Grey | Stage::FinalReview | Stage::Open) {
            return Err(AppError::Conflict("appcentre.error.not_listed"));
        }
        if prod.paused == paused {
            return Err(AppError::Conflict("appcentre.error.pause_unchanged"));
        }
        diesel::update(p::table.find(product))
            .set((p::paused.eq(paused), p::updated_at.eq(now())))
            .execute(conn)?;
        let kind = if paused { "paused" } else { "resumed" };
        log(conn, product, kind, reason, by)?;
        notify_admins(
            conn,
            prod.provider_org_id,
            if paused {
                "appcentre.notify.paused"
            } else {
                "appcentre.notify.resumed"
            },
            &format!("{} · {reason}", prod.name),
            &format!("/provider/app-centre/products/{product}"),
        )
    })
}

/// Rolls the grey release back to its start: the week and the cohort are cleared (the
/// operator chooses again), an open final review is closed as rejected with the reason.
/// Installs made during the week keep working.
pub(crate) fn roll_back(conn: &mut Conn, product: i64, reason: &str, by: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = grey_product(conn, product)?;
        let at = now();
        diesel::update(r::table)
            .filter(r::product_id.eq(product))
            .filter(r::decided_at.is_null())
            .set((
                r::decided_by.eq(Some(by)),
                r::decided_at.eq(Some(at)),
                r::passed.eq(Some(false)),
                r::reason.eq(reason),
            ))
            .execute(conn)?;
        diesel::delete(ch::table.filter(ch::product_id.eq(product))).execute(conn)?;
        diesel::update(p::table.find(product))
            .set((
                p::stage.eq(Stage::Grey.as_str()),
                p::grey_started_at.eq(None::<i64>),
                p::reason.eq(reason),
                p::updated_at.eq(at),
            ))
            .execute(conn)?;
        log(conn, product, "rolled_back", reason, by)?;
        notify_admins(
            conn,
            prod.provider_org_id,
            "appcentre.notify.rolled_back",
            &format!("{} · {reason}", prod.name),
            &format!("/provider/app-centre/products/{product}/gate"),
        )
    })
}

/// After the grey week, with every figure above the (possibly adjusted) thresholds, the
/// provider applies for the final review (申请审核通过). The quality score is kept for
/// the grade.
pub(crate) fn apply_final(conn: &mut Conn, provider: i64, product: i64, by: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = products::find_own(conn, provider, product)?;
        if prod.stage() != Stage::Grey {
            return Err(AppError::Conflict("appcentre.error.not_grey"));
        }
        let period = prod
            .grey_started_at
            .map(Period::of)
            .ok_or(AppError::Conflict("appcentre.error.grey_not_started"))?;
        if !period.is_over(now()) {
            return Err(AppError::Conflict("appcentre.error.grey_running"));
        }
        let f = gate::measure(conn, product, GREY, period.start_day)?;
        if !f.passes(&gate::thresholds(conn, product, GREY)?) {
            return Err(AppError::Conflict("appcentre.error.grey_gate_failed"));
        }
        let snap = products::snapshot(conn, &prod)?;
        diesel::update(p::table.find(product))
            .set((
                p::stage.eq(Stage::FinalReview.as_str()),
                p::quality.eq(f.quality),
                p::reason.eq(""),
                p::updated_at.eq(now()),
            ))
            .execute(conn)?;
        products::open_review(conn, product, Stage::FinalReview, prod.version, &snap, by)
    })
}

/// One entry of the product's trail, with who acted.
#[derive(Clone, Debug, Queryable)]
pub(crate) struct Event {
    pub kind: String,
    pub detail: String,
    pub by_name: String,
    pub at: i64,
}

impl Event {
    pub(crate) fn kind_key(&self) -> &'static str {
        match self.kind.as_str() {
            "cohort_added" => "appcentre.event.cohort_added",
            "cohort_removed" => "appcentre.event.cohort_removed",
            "grey_started" => "appcentre.event.grey_started",
            "thresholds" => "appcentre.event.thresholds",
            "paused" => "appcentre.event.paused",
            "resumed" => "appcentre.event.resumed",
            "rolled_back" => "appcentre.event.rolled_back",
            _ => "appcentre.event.other",
        }
    }
}

/// The product's trail, newest first.
pub(crate) fn events(conn: &mut Conn, product: i64) -> AppResult<Vec<Event>> {
    Ok(ev::table
        .inner_join(users::table.on(users::id.eq(ev::by_user)))
        .filter(ev::product_id.eq(product))
        .order(ev::id.desc())
        .limit(100)
        .select((ev::kind, ev::detail, users::name, ev::at))
        .load(conn)?)
}

/// One organisation of the cohort, as the gate page lists it.
#[derive(Clone, Debug, Queryable)]
pub(crate) struct Member {
    pub org_id: i64,
    pub name: String,
    pub corp_id: String,
    pub edition: String,
}

/// A page of the cohort, by organisation id.
pub(crate) fn cohort(
    conn: &mut Conn,
    product: i64,
    cursor: crate::tools::Cursor,
) -> AppResult<crate::web::Page<Member>> {
    crate::web::Page::fetch(
        cursor,
        |m: &Member| m.org_id,
        |c| {
            let q = ch::table
                .inner_join(orgs::table.on(orgs::id.eq(ch::org_id)))
                .filter(ch::product_id.eq(product))
                .select((orgs::id, orgs::name, orgs::corp_id, orgs::edition))
                .limit(crate::web::PAGE_SIZE + 1)
                .into_boxed();
            Ok(crate::keyset!(q, c, ch::org_id, asc).load(conn)?)
        },
    )
}
