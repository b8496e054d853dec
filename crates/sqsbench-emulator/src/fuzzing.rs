//! Entry points for the fuzz targets (`fuzz/`, cargo-fuzz): each hands untrusted bytes to one of
//! the server's parsers exactly as a request would reach it, and drops the result; a panic, an
//! overflow or a hang is the finding. Built only with the `fuzzing` feature, so nothing here is
//! part of the crate's API. Depends on the wire layer's decoders and on `auth`; holds no state
//! between inputs.

use crate::broker::Broker;
use crate::config::EmulatorConfig;
use crate::http::query::Params;
use crate::http::sns::{self, SnsAction};
use crate::http::sqs::op::Op;
use crate::http::sqs::{SqsAction, query_in};

/// The action a fuzz input's first byte picks, so the fuzzer need not find the names.
fn pick<'d, A: Copy>(all: &[A], data: &'d [u8]) -> (A, &'d [u8]) {
    match data.split_first() {
        Some((first, rest)) => (all[*first as usize % all.len()], rest),
        None => (all[0], data),
    }
}

/// A URL query string and a form body, split at the first newline.
fn query_and_body(data: &[u8]) -> (String, &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(at) => (
            String::from_utf8_lossy(&data[..at]).into_owned(),
            &data[at + 1..],
        ),
        None => (String::new(), data),
    }
}

/// An AWS JSON 1.0 body for SQS, decoded into its action's typed input.
pub fn sqs_json(data: &[u8]) {
    let (action, body) = pick(SqsAction::ALL, data);
    let _ = Op::from_json(action, body);
}

/// A query-protocol SQS request: the parameters decoded, laid out as JSON, then decoded as the
/// JSON protocol's are.
pub fn sqs_query(data: &[u8]) {
    let (action, rest) = pick(SqsAction::ALL, data);
    let (query, body) = query_and_body(rest);
    let params = Params::decode(Some(&query), body);
    if let Ok(json) = query_in::to_json(action, params.iter()) {
        let _ = Op::from_json(action, &json);
    }
}

/// A query-protocol SNS request, decoded and answered by a fresh broker (SNS reads its
/// parameters as it works, so decoding and answering are one step).
pub fn sns_request(data: &[u8]) {
    let (action, rest) = pick(SnsAction::ALL, data);
    let (query, body) = query_and_body(rest);
    let params = Params::decode(Some(&query), body);
    let broker = Broker::new(EmulatorConfig::default());
    let _ = sns::answer(&broker, action, &params);
}

/// An SNS filter policy, in both scopes, matched against a small message when it parses.
pub fn filter_policy(data: &[u8]) {
    use crate::filter_policy::{FilterPolicy, Scope};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for scope in [Scope::MessageAttributes, Scope::MessageBody] {
        if let Ok(policy) = FilterPolicy::parse(text, scope) {
            let _ = policy.matches(&[], r#"{"a":1,"b":["x",2.5,null],"c":{"d":"e"}}"#);
        }
    }
}

/// An EventBridge event pattern as PutRule and TestEventPattern read it, matched when it parses
/// against an event with nested objects, arrays, numbers, booleans, null and an IP address.
pub fn event_pattern(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pattern) = crate::event_pattern::EventPattern::parse(text) {
        let event = serde_json::json!({
            "source": "com.company.orders", "detail-type": "OrderCreated", "time": "2026-12-06T00:00:00Z",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"],
            "detail": {"orderValue": 250.5, "n": -3, "ok": true, "none": null, "empty": "", "ip": "10.0.0.1",
                       "v6": "2001:db8::1", "tags": ["a", "b", ["c"]], "items": [{"sku": "A1", "qty": 2}], "o": {"p": "*q\\"}}
        });
        let _ = pattern.matches(&event);
    }
}

/// A request's SigV4 as `serve --auth` reads it: the Authorization header (before the first
/// newline) and a presigned URL's query string (the rest), each parsed.
pub fn sigv4(data: &[u8]) {
    let (header, query) = query_and_body(data);
    let _ = crate::auth::parse::authorization(&header);
    let _ = crate::auth::parse::presigned(&String::from_utf8_lossy(query));
}

/// A credentials file as `serve --credentials` reads it.
pub fn credentials(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::auth::Credentials::parse(text);
    }
}
