//! The operator's reviews of products: acceptance (验收) with its checklist, the access and
//! sales reviews (商品接入审核 / 商品售卖信息审核) and the final review after the grey
//! release. Each decision moves the product on and tells the provider why.

use diesel::prelude::*;

use super::product_form::ProductForm;
use super::products::{self, Product};
use super::rules::Stage;
use crate::db::schema::{ac_products as p, ac_reviews as r, app_errors, orgs};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::notifications::notify_admins;
use crate::tools::Cursor;
use crate::tools::wait::cst_day;
use crate::web::{Errors, PAGE_SIZE, Page};

/// The acceptance checklist (验收标准), in order. `no_errors` is measured, not ticked.
pub(crate) const CHECKLIST: [&str; 6] = [
    "opens",
    "no_errors",
    "permissions_match",
    "screenshots_match",
    "no_banned_words",
    "homepage_answers",
];

pub(crate) fn check_key(item: &str) -> &'static str {
    match item {
        "opens" => "appcentre.check.opens",
        "no_errors" => "appcentre.check.no_errors",
        "permissions_match" => "appcentre.check.permissions_match",
        "screenshots_match" => "appcentre.check.screenshots_match",
        "no_banned_words" => "appcentre.check.no_banned_words",
        _ => "appcentre.check.homepage_answers",
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = r)]
pub(crate) struct Review {
    pub id: i64,
    pub product_id: i64,
    pub stage: String,
    pub version: i32,
    pub snapshot: String,
    pub submitted_at: i64,
    pub decided_at: Option<i64>,
    pub passed: Option<bool>,
    pub failed_items: String,
    pub reason: String,
}

impl Review {
    pub(crate) fn form(&self) -> ProductForm {
        serde_json::from_str(&self.snapshot).unwrap_or_default()
    }
    pub(crate) fn failed(&self) -> Vec<&str> {
        self.failed_items
            .split(',')
            .filter(|s| !s.is_empty())
            .collect()
    }
    pub(crate) fn stage_key(&self) -> &'static str {
        match self.stage.as_str() {
            "acceptance" => "appcentre.review.acceptance",
            "access" => "appcentre.review.access",
            "sales" => "appcentre.review.sales",
            _ => "appcentre.review.final",
        }
    }
}

/// One row of the operator's queue.
#[derive(Clone, Debug)]
pub(crate) struct QueueRow {
    pub review: Review,
    pub product_name: String,
    pub code: String,
    pub provider_name: String,
}

/// Open reviews, oldest first.
pub(crate) fn queue(conn: &mut Conn, cursor: Cursor) -> AppResult<Page<QueueRow>> {
    Page::fetch(
        cursor,
        |x: &QueueRow| x.review.id,
        |c| {
            let q = r::table
                .inner_join(p::table.on(p::id.eq(r::product_id)))
                .inner_join(orgs::table.on(orgs::id.eq(p::provider_org_id)))
                .filter(r::decided_at.is_null())
                .select((Review::as_select(), p::name, p::code, orgs::name))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            let rows: Vec<(Review, String, Option<String>, String)> =
                crate::keyset!(q, c, r::id, asc).load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(review, product_name, code, provider_name)| QueueRow {
                    review,
                    product_name,
                    code: code.unwrap_or_default(),
                    provider_name,
                })
                .collect())
        },
    )
}

/// A listed product (灰度, 开放审核中 or 已开放) on the operator's queue page: the way to
/// its cohort, survey and controls (pause, roll-back) once its sales review is decided.
#[derive(Clone, Debug, Queryable)]
pub(crate) struct Release {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
    pub stage: String,
    pub paused: bool,
    pub provider_name: String,
}

impl Release {
    pub(crate) fn stage(&self) -> Stage {
        Stage::parse(&self.stage)
    }
}

/// The listed products, newest first, a page at a time (keyset on the id).
pub(crate) fn listed(conn: &mut Conn, cursor: Cursor) -> AppResult<Page<Release>> {
    let stages = [
        Stage::Grey.as_str(),
        Stage::FinalReview.as_str(),
        Stage::Open.as_str(),
    ];
    Page::fetch(
        cursor,
        |r: &Release| r.id,
        |c| {
            let q = p::table
                .inner_join(orgs::table.on(orgs::id.eq(p::provider_org_id)))
                .filter(p::stage.eq_any(stages))
                .select((p::id, p::name, p::code, p::stage, p::paused, orgs::name))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            Ok(crate::keyset!(q, c, p::id, desc).load(conn)?)
        },
    )
}

pub(crate) fn find(conn: &mut Conn, id: i64) -> AppResult<Review> {
    r::table
        .find(id)
        .select(Review::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A product's reviews, newest first (its timeline of decisions).
pub(crate) fn of_product(conn: &mut Conn, product: i64) -> AppResult<Vec<Review>> {
    Ok(r::table
        .filter(r::product_id.eq(product))
        .order(r::id.desc())
        .select(Review::as_select())
        .limit(200)
        .load(conn)?)
}

/// The submission before `review` of the same product, to show what changed.
pub(crate) fn previous(conn: &mut Conn, review: &Review) -> AppResult<Option<Review>> {
    Ok(r::table
        .filter(r::product_id.eq(review.product_id))
        .filter(r::id.lt(review.id))
        .order(r::id.desc())
        .select(Review::as_select())
        .first(conn)
        .optional()?)
}

/// Server errors answered on the app's pages over the 7 days up to `at`.
pub(crate) fn recent_server_errors(conn: &mut Conn, app_id: i64, at: i64) -> AppResult<i64> {
    let today = cst_day(at);
    let counts: Vec<i64> = app_errors::table
        .filter(app_errors::app_id.eq(app_id))
        .filter(app_errors::day.gt(today - 7))
        .filter(app_errors::day.le(today))
        .select(app_errors::count)
        .load(conn)?;
    Ok(counts.iter().sum())
}

/// The operator's decision as posted.
#[derive(Clone, Debug, Default)]
pub(crate) struct Decision {
    pub approve: bool,
    /// Acceptance: the checklist items ticked as passed.
    pub passed_items: Vec<String>,
    pub reason: String,
}

impl Decision {
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> Result<Decision, Errors> {
        let mut d = Decision::default();
        let mut e = Errors::default();
        let mut decision = None;
        for (k, v) in pairs {
            match k.as_str() {
                "decision" => decision = Some(v.clone()),
                "item" => d.passed_items.push(v.clone()),
                "reason" => d.reason = v.trim().to_string(),
                _ => {}
            }
        }
        match decision.as_deref() {
            Some("approve") => d.approve = true,
            Some("reject") => d.approve = false,
            _ => e.add("decision", "appcentre.error.decision"),
        }
        if !d.approve && d.reason.is_empty() {
            e.add("reason", "appcentre.error.reason");
        }
        if d.reason.chars().count() > 1000 {
            e.add("reason", "appcentre.error.reason");
        }
        if e.is_empty() { Ok(d) } else { Err(e) }
    }
}

/// Records the decision on an open review and moves the product on. Acceptance passes
/// only with every checklist item ticked and no server error measured in the last 7 days;
/// a failure names the items not ticked.
pub(crate) fn decide(conn: &mut Conn, review_id: i64, d: &Decision, by: i64) -> AppResult<Stage> {
    write_tx(conn, |conn| {
        let review = find(conn, review_id)?;
        if review.decided_at.is_some() {
            return Err(AppError::Conflict("appcentre.error.already_decided"));
        }
        let prod = products::find(conn, review.product_id)?;
        let (on_pass, on_fail) = prod
            .stage()
            .after_review()
            .ok_or(AppError::Conflict("appcentre.error.already_decided"))?;
        let failed: Vec<&str> = if review.stage == "acceptance" {
            CHECKLIST
                .iter()
                .copied()
                .filter(|i| !d.passed_items.iter().any(|x| x == i))
                .collect()
        } else {
            Vec::new()
        };
        if d.approve {
            if !failed.is_empty() {
                return Err(AppError::Conflict("appcentre.error.checklist_incomplete"));
            }
            if review.stage == "acceptance" && recent_server_errors(conn, prod.app_id, now())? > 0 {
                return Err(AppError::Conflict("appcentre.error.recent_errors"));
            }
        }
        let t = now();
        diesel::update(r::table.find(review_id))
            .set((
                r::decided_by.eq(Some(by)),
                r::decided_at.eq(Some(t)),
                r::passed.eq(Some(d.approve)),
                r::failed_items.eq(failed.join(",")),
                r::reason.eq(&d.reason),
            ))
            .execute(conn)?;
        let next = if d.approve { on_pass } else { on_fail };
        diesel::update(p::table.find(prod.id))
            .set((
                p::stage.eq(next.as_str()),
                p::reason.eq(if d.approve { "" } else { d.reason.as_str() }),
                p::updated_at.eq(t),
            ))
            .execute(conn)?;
        if next == Stage::SalesReview {
            // A passed access review hands the product to the sales review at once, as
            // submitted by the provider who asked for the access review.
            let submitter: i64 = r::table
                .find(review_id)
                .select(r::submitted_by)
                .first(conn)?;
            let snap = products::snapshot(conn, &prod)?;
            products::open_review(conn, prod.id, next, prod.version, &snap, submitter)?;
        }
        if next == Stage::Grey && d.approve {
            // Listed in grey: the release starts once the operator has chosen a cohort.
            diesel::update(p::table.find(prod.id))
                .set(p::grey_started_at.eq(None::<i64>))
                .execute(conn)?;
        }
        notify_provider(conn, &prod, d.approve, &d.reason)?;
        Ok(next)
    })
}

fn notify_provider(conn: &mut Conn, prod: &Product, passed: bool, reason: &str) -> AppResult<()> {
    let title = if passed {
        "appcentre.notify.review_passed"
    } else {
        "appcentre.notify.review_rejected"
    };
    let body = if passed {
        prod.name.clone()
    } else {
        format!("{} · {reason}", prod.name)
    };
    notify_admins(
        conn,
        prod.provider_org_id,
        title,
        &body,
        &format!("/provider/app-centre/products/{}", prod.id),
    )
}
