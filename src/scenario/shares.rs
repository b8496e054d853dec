//! How a producer fleet's sends are shared over the queues it is bound to: `weights = [...]`
//! and `skew = { zipf = s }`, their codecs. Must not depend on anything outside `scenario`.

use serde_json::{Value, json};

use super::keys::Codec;
use sqsbench_keys::document::Field;

/// The most queues a scenario may declare: every queue has its own ledger, its own 2-digit
/// end-to-end histogram on each recording thread and a live-metrics series (see
/// `limits::memory`), and setup creates them all before traffic.
pub const MAX_QUEUES: usize = 1000;

/// A producer fleet's skew over its queues.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Skew {
    /// The k-th queue (from 1) gets a share proportional to 1 / k^s.
    Zipf(f64),
}

/// `[5, 1, 1]`: a non-negative weight per queue, some above zero.
pub(crate) struct Weights;

impl Codec for Weights {
    type Value = Vec<f64>;

    fn read(&self, f: &Field<'_>) -> Option<Vec<f64>> {
        let items = f.array()?;
        if items.len() > MAX_QUEUES {
            f.problem(format!(
                "has {} weights; a scenario has at most {MAX_QUEUES} queues",
                items.len()
            ));
            return None;
        }
        let weights: Vec<f64> = items
            .iter()
            .map(|w| w.number(0.0, 1e9))
            .collect::<Option<_>>()?;
        if !weights.iter().any(|w| *w > 0.0) {
            f.problem("needs at least one weight above 0");
            return None;
        }
        Some(weights)
    }

    fn write(&self, value: &Vec<f64>) -> Option<toml::Value> {
        Some(toml::Value::Array(
            value.iter().map(|w| number(*w)).collect(),
        ))
    }

    fn accepts(&self) -> String {
        "one weight (0 or more) per queue of the fleet's set".to_string()
    }

    fn schema(&self) -> Value {
        json!({"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 1, "maxItems": MAX_QUEUES})
    }
}

/// `{ zipf = 1.1 }`.
pub(crate) struct Skews;

impl Codec for Skews {
    type Value = Skew;

    fn read(&self, f: &Field<'_>) -> Option<Skew> {
        let t = f.table()?;
        let s = match t.get("zipf") {
            Some(z) => z.number(0.0, 10.0).map(Skew::Zipf),
            None => {
                f.problem("expected { zipf = S }, S from 0 (even) to 10");
                None
            }
        };
        t.finish(&["zipf"]);
        s
    }

    fn write(&self, value: &Skew) -> Option<toml::Value> {
        let Skew::Zipf(s) = value;
        let mut t = toml::Table::new();
        t.insert("zipf".into(), number(*s));
        Some(toml::Value::Table(t))
    }

    fn accepts(&self) -> String {
        "{ zipf = S }, S from 0 to 10".to_string()
    }

    fn schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {"zipf": {"type": "number", "minimum": 0, "maximum": 10}},
            "required": ["zipf"],
            "additionalProperties": false,
        })
    }
}

fn number(x: f64) -> toml::Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        toml::Value::Integer(x as i64)
    } else {
        toml::Value::Float(x)
    }
}
