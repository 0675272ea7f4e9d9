//! The licence pages: one struct per page, display logic as methods.

use askama::Template;
use askama_web::WebTemplate;

use super::auto::AutoDept;
use super::purchase::SeatOrder;
use super::report::{Report, SeatCount, StaleHolder};
use super::store::{Candidate, Holder, Overview, PoolOrg};
use super::usage::{DAYS, Line, Usage};
use crate::interconnect::{MAX_SEAT_ORGS, SEAT_ALERTS};
use crate::tools::chart::{LineSeries, Lines, line_chart};
use crate::tools::wait::{cst_day_start, cst_month_day};
use crate::web::{Errors, Layout, Page};

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/licences/index.html")]
pub(crate) struct PoolPage {
    pub l: Layout,
    pub ov: Overview,
    /// The organisation's own seat orders, newest first.
    pub orders: Page<SeatOrder>,
    /// Seats used over the last 30 days per member organisation.
    pub usage: Usage,
}

impl PoolPage {
    pub(crate) fn orders_prev(&self) -> Option<String> {
        let p = self.orders.prev?;
        Some(format!("/interconnect/licences?before={p}#seat-orders"))
    }
    pub(crate) fn orders_next(&self) -> Option<String> {
        let n = self.orders.next?;
        Some(format!("/interconnect/licences?after={n}#seat-orders"))
    }
    /// The use in words ("已使用 4/5 个名额（80%），另有 1 人待分配").
    pub(crate) fn summary(&self) -> String {
        super::alert::text(self.l.lang, &self.ov.usage)
    }
    pub(crate) fn term_label(&self, o: &SeatOrder) -> String {
        self.l.tf(
            "interconnect.licences.buy.years",
            "n",
            &(o.term_months / 12),
        )
    }
    pub(crate) fn max_orgs(&self) -> i64 {
        MAX_SEAT_ORGS
    }
    pub(crate) fn orgs_cap(&self) -> String {
        self.l
            .tf("interconnect.licences.orgs_cap", "max", &MAX_SEAT_ORGS)
    }
    pub(crate) fn thresholds(&self) -> [i64; 3] {
        SEAT_ALERTS
    }
    pub(crate) fn reached(&self, t: &i64) -> bool {
        self.ov.usage.reached_alerts().contains(t)
    }
    pub(crate) fn bar_class(&self) -> &'static str {
        match self.ov.usage.percent() {
            p if p >= 100 => "bad",
            p if p >= 80 => "warn",
            _ => "ok",
        }
    }
    pub(crate) fn may_add_org(&self, o: &PoolOrg) -> bool {
        o.granted > 0 || self.ov.holding_orgs < MAX_SEAT_ORGS
    }
    /// The usage chart in words: each drawn organisation's seats today, and how many
    /// more organisations used seats in the window.
    pub(crate) fn usage_summary(&self) -> String {
        let lang = self.l.lang;
        if self.usage.lines.is_empty() {
            return lang.t("interconnect.licences.usage.empty").into_owned();
        }
        let list: Vec<String> = self
            .usage
            .lines
            .iter()
            .map(|line| {
                lang.tf(
                    "interconnect.licences.usage.item",
                    &[("n", &line.today().to_string()), ("org", &line.name)],
                )
            })
            .collect();
        let mut s = lang.tf(
            "interconnect.licences.usage.summary",
            &[
                ("days", &DAYS.to_string()),
                (
                    "list",
                    &list.join(lang.t("interconnect.licences.usage.sep").as_ref()),
                ),
            ],
        );
        if self.usage.more > 0 {
            s.push_str(&lang.tf(
                "interconnect.licences.usage.more",
                &[("n", &self.usage.more.to_string())],
            ));
        }
        s
    }
    pub(crate) fn day_label(&self, day: &i64) -> String {
        cst_month_day(cst_day_start(*day))
    }
    /// The seats of `line` on the `i`-th day of the window.
    pub(crate) fn used_on(&self, line: &Line, i: &usize) -> i64 {
        line.values.get(*i).copied().unwrap_or(0)
    }
    pub(crate) fn usage_chart(&self) -> String {
        let points: Vec<String> = self.usage.days.iter().map(|d| self.day_label(d)).collect();
        let series: Vec<LineSeries<'_>> = self
            .usage
            .lines
            .iter()
            .map(|line| LineSeries {
                label: &line.name,
                values: &line.values,
            })
            .collect();
        line_chart(&Lines {
            summary: &self.usage_summary(),
            points: &points,
            series: &series,
            empty: &self.l.t("interconnect.licences.usage.empty"),
            label_every: 7,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/licences/org.html")]
pub(crate) struct OrgSeatsPage {
    pub l: Layout,
    pub org_id: i64,
    pub org_name: String,
    pub corp_id: String,
    pub remaining: i64,
    pub candidates: Page<Candidate>,
    pub holders: Page<Holder>,
    pub depts: Vec<AutoDept>,
    /// Cursors of the two lists as query text (`after=5`, `hbefore=9`), each kept when
    /// the other pages on.
    pub people_at: String,
    pub holders_at: String,
    /// A refused release (nothing chosen), shown beside its button.
    pub errors: crate::web::Errors,
}

impl OrgSeatsPage {
    pub(crate) fn base(&self) -> String {
        format!("/interconnect/licences/orgs/{}", self.org_id)
    }
    fn href(&self, this: String, other: &str) -> String {
        let sep = if other.is_empty() { "" } else { "&" };
        format!("{}?{this}{sep}{other}", self.base())
    }
    /// The people's pager, keeping the holders' page.
    pub(crate) fn people_prev(&self) -> Option<String> {
        let p = self.candidates.prev?;
        Some(self.href(format!("before={p}"), &self.holders_at))
    }
    pub(crate) fn people_next(&self) -> Option<String> {
        let n = self.candidates.next?;
        Some(self.href(format!("after={n}"), &self.holders_at))
    }
    /// The holders' pager, keeping the people's page.
    pub(crate) fn holders_prev(&self) -> Option<String> {
        let p = self.holders.prev?;
        Some(self.href(format!("hbefore={p}"), &self.people_at))
    }
    pub(crate) fn holders_next(&self) -> Option<String> {
        let n = self.holders.next?;
        Some(self.href(format!("hafter={n}"), &self.people_at))
    }
    pub(crate) fn indent(&self, d: &AutoDept) -> String {
        "— ".repeat(d.depth)
    }
    pub(crate) fn last_login(&self, h: &Holder) -> String {
        h.last_login_at
            .map(crate::web::format_time)
            .unwrap_or_else(|| self.l.t("interconnect.licences.never").into_owned())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/licences/report.html")]
pub(crate) struct ReportPage {
    pub l: Layout,
    pub report: Report,
    /// The N of the form as typed.
    pub days: String,
    pub errors: Errors,
}

impl ReportPage {
    pub(crate) fn dept_name(&self, c: &SeatCount) -> String {
        c.department.clone().unwrap_or_else(|| {
            self.l
                .t("interconnect.licences.report.no_department")
                .into_owned()
        })
    }
    pub(crate) fn last_login(&self, s: &StaleHolder) -> String {
        s.last_login_at
            .map(crate::web::format_time)
            .unwrap_or_else(|| self.l.t("interconnect.licences.never").into_owned())
    }
    pub(crate) fn places(&self, s: &StaleHolder) -> String {
        s.places
            .iter()
            .map(|(o, d)| match d {
                Some(d) => format!("{o} / {d}"),
                None => o.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
    /// The stale holders' pager, keeping the chosen number of days.
    pub(crate) fn stale_base(&self) -> String {
        format!(
            "/interconnect/licences/report?days={}",
            crate::tools::encode_query(&self.days)
        )
    }
    pub(crate) fn csv_href(&self) -> String {
        format!(
            "/interconnect/licences/report/export?days={}",
            crate::tools::encode_query(&self.days)
        )
    }
}
