//! Apps published to member organisations' workbenches (应用一键发布至下游工作台): the
//! space owner's managers publish one of their organisation's apps to all or chosen
//! member organisations, change the targets or withdraw it. The app stays in the
//! upstream organisation: permission rules, approval flows and authorised lists remain
//! under its control (downstream admins get no builder rights). Downstream people use
//! it through the forms pages; [`store::usable_app`] decides who may.

mod manage;
pub(crate) mod routes;
pub(crate) mod store;

use crate::error::AppError;
use store::Targets;

pub(crate) use routes::router;

/// Reads the posted targets: `mode=all`, or `mode=chosen` with one `org` per chosen
/// member organisation.
pub(crate) fn parse_targets(pairs: &[(String, String)]) -> Result<Targets, AppError> {
    let mode = pairs
        .iter()
        .find(|(k, _)| k == "mode")
        .map(|(_, v)| v.as_str());
    match mode {
        Some("all") => Ok(Targets::All),
        Some("chosen") => {
            let mut orgs = Vec::new();
            for (k, v) in pairs {
                if k == "org" {
                    let id = v
                        .parse::<i64>()
                        .map_err(|_| AppError::BadRequest("error.bad_request"))?;
                    if !orgs.contains(&id) {
                        orgs.push(id);
                    }
                }
            }
            Ok(Targets::Chosen(orgs))
        }
        _ => Err(AppError::BadRequest("error.bad_request")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn targets_are_all_or_the_chosen_organisations() {
        assert_eq!(
            parse_targets(&pairs(&[("mode", "all"), ("org", "3")])).ok(),
            Some(Targets::All)
        );
        assert_eq!(
            parse_targets(&pairs(&[
                ("mode", "chosen"),
                ("org", "3"),
                ("org", "5"),
                ("org", "3")
            ]))
            .ok(),
            Some(Targets::Chosen(vec![3, 5]))
        );
        assert!(parse_targets(&pairs(&[("mode", "chosen"), ("org", "x")])).is_err());
        assert!(parse_targets(&pairs(&[])).is_err());
    }
}
