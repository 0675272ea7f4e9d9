//! Closing a project (结项, seed 000 step 5): the closing form — delivery date, summary and
//! the customer's acceptance result — and its check.

use super::text_between;
use crate::web::Errors;

/// Closing information (结项信息).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub(crate) struct ClosingForm {
    #[serde(default)]
    pub delivery_date: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub acceptance: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Closing {
    pub delivery_date: String,
    pub summary: String,
    pub acceptance: String,
}

pub(crate) const ACCEPTANCE_RESULTS: [&str; 3] = ["passed", "partial", "failed"];

pub(crate) fn acceptance_label(s: &str) -> &'static str {
    match s {
        "passed" => "distribution.closing.result.passed",
        "partial" => "distribution.closing.result.partial",
        "failed" => "distribution.closing.result.failed",
        _ => "common.none",
    }
}

pub(crate) fn parse_closing(form: &ClosingForm) -> Result<Closing, Errors> {
    let mut errors = Errors::default();
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let date = form.delivery_date.trim();
    if time::Date::parse(date, &fmt).is_err() {
        errors.add("delivery_date", "distribution.closing.error.date");
    }
    let summary = text_between(&form.summary, 1, 1000);
    if summary.is_none() {
        errors.add("summary", "distribution.closing.error.summary");
    }
    if !ACCEPTANCE_RESULTS.contains(&form.acceptance.as_str()) {
        errors.add("acceptance", "distribution.closing.error.acceptance");
    }
    match summary {
        Some(summary) if errors.is_empty() => Ok(Closing {
            delivery_date: date.to_string(),
            summary,
            acceptance: form.acceptance.clone(),
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_needs_a_date_a_summary_and_a_result() {
        let ok = ClosingForm {
            delivery_date: "2026-12-01".into(),
            summary: "Delivered".into(),
            acceptance: "passed".into(),
        };
        assert!(parse_closing(&ok).is_ok());
        let bad = ClosingForm {
            delivery_date: "tomorrow".into(),
            summary: " ".into(),
            acceptance: "maybe".into(),
        };
        let e = parse_closing(&bad).expect_err("refused");
        assert_eq!(e.keys().len(), 3);
    }
}
