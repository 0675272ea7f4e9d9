//! 报表: a table of group → value computed from one form's submissions. Only submissions
//! that are final or never needed approval count (submitted, approved).
//!
//! A published app's report aggregates the submissions of every organisation for the
//! upstream organisation, and can be split by organisation (按组织拆分); downstream it
//! counts only the caller organisation's reach (see `DataReach`).

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;

use super::store::{display_text, names_of, referenced};
use super::submission::{Status, Submission};
use crate::apps::fields_of;
use crate::apps::{Field, Page};
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::db::schema::submissions;
use crate::error::AppResult;
use crate::interconnect::{DataReach, org_names, report_reach, usable_page};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Agg {
    Count,
    Sum,
    Avg,
}

impl Agg {
    pub(crate) fn parse(s: &str) -> Agg {
        match s {
            "sum" => Agg::Sum,
            "avg" => Agg::Avg,
            _ => Agg::Count,
        }
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Agg::Count => "forms.report.count",
            Agg::Sum => "forms.report.sum",
            Agg::Avg => "forms.report.avg",
        }
    }
}

/// Groups `(group, value)` pairs and aggregates each group. Count counts rows; sum and
/// average use the values that are numbers (an average of nothing is 0).
pub(crate) fn aggregate(
    rows: impl IntoIterator<Item = (String, Option<f64>)>,
    agg: Agg,
) -> Vec<(String, f64)> {
    let mut groups: BTreeMap<String, (usize, f64, usize)> = BTreeMap::new();
    for (g, v) in rows {
        let e = groups.entry(g).or_default();
        e.0 += 1;
        if let Some(v) = v {
            e.1 += v;
            e.2 += 1;
        }
    }
    groups
        .into_iter()
        .map(|(g, (rows, sum, numbers))| {
            let value = match agg {
                Agg::Count => rows as f64,
                Agg::Sum => sum,
                Agg::Avg if numbers == 0 => 0.0,
                Agg::Avg => sum / numbers as f64,
            };
            (g, value)
        })
        .collect()
}

/// A number for people: at most two decimals, no trailing zeros.
pub(crate) fn format_number(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

pub(crate) struct ReportView {
    /// `None` when the report is not configured (or its form is gone).
    pub source: Option<String>,
    pub group_label: Option<String>,
    pub value_label: Option<String>,
    pub agg: Agg,
    /// Split by the submitter's organisation: each row then names it.
    pub by_org: bool,
    /// (organisation when split, group, value)
    pub rows: Vec<(String, String, String)>,
}

/// Separates the organisation from the group in a split report's keys.
const SPLIT: char = '\u{1f}';

const BATCH: i64 = 1000;

pub(crate) fn view(
    conn: &mut Conn,
    scope: &OrgScope,
    page: &Page,
    by_org: bool,
) -> AppResult<ReportView> {
    let agg = Agg::parse(&page.report_agg);
    let empty = ReportView {
        source: None,
        group_label: None,
        value_label: None,
        agg,
        by_org,
        rows: vec![],
    };
    let Some(form_id) = page.report_form_id else {
        return Ok(empty);
    };
    let Ok((app, source)) = usable_page(conn, scope, form_id) else {
        return Ok(empty);
    };
    if source.org_id != page.org_id {
        return Ok(empty);
    }
    let reach = report_reach(conn, scope, &app)?;
    let fields = fields_of(conn, &source)?;
    let find = |id: Option<i64>| -> Option<Field> {
        id.and_then(|i| fields.iter().find(|f| f.id == i).cloned())
    };
    let group = find(page.report_group_field_id);
    let value = find(page.report_value_field_id);
    let counted = [Status::Submitted.as_str(), Status::Approved.as_str()];
    let mut pairs = vec![];
    let mut after: Option<i64> = None;
    loop {
        let mut q = submissions::table
            .filter(submissions::org_id.eq(source.org_id))
            .filter(submissions::page_id.eq(source.id))
            .filter(submissions::status.eq_any(counted))
            .order(submissions::id.asc())
            .limit(BATCH)
            .select(Submission::as_select())
            .into_boxed();
        if let Some(a) = after {
            q = q.filter(submissions::id.gt(a));
        }
        if let DataReach::Orgs(orgs) = &reach {
            q = q.filter(submissions::submitter_org_id.eq_any(orgs.clone()));
        }
        let batch: Vec<Submission> = q.load(conn)?;
        let org_ids: HashSet<i64> = batch.iter().map(Submission::initiator_org).collect();
        let orgs = if by_org {
            org_names(conn, &org_ids)?
        } else {
            BTreeMap::new()
        };
        let full = i64::try_from(batch.len()).unwrap_or(0) == BATCH;
        after = batch.last().map(|s| s.id);
        let group_fields: Vec<Field> = group.iter().cloned().collect();
        let (people, _) = referenced(&group_fields, &batch);
        let names = names_of(conn, &people)?;
        let no_files = HashMap::new();
        for s in &batch {
            let values = s.values();
            let g = group
                .as_ref()
                .map(|f| {
                    display_text(
                        f,
                        values.get(&f.id.to_string()).map_or("", String::as_str),
                        &names,
                        &no_files,
                    )
                })
                .unwrap_or_default();
            let v = value
                .as_ref()
                .and_then(|f| values.get(&f.id.to_string()))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite());
            let g = if by_org {
                let o = orgs.get(&s.initiator_org()).cloned().unwrap_or_default();
                format!("{o}{SPLIT}{g}")
            } else {
                g
            };
            pairs.push((g, v));
        }
        if !full {
            break;
        }
    }
    let rows = aggregate(pairs, agg)
        .into_iter()
        .map(|(g, v)| {
            let (o, g) = match g.split_once(SPLIT) {
                Some((o, g)) => (o.to_string(), g.to_string()),
                None => (String::new(), g),
            };
            (o, g, format_number(v))
        })
        .collect();
    Ok(ReportView {
        source: Some(source.name),
        group_label: group.map(|f| f.label),
        value_label: value.map(|f| f.label),
        agg,
        by_org,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<(String, Option<f64>)> {
        vec![
            ("北京".into(), Some(10.0)),
            ("上海".into(), Some(5.0)),
            ("北京".into(), Some(2.5)),
            ("北京".into(), None),
        ]
    }

    #[test]
    fn count_sum_and_average_by_group() {
        assert_eq!(
            aggregate(rows(), Agg::Count),
            vec![("上海".into(), 1.0), ("北京".into(), 3.0)]
        );
        assert_eq!(
            aggregate(rows(), Agg::Sum),
            vec![("上海".into(), 5.0), ("北京".into(), 12.5)]
        );
        assert_eq!(
            aggregate(rows(), Agg::Avg),
            vec![("上海".into(), 5.0), ("北京".into(), 6.25)]
        );
    }

    #[test]
    fn numbers_are_shown_with_at_most_two_decimals() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(6.25), "6.25");
        assert_eq!(format_number(1.0 / 3.0), "0.33");
    }
}
