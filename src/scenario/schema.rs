//! The JSON Schema of a scenario file (`sqsbench schema`, kept as
//! `scenarios/sqsbench.schema.json`), generated from the same key definitions the reader uses,
//! so an editor (taplo, Even Better TOML) checks and completes a scenario as it is typed.
//!
//! Draft-07: it uses no keyword newer than that, and editors built on older JSON Schema
//! libraries (taplo before jsonschema-rs 0.19, tamasfe/taplo#497) read draft-07 but not 2020-12.
//! What a schema cannot say (rules across keys: FIFO needs a group count, a sweep's keys exist)
//! stays `validate`'s. Test-checked against the stored file; depends on `scenario` only.

use serde_json::{Value, json};
use sqsbench_keys::Codec;
use sqsbench_keys::codec::Section;

use super::fanout::Attributes;
use super::sections::{SubscriptionKeys, TargetKeys, TopicSpec};
use super::types::*;
use crate::emulator::settings::EmulatorSettings;

/// The scenario file's schema, as pretty JSON with a final newline.
pub fn schema_text() -> String {
    serde_json::to_string_pretty(&schema()).expect("a JSON value serialises") + "\n"
}

/// The scenario file's schema.
pub fn schema() -> Value {
    let mut publisher = ProducerFleet::schema();
    publisher["properties"]["attributes"] = described(
        Attributes.schema(),
        "message attributes drawn per message: { NAME = { values = [...], weights = [...] } } or { NAME = { range = [MIN, MAX] } }",
    );
    let mut subscription = SubscriptionKeys::schema();
    subscription["properties"]["consumers"] = subscription_consumers();
    let (rule, mut event_publisher) = bus_sections();
    let (mut target, mut queue, mut topic) = (
        TargetKeys::schema(),
        QueueSpec::schema(),
        TopicSpec::schema(),
    );
    let (mut producer, mut consumer) = (ProducerFleet::schema(), ConsumerFleet::schema());
    let mut queue_entry = QueueSpec::schema();
    queue_entry["properties"]["count"] = json!({
        "type": "integer", "minimum": 1, "maximum": crate::scenario::queue_sets::MAX_QUEUES,
        "description": "a set of this many queues, named from name's {i} (0 to count-1)",
    });
    queue_entry["required"] = json!(["name"]);
    target["allOf"] = json!([when(
        json!({"properties": {"kind": {"const": "endpoint"}}, "required": ["kind"]}),
        json!({"required": ["endpoint"]}),
    )]);
    queue["allOf"] = json!([
        when(
            json!({"properties": {"name": {"pattern": "\\.fifo$"}}, "required": ["name"]}),
            fifo(),
        ),
        when(
            not(fifo()),
            forbid(&["content_based_deduplication", "high_throughput"], true)
        ),
    ]);
    topic["allOf"] = json!([when(
        not(fifo()),
        forbid(&["content_based_deduplication"], true)
    )]);
    for fleet in [
        &mut producer,
        &mut consumer,
        &mut publisher,
        &mut event_publisher,
    ] {
        fleet["properties"]["name"]["pattern"] = json!(FLEET_NAME);
    }
    consumer["allOf"] = json!([when(
        not(json!({"properties": {"kind": {"const": "lambda"}}, "required": ["kind"]})),
        json!({"properties": {
            "batch_size": {"maximum": 10},
            "batch_window": zero_duration(),
            "report_batch_item_failures": {"const": false},
        }}),
    )]);
    let name = json!({
        "type": "string",
        "pattern": "^[A-Za-z0-9_-]{1,64}$",
        "description": "names the results directory (1-64 letters, digits, - and _)",
    });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "sqsbench scenario",
        "description": "A sqsbench scenario: producer and consumer fleets against a standard or FIFO queue (scenarios/reference.toml documents every key).",
        "type": "object",
        "properties": {
            "name": name,
            "description": {"type": "string", "description": "shown in reports"},
            "target": described(target, "where traffic goes; --target embedded|aws|URL overrides"),
            "queue": described(queue, "the queue under test"),
            "queues": fleets(queue_entry, "many queues, in place of [queue]: each entry one queue, or a set (count, and {i} in name); at most 1000 in all"),
            "run": described(RunSpec::schema(), "phases, seed and repetition"),
            "producers": fleets(producer, "one or more fleets of sending tasks"),
            "consumers": fleets(consumer, "zero or more fleets of receive loops"),
            "topic": described(topic, "a fan-out scenario: [[publishers]] publish here, in place of [[producers]]"),
            "publishers": fleets(publisher, "a fan-out's [[producers]], with message attributes"),
            "subscriptions": fleets(subscription, "a fan-out's queues (<[queue] name>-<name>), in place of [[consumers]]"),
            "event_bus": described(BusSpec::schema(), "an EventBridge scenario: [[event_publishers]] put events here, in place of [[producers]]"),
            "event_publishers": fleets(event_publisher, "an EventBridge scenario's [[producers]], with each event's source, detail-type and detail fields"),
            "rules": fleets(rule, "an EventBridge scenario's rules, each with its queue (<[queue] name>-<name>), in place of [[consumers]]"),
            "emulator": described(EmulatorSettings::schema(), "only for the embedded target"),
            "expect": described(Expectations::schema(), "checked at the end; a failure exits 1"),
            "cost": described(Prices::schema(), "request prices, USD per million requests (default: us-east-1)"),
            "sweep": {
                "type": "object",
                "description": "one variant per combination of values: \"producers.batch_size\" = [1, 5, 10]",
                "additionalProperties": {"type": "array", "minItems": 1},
            },
            "search": described(SearchSpec::schema(), "a capacity search instead of one run"),
        },
        "required": ["name"],
        "additionalProperties": false,
        "allOf": across_sections(),
    })
}

/// `[[rules]]` (its consumers any `[[consumers]]` key but name) and `[[event_publishers]]` (a
/// producer fleet's keys with what each event draws).
fn bus_sections() -> (Value, Value) {
    let mut rule = RuleKeys::schema();
    rule["properties"]["consumers"] = subscription_consumers();
    let mut event_publisher = ProducerFleet::schema();
    let drawn_text = json!({"anyOf": [
        {"type": "string", "minLength": 1, "maxLength": 256},
        {"type": "object", "properties": {"values": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "weights": {"type": "array", "items": {"type": "number", "minimum": 0}}},
         "required": ["values"], "additionalProperties": false}]});
    let properties = &mut event_publisher["properties"];
    properties["source"] = described(
        drawn_text.clone(),
        "each event's source: a string, or { values = [...], weights = [...] }",
    );
    properties["detail_type"] = described(
        drawn_text,
        "each event's detail-type: a string, or { values = [...], weights = [...] }",
    );
    properties["detail"] = described(
        Attributes.schema(),
        "detail fields drawn per event: { NAME = { values = [...], weights = [...] } } or { NAME = { range = [MIN, MAX] } }",
    );
    event_publisher["required"] = json!(["source", "detail_type"]);
    (rule, event_publisher)
}

/// A fleet's name: it labels the fleet's figures (uniqueness across fleets is `validate`'s).
const FLEET_NAME: &str = "^[A-Za-z0-9._-]{1,64}$";

/// The rules across sections that a schema can say: what a fan-out has in place of
/// `[[producers]]` and `[[consumers]]`, and what a FIFO queue allows.
fn across_sections() -> Value {
    let fifo_queue = json!({"properties": {"queue": fifo()}, "required": ["queue"]});
    let each = |section: &str, item: Value| json!({"properties": {section: {"items": item}}});
    json!([
        when(
            json!({"required": ["topic"]}),
            forbid(&["producers", "consumers"], false),
        ),
        when(
            json!({"required": ["event_bus"]}),
            forbid(&["producers", "consumers", "topic"], false),
        ),
        when(
            not(json!({"anyOf": [{"required": ["topic"]}, {"required": ["event_bus"]}]})),
            json!({"required": ["producers"], "properties": {"producers": {"minItems": 1}}}),
        ),
        {"dependencies": {"subscriptions": ["topic"], "publishers": ["topic"],
                          "rules": ["event_bus"], "event_publishers": ["event_bus"]}},
        when(json!({"required": ["queues"]}), forbid(&["queue", "topic", "event_bus"], false)),
        when(
            not(fifo_queue.clone()),
            each("producers", json!({"properties": {"deduplication": {"not": {"const": "content"}}}})),
        ),
        when(
            fifo_queue,
            each("consumers", json!({"properties": {
                "batch_size": {"maximum": 10},
                "batch_window": zero_duration(),
            }})),
        ),
    ])
}

/// A duration of zero: `0`, `0s`, `0ms`, ….
fn zero_duration() -> Value {
    json!({"pattern": r"^\s*0+(\.0+)?\s*[a-zA-Zµ]*\s*$"})
}

/// `{ if, then }`.
fn when(condition: Value, then: Value) -> Value {
    json!({"if": condition, "then": then})
}

fn not(schema: Value) -> Value {
    json!({"not": schema})
}

/// A section whose `type` is "fifo".
fn fifo() -> Value {
    json!({"properties": {"type": {"const": "fifo"}}, "required": ["type"]})
}

/// None of `keys`; with `only_true`, none of them set to true (false is allowed).
fn forbid(keys: &[&str], only_true: bool) -> Value {
    let any: Vec<Value> = keys
        .iter()
        .map(|k| match only_true {
            true => json!({"properties": {*k: {"const": true}}, "required": [k]}),
            false => json!({"required": [k]}),
        })
        .collect();
    json!({"not": {"anyOf": any}})
}

/// A subscription's consumers: any `[[consumers]]` key but `name`, which is the subscription's.
fn subscription_consumers() -> Value {
    let mut fleet = ConsumerFleet::schema();
    // `get_mut`, not indexing: indexing a missing key would insert a null.
    if let Some(properties) = fleet.get_mut("properties").and_then(Value::as_object_mut) {
        properties.remove("name");
    }
    if let Some(required) = fleet.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|k| k != "name");
    }
    described(
        fleet,
        "the subscription's or rule's consumers: any [[consumers]] key but name",
    )
}

fn described(mut schema: Value, description: &str) -> Value {
    schema["description"] = json!(description);
    schema
}

/// An array of tables (`[[producers]]`) of one section's schema.
fn fleets(item: Value, description: &str) -> Value {
    json!({"type": "array", "items": item, "description": description})
}

#[cfg(test)]
mod tests {
    /// scenarios/sqsbench.schema.json is what the key definitions say
    /// (`UPDATE_SCHEMA=1 cargo test schema` rewrites it).
    #[test]
    fn the_stored_schema_is_generated_from_the_definitions() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/sqsbench.schema.json"
        );
        let generated = super::schema_text();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let stored = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            stored == generated,
            "scenarios/sqsbench.schema.json is stale: UPDATE_SCHEMA=1 cargo test schema"
        );
    }

    /// Every key the reader takes at the top level has a property, and no other.
    #[test]
    fn the_schema_has_every_top_level_key_and_no_other() {
        let schema = super::schema();
        let mut properties: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = crate::scenario::validate::ROOT_KEYS.to_vec();
        properties.sort_unstable();
        keys.sort_unstable();
        assert_eq!(properties, keys);
    }
}
