//! The grant request form as it arrives and its parsing into a reason and a duration.

use serde::Deserialize;

use super::{parse_duration, parse_reason};
use crate::web::Errors;

/// `/maintenance/request?app=…`
#[derive(Deserialize, Clone, Debug)]
pub(crate) struct AppQuery {
    pub app: i64,
}

#[derive(Deserialize, Clone, Debug)]
pub(crate) struct RequestForm {
    pub app: i64,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub unit: String,
}

impl RequestForm {
    /// An empty form for `app`: one day is a sensible default.
    pub(crate) fn new(app: i64) -> RequestForm {
        RequestForm {
            app,
            reason: String::new(),
            amount: "1".into(),
            unit: "days".into(),
        }
    }

    /// (reason, duration in seconds), or the messages to show beside the fields.
    pub(crate) fn parse(&self) -> Result<(String, i64), Errors> {
        let mut errors = Errors::default();
        let reason = parse_reason(&self.reason)
            .map_err(|k| errors.add("reason", k))
            .ok();
        let secs = parse_duration(&self.amount, &self.unit)
            .map_err(|k| errors.add("amount", k))
            .ok();
        match (reason, secs) {
            (Some(r), Some(s)) => Ok((r, s)),
            _ => Err(errors),
        }
    }
}

/// Keyset cursors of the three lists on `/maintenance` (`after_c`, `before_c`, …).
#[derive(Deserialize, Default, Clone, Debug)]
pub(crate) struct ListQuery {
    pub after_c: Option<i64>,
    pub before_c: Option<i64>,
    pub after_p: Option<i64>,
    pub before_p: Option<i64>,
    pub after_m: Option<i64>,
    pub before_m: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_fields_report_their_own_error() {
        let mut f = RequestForm::new(1);
        let e = f.parse().expect_err("no reason");
        assert_eq!(
            e.get("reason"),
            Some("distribution.maintenance.error.reason_required")
        );
        f.reason = "修复".into();
        f.amount = "31".into();
        let e = f.parse().expect_err("too long");
        assert_eq!(
            e.get("amount"),
            Some("distribution.maintenance.error.duration")
        );
        f.amount = "2".into();
        assert_eq!(f.parse().ok(), Some(("修复".to_string(), 2 * 86_400)));
    }
}
