//! Report pages (报表): how a report aggregates its source form, and the check of a report
//! definition against that form's fields.

use super::{Field, FieldKind, Page};

/// How a report aggregates its source form's submissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportAgg {
    Count,
    Sum,
    Avg,
}

impl ReportAgg {
    pub const ALL: [ReportAgg; 3] = [ReportAgg::Count, ReportAgg::Sum, ReportAgg::Avg];
    pub fn as_str(self) -> &'static str {
        match self {
            ReportAgg::Count => "count",
            ReportAgg::Sum => "sum",
            ReportAgg::Avg => "avg",
        }
    }
    pub fn parse(s: &str) -> Option<ReportAgg> {
        ReportAgg::ALL.into_iter().find(|a| a.as_str() == s)
    }
    pub fn label_key(self) -> &'static str {
        match self {
            ReportAgg::Count => "apps.report.agg_count",
            ReportAgg::Sum => "apps.report.agg_sum",
            ReportAgg::Avg => "apps.report.agg_avg",
        }
    }
}

/// Field kinds a report may group by.
pub fn can_group_by(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Select | FieldKind::Member | FieldKind::Text | FieldKind::Date
    )
}

/// A report definition whose fields are known to belong to its source form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSpec {
    pub form_id: i64,
    pub group_field_id: Option<i64>,
    pub value_field_id: Option<i64>,
    pub agg: ReportAgg,
}

/// Checks a report against its source form and that form's fields: the group-by field
/// (optional: one total row) must be a select, member, text or date field of the form;
/// sum and average need a number field of the form; count needs none.
pub fn check_report(
    form: &Page,
    form_fields: &[Field],
    group: Option<i64>,
    agg: &str,
    value: Option<i64>,
) -> Result<ReportSpec, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    if !form.kind().takes_submissions() {
        errors.push(("form_id", "apps.error.report_form"));
    }
    let field = |id: i64| {
        form_fields
            .iter()
            .find(|f| f.id == id && f.page_id == form.id)
    };
    if let Some(g) = group
        && !field(g).is_some_and(|f| can_group_by(f.kind()))
    {
        errors.push(("group_field_id", "apps.error.report_group_field"));
    }
    let agg = match ReportAgg::parse(agg) {
        Some(a) => a,
        None => {
            errors.push(("agg", "apps.error.report_agg"));
            ReportAgg::Count
        }
    };
    let value_field_id = match agg {
        ReportAgg::Count => None,
        ReportAgg::Sum | ReportAgg::Avg => {
            match value.filter(|v| field(*v).is_some_and(|f| f.kind() == FieldKind::Number)) {
                Some(v) => Some(v),
                None => {
                    errors.push(("value_field_id", "apps.error.report_value_field"));
                    None
                }
            }
        }
    };
    if errors.is_empty() {
        Ok(ReportSpec {
            form_id: form.id,
            group_field_id: group,
            value_field_id,
            agg,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::app::tests::{field, page};

    #[test]
    fn a_report_groups_by_a_fitting_field_of_its_form() {
        let form = page(10, "form");
        let fields = vec![
            field(1, 10, "select"),
            field(2, 10, "number"),
            field(3, 10, "image"),
        ];
        let ok = check_report(&form, &fields, Some(1), "sum", Some(2)).expect("valid");
        assert_eq!(ok.agg, ReportAgg::Sum);
        assert_eq!(ok.value_field_id, Some(2));
        // One total row, counting: no fields needed; a stray value field is dropped.
        let total = check_report(&form, &fields, None, "count", Some(2)).expect("valid");
        assert_eq!(total.value_field_id, None);
        // An image cannot be grouped by; a field of another form is refused.
        let other = vec![field(4, 11, "select")];
        assert!(check_report(&form, &fields, Some(3), "count", None).is_err());
        assert!(check_report(&form, &other, Some(4), "count", None).is_err());
        // Sum needs a number field; a custom page is no source.
        assert!(check_report(&form, &fields, None, "sum", Some(1)).is_err());
        assert!(check_report(&page(12, "custom"), &[], None, "count", None).is_err());
        assert!(check_report(&form, &fields, None, "median", None).is_err());
    }
}
