//! The message attributes a fan-out publisher puts on each message, and which subscriptions
//! should therefore get it. Every value is a pure function of the run's seed, the publisher and
//! the message's sequence number — the identity the payload header carries — so whoever decodes
//! a message (a consumer, another shard, a merge) can recompute its attributes and evaluate a
//! subscription's filter policy on them with the emulator's own `filter_policy`, without the
//! attributes ever being stored. Pure: no clock, no I/O.

use crate::emulator::filter_policy::{Attribute, FilterPolicy};
use crate::emulator::splitmix::finalize;
pub use crate::scenario::{AttributeSpec, Values};

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

/// Whether a subscription with this policy (`None`: no filter) should get the message whose
/// attributes are `drawn`.
pub fn lets_through(policy: Option<&FilterPolicy>, drawn: &[Drawn]) -> bool {
    let Some(policy) = policy else {
        return true;
    };
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
            prop_assert_eq!(lets_through(Some(&policy), &drawn), drawn[0].value == "order_paid" && amount >= floor);
        }
    }
}
