//! Pattern JSON → `Node`, refusing what EventBridge refuses, with its reasons: a pattern that is
//! not an object, a field that is neither an object nor an array, empty objects and arrays,
//! unknown match types, badly formed operators, numbers beyond ±5.0e9, malformed wildcards and
//! CIDR blocks, and `$or` with fewer than two objects.

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::PatternError;
use super::wildcard::{self, Piece};

/// Fields that must all match, and `$or` groups of which one branch must match.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub(super) fields: Vec<(String, Field)>,
    pub(super) any_of: Vec<Vec<Node>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Field {
    /// A leaf's array: any one of these matches.
    Values(Vec<Matcher>),
    /// An object: the event's field must be an object (or an array of them) that matches.
    Nested(Node),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Matcher {
    Exact(Literal),
    Prefix(Text),
    Suffix(Text),
    EqualsIgnoreCase(String),
    Wildcard(Vec<Piece>),
    AnythingBut(AnythingBut),
    Numeric(Range),
    Exists(bool),
    Cidr(IpAddr, u8),
}

/// A `prefix` or `suffix` value, compared as written or ignoring case.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Text {
    pub(super) value: String,
    pub(super) ignore_case: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum AnythingBut {
    /// Strings only, or numbers only.
    Values(Vec<Literal>),
    Prefix(String),
    Suffix(String),
    Wildcard(Vec<Vec<Piece>>),
    IgnoreCase(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
}

/// Ends of a numeric range; `inclusive` per end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Range {
    pub(super) lower: Option<(f64, bool)>,
    pub(super) upper: Option<(f64, bool)>,
}

/// EventBridge compares numbers from −5.0e9 to 5.0e9 inclusive.
pub(super) const NUMBER_LIMIT: f64 = 5.0e9;

fn refuse<T>(reason: impl Into<String>) -> Result<T, PatternError> {
    Err(PatternError(reason.into()))
}

pub(super) fn pattern(value: &Value) -> Result<Node, PatternError> {
    let Value::Object(map) = value else {
        return refuse("Filter is not an object");
    };
    node(map)
}

fn node(map: &Map<String, Value>) -> Result<Node, PatternError> {
    if map.is_empty() {
        return refuse("Empty objects are not allowed");
    }
    let mut out = Node {
        fields: Vec::new(),
        any_of: Vec::new(),
    };
    for (key, value) in map {
        if key == "$or" {
            out.any_of.push(branches(value)?);
            continue;
        }
        let field = match value {
            Value::Array(items) => Field::Values(matchers(items)?),
            Value::Object(inner) => Field::Nested(node(inner)?),
            _ => return refuse(format!("\"{key}\" must be an object or an array")),
        };
        out.fields.push((key.clone(), field));
    }
    Ok(out)
}

fn branches(value: &Value) -> Result<Vec<Node>, PatternError> {
    let Value::Array(items) = value else {
        return refuse("It must be an Array followed with $or.");
    };
    let branches = items
        .iter()
        .map(|item| match item {
            Value::Object(map) => node(map),
            _ => refuse("Only JSON object is allowed in array of $or relationship."),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if branches.len() < 2 {
        return refuse("There must have at least 2 Objects in $or relationship.");
    }
    Ok(branches)
}

fn matchers(items: &[Value]) -> Result<Vec<Matcher>, PatternError> {
    if items.is_empty() {
        return refuse("Empty arrays are not allowed");
    }
    items.iter().map(matcher).collect()
}

fn matcher(item: &Value) -> Result<Matcher, PatternError> {
    Ok(match item {
        Value::Object(map) => operator(map)?,
        Value::Array(_) => {
            return refuse("Match value must be String, number, true, false, or null");
        }
        Value::String(s) => Matcher::Exact(Literal::Text(s.clone())),
        Value::Number(n) => Matcher::Exact(Literal::Number(n.as_f64().unwrap_or(f64::NAN))),
        Value::Bool(b) => Matcher::Exact(Literal::Bool(*b)),
        Value::Null => Matcher::Exact(Literal::Null),
    })
}

/// The one `name: argument` pair of an operator object.
fn single(map: &Map<String, Value>) -> Result<(&str, &Value), PatternError> {
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((name, arg)), None) => Ok((name.as_str(), arg)),
        (None, _) => refuse("Match expression name not found"),
        _ => refuse("Only one key allowed in match expression"),
    }
}

fn operator(map: &Map<String, Value>) -> Result<Matcher, PatternError> {
    let (name, arg) = single(map)?;
    let string = |what: &str| match arg {
        Value::String(s) => Ok(s.clone()),
        _ => refuse(format!("{what} match pattern must be a string")),
    };
    Ok(match name {
        "prefix" => Matcher::Prefix(text_or_ignore_case(arg, "prefix")?),
        "suffix" => Matcher::Suffix(text_or_ignore_case(arg, "suffix")?),
        "equals-ignore-case" => Matcher::EqualsIgnoreCase(string("equals-ignore-case")?),
        "wildcard" => {
            Matcher::Wildcard(wildcard::pieces(&string("wildcard")?).map_err(PatternError)?)
        }
        "exists" => match arg {
            Value::Bool(b) => Matcher::Exists(*b),
            _ => return refuse("exists match pattern must be either true or false."),
        },
        "numeric" => Matcher::Numeric(range(arg)?),
        "anything-but" => Matcher::AnythingBut(anything_but(arg)?),
        "cidr" => cidr(&string("cidr")?)?,
        other => return refuse(format!("Unrecognized match type {other}")),
    })
}

/// `"text"` or `{"equals-ignore-case": "text"}`, for `prefix` and `suffix`.
fn text_or_ignore_case(arg: &Value, what: &str) -> Result<Text, PatternError> {
    match arg {
        Value::String(s) => Ok(Text {
            value: s.clone(),
            ignore_case: false,
        }),
        Value::Object(map) => match single(map)? {
            ("equals-ignore-case", Value::String(s)) => Ok(Text {
                value: s.clone(),
                ignore_case: true,
            }),
            _ => refuse(format!(
                "Value of {what} must be a string or a valid equals-ignore-case expression"
            )),
        },
        _ => refuse(format!(
            "Value of {what} must be a string or a valid equals-ignore-case expression"
        )),
    }
}

fn anything_but(arg: &Value) -> Result<AnythingBut, PatternError> {
    match arg {
        Value::String(_) | Value::Number(_) => Ok(AnythingBut::Values(vec![number_checked(arg)?])),
        Value::Array(items) => anything_but_list(items),
        Value::Object(map) => anything_but_operator(map),
        _ => refuse("Value of anything-but must be an array or single string/number value."),
    }
}

fn anything_but_list(items: &[Value]) -> Result<AnythingBut, PatternError> {
    let values = items
        .iter()
        .map(|item| match item {
            Value::String(_) | Value::Number(_) => number_checked(item),
            _ => refuse("Inside anything but list, start|null|boolean is not supported."),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let numbers = values
        .iter()
        .filter(|v| matches!(v, Literal::Number(_)))
        .count();
    if values.is_empty() || (numbers > 0 && numbers < values.len()) {
        return refuse(
            "Inside anything but list, either all values are number or string, mixed type is not supported",
        );
    }
    Ok(AnythingBut::Values(values))
}

fn anything_but_operator(map: &Map<String, Value>) -> Result<AnythingBut, PatternError> {
    let (name, arg) = single(map)?;
    let strings = |what: &str| -> Result<Vec<String>, PatternError> {
        let bad = || {
            PatternError(format!(
                "Inside anything-but/{what} list, number|start|null|boolean is not supported."
            ))
        };
        match arg {
            Value::String(s) => Ok(vec![s.clone()]),
            Value::Array(items) if !items.is_empty() => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned).ok_or_else(bad))
                .collect(),
            _ => Err(bad()),
        }
    };
    match name {
        "prefix" | "suffix" => {
            let Value::String(text) = arg else {
                return refuse("prefix/suffix match pattern must be a string");
            };
            if text.is_empty() {
                return refuse("Null prefix/suffix not allowed");
            }
            Ok(if name == "prefix" {
                AnythingBut::Prefix(text.clone())
            } else {
                AnythingBut::Suffix(text.clone())
            })
        }
        "equals-ignore-case" => Ok(AnythingBut::IgnoreCase(strings("equals-ignore-case")?)),
        "wildcard" => Ok(AnythingBut::Wildcard(
            strings("wildcard")?
                .iter()
                .map(|w| wildcard::pieces(w).map_err(PatternError))
                .collect::<Result<_, _>>()?,
        )),
        other => refuse(format!("Unsupported anything-but pattern: {other}")),
    }
}

/// A string, or a number within EventBridge's range.
fn number_checked(value: &Value) -> Result<Literal, PatternError> {
    match value {
        Value::Number(n) => Ok(Literal::Number(number(n.as_f64().unwrap_or(f64::NAN))?)),
        Value::String(s) => Ok(Literal::Text(s.clone())),
        _ => refuse("Match value must be String, number, true, false, or null"),
    }
}

fn number(x: f64) -> Result<f64, PatternError> {
    if x.is_finite() && x.abs() <= NUMBER_LIMIT {
        Ok(x)
    } else {
        refuse("Value must be between -5.0E9 and 5.0E9 inclusive")
    }
}

fn range(arg: &Value) -> Result<Range, PatternError> {
    let Value::Array(items) = arg else {
        return refuse("Value of numeric must be an array.");
    };
    let mut range = Range {
        lower: None,
        upper: None,
    };
    let mut rest = items.iter();
    let Some(first) = rest.next() else {
        return refuse("Invalid member in numeric match: ]");
    };
    let Value::String(op) = first else {
        return refuse(format!("Invalid member in numeric match: {first}"));
    };
    let bound = |op: &str, value: Option<&Value>| match value {
        Some(Value::Number(n)) => number(n.as_f64().unwrap_or(f64::NAN)),
        _ => refuse(format!("Value of {op} must be numeric")),
    };
    let value = bound(op, rest.next())?;
    match op.as_str() {
        "=" => {
            range.lower = Some((value, true));
            range.upper = Some((value, true));
        }
        ">" | ">=" => {
            range.lower = Some((value, op == ">="));
            if let Some(next) = rest.next() {
                let Value::String(top_op) = next else {
                    return refuse(format!("Bad value in numeric range: {next}"));
                };
                if top_op != "<" && top_op != "<=" {
                    return refuse(format!("Bad numeric range operator: {top_op}"));
                }
                let top = bound(top_op, rest.next())?;
                if top <= value {
                    return refuse("Bottom must be less than top");
                }
                range.upper = Some((top, top_op == "<="));
            }
        }
        "<" | "<=" => range.upper = Some((value, op == "<=")),
        other => return refuse(format!("Unrecognized numeric range operator: {other}")),
    }
    if rest.next().is_some() {
        return refuse("Too many elements in numeric expression");
    }
    Ok(range)
}

fn cidr(text: &str) -> Result<Matcher, PatternError> {
    let bad = || PatternError(format!("Malformed CIDR, one '/' required: {text}"));
    let (address, bits) = text.split_once('/').ok_or_else(bad)?;
    let address: IpAddr = address
        .parse()
        .map_err(|_| PatternError(format!("Invalid IP address in CIDR: {text}")))?;
    let bits: u8 = bits.parse().map_err(|_| {
        PatternError(format!(
            "Malformed CIDR, mask bits must be an integer: {text}"
        ))
    })?;
    let most = if address.is_ipv4() { 32 } else { 128 };
    if bits > most {
        return refuse(format!(
            "Malformed CIDR, mask bits must be between 0 and {most}: {text}"
        ));
    }
    Ok(Matcher::Cidr(address, bits))
}
