//! The co-creation and grey-release figures (seed 002: 共创数据标准, 灰度数据标准), computed
//! from recorded use over an explicit seven-day period, and judged against thresholds.
//! Every comparison is strict where the seed says "高于" / ">" (70 % fails, 70.1 % passes)
//! and inclusive for the quality score ("80分以上" read as 80 or more, as the issue says).

use std::collections::{BTreeMap, BTreeSet};

use super::rules::PERIOD_DAYS;

/// Thresholds in integers: rates in per mille, scores in points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Thresholds {
    pub active_permille: i32,
    pub dau_wau_permille: i32,
    pub satisfaction: i32,
    pub quality: i32,
}

/// Co-creation: active organisations > 70 %, DAU/WAU > 50 %, satisfaction > 90, quality ≥ 80.
pub(crate) const COCREATION: Thresholds = Thresholds {
    active_permille: 700,
    dau_wau_permille: 500,
    satisfaction: 90,
    quality: 80,
};

/// Grey release: > 50 %, > 25 %, > 80 and quality ≥ 80 (adjustable per product).
pub(crate) const GREY: Thresholds = Thresholds {
    active_permille: 500,
    dau_wau_permille: 250,
    satisfaction: 80,
    quality: 80,
};

/// A bug's severity and what it costs the quality score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Severity {
    Minor,
    Major,
    Critical,
}

impl Severity {
    pub(crate) const ALL: [Severity; 3] = [Severity::Minor, Severity::Major, Severity::Critical];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Critical => "critical",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Severity::Minor => "appcentre.severity.minor",
            Severity::Major => "appcentre.severity.major",
            Severity::Critical => "appcentre.severity.critical",
        }
    }

    pub(crate) fn penalty(self) -> i32 {
        match self {
            Severity::Minor => 2,
            Severity::Major => 5,
            Severity::Critical => 10,
        }
    }
}

/// Each server error answered on the app's pages in the period costs a point, up to this.
pub(crate) const SERVER_ERROR_PENALTY_MAX: i64 = 20;

/// One recorded use: a person of an organisation used the app on a day.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Use {
    pub day: i64,
    pub org_id: i64,
    pub user_id: i64,
}

/// What the figures are computed from.
pub(crate) struct Inputs<'a> {
    /// The period's first day (China Standard Time day number); it lasts [`PERIOD_DAYS`].
    pub start_day: i64,
    /// Organisations that installed the product for this phase.
    pub installed_orgs: &'a [i64],
    pub uses: &'a [Use],
    pub scores: &'a [i32],
    pub bugs: &'a [Severity],
    pub server_errors: i64,
}

/// One day of the period, for the chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Day {
    pub day: i64,
    pub users: usize,
    pub orgs: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Figures {
    pub installed: usize,
    pub active: usize,
    /// Sum over the days of the day's distinct users (the mean's numerator).
    pub daily_users_sum: usize,
    pub weekly_users: usize,
    pub answers: usize,
    pub score_sum: i64,
    pub bug_penalty: i32,
    pub error_penalty: i32,
    pub quality: i32,
    pub days: Vec<Day>,
}

/// One figure against its threshold.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Check {
    pub key: &'static str,
    /// The figure as shown ("70.0%", "92.5"), or None while there is nothing to measure.
    pub value: Option<String>,
    pub threshold: String,
    pub passed: bool,
}

pub(crate) fn compute(i: &Inputs<'_>) -> Figures {
    let end = i.start_day + PERIOD_DAYS;
    let installed: BTreeSet<i64> = i.installed_orgs.iter().copied().collect();
    let in_period = i
        .uses
        .iter()
        .filter(|u| u.day >= i.start_day && u.day < end && installed.contains(&u.org_id));
    let mut per_day: BTreeMap<i64, (BTreeSet<i64>, BTreeSet<i64>)> = BTreeMap::new();
    let mut users = BTreeSet::new();
    let mut orgs = BTreeSet::new();
    for u in in_period {
        let d = per_day.entry(u.day).or_default();
        d.0.insert(u.user_id);
        d.1.insert(u.org_id);
        users.insert(u.user_id);
        orgs.insert(u.org_id);
    }
    let days: Vec<Day> = (i.start_day..end)
        .map(|day| {
            let (u, o) = per_day
                .get(&day)
                .map_or((0, 0), |(u, o)| (u.len(), o.len()));
            Day {
                day,
                users: u,
                orgs: o,
            }
        })
        .collect();
    let bug_penalty: i32 = i.bugs.iter().map(|b| b.penalty()).sum();
    let error_penalty = i.server_errors.clamp(0, SERVER_ERROR_PENALTY_MAX) as i32;
    Figures {
        installed: installed.len(),
        active: orgs.len(),
        daily_users_sum: days.iter().map(|d| d.users).sum(),
        weekly_users: users.len(),
        answers: i.scores.len(),
        score_sum: i.scores.iter().map(|s| i64::from(*s)).sum(),
        bug_penalty,
        error_penalty,
        quality: (100 - bug_penalty - error_penalty).max(0),
        days,
    }
}

fn percent(num: f64, den: f64) -> String {
    format!("{:.1}%", num * 100.0 / den)
}

impl Figures {
    /// The four figures against `t`, in the seed's order.
    pub(crate) fn checks(&self, t: &Thresholds) -> Vec<Check> {
        let active = (self.installed > 0).then(|| {
            (
                percent(self.active as f64, self.installed as f64),
                (self.active as i64) * 1000 > i64::from(t.active_permille) * self.installed as i64,
            )
        });
        let weekly = self.weekly_users as i64;
        let dau_wau = (weekly > 0).then(|| {
            (
                percent(self.daily_users_sum as f64, (PERIOD_DAYS * weekly) as f64),
                (self.daily_users_sum as i64) * 1000
                    > i64::from(t.dau_wau_permille) * PERIOD_DAYS * weekly,
            )
        });
        let satisfaction = (self.answers > 0).then(|| {
            (
                format!("{:.1}", self.score_sum as f64 / self.answers as f64),
                self.score_sum > i64::from(t.satisfaction) * self.answers as i64,
            )
        });
        let quality = Some((self.quality.to_string(), self.quality >= t.quality));
        let permille = |p: i32| format!("> {:.1}%", f64::from(p) / 10.0);
        [
            (
                "appcentre.figure.active",
                active,
                permille(t.active_permille),
            ),
            (
                "appcentre.figure.dau_wau",
                dau_wau,
                permille(t.dau_wau_permille),
            ),
            (
                "appcentre.figure.satisfaction",
                satisfaction,
                format!("> {}", t.satisfaction),
            ),
            (
                "appcentre.figure.quality",
                quality,
                format!("≥ {}", t.quality),
            ),
        ]
        .into_iter()
        .map(|(key, v, threshold)| Check {
            key,
            passed: v.as_ref().is_some_and(|(_, p)| *p),
            value: v.map(|(s, _)| s),
            threshold,
        })
        .collect()
    }

    pub(crate) fn passes(&self, t: &Thresholds) -> bool {
        self.checks(t).iter().all(|c| c.passed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(rows: &[(i64, i64, i64)]) -> Vec<Use> {
        rows.iter()
            .map(|&(day, org_id, user_id)| Use {
                day,
                org_id,
                user_id,
            })
            .collect()
    }

    fn inputs<'a>(orgs: &'a [i64], u: &'a [Use], scores: &'a [i32]) -> Inputs<'a> {
        Inputs {
            start_day: 100,
            installed_orgs: orgs,
            uses: u,
            scores,
            bugs: &[],
            server_errors: 0,
        }
    }

    #[test]
    fn seventy_percent_active_organisations_fails_and_more_passes() {
        let orgs: Vec<i64> = (1..=10).collect();
        let seven = uses(&(1..=7).map(|o| (100, o, o)).collect::<Vec<_>>());
        let f = compute(&inputs(&orgs, &seven, &[95]));
        let c = &f.checks(&COCREATION)[0];
        assert_eq!(c.value.as_deref(), Some("70.0%"));
        assert!(!c.passed, "70 % is not above 70 %");

        // 701 of 1000 organisations: 70.1 %.
        let orgs: Vec<i64> = (1..=1000).collect();
        let many = uses(&(1..=701).map(|o| (100, o, o)).collect::<Vec<_>>());
        let f = compute(&inputs(&orgs, &many, &[95]));
        let c = &f.checks(&COCREATION)[0];
        assert_eq!(c.value.as_deref(), Some("70.1%"));
        assert!(c.passed);
    }

    #[test]
    fn dau_over_wau_is_the_mean_daily_users_over_the_weeks_users() {
        // Two people; one uses the app all 7 days, the other on 1 day:
        // mean daily users = 8 / 7, weekly users = 2, DAU/WAU = 8 / 14 = 57.1 %.
        let mut rows: Vec<(i64, i64, i64)> = (100..107).map(|d| (d, 1, 10)).collect();
        rows.push((103, 2, 20));
        // Outside the period, or from an organisation that did not install: not counted.
        rows.push((107, 1, 30));
        rows.push((99, 1, 31));
        rows.push((101, 9, 32));
        let u = uses(&rows);
        let f = compute(&inputs(&[1, 2], &u, &[]));
        assert_eq!(f.daily_users_sum, 8);
        assert_eq!(f.weekly_users, 2);
        assert_eq!(f.active, 2);
        let c = &f.checks(&COCREATION)[1];
        assert_eq!(c.value.as_deref(), Some("57.1%"));
        assert!(c.passed);
        assert_eq!(f.days.len(), 7);
        assert_eq!(f.days[3].users, 2);
        assert_eq!(f.days[3].orgs, 2);
    }

    #[test]
    fn exactly_half_dau_over_wau_fails_the_co_creation_bar() {
        // Two people taking turns, one each day: 7 daily users over 7 × 2 = 50 %.
        let rows: Vec<(i64, i64, i64)> = (100..107)
            .map(|d| (d, 1, if d % 2 == 0 { 10 } else { 20 }))
            .collect();
        let u = uses(&rows);
        let f = compute(&inputs(&[1], &u, &[]));
        assert_eq!((f.daily_users_sum, f.weekly_users), (7, 2));
        assert!(
            !f.checks(&COCREATION)[1].passed,
            "7 / 14 = 50 % is not above 50 %"
        );
        assert!(f.checks(&GREY)[1].passed, "but above the grey 25 %");
    }

    #[test]
    fn the_grey_bars_are_strict_half_the_organisations_and_a_mean_of_eighty_fail() {
        // Two organisations installed, one used it every day: 50 % active is not above 50 %.
        let rows: Vec<(i64, i64, i64)> = (100..107).map(|d| (d, 1, 10)).collect();
        let u = uses(&rows);
        let f = compute(&inputs(&[1, 2], &u, &[80, 80]));
        let c = f.checks(&GREY);
        assert!(!c[0].passed, "1 of 2 = 50 % is not above 50 %");
        assert!(!c[2].passed, "a mean of 80 is not above 80");
        // Three of five active (60 %), a mean of 81: both pass.
        let rows: Vec<(i64, i64, i64)> = (1..4).map(|o| (100, o, o * 10)).collect();
        let u = uses(&rows);
        let f = compute(&inputs(&[1, 2, 3, 4, 5], &u, &[81, 81]));
        let c = f.checks(&GREY);
        assert!(c[0].passed && c[2].passed);
        assert!(c[3].passed, "quality 100 ≥ 80");
    }

    #[test]
    fn satisfaction_must_be_above_ninety_and_quality_at_least_eighty() {
        let f = compute(&inputs(&[1], &[], &[90, 90]));
        assert!(
            !f.checks(&COCREATION)[2].passed,
            "a mean of 90 is not above 90"
        );
        let f = compute(&inputs(&[1], &[], &[90, 91]));
        assert!(f.checks(&COCREATION)[2].passed);
        let none = compute(&inputs(&[1], &[], &[]));
        assert_eq!(none.checks(&COCREATION)[2].value, None);
        assert!(!none.checks(&COCREATION)[2].passed, "no answers, no pass");

        let bugs = [
            Severity::Critical,
            Severity::Major,
            Severity::Minor,
            Severity::Minor,
        ];
        let mut i = inputs(&[1], &[], &[]);
        i.bugs = &bugs;
        i.server_errors = 1;
        // 100 - (10 + 5 + 2 + 2) - 1 = 80: passes exactly.
        let f = compute(&i);
        assert_eq!(f.quality, 80);
        assert!(f.checks(&COCREATION)[3].passed);
        i.server_errors = 2;
        assert!(!compute(&i).checks(&COCREATION)[3].passed);
        i.server_errors = 1_000;
        assert_eq!(compute(&i).error_penalty, SERVER_ERROR_PENALTY_MAX as i32);
    }

    #[test]
    fn nothing_installed_measures_nothing() {
        let f = compute(&inputs(&[], &[], &[]));
        let c = f.checks(&COCREATION);
        assert_eq!(c[0].value, None);
        assert!(!f.passes(&COCREATION));
    }
}
