//! The gate page (the figures of a phase against its thresholds, with a chart over the
//! days), the operator's product page around it, and the survey a member answers.

use askama::Template;
use askama_web::WebTemplate;

use super::feedback::{Bug, SurveyView};
use super::figures::{Check, Figures, Severity, Thresholds};
use super::gate::{COCREATION, Period};
use super::grey::{Event, Member};
use super::products::Product;
use super::thresholds::ThresholdForm;
use crate::tools::chart::{LineSeries, Lines, line_chart};
use crate::tools::wait::{cst_day_start, cst_month_day};
use crate::web::{Errors, Layout, Page};

/// One phase measured: its period (once started), figures and checks.
pub(crate) struct Gate {
    pub phase: &'static str,
    pub period: Option<Period>,
    pub figures: Option<Figures>,
    pub checks: Vec<Check>,
    pub over: bool,
}

impl Gate {
    pub(crate) fn phase_key(&self) -> &'static str {
        if self.phase == COCREATION {
            "appcentre.gate.cocreation"
        } else {
            "appcentre.gate.grey"
        }
    }
    pub(crate) fn passes(&self) -> bool {
        self.figures.is_some() && self.checks.iter().all(|c| c.passed)
    }
    pub(crate) fn first_day(&self) -> String {
        self.period
            .map(|p| cst_month_day(cst_day_start(p.start_day)))
            .unwrap_or_default()
    }
    pub(crate) fn last_day(&self) -> String {
        self.period
            .map(|p| cst_month_day(cst_day_start(p.end_day() - 1)))
            .unwrap_or_default()
    }
    /// Daily users and active organisations over the period, as a line chart.
    pub(crate) fn chart(&self, l: &Layout) -> String {
        let Some(f) = &self.figures else {
            return String::new();
        };
        let points: Vec<String> = f
            .days
            .iter()
            .map(|d| cst_month_day(cst_day_start(d.day)))
            .collect();
        let users: Vec<i64> = f.days.iter().map(|d| d.users as i64).collect();
        let orgs: Vec<i64> = f.days.iter().map(|d| d.orgs as i64).collect();
        let users_label = l.t("appcentre.gate.daily_users");
        let orgs_label = l.t("appcentre.gate.daily_orgs");
        let series = [
            LineSeries {
                label: &users_label,
                values: &users,
            },
            LineSeries {
                label: &orgs_label,
                values: &orgs,
            },
        ];
        let summary = l.lang.tf(
            "appcentre.gate.summary",
            &[
                ("users", &f.weekly_users.to_string()),
                ("orgs", &f.active.to_string()),
                ("installed", &f.installed.to_string()),
            ],
        );
        line_chart(&Lines {
            summary: &summary,
            points: &points,
            series: &series,
            empty: &l.t("appcentre.gate.no_use"),
            label_every: 1,
        })
    }
}

/// The provider's and the operator's gate page of a product.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/gate.html")]
pub(crate) struct GatePage {
    pub l: Layout,
    pub p: Product,
    pub gate: Gate,
    /// The operator's view: bug records, surveys, answers and the forms for them.
    pub operator: bool,
    pub bugs: Vec<Bug>,
    pub answers: Vec<(String, i32, String)>,
    pub errors: Errors,
    pub typed_title: String,
    pub can_submit: bool,
    /// Listed (grey, final review or open): the grey release's cohort, thresholds and trail.
    pub grey: Option<GreyView>,
    pub typed: GreyTyped,
    /// The provider may apply for the final review now.
    pub can_final: bool,
}

/// The grey release as the gate page shows it.
pub(crate) struct GreyView {
    pub cohort_size: i64,
    pub cohort: Page<Member>,
    pub started: bool,
    pub thresholds: Thresholds,
    /// The operator adjusted them for this product (the reason is in the trail).
    pub adjusted: bool,
    pub events: Vec<Event>,
    /// The stage allows rolling back (grey or final review).
    pub can_roll_back: bool,
}

/// What the operator typed into a refused grey-release form.
#[derive(Clone, Debug, Default)]
pub(crate) struct GreyTyped {
    pub corp_ids: String,
    pub edition: String,
    pub count: String,
    /// The CorpIDs of a list that were not found.
    pub unknown: Vec<String>,
    pub thresholds: Option<ThresholdForm>,
    pub pause_reason: String,
    pub rollback_reason: String,
}

impl GatePage {
    pub(crate) fn chart(&self) -> String {
        self.gate.chart(&self.l)
    }
    pub(crate) fn severities(&self) -> &'static [Severity] {
        &Severity::ALL
    }
    pub(crate) fn back(&self) -> String {
        if self.operator {
            "/operator/app-centre/reviews".into()
        } else {
            format!("/provider/app-centre/products/{}", self.p.id)
        }
    }
    /// The threshold form's values: as typed when refused, else the ones in force.
    pub(crate) fn threshold_form(&self) -> ThresholdForm {
        match (&self.typed.thresholds, &self.grey) {
            (Some(t), _) => t.clone(),
            (None, Some(g)) => ThresholdForm::of(&g.thresholds),
            (None, None) => ThresholdForm::default(),
        }
    }
    pub(crate) fn editions(&self) -> &'static [crate::org::Edition] {
        &crate::org::Edition::ALL
    }
    fn cohort_href(&self, key: &str, id: Option<i64>) -> Option<String> {
        let base = if self.operator {
            self.post_base()
        } else {
            format!("/provider/app-centre/products/{}/gate", self.p.id)
        };
        id.map(|id| format!("{base}?{key}={id}#cohort"))
    }
    pub(crate) fn cohort_prev(&self) -> Option<String> {
        let id = self.grey.as_ref().and_then(|g| g.cohort.prev);
        self.cohort_href("before", id)
    }
    pub(crate) fn cohort_next(&self) -> Option<String> {
        let id = self.grey.as_ref().and_then(|g| g.cohort.next);
        self.cohort_href("after", id)
    }
    pub(crate) fn edition_key(&self, edition: &str) -> &'static str {
        crate::org::edition_label(edition)
    }
    pub(crate) fn cohort_max(&self) -> usize {
        super::rules::COHORT_MAX
    }
    pub(crate) fn post_base(&self) -> String {
        format!("/operator/app-centre/products/{}", self.p.id)
    }
}

/// The satisfaction survey a member answers.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/survey.html")]
pub(crate) struct SurveyPage {
    pub l: Layout,
    pub s: SurveyView,
    pub errors: Errors,
    pub score: String,
    pub comment: String,
}
