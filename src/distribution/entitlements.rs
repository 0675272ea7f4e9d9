//! Entitlements (功能权益): which edition unlocks which app feature. A sent app is checked
//! against the *customer's* edition (seed 000 notes), so before sending the provider sees
//! what will not work in the customer's organisation. Sending is still allowed.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{automations, components, connectors, pages};
use crate::error::AppResult;
use crate::org::Edition;

/// A feature an app may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Feature {
    FormPages,
    CustomPages,
    ProcessForms,
    Reports,
    Connectors,
    Automations,
    Components,
}

impl Feature {
    pub(crate) const ALL: [Feature; 7] = [
        Feature::FormPages,
        Feature::CustomPages,
        Feature::ProcessForms,
        Feature::Reports,
        Feature::Connectors,
        Feature::Automations,
        Feature::Components,
    ];

    /// The lowest edition that unlocks the feature: the whole matrix in one table.
    pub(crate) fn min_edition(self) -> Edition {
        match self {
            Feature::FormPages | Feature::CustomPages => Edition::Free,
            Feature::ProcessForms => Edition::Light,
            Feature::Reports | Feature::Connectors | Feature::Automations => Edition::Professional,
            Feature::Components => Edition::Exclusive,
        }
    }

    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Feature::FormPages => "distribution.feature.form_pages",
            Feature::CustomPages => "distribution.feature.custom_pages",
            Feature::ProcessForms => "distribution.feature.process_forms",
            Feature::Reports => "distribution.feature.reports",
            Feature::Connectors => "distribution.feature.connectors",
            Feature::Automations => "distribution.feature.automations",
            Feature::Components => "distribution.feature.components",
        }
    }
}

fn rank(e: Edition) -> u8 {
    match e {
        Edition::Free => 0,
        Edition::Light => 1,
        Edition::Professional => 2,
        Edition::Exclusive => 3,
    }
}

/// True when `edition` unlocks `feature`.
pub(crate) fn unlocks(edition: Edition, feature: Feature) -> bool {
    rank(edition) >= rank(feature.min_edition())
}

/// The features of `used` that a stored edition string lacks (unknown editions count as
/// free), in the order of [`Feature::ALL`].
pub(crate) fn lacking(edition: &str, used: &[Feature]) -> Vec<Feature> {
    let edition = Edition::parse(edition).unwrap_or(Edition::Free);
    Feature::ALL
        .into_iter()
        .filter(|f| used.contains(f) && !unlocks(edition, *f))
        .collect()
}

/// The features an app uses, read from its pages and parts. The app id must come from a
/// scoped lookup.
pub(crate) fn features_used(conn: &mut Conn, app_id: i64) -> AppResult<Vec<Feature>> {
    let kinds: Vec<String> = pages::table
        .filter(pages::app_id.eq(app_id))
        .select(pages::kind)
        .distinct()
        .load(conn)?;
    let has = |k: &str| kinds.iter().any(|x| x == k);
    let n_conn: i64 = connectors::table
        .filter(connectors::app_id.eq(app_id))
        .count()
        .get_result(conn)?;
    let n_auto: i64 = automations::table
        .filter(automations::app_id.eq(app_id))
        .count()
        .get_result(conn)?;
    let n_comp: i64 = components::table
        .filter(components::app_id.eq(app_id))
        .count()
        .get_result(conn)?;
    let mut out = vec![];
    for (f, used) in [
        (Feature::FormPages, has("form")),
        (Feature::CustomPages, has("custom")),
        (Feature::ProcessForms, has("process")),
        (Feature::Reports, has("report")),
        (Feature::Connectors, n_conn > 0),
        (Feature::Automations, n_auto > 0),
        (Feature::Components, n_comp > 0),
    ] {
        if used {
            out.push(f);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edition_matrix() {
        use Feature::*;
        let row = |e: Edition| -> Vec<bool> { Feature::ALL.map(|f| unlocks(e, f)).to_vec() };
        // FormPages, CustomPages, ProcessForms, Reports, Connectors, Automations, Components
        assert_eq!(
            row(Edition::Free),
            [true, true, false, false, false, false, false]
        );
        assert_eq!(
            row(Edition::Light),
            [true, true, true, false, false, false, false]
        );
        assert_eq!(
            row(Edition::Professional),
            [true, true, true, true, true, true, false]
        );
        assert_eq!(row(Edition::Exclusive), [true; 7]);
        assert_eq!(Components.min_edition(), Edition::Exclusive);
    }

    #[test]
    fn lacking_lists_only_used_features_the_edition_misses() {
        use Feature::*;
        let used = [FormPages, ProcessForms, Reports, Components];
        assert_eq!(
            lacking("free", &used),
            vec![ProcessForms, Reports, Components]
        );
        assert_eq!(lacking("light", &used), vec![Reports, Components]);
        assert_eq!(lacking("professional", &used), vec![Components]);
        assert!(lacking("exclusive", &used).is_empty());
        assert_eq!(
            lacking("unknown", &[CustomPages, Connectors]),
            vec![Connectors]
        );
    }
}
