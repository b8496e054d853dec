//! Codecs for the scenario's composite values: offered rates (constant, steps, ramp), message
//! sizes, deduplication, processing time and queue attributes. Each reads what users write and
//! writes it back as TOML the reader accepts. Must not depend on anything outside `scenario`.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sqsbench_keys::codec::duration_schema;

use super::keys::Codec;
use super::keys::{RATE_TEXT, rate_schema, size_schema};
use super::units::{
    format_duration, format_rate, format_size, parse_duration, parse_rate, parse_size,
};
use super::values::{Deduplication, ProcessingSpec, RateSpec, SizeSpec};
use sqsbench_keys::document::Field;

/// The smallest message that still carries the self-identifying payload header.
pub const MIN_MESSAGE_SIZE: u64 = 96;
/// SQS's limit for one message and for one batch.
pub(crate) const MAX_MESSAGE_SIZE: u64 = 1_048_576;

fn text(s: impl Into<String>) -> toml::Value {
    toml::Value::String(s.into())
}

fn table<const N: usize>(entries: [(&str, toml::Value); N]) -> toml::Value {
    toml::Value::Table(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// `"1000/s"`, `"max"`, `{ steps = ["500/s for 5s", ...] }` or `{ ramp = { from, to, over } }`.
pub(crate) struct Rates;

impl Codec for Rates {
    type Value = RateSpec;

    fn read(&self, f: &Field<'_>) -> Option<RateSpec> {
        if f.is_str() {
            if f.str()? == "max" {
                return Some(RateSpec::Max);
            }
            return f.parsed(parse_rate).map(RateSpec::Constant);
        }
        let t = f.table()?;
        let result = if let Some(steps) = t.get("steps") {
            read_steps(&steps)
        } else if let Some(ramp) = t.get("ramp") {
            read_ramp(&ramp)
        } else {
            f.problem(
                "expected \"RATE/s\", \"max\", { steps = [...] } or { ramp = { from, to, over } }",
            );
            None
        };
        t.finish(&["steps", "ramp"]);
        result
    }

    fn write(&self, value: &RateSpec) -> Option<toml::Value> {
        Some(match value {
            RateSpec::Max => text("max"),
            RateSpec::Constant(r) => text(format_rate(*r)),
            RateSpec::Steps(steps) => {
                let steps = steps
                    .iter()
                    .map(|(r, d)| text(format!("{} for {}", format_rate(*r), format_duration(*d))))
                    .collect();
                table([("steps", toml::Value::Array(steps))])
            }
            RateSpec::Ramp { from, to, over } => table([(
                "ramp",
                table([
                    ("from", text(format_rate(*from))),
                    ("to", text(format_rate(*to))),
                    ("over", text(format_duration(*over))),
                ]),
            )]),
        })
    }

    fn accepts(&self) -> String {
        "\"RATE/s\", \"max\", { steps = [...] } or { ramp = { from, to, over } }".to_string()
    }

    fn schema(&self) -> Value {
        let step = json!({"type": "string", "pattern": format!(r"^{RATE_TEXT}\s+for\s+.+$")});
        json!({"anyOf": [
            rate_schema(),
            {"const": "max"},
            {"type": "object", "properties": {"steps": {"type": "array", "items": step, "minItems": 1}},
             "required": ["steps"], "additionalProperties": false},
            {"type": "object", "properties": {"ramp": {
                "type": "object",
                "properties": {"from": rate_schema(), "to": rate_schema(), "over": duration_schema()},
                "required": ["from", "to", "over"], "additionalProperties": false}},
             "required": ["ramp"], "additionalProperties": false},
        ]})
    }
}

fn read_steps(steps: &Field<'_>) -> Option<RateSpec> {
    let mut out = Vec::new();
    for step in steps.array()? {
        let text = step.str()?;
        let parsed = text
            .split_once(" for ")
            .ok_or_else(|| {
                "write each step as \"RATE for DURATION\", e.g. \"500/s for 20s\"".to_string()
            })
            .and_then(|(r, d)| Ok((parse_rate(r)?, parse_duration(d)?)));
        match parsed {
            Ok(s) => out.push(s),
            Err(e) => step.problem(e),
        }
    }
    if out.is_empty() {
        steps.problem("needs at least one step");
        return None;
    }
    Some(RateSpec::Steps(out))
}

fn read_ramp(ramp: &Field<'_>) -> Option<RateSpec> {
    let r = ramp.table()?;
    let from = r.get("from").and_then(|f| f.parsed(parse_rate));
    let to = r.get("to").and_then(|f| f.parsed(parse_rate));
    let over = r.get("over").and_then(|f| f.parsed(parse_duration));
    for key in ["from", "to", "over"] {
        if r.get(key).is_none() {
            r.problem(key, "is required in a ramp");
        }
    }
    r.finish(&["from", "to", "over"]);
    match (from?, to?, over?) {
        (_, _, over) if over.is_zero() => {
            ramp.problem("over must be longer than 0s");
            None
        }
        (from, to, over) => Some(RateSpec::Ramp { from, to, over }),
    }
}

/// `"1KiB"` or `{ min = "200B", max = "8KiB", distribution = "uniform" }`, within
/// `MIN_MESSAGE_SIZE..=MAX_MESSAGE_SIZE`.
pub(crate) struct Sizes;

impl Sizes {
    fn check(f: &Field<'_>, n: u64) -> Option<u64> {
        if !(MIN_MESSAGE_SIZE..=MAX_MESSAGE_SIZE).contains(&n) {
            f.problem(format!(
                "{n} bytes is outside {MIN_MESSAGE_SIZE}B (the payload header) to 1MiB (the SQS limit)"
            ));
            return None;
        }
        Some(n)
    }
}

impl Codec for Sizes {
    type Value = SizeSpec;

    fn read(&self, f: &Field<'_>) -> Option<SizeSpec> {
        if f.is_str() {
            return f
                .parsed(parse_size)
                .and_then(|n| Self::check(f, n))
                .map(SizeSpec::Fixed);
        }
        let t = f.table()?;
        let bound = |key: &str| {
            t.get(key)
                .and_then(|m| m.parsed(parse_size))
                .and_then(|n| Self::check(f, n))
        };
        let (min, max) = (bound("min"), bound("max"));
        if let Some(d) = t.get("distribution")
            && d.str().is_some_and(|s| s != "uniform")
        {
            d.problem("only \"uniform\" is supported");
        }
        t.finish(&["min", "max", "distribution"]);
        match (min, max) {
            (Some(min), Some(max)) if min <= max => Some(SizeSpec::Uniform { min, max }),
            (Some(_), Some(_)) => {
                f.problem("min is larger than max");
                None
            }
            _ => {
                f.problem("needs min and max");
                None
            }
        }
    }

    fn write(&self, value: &SizeSpec) -> Option<toml::Value> {
        Some(match value {
            SizeSpec::Fixed(n) => text(format_size(*n)),
            SizeSpec::Uniform { min, max } => table([
                ("min", text(format_size(*min))),
                ("max", text(format_size(*max))),
                ("distribution", text("uniform")),
            ]),
        })
    }

    fn accepts(&self) -> String {
        "96B to 1MiB, or { min, max, distribution = \"uniform\" }".to_string()
    }

    fn schema(&self) -> Value {
        json!({"anyOf": [
            size_schema(),
            {"type": "object",
             "properties": {"min": size_schema(), "max": size_schema(), "distribution": {"const": "uniform"}},
             "required": ["min", "max"], "additionalProperties": false},
        ]})
    }
}

/// `"unique"`, `"content"` or `{ duplicate_rate = 0.01 }` (FIFO rules are the producer's).
pub(crate) struct Deduplications;

impl Codec for Deduplications {
    type Value = Deduplication;

    fn read(&self, f: &Field<'_>) -> Option<Deduplication> {
        if f.is_str() {
            return match f.str()? {
                "unique" => Some(Deduplication::Unique),
                "content" => Some(Deduplication::Content),
                other => {
                    f.problem(format!(
                        "{other:?}: expected \"unique\", \"content\" or {{ duplicate_rate = 0.01 }}"
                    ));
                    None
                }
            };
        }
        let d = f.table()?;
        let rate = d.get("duplicate_rate").and_then(|r| r.number(0.0, 1.0));
        if d.get("duplicate_rate").is_none() {
            f.problem("expected { duplicate_rate = 0.01 }");
        }
        d.finish(&["duplicate_rate"]);
        rate.map(Deduplication::DuplicateRate)
    }

    fn write(&self, value: &Deduplication) -> Option<toml::Value> {
        Some(match value {
            Deduplication::Unique => text("unique"),
            Deduplication::Content => text("content"),
            Deduplication::DuplicateRate(r) => table([("duplicate_rate", toml::Value::Float(*r))]),
        })
    }

    fn accepts(&self) -> String {
        "\"unique\", \"content\" or { duplicate_rate = 0.01 }".to_string()
    }

    fn schema(&self) -> Value {
        json!({"anyOf": [
            {"enum": ["unique", "content"]},
            {"type": "object",
             "properties": {"duplicate_rate": {"type": "number", "minimum": 0.0, "maximum": 1.0}},
             "required": ["duplicate_rate"], "additionalProperties": false},
        ]})
    }
}

/// `"5ms"` (fixed) or `{ mean = "5ms", distribution = "exponential" }`.
pub(crate) struct Processing;

impl Codec for Processing {
    type Value = ProcessingSpec;

    fn read(&self, f: &Field<'_>) -> Option<ProcessingSpec> {
        if f.is_str() {
            return f.parsed(parse_duration).map(ProcessingSpec::Fixed);
        }
        let p = f.table()?;
        let mean = p.get("mean").and_then(|m| m.parsed(parse_duration));
        if p.get("mean").is_none() {
            f.problem("needs mean, e.g. { mean = \"5ms\", distribution = \"exponential\" }");
        }
        if let Some(d) = p.get("distribution")
            && d.str().is_some_and(|s| s != "exponential")
        {
            d.problem("only \"exponential\" is supported");
        }
        p.finish(&["mean", "distribution"]);
        mean.map(|mean| ProcessingSpec::Exponential { mean })
    }

    fn write(&self, value: &ProcessingSpec) -> Option<toml::Value> {
        Some(match value {
            ProcessingSpec::Fixed(d) => text(format_duration(*d)),
            ProcessingSpec::Exponential { mean } => table([
                ("mean", text(format_duration(*mean))),
                ("distribution", text("exponential")),
            ]),
        })
    }

    fn accepts(&self) -> String {
        "a duration, or { mean = \"5ms\", distribution = \"exponential\" }".to_string()
    }

    fn schema(&self) -> Value {
        json!({"anyOf": [
            duration_schema(),
            {"type": "object",
             "properties": {"mean": duration_schema(), "distribution": {"const": "exponential"}},
             "required": ["mean"], "additionalProperties": false},
        ]})
    }
}

/// A table of names to values, passed on verbatim: strings as they are, other values as TOML.
pub(crate) struct Attributes;

impl Codec for Attributes {
    type Value = BTreeMap<String, String>;

    fn read(&self, f: &Field<'_>) -> Option<BTreeMap<String, String>> {
        let table = f.table()?;
        let mut out = BTreeMap::new();
        for key in table.keys() {
            let v = table.get(&key)?;
            let value = if v.is_str() {
                v.str()?.to_string()
            } else {
                v.to_toml()?
            };
            out.insert(key, value);
        }
        Some(out)
    }

    fn write(&self, value: &BTreeMap<String, String>) -> Option<toml::Value> {
        Some(toml::Value::Table(
            value
                .iter()
                .map(|(k, v)| (k.clone(), text(v.clone())))
                .collect(),
        ))
    }

    fn accepts(&self) -> String {
        String::new()
    }

    fn schema(&self) -> Value {
        json!({"type": "object"})
    }
}
