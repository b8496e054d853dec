//! A rule's event pattern and input transformer as a scenario holds them: the pattern as
//! written and the JSON EventBridge is given, checked by the emulator's own `event_pattern` (the
//! code the harness later predicts each rule's events with) and limited to the fields publishers
//! draw; the transformer checked to carry the message body. Must not depend on anything outside
//! `scenario`'s codecs and the emulator's pure parts.

use std::collections::BTreeMap;

use super::keys::Codec;
use crate::emulator::event_pattern::EventPattern;
use serde_json::{Value, json};
use sqsbench_keys::document::Field;

/// The detail field each event carries its message body in: how a consumer finds the message
/// whatever else the rule's target gets.
pub const BODY_FIELD: &str = "sqsbench";
/// The event fields a publisher draws, and so the only ones a rule's pattern may match on: the
/// harness predicts each rule's events from them (account, region, time, id and resources are
/// EventBridge's, not drawn).
pub const DRAWN_FIELDS: [&str; 3] = ["source", "detail-type", "detail"];
/// EventBridge's InputPathsMap takes at most 100 entries, and an InputTemplate 8,192 characters.
const MAX_INPUT_PATHS: usize = 100;
const MAX_TEMPLATE_CHARS: usize = 8192;

/// A rule's event pattern as written, and as the JSON EventBridge is given.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSpec {
    pub toml: toml::Value,
    pub json: Value,
}

impl PatternSpec {
    /// The pattern, parsed; it was checked when the scenario was read.
    pub fn parsed(&self) -> EventPattern {
        EventPattern::from_json(&self.json)
            .expect("a scenario's event pattern was checked when it was read")
    }
}

/// An inline table, checked as an event pattern by the emulator's parser, on drawn fields only.
pub(crate) struct Patterns;

impl Codec for Patterns {
    type Value = PatternSpec;

    fn read(&self, f: &Field<'_>) -> Option<PatternSpec> {
        f.table()?;
        let toml = f.value()?;
        let json = serde_json::to_value(&toml).ok()?;
        if let Some(key) = undrawn_key(&json) {
            f.problem(format!(
                "matches on {key:?}, which sqsbench does not draw: a rule's pattern may match on source, detail-type and detail (the fields [[event_publishers]] draw), so each rule's events can be predicted"
            ));
            return None;
        }
        if json.pointer(&format!("/detail/{BODY_FIELD}")).is_some() {
            f.problem(format!(
                "matches on detail.{BODY_FIELD}, the field that carries each message's body"
            ));
            return None;
        }
        match EventPattern::from_json(&json) {
            Ok(_) => Some(PatternSpec { toml, json }),
            Err(e) => {
                f.problem(format!("is not an event pattern EventBridge accepts: {e}"));
                None
            }
        }
    }

    fn write(&self, value: &PatternSpec) -> Option<toml::Value> {
        Some(value.toml.clone())
    }

    fn accepts(&self) -> String {
        "an event pattern as a TOML table, e.g. { source = [\"orders\"] }".into()
    }

    fn schema(&self) -> Value {
        json!({"type": "object"})
    }
}

/// A top-level key of the pattern (or of one of its `$or` alternatives) that names no drawn field.
fn undrawn_key(pattern: &Value) -> Option<String> {
    let fields = pattern.as_object()?;
    fields.iter().find_map(|(key, value)| match key.as_str() {
        "$or" => value.as_array()?.iter().find_map(undrawn_key),
        k if DRAWN_FIELDS.contains(&k) => None,
        k => Some(k.to_string()),
    })
}

/// A target's InputTransformer: InputPathsMap and InputTemplate.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformerSpec {
    pub input_paths: BTreeMap<String, String>,
    pub input_template: String,
}

/// `{ input_paths = { NAME = "$.detail.x" }, input_template = "..." }`; the template must carry
/// the body (a path to `$`, `$.detail` or `$.detail.sqsbench`, used in the template).
pub(crate) struct Transformers;

impl Codec for Transformers {
    type Value = TransformerSpec;

    fn read(&self, f: &Field<'_>) -> Option<TransformerSpec> {
        let t = f.table()?;
        let paths = t.get("input_paths");
        let template = t.get("input_template");
        t.finish(&["input_paths", "input_template"]);
        let Some(template_field) = template else {
            f.problem("expected input_template = \"...\" (with input_paths = { ... })");
            return None;
        };
        let input_template = template_field.str()?.to_string();
        if input_template.is_empty() || input_template.chars().count() > MAX_TEMPLATE_CHARS {
            template_field.problem(format!("expected 1 to {MAX_TEMPLATE_CHARS} characters"));
            return None;
        }
        let mut input_paths = BTreeMap::new();
        if let Some(pf) = &paths {
            let pt = pf.table()?;
            let names = pt.keys();
            if names.len() > MAX_INPUT_PATHS {
                pf.problem(format!(
                    "EventBridge takes at most {MAX_INPUT_PATHS} input paths"
                ));
                return None;
            }
            for name in names {
                let field = pt.get(&name)?;
                let path = field.str()?;
                if !path.starts_with('$') {
                    field.problem(
                        "expected a JSONPath starting with $, e.g. \"$.detail.orderValue\"",
                    );
                    return None;
                }
                input_paths.insert(name, path.to_string());
            }
        }
        let spec = TransformerSpec {
            input_paths,
            input_template,
        };
        if !spec.carries_body() {
            f.problem(format!(
                "drops the message body: map a name to \"$.detail.{BODY_FIELD}\" (or \"$.detail\", or \"$\") and use <name> in input_template, so each message can be identified"
            ));
            return None;
        }
        Some(spec)
    }

    fn write(&self, value: &TransformerSpec) -> Option<toml::Value> {
        let mut t = toml::Table::new();
        let paths: toml::Table = value
            .input_paths
            .iter()
            .map(|(k, v)| (k.clone(), toml::Value::String(v.clone())))
            .collect();
        t.insert("input_paths".into(), toml::Value::Table(paths));
        t.insert(
            "input_template".into(),
            toml::Value::String(value.input_template.clone()),
        );
        Some(toml::Value::Table(t))
    }

    fn accepts(&self) -> String {
        "{ input_paths = { NAME = \"$.detail.sqsbench\" }, input_template = \"... <NAME> ...\" }"
            .into()
    }

    fn schema(&self) -> Value {
        json!({"type": "object",
            "properties": {
                "input_paths": {"type": "object", "additionalProperties": {"type": "string", "pattern": "^\\$"}},
                "input_template": {"type": "string", "minLength": 1, "maxLength": MAX_TEMPLATE_CHARS}},
            "required": ["input_template"], "additionalProperties": false})
    }
}

impl TransformerSpec {
    /// Whether the template gets the body: some variable whose path holds it is used.
    pub fn carries_body(&self) -> bool {
        let holds = ["$", "$.detail", &format!("$.detail.{BODY_FIELD}")];
        self.input_paths.iter().any(|(name, path)| {
            holds.contains(&path.as_str()) && self.input_template.contains(&format!("<{name}>"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transformer_must_carry_the_body() {
        let spec = |path: &str, template: &str| TransformerSpec {
            input_paths: BTreeMap::from([("b".to_string(), path.to_string())]),
            input_template: template.to_string(),
        };
        assert!(spec("$.detail.sqsbench", "<b>").carries_body());
        assert!(spec("$.detail", "{\"d\": <b>}").carries_body());
        assert!(spec("$", "<b>").carries_body());
        assert!(!spec("$.detail.orderValue", "<b>").carries_body());
        assert!(!spec("$.detail.sqsbench", "constant").carries_body());
    }
}
