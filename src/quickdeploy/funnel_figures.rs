//! The funnel of a deploy link as the provider reads it: visitors per step and the share
//! lost since the step before. The serial number's step is skipped when the application
//! does not ask for one.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::funnel_steps::Step;
use crate::db::Conn;
use crate::db::schema::qd_funnel as f;
use crate::error::AppResult;

/// One step of the funnel as shown.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FunnelRow {
    pub step: Step,
    /// Visitors who reached the step (`None`: the step does not apply).
    pub count: Option<i64>,
    /// Lost since the previous applicable step, in % (none for the first step, or when
    /// nobody reached the previous one).
    pub drop_pct: Option<f64>,
}

impl FunnelRow {
    pub(crate) fn skipped(&self) -> bool {
        self.count.is_none()
    }
    /// The drop-off as shown: "37.5 %".
    pub(crate) fn drop_text(&self) -> String {
        self.drop_pct
            .map(|p| format!("{p:.1} %"))
            .unwrap_or_default()
    }
}

/// The rows from the counts per step (missing steps count 0). Pure.
pub(crate) fn rows(counts: &[(String, i64)], serial_applies: bool) -> Vec<FunnelRow> {
    let mut prev: Option<i64> = None;
    Step::ALL
        .into_iter()
        .map(|step| {
            if step == Step::SerialAccepted && !serial_applies {
                return FunnelRow {
                    step,
                    count: None,
                    drop_pct: None,
                };
            }
            let n = counts
                .iter()
                .find(|(s, _)| s == step.as_str())
                .map_or(0, |(_, n)| *n);
            let drop_pct = match prev {
                Some(p) if p > 0 => Some(((p - n).max(0) as f64) * 100.0 / (p as f64)),
                _ => None,
            };
            prev = Some(n);
            FunnelRow {
                step,
                count: Some(n),
                drop_pct,
            }
        })
        .collect()
}

/// Visitors per step of the application's link (the primary key's prefix indexes it).
pub(crate) fn counts(conn: &mut Conn, application: i64) -> AppResult<Vec<(String, i64)>> {
    Ok(f::table
        .filter(f::application_id.eq(application))
        .group_by(f::step)
        .select((f::step, count_star()))
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(v: &[(&str, i64)]) -> Vec<(String, i64)> {
        v.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    }

    #[test]
    fn each_step_shows_the_share_lost_since_the_step_before() {
        let r = rows(
            &c(&[
                ("opened", 80),
                ("signed_in", 40),
                ("team", 30),
                ("serial", 30),
                ("authorised", 15),
            ]),
            true,
        );
        let counts: Vec<Option<i64>> = r.iter().map(|x| x.count).collect();
        assert_eq!(
            counts,
            [Some(80), Some(40), Some(30), Some(30), Some(15), Some(0)]
        );
        assert_eq!(r[0].drop_pct, None);
        assert_eq!(r[1].drop_text(), "50.0 %");
        assert_eq!(r[2].drop_text(), "25.0 %");
        assert_eq!(r[3].drop_text(), "0.0 %");
        assert_eq!(r[5].drop_text(), "100.0 %");
    }

    #[test]
    fn the_serial_step_is_skipped_when_no_serial_is_asked_for() {
        let r = rows(&c(&[("team", 10), ("authorised", 5)]), false);
        assert!(r[3].skipped());
        assert_eq!(r[3].step, Step::SerialAccepted);
        // Authorised counts from the team step, over the skipped one.
        assert_eq!(r[4].drop_text(), "50.0 %");
        // Nobody opened: no share to lose.
        assert_eq!(r[1].drop_pct, None);
    }
}
