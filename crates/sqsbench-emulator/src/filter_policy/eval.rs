//! Matching a checked policy against one message: its attributes (MessageAttributes scope) or
//! its JSON body (MessageBody scope). A key matches when any one of its values does, and a
//! value that is an array (String.Array, or an array in the body) matches when any element
//! does.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::Value;

use crate::cidr::in_network;

use super::parse::{Fixed, Literal, Matcher, Node, Range, Rule, fixed};

/// One message attribute as published: its name, its data type (`String`, `Number`,
/// `String.Array`, `Binary`, with an optional custom suffix such as `Number.int`) and its
/// value as text (a Binary attribute's is never looked at).
#[derive(Debug, Clone, Copy)]
pub struct Attribute<'a> {
    pub name: &'a str,
    pub data_type: &'a str,
    pub value: &'a str,
}

pub(super) enum Subject<'s> {
    Attributes(&'s [Attribute<'s>]),
    Body(&'s Value),
}

/// A value a matcher can compare with.
#[derive(Debug, PartialEq)]
enum Leaf<'v> {
    Text(Cow<'v, str>),
    Number(Fixed),
    Bool(bool),
    Null,
    /// Present, but nothing except `exists` matches it (Binary, numbers out of range).
    Opaque,
}

pub(super) fn node(node: &Node, subject: &Subject<'_>) -> bool {
    node.keys.iter().all(|(key, rule)| match rule {
        Rule::Match(matchers) => {
            let leaves = lookup(subject, key);
            matchers.iter().any(|m| matches(m, leaves.as_deref()))
        }
        Rule::Nested(inner) => nested(inner, subject, key),
    }) && node
        .any_of
        .iter()
        .all(|branches| branches.iter().any(|b| self::node(b, subject)))
}

/// A nested key of the body: its object (or any object of its array) must match; an absent
/// key is matched as an empty object, so only `exists: false` lets it through.
fn nested(inner: &Node, subject: &Subject<'_>, key: &str) -> bool {
    let Subject::Body(body) = subject else {
        return false;
    };
    let empty = Value::Object(Default::default());
    match body.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .any(|item| item.is_object() && node(inner, &Subject::Body(item))),
        Some(value @ Value::Object(_)) => node(inner, &Subject::Body(value)),
        Some(_) => false,
        None => node(inner, &Subject::Body(&empty)),
    }
}

/// The key's values, or `None` when the message does not have the key.
fn lookup<'v>(subject: &Subject<'v>, key: &str) -> Option<Vec<Leaf<'v>>> {
    match subject {
        Subject::Attributes(attributes) => {
            let a = attributes.iter().find(|a| a.name == key)?;
            Some(attribute_leaves(a))
        }
        Subject::Body(body) => {
            let mut out = Vec::new();
            json_leaves(body.get(key)?, &mut out);
            Some(out)
        }
    }
}

fn attribute_leaves<'v>(a: &Attribute<'v>) -> Vec<Leaf<'v>> {
    let base = a.data_type.split('.').next().unwrap_or("");
    if a.data_type == "String.Array" {
        return match serde_json::from_str::<Value>(a.value) {
            Ok(Value::Array(items)) => {
                let mut out = Vec::new();
                for item in &items {
                    json_leaves(item, &mut out);
                }
                out.into_iter().map(owned).collect()
            }
            _ => vec![Leaf::Text(Cow::Borrowed(a.value))],
        };
    }
    match base {
        "String" => vec![Leaf::Text(Cow::Borrowed(a.value))],
        "Number" => vec![number_leaf(a.value.trim().parse::<f64>().ok())],
        _ => vec![Leaf::Opaque],
    }
}

fn owned(leaf: Leaf<'_>) -> Leaf<'static> {
    match leaf {
        Leaf::Text(s) => Leaf::Text(Cow::Owned(s.into_owned())),
        Leaf::Number(n) => Leaf::Number(n),
        Leaf::Bool(b) => Leaf::Bool(b),
        Leaf::Null => Leaf::Null,
        Leaf::Opaque => Leaf::Opaque,
    }
}

fn number_leaf(x: Option<f64>) -> Leaf<'static> {
    x.and_then(fixed).map_or(Leaf::Opaque, Leaf::Number)
}

fn json_leaves<'v>(value: &'v Value, out: &mut Vec<Leaf<'v>>) {
    match value {
        Value::String(s) => out.push(Leaf::Text(Cow::Borrowed(s))),
        Value::Number(n) => out.push(number_leaf(n.as_f64())),
        Value::Bool(b) => out.push(Leaf::Bool(*b)),
        Value::Null => out.push(Leaf::Null),
        Value::Array(items) => items.iter().for_each(|i| json_leaves(i, out)),
        // An object is present, but only `exists` can match it.
        Value::Object(_) => out.push(Leaf::Opaque),
    }
}

fn matches(matcher: &Matcher, leaves: Option<&[Leaf<'_>]>) -> bool {
    match (matcher, leaves) {
        (Matcher::Exists(wanted), leaves) => *wanted == leaves.is_some(),
        (_, None) => false,
        (m, Some(leaves)) => leaves.iter().any(|leaf| leaf_matches(m, leaf)),
    }
}

fn leaf_matches(matcher: &Matcher, leaf: &Leaf<'_>) -> bool {
    let text = match leaf {
        Leaf::Text(s) => Some(s.as_ref()),
        _ => None,
    };
    match matcher {
        Matcher::Equals(literal) => equals(literal, leaf),
        Matcher::Prefix(p) => text.is_some_and(|t| t.starts_with(p.as_str())),
        Matcher::Suffix(s) => text.is_some_and(|t| t.ends_with(s.as_str())),
        Matcher::EqualsIgnoreCase(s) => text.is_some_and(|t| t.to_lowercase() == s.to_lowercase()),
        Matcher::AnythingBut(values) => {
            *leaf != Leaf::Opaque && !values.iter().any(|v| equals(v, leaf))
        }
        Matcher::AnythingButPrefix(p) => text.is_some_and(|t| !t.starts_with(p.as_str())),
        Matcher::AnythingButSuffix(s) => text.is_some_and(|t| !t.ends_with(s.as_str())),
        Matcher::Numeric(range) => matches!(leaf, Leaf::Number(n) if within(range, *n)),
        Matcher::Cidr(network, bits) => text
            .and_then(|t| t.parse::<IpAddr>().ok())
            .is_some_and(|ip| in_network(ip, *network, *bits)),
        Matcher::Exists(_) => unreachable!("exists is decided by presence alone"),
    }
}

fn equals(literal: &Literal, leaf: &Leaf<'_>) -> bool {
    match (literal, leaf) {
        (Literal::Text(a), Leaf::Text(b)) => a == b,
        (Literal::Number(a), Leaf::Number(b)) => a == b,
        (Literal::Bool(a), Leaf::Bool(b)) => a == b,
        (Literal::Null, Leaf::Null) => true,
        _ => false,
    }
}

fn within(range: &Range, n: Fixed) -> bool {
    crate::bounds::within(range.lower, range.upper, n)
}
