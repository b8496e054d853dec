//! Matching a checked pattern against one event. A field matches when any of its values
//! matches any of the event's values there; an array in the event offers each of its elements
//! (arrays of arrays flattened); a nested pattern under an array must match one element as a
//! whole. Only leaves (strings, numbers, booleans, null) are values: `exists` works on leaves,
//! as AWS documents, so an object or an empty array does not "exist".

use std::net::IpAddr;

use serde_json::Value;

use crate::cidr::in_network;

use super::parse::{AnythingBut, Field, Literal, Matcher, NUMBER_LIMIT, Node, Range, Text};
use super::wildcard;

pub(super) fn node(node: &Node, event: &Value) -> bool {
    node.fields.iter().all(|(key, field)| {
        let value = event.get(key);
        match field {
            Field::Values(matchers) => {
                let mut leaves = Vec::new();
                if let Some(v) = value {
                    leaves_of(v, &mut leaves);
                }
                matchers.iter().any(|m| matches(m, &leaves))
            }
            Field::Nested(inner) => nested(inner, value),
        }
    }) && node
        .any_of
        .iter()
        .all(|branches| branches.iter().any(|b| self::node(b, event)))
}

/// A nested pattern: an object must match it, or one object of an array; anything else is
/// matched as an empty object, so only `exists: false` lets it through.
fn nested(inner: &Node, value: Option<&Value>) -> bool {
    let empty = Value::Object(Default::default());
    match value {
        Some(Value::Array(items)) => {
            let objects: Vec<&Value> = items.iter().filter(|i| i.is_object()).collect();
            if objects.is_empty() {
                node(inner, &empty)
            } else {
                objects.iter().any(|item| node(inner, item))
            }
        }
        Some(object @ Value::Object(_)) => node(inner, object),
        _ => node(inner, &empty),
    }
}

fn leaves_of<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| leaves_of(i, out)),
        Value::Object(_) => {}
        leaf => out.push(leaf),
    }
}

fn matches(matcher: &Matcher, leaves: &[&Value]) -> bool {
    match matcher {
        Matcher::Exists(wanted) => *wanted != leaves.is_empty(),
        m => leaves.iter().any(|leaf| leaf_matches(m, leaf)),
    }
}

fn leaf_matches(matcher: &Matcher, leaf: &Value) -> bool {
    let text = leaf.as_str();
    match matcher {
        Matcher::Exact(literal) => equals(literal, leaf),
        Matcher::Prefix(p) => text.is_some_and(|t| affix(p, t, true)),
        Matcher::Suffix(s) => text.is_some_and(|t| affix(s, t, false)),
        Matcher::EqualsIgnoreCase(s) => text.is_some_and(|t| fold(t) == fold(s)),
        Matcher::Wildcard(pieces) => text.is_some_and(|t| wildcard::matches(pieces, t)),
        Matcher::AnythingBut(but) => anything_but(but, leaf),
        Matcher::Numeric(range) => number(leaf).is_some_and(|n| within(range, n)),
        Matcher::Cidr(network, bits) => text
            .and_then(|t| t.parse::<IpAddr>().ok())
            .is_some_and(|ip| in_network(ip, *network, *bits)),
        Matcher::Exists(_) => unreachable!("exists is decided by presence alone"),
    }
}

fn affix(pattern: &Text, value: &str, at_start: bool) -> bool {
    let (pattern, value) = if pattern.ignore_case {
        (fold(&pattern.value), fold(value))
    } else {
        (pattern.value.clone(), value.to_owned())
    };
    if at_start {
        value.starts_with(&pattern)
    } else {
        value.ends_with(&pattern)
    }
}

fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// An event's number within EventBridge's range (numbers beyond it match only as text).
fn number(leaf: &Value) -> Option<f64> {
    leaf.as_f64().filter(|x| x.abs() <= NUMBER_LIMIT)
}

fn equals(literal: &Literal, leaf: &Value) -> bool {
    match (literal, leaf) {
        (Literal::Text(a), Value::String(b)) => a == b,
        (Literal::Number(a), Value::Number(b)) => b.as_f64() == Some(*a),
        (Literal::Bool(a), Value::Bool(b)) => a == b,
        (Literal::Null, Value::Null) => true,
        _ => false,
    }
}

fn anything_but(but: &AnythingBut, leaf: &Value) -> bool {
    let text = leaf.as_str();
    match but {
        AnythingBut::Values(values) => !values.iter().any(|v| equals(v, leaf)),
        AnythingBut::Prefix(p) => text.is_some_and(|t| !t.starts_with(p.as_str())),
        AnythingBut::Suffix(s) => text.is_some_and(|t| !t.ends_with(s.as_str())),
        AnythingBut::Wildcard(all) => {
            text.is_some_and(|t| !all.iter().any(|w| wildcard::matches(w, t)))
        }
        AnythingBut::IgnoreCase(values) => {
            text.is_some_and(|t| !values.iter().any(|v| fold(v) == fold(t)))
        }
    }
}

fn within(range: &Range, n: f64) -> bool {
    crate::bounds::within(range.lower, range.upper, n)
}
