//! What a fan-out publisher draws for each message — an SNS message's attributes, or an
//! EventBridge event's source, detail-type and detail fields — and which routes should therefore
//! get it. Every value is a pure function of the run's seed, the publisher and the message's
//! sequence number — the identity the payload header carries — so whoever decodes a message (a
//! consumer, another shard, a merge) can recompute what it carried and evaluate a subscription's
//! filter policy or a rule's event pattern on it with the emulator's own `filter_policy` and
//! `event_pattern`, without anything drawn ever being stored. Pure: no clock, no I/O.

use serde_json::{Map, Value};

use crate::emulator::event_pattern::EventPattern;
use crate::emulator::filter_policy::{Attribute, FilterPolicy};
use crate::emulator::splitmix::finalize;
use crate::scenario::bus::DETAIL_PREFIX;
pub use crate::scenario::{AttributeSpec, Values};

/// What decides whether a route gets a message: a subscription's filter policy on the drawn
/// attributes, or a rule's event pattern on the event the drawn fields make.
#[derive(Debug)]
pub enum Matcher {
    Filter(FilterPolicy),
    Pattern(EventPattern),
}

impl Matcher {
    /// Route `route`'s matcher (`None`: a subscription without a filter gets everything).
    pub fn of(route: &crate::scenario::Route) -> Option<Matcher> {
        match &route.keys {
            crate::scenario::RouteKeys::Subscription(s) => s
                .filter_policy
                .as_ref()
                .map(|p| Matcher::Filter(p.parsed())),
            crate::scenario::RouteKeys::Rule(r) => Some(Matcher::Pattern(r.event_pattern.parsed())),
        }
    }
}

/// One message's attribute, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub name: String,
    /// `String` or `Number`.
    pub data_type: &'static str,
    pub value: String,
}

/// The attributes of message `sequence` of `publisher`, in `specs` order.
pub fn draw(specs: &[AttributeSpec], seed: u64, publisher: u32, sequence: u64) -> Vec<Drawn> {
    let message = finalize(seed ^ finalize(((publisher as u64) << 40) ^ sequence));
    specs
        .iter()
        .map(|spec| {
            // By name, not place: a resolved scenario may list the attributes in another order.
            let h = finalize(message ^ name_hash(&spec.name));
            let (data_type, value) = match &spec.values {
                Values::Strings { values, weights } => ("String", values[pick(weights, h)].clone()),
                Values::Numbers { values, weights } => {
                    ("Number", number_text(values[pick(weights, h)]))
                }
                Values::Range { min, max } => {
                    let span = (max - min) as u64 + 1;
                    ("Number", (min + (h % span) as i64).to_string())
                }
            };
            Drawn {
                name: spec.name.clone(),
                data_type,
                value,
            }
        })
        .collect()
}

/// Whether a route with this matcher (`None`: no filter) should get the message whose drawn
/// values are `drawn`.
pub fn lets_through(matcher: Option<&Matcher>, drawn: &[Drawn]) -> bool {
    match matcher {
        None => true,
        Some(Matcher::Filter(policy)) => attributes_match(policy, drawn),
        Some(Matcher::Pattern(pattern)) => pattern.matches(&event_of(drawn)),
    }
}

/// The event an EventBridge publisher's drawn values make, as a rule's pattern sees it:
/// `source`, `detail-type` and `detail` (without the body, which no pattern may match on).
pub fn event_of(drawn: &[Drawn]) -> Value {
    let mut event = Map::new();
    event.insert("detail".into(), Value::Object(detail_of(drawn)));
    for d in drawn.iter().filter(|d| !d.name.starts_with(DETAIL_PREFIX)) {
        event.insert(d.name.clone(), value_of(d));
    }
    Value::Object(event)
}

/// The `detail` fields among the drawn values.
pub fn detail_of(drawn: &[Drawn]) -> Map<String, Value> {
    drawn
        .iter()
        .filter_map(|d| Some((d.name.strip_prefix(DETAIL_PREFIX)?.to_string(), value_of(d))))
        .collect()
}

/// The drawn value named `name` (`source` or `detail-type`), or "" when none is.
pub fn text_of<'d>(drawn: &'d [Drawn], name: &str) -> &'d str {
    drawn
        .iter()
        .find(|d| d.name == name)
        .map_or("", |d| d.value.as_str())
}

fn value_of(d: &Drawn) -> Value {
    if d.data_type != "Number" {
        return Value::String(d.value.clone());
    }
    if let Ok(whole) = d.value.parse::<i64>() {
        return Value::from(whole);
    }
    d.value
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(d.value.clone()), Value::Number)
}

/// Whether `policy` lets through a message with these attributes.
fn attributes_match(policy: &FilterPolicy, drawn: &[Drawn]) -> bool {
    let view: Vec<Attribute<'_>> = drawn
        .iter()
        .map(|d| Attribute {
            name: &d.name,
            data_type: d.data_type,
            value: &d.value,
        })
        .collect();
    policy.matches_attributes(&view)
}

/// FNV-1a of an attribute's name.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The index `h` falls on when the weights are laid end to end.
fn pick(weights: &[f64], h: u64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut at = (h >> 11) as f64 / (1u64 << 53) as f64 * total;
    for (i, w) in weights.iter().enumerate() {
        if at < *w {
            return i;
        }
        at -= w;
    }
    weights.len() - 1
}

/// A number as SNS reads it back: whole numbers without a fraction.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::emulator::filter_policy::Scope;

    fn orders() -> Vec<AttributeSpec> {
        vec![
            AttributeSpec {
                name: "event".into(),
                values: Values::Strings {
                    values: vec!["order_paid".into(), "order_created".into()],
                    weights: vec![1.0, 3.0],
                },
            },
            AttributeSpec {
                name: "amount".into(),
                values: Values::Range { min: 1, max: 500 },
            },
        ]
    }

    #[test]
    fn the_same_identity_always_draws_the_same_attributes() {
        let specs = orders();
        assert_eq!(draw(&specs, 7, 3, 99), draw(&specs, 7, 3, 99));
        let varied = (0..50).map(|n| draw(&specs, 7, 3, n)).collect::<Vec<_>>();
        assert!(varied.windows(2).any(|w| w[0] != w[1]));
        let d = &varied[0];
        assert_eq!((d[0].name.as_str(), d[0].data_type), ("event", "String"));
        assert_eq!((d[1].name.as_str(), d[1].data_type), ("amount", "Number"));
    }

    #[test]
    fn weights_and_ranges_are_followed() {
        let specs = orders();
        let n = 40_000u64;
        let drawn: Vec<_> = (0..n).map(|s| draw(&specs, 1, 0, s)).collect();
        let paid = drawn.iter().filter(|d| d[0].value == "order_paid").count() as f64 / n as f64;
        assert!((0.24..0.26).contains(&paid), "{paid}");
        let amounts: Vec<i64> = drawn.iter().map(|d| d[1].value.parse().unwrap()).collect();
        assert_eq!(amounts.iter().min(), Some(&1));
        assert_eq!(amounts.iter().max(), Some(&500));
        let numbers = AttributeSpec {
            name: "x".into(),
            values: Values::Numbers {
                values: vec![1.5, 2.0],
                weights: vec![1.0, 0.0],
            },
        };
        assert!((0..100).all(|s| draw(std::slice::from_ref(&numbers), 1, 0, s)[0].value == "1.5"));
    }

    #[test]
    fn no_filter_lets_everything_through() {
        assert!(lets_through(None, &draw(&orders(), 1, 0, 0)));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// What the filter lets through is what the attributes say, read directly.
        #[test]
        fn a_filter_lets_through_what_the_attributes_match(seed in any::<u64>(), publisher in 0u32..64, sequence in 0u64..1_000_000, floor in 1i64..500) {
            let policy = FilterPolicy::from_json(
                &json!({"event": ["order_paid"], "amount": [{"numeric": [">=", floor]}]}),
                Scope::MessageAttributes,
            ).unwrap();
            let drawn = draw(&orders(), seed, publisher, sequence);
            let amount: i64 = drawn[1].value.parse().unwrap();
            prop_assert_eq!(lets_through(Some(&Matcher::Filter(policy)), &drawn), drawn[0].value == "order_paid" && amount >= floor);
        }

        /// What a rule's pattern matches is what the drawn event says, read directly.
        #[test]
        fn a_pattern_matches_what_the_drawn_event_says(seed in any::<u64>(), publisher in 0u32..64, sequence in 0u64..1_000_000, floor in 1i64..500) {
            let fields = vec![
                AttributeSpec { name: "source".into(), values: Values::Strings { values: vec!["orders".into(), "refunds".into()], weights: vec![1.0, 1.0] } },
                AttributeSpec { name: "detail.orderValue".into(), values: Values::Range { min: 1, max: 500 } },
            ];
            let pattern = EventPattern::from_json(
                &json!({"source": ["orders"], "detail": {"orderValue": [{"numeric": [">", floor]}]}}),
            ).unwrap();
            let drawn = draw(&fields, seed, publisher, sequence);
            let value: i64 = drawn[1].value.parse().unwrap();
            let event = event_of(&drawn);
            prop_assert_eq!(&event["detail"]["orderValue"], &json!(value));
            prop_assert_eq!(lets_through(Some(&Matcher::Pattern(pattern)), &drawn), drawn[0].value == "orders" && value > floor);
        }
    }
}
