//! Policy JSON → `Node`, refusing what SNS refuses: wrong shapes, unknown operators, numbers
//! out of range, nesting in the MessageAttributes scope, and policies over the key and
//! combination limits.

use std::collections::BTreeSet;
use std::net::IpAddr;

use serde_json::{Map, Value};

use super::terms::{MAX_COMBINATIONS, MAX_KEYS, PolicyError, Scope};

/// Keys that must all match, and `$or` groups of which at least one branch must match.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub(super) keys: Vec<(String, Rule)>,
    pub(super) any_of: Vec<Vec<Node>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Rule {
    /// A key's array: any one of these matches.
    Match(Vec<Matcher>),
    /// A key whose value is an object: the key's value in the body must match it.
    Nested(Node),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Matcher {
    Equals(Literal),
    Prefix(String),
    Suffix(String),
    EqualsIgnoreCase(String),
    AnythingBut(Vec<Literal>),
    AnythingButPrefix(String),
    AnythingButSuffix(String),
    Numeric(Range),
    Exists(bool),
    Cidr(IpAddr, u8),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Literal {
    Text(String),
    Number(Fixed),
    Bool(bool),
    Null,
}

/// A number with the five decimal digits SNS compares: value × 10⁵, rounded.
pub(super) type Fixed = i64;

/// Ends of a numeric range; `inclusive` per end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Range {
    pub(super) lower: Option<(Fixed, bool)>,
    pub(super) upper: Option<(Fixed, bool)>,
}

/// SNS compares numbers from −10⁹ to 10⁹.
const NUMBER_LIMIT: f64 = 1e9;

/// `x` as `Fixed`, or `None` out of SNS's range.
pub(super) fn fixed(x: f64) -> Option<Fixed> {
    (x.is_finite() && x.abs() <= NUMBER_LIMIT).then(|| (x * 1e5).round() as Fixed)
}

fn refuse<T>(reason: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError(reason.into()))
}

pub(super) fn policy(value: &Value, scope: Scope) -> Result<Node, PolicyError> {
    let Value::Object(map) = value else {
        return refuse("Filter policy must be a JSON object.");
    };
    let root = node(map, scope, "")?;
    let mut keys = BTreeSet::new();
    leaf_keys(&root, "", &mut keys);
    if keys.len() > MAX_KEYS {
        return refuse(format!(
            "Filter policy can not have more than {MAX_KEYS} keys; it has {}.",
            keys.len()
        ));
    }
    let combinations = combinations(&root);
    if combinations > MAX_COMBINATIONS {
        return refuse(format!(
            "Filter policy is too complex: {combinations} combinations of values, at most {MAX_COMBINATIONS}."
        ));
    }
    Ok(root)
}

fn node(map: &Map<String, Value>, scope: Scope, path: &str) -> Result<Node, PolicyError> {
    if map.is_empty() && !path.is_empty() {
        return refuse(format!("Key {path} has an empty object."));
    }
    let mut out = Node {
        keys: Vec::new(),
        any_of: Vec::new(),
    };
    for (key, value) in map {
        let at = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        if key == "$or" {
            out.any_of.push(branches(value, scope, path)?);
            continue;
        }
        let rule = match value {
            Value::Array(items) => Rule::Match(matchers(items, &at)?),
            Value::Object(inner) if scope == Scope::MessageBody => {
                Rule::Nested(node(inner, scope, &at)?)
            }
            Value::Object(_) => {
                return refuse(format!(
                    "Key {at}: the MessageAttributes scope does not support nested filter policies (set FilterPolicyScope to MessageBody)."
                ));
            }
            _ => return refuse(format!("Key {at}: match values must be in an array.")),
        };
        out.keys.push((key.clone(), rule));
    }
    Ok(out)
}

fn branches(value: &Value, scope: Scope, path: &str) -> Result<Vec<Node>, PolicyError> {
    let Value::Array(items) = value else {
        return refuse("$or must be an array of objects.");
    };
    if items.len() < 2 {
        return refuse("$or needs at least two objects to choose from.");
    }
    items
        .iter()
        .map(|item| match item {
            Value::Object(map) if !map.is_empty() => node(map, scope, path),
            _ => refuse("$or must be an array of non-empty objects."),
        })
        .collect()
}

fn matchers(items: &[Value], at: &str) -> Result<Vec<Matcher>, PolicyError> {
    if items.is_empty() {
        return refuse(format!("Key {at}: empty arrays are not allowed."));
    }
    items.iter().map(|item| matcher(item, at)).collect()
}

fn matcher(item: &Value, at: &str) -> Result<Matcher, PolicyError> {
    match item {
        Value::Object(map) => operator(map, at),
        Value::Array(_) => refuse(format!(
            "Key {at}: match value must be a string, a number, true, false, null or an operator object."
        )),
        literal => Ok(Matcher::Equals(self::literal(literal, at)?)),
    }
}

fn literal(value: &Value, at: &str) -> Result<Literal, PolicyError> {
    Ok(match value {
        Value::String(s) => Literal::Text(s.clone()),
        Value::Number(n) => Literal::Number(number(n.as_f64().unwrap_or(f64::NAN), at)?),
        Value::Bool(b) => Literal::Bool(*b),
        Value::Null => Literal::Null,
        _ => return refuse(format!("Key {at}: expected a string or a number.")),
    })
}

fn number(x: f64, at: &str) -> Result<Fixed, PolicyError> {
    fixed(x).ok_or_else(|| {
        PolicyError(format!(
            "Key {at}: numbers must be between -1000000000 and 1000000000, not {x}."
        ))
    })
}

fn operator(map: &Map<String, Value>, at: &str) -> Result<Matcher, PolicyError> {
    let mut entries = map.iter();
    let (Some((name, arg)), None) = (entries.next(), entries.next()) else {
        return refuse(format!(
            "Key {at}: an operator object has exactly one operator."
        ));
    };
    let text = |what: &str| match arg {
        Value::String(s) => Ok(s.clone()),
        _ => refuse(format!("Key {at}: {what} takes a string.")),
    };
    Ok(match name.as_str() {
        "prefix" => Matcher::Prefix(text("prefix")?),
        "suffix" => Matcher::Suffix(text("suffix")?),
        "equals-ignore-case" => Matcher::EqualsIgnoreCase(text("equals-ignore-case")?),
        "exists" => match arg {
            Value::Bool(b) => Matcher::Exists(*b),
            _ => return refuse(format!("Key {at}: exists takes true or false.")),
        },
        "numeric" => Matcher::Numeric(range(arg, at)?),
        "anything-but" => anything_but(arg, at)?,
        "cidr" => cidr(&text("cidr")?, at)?,
        other => return refuse(format!("Key {at}: unrecognized match type {other}.")),
    })
}

fn anything_but(arg: &Value, at: &str) -> Result<Matcher, PolicyError> {
    match arg {
        Value::String(_) | Value::Number(_) => Ok(Matcher::AnythingBut(vec![literal(arg, at)?])),
        Value::Array(items) if !items.is_empty() => {
            let all_text = items.iter().all(Value::is_string);
            let all_numbers = items.iter().all(Value::is_number);
            if !all_text && !all_numbers {
                return refuse(format!(
                    "Key {at}: anything-but takes a list of strings or a list of numbers, not a mix."
                ));
            }
            Ok(Matcher::AnythingBut(
                items
                    .iter()
                    .map(|i| literal(i, at))
                    .collect::<Result<_, _>>()?,
            ))
        }
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((op, Value::String(s))) if op == "prefix" => {
                Ok(Matcher::AnythingButPrefix(s.clone()))
            }
            Some((op, Value::String(s))) if op == "suffix" => {
                Ok(Matcher::AnythingButSuffix(s.clone()))
            }
            _ => refuse(format!(
                "Key {at}: anything-but takes a string, a number, a list, or {{\"prefix\": …}} / {{\"suffix\": …}}."
            )),
        },
        _ => refuse(format!(
            "Key {at}: anything-but takes a string, a number, a non-empty list, or a prefix or suffix."
        )),
    }
}

fn range(arg: &Value, at: &str) -> Result<Range, PolicyError> {
    let Value::Array(items) = arg else {
        return refuse(format!(
            "Key {at}: numeric takes an array such as [\">\", 0, \"<=\", 5]."
        ));
    };
    if items.len() != 2 && items.len() != 4 {
        return refuse(format!(
            "Key {at}: numeric takes one operator and a number, or two of each."
        ));
    }
    let mut range = Range {
        lower: None,
        upper: None,
    };
    for pair in items.chunks(2) {
        let (Value::String(op), Value::Number(n)) = (&pair[0], &pair[1]) else {
            return refuse(format!(
                "Key {at}: numeric needs an operator (\"=\", \"<\", \"<=\", \">\", \">=\") followed by a number."
            ));
        };
        let n = number(n.as_f64().unwrap_or(f64::NAN), at)?;
        let (end, inclusive) = match op.as_str() {
            "=" if items.len() == 2 => {
                return Ok(Range {
                    lower: Some((n, true)),
                    upper: Some((n, true)),
                });
            }
            ">" => (&mut range.lower, false),
            ">=" => (&mut range.lower, true),
            "<" => (&mut range.upper, false),
            "<=" => (&mut range.upper, true),
            other => {
                return refuse(format!(
                    "Key {at}: unrecognized numeric range operator {other}."
                ));
            }
        };
        if end.is_some() {
            return refuse(format!(
                "Key {at}: a numeric range has one lower and one upper end."
            ));
        }
        *end = Some((n, inclusive));
    }
    if let (Some((low, _)), Some((high, _))) = (range.lower, range.upper)
        && low >= high
    {
        return refuse(format!(
            "Key {at}: the bottom of a numeric range must be less than the top."
        ));
    }
    Ok(range)
}

fn cidr(text: &str, at: &str) -> Result<Matcher, PolicyError> {
    let bad = || PolicyError(format!("Key {at}: {text} is not a CIDR block."));
    let (address, bits) = text.split_once('/').ok_or_else(bad)?;
    let address: IpAddr = address.parse().map_err(|_| bad())?;
    let bits: u8 = bits.parse().map_err(|_| bad())?;
    let most = if address.is_ipv4() { 32 } else { 128 };
    if bits > most {
        return Err(bad());
    }
    Ok(Matcher::Cidr(address, bits))
}

/// Every key path that carries match values, across `$or` branches.
fn leaf_keys(node: &Node, path: &str, out: &mut BTreeSet<String>) {
    for (key, rule) in &node.keys {
        let at = format!("{path}.{key}");
        match rule {
            Rule::Match(_) => {
                out.insert(at);
            }
            Rule::Nested(inner) => leaf_keys(inner, &at, out),
        }
    }
    for branch in node.any_of.iter().flatten() {
        leaf_keys(branch, path, out);
    }
}

/// AWS's measure of complexity: the product of the arrays' lengths, each `$or` adding up the
/// combinations of its branches.
fn combinations(node: &Node) -> u64 {
    let keys = node.keys.iter().fold(1u64, |product, (_, rule)| {
        product.saturating_mul(match rule {
            Rule::Match(values) => values.len() as u64,
            Rule::Nested(inner) => combinations(inner),
        })
    });
    node.any_of.iter().fold(keys, |product, branches| {
        product.saturating_mul(branches.iter().map(combinations).sum())
    })
}
