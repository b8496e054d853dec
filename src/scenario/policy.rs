//! A subscription's filter policy as a scenario holds it: the TOML as written and the JSON SNS
//! is given, checked by the emulator's own `filter_policy` when the scenario is read.

use super::keys::Codec;
use crate::emulator::filter_policy::{FilterPolicy, Scope};
use serde_json::{Value, json};
use sqsbench_keys::document::Field;

/// A filter policy as written (MessageAttributes scope), and as the JSON SNS is given.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySpec {
    pub toml: toml::Value,
    pub json: serde_json::Value,
}

impl PolicySpec {
    /// The policy, parsed; it was checked when the scenario was read.
    pub fn parsed(&self) -> FilterPolicy {
        FilterPolicy::from_json(&self.json, Scope::MessageAttributes)
            .expect("a scenario's filter policy was checked when it was read")
    }
}

/// An inline table, checked as a MessageAttributes-scope filter policy by the emulator's parser.
pub(crate) struct Policies;

impl Codec for Policies {
    type Value = PolicySpec;

    fn read(&self, f: &Field<'_>) -> Option<PolicySpec> {
        f.table()?;
        let toml = f.value()?;
        let json = serde_json::to_value(&toml).ok()?;
        match FilterPolicy::from_json(&json, Scope::MessageAttributes) {
            Ok(_) => Some(PolicySpec { toml, json }),
            Err(e) => {
                f.problem(format!("is not a filter policy SNS accepts: {e}"));
                None
            }
        }
    }

    fn write(&self, value: &PolicySpec) -> Option<toml::Value> {
        Some(value.toml.clone())
    }

    fn accepts(&self) -> String {
        "a filter policy as a TOML table, e.g. { event = [\"order_paid\"] }".into()
    }

    fn schema(&self) -> Value {
        json!({"type": "object"})
    }
}
