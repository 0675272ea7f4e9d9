//! The evidence pack (证据包, issue 19): everything a product's gates and reviews were decided
//! on, in one place: its figures per phase against their thresholds with the daily table,
//! the survey answers, the bug records, every review decision with the checklist items it
//! failed and its reason, and the operator's threshold adjustment. Gathered once, it is
//! shown as a printable page and written as one CSV file, so a rejected provider knows why.

use askama::Template;
use askama_web::WebTemplate;
use diesel::prelude::*;

use super::feedback::{self, Bug};
use super::figures::{self, Check, Day, Inputs, Thresholds};
use super::gate::{self, COCREATION, GREY, Period};
use super::products::Product;
use super::reviews::{self, Review};
use crate::db::schema::{ac_thresholds as th, orgs};
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::tools::csv_cell;
use crate::tools::wait::cst_day_start;
use crate::web::{Layout, format_time};

/// One phase that has started: its period, its figures against the thresholds, its days.
pub(crate) struct PhaseEvidence {
    pub phase: &'static str,
    pub period: Period,
    pub over: bool,
    pub checks: Vec<Check>,
    pub days: Vec<Day>,
}

impl PhaseEvidence {
    pub(crate) fn phase_key(&self) -> &'static str {
        if self.phase == COCREATION {
            "appcentre.gate.cocreation"
        } else {
            "appcentre.gate.grey"
        }
    }
    /// "2026-11-02 – 2026-11-08": the period's first and last day (China Standard Time).
    pub(crate) fn span(&self) -> String {
        format!(
            "{} – {}",
            date(self.period.start_day),
            date(self.period.end_day() - 1)
        )
    }
}

/// The operator's adjustment of the grey-release thresholds of this product.
pub(crate) struct Adjustment {
    /// (figure's label key, the seed's threshold, the adjusted one), in the seed's order.
    pub rows: Vec<(&'static str, String, String)>,
    pub reason: String,
    pub set_at: i64,
}

/// A product's evidence, as the page and the CSV show it.
pub(crate) struct Evidence {
    pub product: Product,
    pub provider_name: String,
    pub phases: Vec<PhaseEvidence>,
    /// (phase, score, comment), newest first.
    pub answers: Vec<(String, i32, String)>,
    pub bugs: Vec<Bug>,
    /// Every review, oldest first.
    pub reviews: Vec<Review>,
    pub adjustment: Option<Adjustment>,
    /// The operator's grey-release actions (cohort, start, pause, roll-back), newest first.
    pub trail: Vec<super::grey::Event>,
}

impl Evidence {
    /// The download's name: the product code, or the id before the first submission.
    pub(crate) fn file_name(&self) -> String {
        match &self.product.code {
            Some(code) => format!("evidence-{code}.csv"),
            None => format!("evidence-product-{}.csv", self.product.id),
        }
    }
}

/// Gathers the evidence of `product` (already authorised by the caller).
pub(crate) fn gather(conn: &mut Conn, product: Product) -> AppResult<Evidence> {
    let provider_name: String = orgs::table
        .find(product.provider_org_id)
        .select(orgs::name)
        .first(conn)?;
    let mut phases = Vec::new();
    let started = [
        (COCREATION, product.cocreation_started_at),
        (GREY, product.grey_started_at),
    ];
    for (phase, at) in started {
        let Some(at) = at else { continue };
        let period = Period::of(at);
        let f = gate::measure(conn, product.id, phase, period.start_day)?;
        let t = gate::thresholds(conn, product.id, phase)?;
        phases.push(PhaseEvidence {
            phase,
            period,
            over: period.is_over(now()),
            checks: f.checks(&t),
            days: f.days,
        });
    }
    let mut reviews = reviews::of_product(conn, product.id)?;
    reviews.reverse();
    let adjusted: Option<(i32, i32, i32, i32, String, i64)> = th::table
        .find(product.id)
        .select((
            th::active_permille,
            th::dau_wau_permille,
            th::satisfaction,
            th::quality,
            th::reason,
            th::set_at,
        ))
        .first(conn)
        .optional()?;
    let adjustment = adjusted.map(|(a, d, s, q, reason, set_at)| {
        let to = Thresholds {
            active_permille: a,
            dau_wau_permille: d,
            satisfaction: s,
            quality: q,
        };
        Adjustment {
            rows: threshold_texts(&figures::GREY)
                .into_iter()
                .zip(threshold_texts(&to))
                .map(|((key, seed), (_, adjusted))| (key, seed, adjusted))
                .collect(),
            reason,
            set_at,
        }
    });
    Ok(Evidence {
        answers: feedback::answers(conn, product.id)?,
        bugs: feedback::bugs(conn, product.id)?,
        provider_name,
        phases,
        reviews,
        adjustment,
        trail: super::grey::events(conn, product.id)?,
        product,
    })
}

/// Each figure's threshold worded as the gate words it ("> 50.0%", "≥ 80"): the checks of
/// an empty measurement carry them.
fn threshold_texts(t: &Thresholds) -> Vec<(&'static str, String)> {
    let empty = figures::compute(&Inputs {
        start_day: 0,
        installed_orgs: &[],
        uses: &[],
        scores: &[],
        bugs: &[],
        server_errors: 0,
    });
    empty
        .checks(t)
        .into_iter()
        .map(|c| (c.key, c.threshold))
        .collect()
}

/// A day number as its date, "2026-11-02" (China Standard Time).
fn date(day: i64) -> String {
    format_time(cst_day_start(day)).chars().take(10).collect()
}

fn phase_label_key(phase: &str) -> &'static str {
    match phase {
        COCREATION => "appcentre.phase.cocreation",
        GREY => "appcentre.phase.grey",
        _ => "appcentre.phase.open",
    }
}

/// A review's outcome: a stable word for the CSV, the label key for people.
fn outcome(r: &Review) -> (&'static str, &'static str) {
    match r.passed {
        Some(true) => ("passed", "appcentre.review.passed"),
        Some(false) => ("rejected", "appcentre.review.rejected"),
        None => ("waiting", "appcentre.review.waiting"),
    }
}

/// The evidence pack as a printable page, for the provider or the operator.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/evidence.html")]
pub(crate) struct EvidencePage {
    pub l: Layout,
    pub e: Evidence,
    pub operator: bool,
    pub generated_at: i64,
}

impl EvidencePage {
    pub(crate) fn area(&self) -> &'static str {
        if self.operator {
            "nav.operator"
        } else {
            "nav.provider"
        }
    }
    /// The product's page on this side (the operator's is its gate page).
    pub(crate) fn product_href(&self) -> String {
        let side = if self.operator {
            "operator"
        } else {
            "provider"
        };
        format!("/{side}/app-centre/products/{}", self.e.product.id)
    }
    pub(crate) fn csv_href(&self) -> String {
        format!("{}/evidence.csv", self.product_href())
    }
    pub(crate) fn title(&self) -> String {
        format!(
            "{} · {}",
            self.l.t("appcentre.evidence.title"),
            self.e.product.name
        )
    }
    /// "生成于 2026-11-09 10:00。": a printed copy says when it was made.
    pub(crate) fn generated(&self) -> String {
        self.l.tf(
            "appcentre.evidence.generated",
            "time",
            &format_time(self.generated_at),
        )
    }
    pub(crate) fn at(&self, ts: &i64) -> String {
        format_time(*ts)
    }
    pub(crate) fn date(&self, day: &i64) -> String {
        date(*day)
    }
    pub(crate) fn phase_key(&self, phase: &str) -> &'static str {
        phase_label_key(phase)
    }
    pub(crate) fn result_key(&self, r: &Review) -> &'static str {
        outcome(r).1
    }
    pub(crate) fn result_tone(&self, r: &Review) -> &'static str {
        match r.passed {
            Some(true) => "ok",
            Some(false) => "bad",
            None => "",
        }
    }
    pub(crate) fn item_key(&self, item: &&str) -> &'static str {
        reviews::check_key(item)
    }
}

/// One row of the CSV, every cell kept as text by a spreadsheet.
fn put(w: &mut csv::Writer<Vec<u8>>, cells: [&str; 8]) -> AppResult<()> {
    w.write_record(cells.map(csv_cell))
        .map_err(AppError::internal)
}

/// The evidence as one CSV file (UTF-8 with a BOM so spreadsheet programs read Chinese):
/// `section,phase,item,value,threshold,result,at,detail`, one row per fact. Sections,
/// phases (a review's: its kind) and results are stable words, for filtering; labels and
/// text are in the reader's language.
pub(crate) fn csv(e: &Evidence, lang: Lang) -> AppResult<Vec<u8>> {
    let t = |k: &str| lang.t(k).into_owned();
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    put(
        &mut w,
        [
            "section",
            "phase",
            "item",
            "value",
            "threshold",
            "result",
            "at",
            "detail",
        ],
    )?;
    let p = &e.product;
    let version = p.version.to_string();
    let summary = [
        ("appcentre.field.name", p.name.clone()),
        ("appcentre.field.code", p.code.clone().unwrap_or_default()),
        ("appcentre.field.stage", t(p.stage().label_key())),
        ("appcentre.operator.provider", e.provider_name.clone()),
        ("appcentre.evidence.version", version),
        ("appcentre.product.reason", p.reason.clone()),
    ];
    for (key, value) in summary.iter().filter(|(_, v)| !v.is_empty()) {
        put(&mut w, ["product", "", &t(key), value, "", "", "", ""])?;
    }
    for ph in &e.phases {
        let span = ph.span();
        for c in &ph.checks {
            let result = if c.passed { "passed" } else { "failed" };
            let value = c.value.as_deref().unwrap_or("");
            put(
                &mut w,
                [
                    "figure",
                    ph.phase,
                    &t(c.key),
                    value,
                    &c.threshold,
                    result,
                    "",
                    &span,
                ],
            )?;
        }
        let (orgs_label, users_label) = (
            t("appcentre.gate.daily_orgs"),
            t("appcentre.gate.daily_users"),
        );
        for d in &ph.days {
            let day = date(d.day);
            for (label, n) in [(&orgs_label, d.orgs), (&users_label, d.users)] {
                let n = n.to_string();
                put(&mut w, ["day", ph.phase, label, &n, "", "", &day, ""])?;
            }
        }
    }
    let score = t("appcentre.evidence.score");
    for (phase, s, comment) in &e.answers {
        let s = s.to_string();
        put(&mut w, ["answer", phase, &score, &s, "", "", "", comment])?;
    }
    for b in &e.bugs {
        let at = format_time(b.recorded_at);
        let severity = t(b.severity_key());
        put(
            &mut w,
            ["bug", &b.phase, &b.title, &severity, "", "", &at, ""],
        )?;
    }
    for r in &e.reviews {
        let mut detail = vec![format!(
            "{}: {}",
            t("appcentre.evidence.submitted"),
            format_time(r.submitted_at)
        )];
        let failed: Vec<String> = r
            .failed()
            .into_iter()
            .map(|i| t(reviews::check_key(i)))
            .collect();
        if !failed.is_empty() {
            let label = t("appcentre.review.failed_items");
            detail.push(format!("{label}: {}", failed.join("、")));
        }
        if !r.reason.is_empty() {
            detail.push(format!("{}: {}", t("appcentre.review.reason"), r.reason));
        }
        let version = r.version.to_string();
        let decided = r.decided_at.map(format_time).unwrap_or_default();
        put(
            &mut w,
            [
                "review",
                &r.stage,
                &t(r.stage_key()),
                &version,
                "",
                outcome(r).0,
                &decided,
                &detail.join("; "),
            ],
        )?;
    }
    if let Some(a) = &e.adjustment {
        let at = format_time(a.set_at);
        for (key, seed, adjusted) in &a.rows {
            put(
                &mut w,
                [
                    "threshold",
                    GREY,
                    &t(key),
                    adjusted,
                    seed,
                    "",
                    &at,
                    &a.reason,
                ],
            )?;
        }
    }
    for ev in &e.trail {
        let at = format_time(ev.at);
        let cells = [
            "trail",
            GREY,
            &t(ev.kind_key()),
            "",
            "",
            "",
            &at,
            &ev.detail,
        ];
        put(&mut w, cells)?;
    }
    w.into_inner().map_err(|e| AppError::internal(e.error()))
}
