//! A fan-out scenario's parts: `[topic]` (in `sections`), the message attributes each
//! `[[publishers]]` fleet draws, and `[[subscriptions]]` (a filter policy, raw delivery and the
//! consumers of the subscription's own queue). Their codecs check what SNS would refuse before
//! any traffic: a filter policy is read by the emulator's own `filter_policy`, the code the
//! harness later judges deliveries with. Must not depend on anything outside `scenario` and the
//! emulator's pure parts.

use super::keys::Codec;
use super::sections::{BusSpec, RuleKeys, SubscriptionKeys, TopicSpec};
use super::values::QueueType;
use crate::emulator::names;
use serde_json::{Value, json};
use sqsbench_keys::document::Field;

/// SNS takes at most 10 message attributes per message.
pub(crate) const MAX_ATTRIBUTES: usize = 10;
/// Values one string or number attribute may be drawn from: a bound on what a file can ask
/// this process to hold.
pub(crate) const MAX_VALUES: usize = 1000;
/// SNS's largest message, and its largest PublishBatch (all entries together).
pub(crate) const MAX_PUBLISH_BYTES: u64 = 262_144;

/// How one attribute's values are drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// One of these strings (a `String` attribute), chosen with these weights.
    Strings {
        values: Vec<String>,
        weights: Vec<f64>,
    },
    /// One of these numbers (a `Number` attribute), chosen with these weights.
    Numbers { values: Vec<f64>, weights: Vec<f64> },
    /// A whole number from `min` to `max`, uniformly (a `Number` attribute).
    Range { min: i64, max: i64 },
}

/// A named attribute and how its values are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeSpec {
    pub name: String,
    pub values: Values,
}

/// One queue the router fans out to: a `[[subscriptions]]` entry or a `[[rules]]` entry, and
/// the queue it gets. Its consumers are the scenario's consumer fleet at the same place.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub keys: RouteKeys,
    /// `<[queue] name>-<route name>` (`.fifo` kept last).
    pub queue_name: String,
}

/// What decides which messages a route's queue gets.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteKeys {
    /// An SNS subscription: a filter policy on the message attributes.
    Subscription(SubscriptionKeys),
    /// An EventBridge rule: an event pattern on the event, and the rule's target.
    Rule(RuleKeys),
}

impl Route {
    pub fn name(&self) -> &str {
        match &self.keys {
            RouteKeys::Subscription(s) => &s.name,
            RouteKeys::Rule(r) => &r.name,
        }
    }

    pub fn subscription(&self) -> Option<&SubscriptionKeys> {
        match &self.keys {
            RouteKeys::Subscription(s) => Some(s),
            RouteKeys::Rule(_) => None,
        }
    }

    pub fn rule(&self) -> Option<&RuleKeys> {
        match &self.keys {
            RouteKeys::Rule(r) => Some(r),
            RouteKeys::Subscription(_) => None,
        }
    }
}

/// What the publishers publish to: an SNS topic or an EventBridge bus.
#[derive(Debug, Clone, PartialEq)]
pub enum Router {
    Topic(TopicSpec),
    Bus(BusSpec),
}

/// What makes a scenario a fan-out: publishers publish to a router (an SNS topic or an
/// EventBridge bus), and each route's queue (a subscription's or a rule's) has its own
/// consumers (`Scenario::producers` are the publishers, `Scenario::consumers` the routes'
/// consumers, in the same order as `routes`).
#[derive(Debug, Clone, PartialEq)]
pub struct Fanout {
    pub router: Router,
    /// Per publisher fleet, in `Scenario::producers`' order: the SNS message attributes it
    /// draws, or (a bus) its `source`, `detail-type` and `detail.<field>` values.
    pub attributes: Vec<Vec<AttributeSpec>>,
    pub routes: Vec<Route>,
}

impl Fanout {
    pub fn topic(&self) -> Option<&TopicSpec> {
        match &self.router {
            Router::Topic(t) => Some(t),
            Router::Bus(_) => None,
        }
    }

    pub fn bus(&self) -> Option<&BusSpec> {
        match &self.router {
            Router::Bus(b) => Some(b),
            Router::Topic(_) => None,
        }
    }

    /// How long the probes before traffic may take ("0s": none).
    pub fn settle(&self) -> std::time::Duration {
        match &self.router {
            Router::Topic(t) => t.settle,
            Router::Bus(b) => b.settle,
        }
    }

    /// The type of route `i`'s queue: a topic's subscriptions share its type, a rule's target
    /// has its own.
    pub fn queue_kind(&self, route: &Route) -> QueueType {
        match (&self.router, &route.keys) {
            (_, RouteKeys::Rule(r)) => r.kind,
            (Router::Topic(t), _) => t.kind,
            (Router::Bus(_), RouteKeys::Subscription(_)) => QueueType::Standard,
        }
    }

    /// "subscription" or "rule": what a route is called in messages.
    pub fn route_word(&self) -> &'static str {
        match self.router {
            Router::Topic(_) => "subscription",
            Router::Bus(_) => "rule",
        }
    }
}

/// `{ event = { values = [...], weights = [...] }, amount = { range = [1, 500] } }`.
pub(crate) struct Attributes;

impl Codec for Attributes {
    type Value = Vec<AttributeSpec>;

    fn read(&self, f: &Field<'_>) -> Option<Vec<AttributeSpec>> {
        let table = f.table()?;
        let names = table.keys();
        if names.len() > MAX_ATTRIBUTES {
            f.problem(format!(
                "SNS takes at most {MAX_ATTRIBUTES} message attributes; {} are given",
                names.len()
            ));
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for name in names {
            let field = table.get(&name)?;
            match attribute(&name, &field) {
                Some(spec) => out.push(spec),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn write(&self, specs: &Vec<AttributeSpec>) -> Option<toml::Value> {
        if specs.is_empty() {
            return None;
        }
        let number = |x: f64| {
            if x.fract() == 0.0 && x.abs() < 9e15 {
                toml::Value::Integer(x as i64)
            } else {
                toml::Value::Float(x)
            }
        };
        let table = specs.iter().map(|s| {
            let mut t = toml::Table::new();
            match &s.values {
                Values::Strings { values, weights } => {
                    t.insert("values".into(), values.clone().into());
                    t.insert(
                        "weights".into(),
                        toml::Value::Array(weights.iter().map(|w| number(*w)).collect()),
                    );
                }
                Values::Numbers { values, weights } => {
                    t.insert(
                        "values".into(),
                        toml::Value::Array(values.iter().map(|v| number(*v)).collect()),
                    );
                    t.insert(
                        "weights".into(),
                        toml::Value::Array(weights.iter().map(|w| number(*w)).collect()),
                    );
                }
                Values::Range { min, max } => {
                    t.insert("range".into(), vec![*min, *max].into());
                }
            }
            (s.name.clone(), toml::Value::Table(t))
        });
        Some(toml::Value::Table(table.collect()))
    }

    fn accepts(&self) -> String {
        "{ NAME = { values = [...], weights = [...] } or { range = [MIN, MAX] } }".into()
    }

    fn schema(&self) -> Value {
        let values = json!({"type": "object",
            "properties": {"values": {"type": "array", "minItems": 1},
                           "weights": {"type": "array", "items": {"type": "number", "minimum": 0}}},
            "required": ["values"], "additionalProperties": false});
        let range = json!({"type": "object",
            "properties": {"range": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
            "required": ["range"], "additionalProperties": false});
        json!({"type": "object", "additionalProperties": {"anyOf": [values, range]}})
    }
}

fn attribute(name: &str, f: &Field<'_>) -> Option<AttributeSpec> {
    if let Some(problem) = names::attribute_name_problem(name, names::Letters::Ascii) {
        f.problem(problem);
        return None;
    }
    let t = f.table()?;
    let values = if let Some(range) = t.get("range") {
        let bounds: Vec<i64> = range
            .array()?
            .iter()
            .map(|b| b.int(-1_000_000_000, 1_000_000_000))
            .collect::<Option<_>>()?;
        match bounds[..] {
            [min, max] if min <= max => Some(Values::Range { min, max }),
            _ => {
                range.problem("expected [MIN, MAX], whole numbers with MIN <= MAX");
                None
            }
        }
    } else if let Some(values) = t.get("values") {
        listed(&values, t.get("weights").as_ref())
    } else {
        f.problem("expected { values = [...] } (with optional weights) or { range = [MIN, MAX] }");
        None
    };
    t.finish(&["values", "weights", "range"]);
    Some(AttributeSpec {
        name: name.to_string(),
        values: values?,
    })
}

/// `values` (all strings or all numbers, SNS's ±10⁹ for numbers) and their `weights`.
pub(super) fn listed(values: &Field<'_>, weights: Option<&Field<'_>>) -> Option<Values> {
    let items = values.array()?;
    if items.is_empty() || items.len() > MAX_VALUES {
        values.problem(format!("expected 1 to {MAX_VALUES} values"));
        return None;
    }
    let weights = match weights {
        None => vec![1.0; items.len()],
        Some(w) => {
            let ws: Vec<f64> = w
                .array()?
                .iter()
                .map(|x| x.number(0.0, 1e9))
                .collect::<Option<_>>()?;
            if ws.len() != items.len() || ws.iter().sum::<f64>() <= 0.0 {
                w.problem(format!(
                    "expected {} weights (one per value), not all zero",
                    items.len()
                ));
                return None;
            }
            ws
        }
    };
    if items.iter().all(Field::is_str) {
        let values = items
            .iter()
            .map(|v| v.str().map(str::to_string))
            .collect::<Option<_>>()?;
        return Some(Values::Strings { values, weights });
    }
    let numbers = items
        .iter()
        .map(|v| v.number(-1e9, 1e9))
        .collect::<Option<_>>()?;
    Some(Values::Numbers {
        values: numbers,
        weights,
    })
}

/// The queue a subscription or rule gets: `<base>-<name>`, `.fifo` kept last.
pub(crate) fn subscription_queue(queue_name: &str, subscription: &str) -> String {
    match queue_name.strip_suffix(".fifo") {
        Some(base) => format!("{base}-{subscription}.fifo"),
        None => format!("{queue_name}-{subscription}"),
    }
}
