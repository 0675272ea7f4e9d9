//! What a copy must tell the customer (the reconfiguration list), the stage a failed send
//! stopped at, and how sample data follows the copied fields: plain rules, no database.

use std::collections::HashMap;

use crate::forms::parse_data;

/// Source field id → (copy field id, is a file field).
pub type FieldMap = HashMap<i64, (i64, bool)>;

/// What the customer must configure again after delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reconfigure {
    Process,
    Notification,
    ThirdParty,
    Automation,
}

impl Reconfigure {
    pub const ALL: [Reconfigure; 4] = [
        Reconfigure::Process,
        Reconfigure::Notification,
        Reconfigure::ThirdParty,
        Reconfigure::Automation,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Reconfigure::Process => "process",
            Reconfigure::Notification => "notification",
            Reconfigure::ThirdParty => "third_party",
            Reconfigure::Automation => "automation",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Reconfigure::Process => "distribution.reconfigure.process",
            Reconfigure::Notification => "distribution.reconfigure.notification",
            Reconfigure::ThirdParty => "distribution.reconfigure.third_party",
            Reconfigure::Automation => "distribution.reconfigure.automation",
        }
    }
    pub fn hint_key(self) -> &'static str {
        match self {
            Reconfigure::Process => "distribution.reconfigure.process_hint",
            Reconfigure::Notification => "distribution.reconfigure.notification_hint",
            Reconfigure::ThirdParty => "distribution.reconfigure.third_party_hint",
            Reconfigure::Automation => "distribution.reconfigure.automation_hint",
        }
    }
    /// The stored comma list, unknown entries ignored, in the order of [`Self::ALL`].
    pub fn parse_list(s: &str) -> Vec<Reconfigure> {
        let items: Vec<&str> = s.split(',').map(str::trim).collect();
        Reconfigure::ALL
            .into_iter()
            .filter(|r| items.contains(&r.as_str()))
            .collect()
    }
    pub fn join(list: &[Reconfigure]) -> String {
        Reconfigure::ALL
            .into_iter()
            .filter(|r| list.contains(r))
            .map(Reconfigure::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The stage a copy had reached; a failed send stores its key as the reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    App,
    Pages,
    Reports,
    Components,
    Connectors,
    Templates,
    Automations,
    Samples,
}

impl Stage {
    pub fn reason_key(self) -> &'static str {
        match self {
            Stage::App => "distribution.failure.app",
            Stage::Pages => "distribution.failure.pages",
            Stage::Reports => "distribution.failure.reports",
            Stage::Components => "distribution.failure.components",
            Stage::Connectors => "distribution.failure.connectors",
            Stage::Templates => "distribution.failure.templates",
            Stage::Automations => "distribution.failure.automations",
            Stage::Samples => "distribution.failure.samples",
        }
    }
}

/// The reconfiguration list of a copy, from what it received.
pub fn reconfigure_for(
    process_forms: usize,
    templates: usize,
    connectors_sent: usize,
    automations: usize,
) -> Vec<Reconfigure> {
    let mut out = vec![];
    if process_forms > 0 {
        out.push(Reconfigure::Process);
    }
    if templates > 0 {
        out.push(Reconfigure::Notification);
    }
    if connectors_sent > 0 {
        out.push(Reconfigure::ThirdParty);
    }
    if automations > 0 {
        out.push(Reconfigure::Automation);
    }
    out
}

/// Sample values without the files: attachments stay in the provider's organisation.
pub fn remap_sample(data: &str, field_map: &FieldMap) -> String {
    let mut out = serde_json::Map::new();
    for (k, v) in parse_data(data) {
        if let Some((new_id, is_file)) = k.parse::<i64>().ok().and_then(|id| field_map.get(&id))
            && !is_file
        {
            out.insert(new_id.to_string(), serde_json::Value::String(v));
        }
    }
    serde_json::Value::Object(out).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reconfigure_list_round_trips_in_a_fixed_order() {
        let list = reconfigure_for(1, 2, 0, 1);
        assert_eq!(
            list,
            vec![
                Reconfigure::Process,
                Reconfigure::Notification,
                Reconfigure::Automation
            ]
        );
        let s = Reconfigure::join(&list);
        assert_eq!(s, "process,notification,automation");
        assert_eq!(Reconfigure::parse_list(&s), list);
        assert_eq!(
            Reconfigure::parse_list("third_party, bogus"),
            vec![Reconfigure::ThirdParty]
        );
        assert!(reconfigure_for(0, 0, 0, 0).is_empty());
    }

    #[test]
    fn sample_values_are_remapped_and_files_dropped() {
        let map = HashMap::from([(1, (11, false)), (2, (12, true))]);
        let out = remap_sample(r#"{"1":"华东钢材","2":"file:9","3":"stray"}"#, &map);
        assert_eq!(out, r#"{"11":"华东钢材"}"#);
    }
}
