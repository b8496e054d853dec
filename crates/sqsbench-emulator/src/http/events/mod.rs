//! EventBridge on the emulator's port, in AWS JSON 1.1 (`X-Amz-Target: AWSEvents.<Op>`), through
//! the one pipeline: buses, rules, targets, tags, PutEvents and TestEventPattern, archives and
//! replays. Typed actions (`EventsAction`); `events` does the work and returns deliveries, which
//! `delivery` hands to the broker with retries. Thin: decode, call, encode.

pub(crate) mod delivery;

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use super::actions::{Service, ServiceAction, actions};
use super::pipeline;
use super::sns::SnsAction;
use super::sqs::SqsAction;
use super::sts::StsAction;
use crate::broker::{Broker, now_micros};
use crate::error::Code;
use crate::events::replay::Request;
use crate::events::{EventsCode, EventsError, EventsResult};

const JSON_11: &str = "application/x-amz-json-1.1";

actions! {
    /// Every EventBridge action the emulator knows by name.
    EventsAction {
        CreateEventBus,
        DeleteEventBus,
        DescribeEventBus,
        ListEventBuses,
        PutRule,
        DescribeRule,
        ListRules,
        DeleteRule,
        EnableRule,
        DisableRule,
        PutTargets,
        RemoveTargets,
        ListTargetsByRule,
        PutEvents,
        TestEventPattern,
        TagResource,
        UntagResource,
        ListTagsForResource,
        CreateArchive,
        DescribeArchive,
        ListArchives,
        DeleteArchive,
        StartReplay,
        DescribeReplay,
        ListReplays,
        CancelReplay,
    }
}

impl ServiceAction for EventsAction {
    type Code = EventsCode;
    const SERVICE: Service = Service::Events;

    fn name(self) -> &'static str {
        EventsAction::name(self)
    }

    fn slot(self) -> usize {
        SqsAction::ALL.len() + SnsAction::ALL.len() + StsAction::ALL.len() + self.index()
    }

    fn faultable(self) -> bool {
        self == EventsAction::PutEvents
    }

    fn injected_error() -> EventsError {
        EventsError::new(EventsCode::Internal, "Internal error")
    }
}

/// An AWS JSON 1.1 request for `operation` (after `AWSEvents.`).
pub(crate) async fn json(
    broker: &Arc<Broker>,
    operation: &str,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let Some(action) = EventsAction::from_name(operation) else {
        return error(&EventsError::new(
            EventsCode::UnknownOperation,
            format!("Unknown operation AWSEvents.{operation}."),
        ));
    };
    let work = async {
        let input: Value = serde_json::from_slice(&body).map_err(|e| {
            EventsError::new(
                EventsCode::Serialization,
                format!("The request body is not valid JSON: {e}"),
            )
        })?;
        answer(broker, action, &input)
    };
    match pipeline::run(broker, action, work).await {
        Ok(out) => pipeline::respond(
            StatusCode::OK,
            JSON_11,
            serde_json::to_vec(&out).expect("a JSON value always serializes"),
        ),
        Err(e) => error(&e),
    }
}

/// An AWS JSON 1.1 error: `__type` and `message`.
pub(crate) fn error(e: &EventsError) -> Response<Full<Bytes>> {
    let body = json!({"__type": e.code.query_code(), "message": e.message});
    let status = StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    pipeline::respond(status, JSON_11, body.to_string().into_bytes())
}

fn text<'v>(input: &'v Value, key: &str) -> Option<&'v str> {
    input.get(key).and_then(Value::as_str)
}

fn required<'v>(input: &'v Value, key: &str) -> EventsResult<&'v str> {
    text(input, key).ok_or_else(|| {
        EventsError::validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(key)
        ))
    })
}

fn lower_first(key: &str) -> String {
    let mut chars = key.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `[{"Key": …, "Value": …}]` as a map.
fn tags(input: &Value, key: &str) -> BTreeMap<String, String> {
    input
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|t| Some((text(t, "Key")?.to_owned(), text(t, "Value")?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn strings<'v>(input: &'v Value, key: &str) -> Vec<&'v str> {
    input
        .get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A JSON 1.1 timestamp (epoch seconds) in µs.
fn micros(input: &Value, key: &str) -> EventsResult<u64> {
    input
        .get(key)
        .and_then(Value::as_f64)
        .map(|secs| (secs * 1e6) as u64)
        .ok_or_else(|| EventsError::validation(format!("{key} is required.")))
}

/// The action's answer: each group of actions has a function of its own; this match names
/// every action, so one without an answer does not compile.
fn answer(broker: &Arc<Broker>, action: EventsAction, input: &Value) -> EventsResult<Value> {
    match action {
        EventsAction::CreateEventBus
        | EventsAction::DeleteEventBus
        | EventsAction::DescribeEventBus
        | EventsAction::ListEventBuses
        | EventsAction::TagResource
        | EventsAction::UntagResource
        | EventsAction::ListTagsForResource => buses(broker, action, input),
        EventsAction::CreateArchive
        | EventsAction::DescribeArchive
        | EventsAction::ListArchives
        | EventsAction::DeleteArchive
        | EventsAction::StartReplay
        | EventsAction::DescribeReplay
        | EventsAction::ListReplays
        | EventsAction::CancelReplay => archives(broker, action, input),
        EventsAction::PutRule
        | EventsAction::DescribeRule
        | EventsAction::ListRules
        | EventsAction::DeleteRule
        | EventsAction::EnableRule
        | EventsAction::DisableRule
        | EventsAction::PutTargets
        | EventsAction::RemoveTargets
        | EventsAction::ListTargetsByRule
        | EventsAction::PutEvents
        | EventsAction::TestEventPattern => rules(broker, action, input),
    }
}

/// Buses and tags.
fn buses(broker: &Arc<Broker>, action: EventsAction, input: &Value) -> EventsResult<Value> {
    let events = &broker.events;
    let empty = json!({});
    Ok(match action {
        EventsAction::CreateEventBus => {
            let arn = events.create_bus(
                required(input, "Name")?,
                text(input, "Description"),
                tags(input, "Tags"),
                now_micros(),
            )?;
            json!({"EventBusArn": arn})
        }
        EventsAction::DeleteEventBus => {
            events.delete_bus(required(input, "Name")?)?;
            empty
        }
        EventsAction::DescribeEventBus => events.describe_bus(text(input, "Name"))?,
        EventsAction::ListEventBuses => events.list_buses(text(input, "NamePrefix")),
        EventsAction::TagResource => {
            events.tag(required(input, "ResourceARN")?, tags(input, "Tags"))?;
            empty
        }
        EventsAction::UntagResource => {
            events.untag(required(input, "ResourceARN")?, &strings(input, "TagKeys"))?;
            empty
        }
        EventsAction::ListTagsForResource => {
            let tags = events.tags(required(input, "ResourceARN")?)?;
            let tags: Vec<Value> = tags
                .iter()
                .map(|(k, v)| json!({"Key": k, "Value": v}))
                .collect();
            json!({"Tags": tags})
        }
        other => unreachable!("{other:?} is answered by another group (answer)"),
    })
}

/// Archives and replays.
fn archives(broker: &Arc<Broker>, action: EventsAction, input: &Value) -> EventsResult<Value> {
    let events = &broker.events;
    let empty = json!({});
    Ok(match action {
        EventsAction::CreateArchive => events.create_archive(
            required(input, "ArchiveName")?,
            required(input, "EventSourceArn")?,
            text(input, "EventPattern"),
            text(input, "Description"),
            input
                .get("RetentionDays")
                .and_then(Value::as_u64)
                .unwrap_or(0) as u32,
            now_micros(),
        )?,
        EventsAction::DescribeArchive => {
            events.describe_archive(required(input, "ArchiveName")?)?
        }
        EventsAction::ListArchives => {
            events.list_archives(text(input, "NamePrefix"), text(input, "EventSourceArn"))
        }
        EventsAction::DeleteArchive => {
            events.delete_archive(required(input, "ArchiveName")?)?;
            empty
        }
        EventsAction::StartReplay => {
            let destination = input.get("Destination").cloned().unwrap_or(Value::Null);
            let request = Request {
                name: required(input, "ReplayName")?.to_owned(),
                archive_arn: required(input, "EventSourceArn")?.to_owned(),
                start: micros(input, "EventStartTime")?,
                end: micros(input, "EventEndTime")?,
                destination_bus: required(&destination, "Arn")?.to_owned(),
                filter_arns: destination
                    .get("FilterArns")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    }),
                destination: destination.clone(),
                description: text(input, "Description").map(str::to_owned),
            };
            let (out, deliveries) = events.start_replay(&request, now_micros())?;
            delivery::send_all(broker, deliveries);
            out
        }
        EventsAction::DescribeReplay => events.describe_replay(required(input, "ReplayName")?)?,
        EventsAction::ListReplays => events.list_replays(text(input, "NamePrefix")),
        EventsAction::CancelReplay => events.cancel_replay(required(input, "ReplayName")?)?,
        other => unreachable!("{other:?} is answered by another group (answer)"),
    })
}

/// Rules, targets and events.
fn rules(broker: &Arc<Broker>, action: EventsAction, input: &Value) -> EventsResult<Value> {
    let events = &broker.events;
    let bus = text(input, "EventBusName");
    let empty = json!({});
    Ok(match action {
        EventsAction::PutRule => {
            let enabled = text(input, "State").map(|s| s != "DISABLED");
            let arn = events.put_rule(
                bus,
                required(input, "Name")?,
                text(input, "EventPattern"),
                text(input, "ScheduleExpression"),
                enabled,
                text(input, "Description"),
                tags(input, "Tags"),
            )?;
            json!({"RuleArn": arn})
        }
        EventsAction::DescribeRule => events.describe_rule(bus, required(input, "Name")?)?,
        EventsAction::ListRules => events.list_rules(bus, text(input, "NamePrefix"))?,
        EventsAction::DeleteRule => {
            events.delete_rule(bus, required(input, "Name")?)?;
            empty
        }
        EventsAction::EnableRule | EventsAction::DisableRule => {
            let on = action == EventsAction::EnableRule;
            events.set_enabled(bus, required(input, "Name")?, on)?;
            empty
        }
        EventsAction::PutTargets => {
            let given = input
                .get("Targets")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let failed = events.put_targets(bus, required(input, "Rule")?, &given)?;
            failed_entries(failed)
        }
        EventsAction::RemoveTargets => {
            events.remove_targets(bus, required(input, "Rule")?, &strings(input, "Ids"))?;
            json!({"FailedEntryCount": 0, "FailedEntries": []})
        }
        EventsAction::ListTargetsByRule => events.list_targets(bus, required(input, "Rule")?)?,
        EventsAction::PutEvents => put_events(broker, input)?,
        EventsAction::TestEventPattern => {
            let result = events
                .test_event_pattern(required(input, "EventPattern")?, required(input, "Event")?)?;
            json!({"Result": result})
        }
        other => unreachable!("{other:?} is answered by another group (answer)"),
    })
}

fn failed_entries(failed: Vec<(String, &'static str, String)>) -> Value {
    let entries: Vec<Value> = failed
        .iter()
        .map(|(id, code, message)| json!({"TargetId": id, "ErrorCode": code, "ErrorMessage": message}))
        .collect();
    json!({"FailedEntryCount": entries.len(), "FailedEntries": entries})
}

fn put_events(broker: &Arc<Broker>, input: &Value) -> EventsResult<Value> {
    let now = now_micros();
    broker.events.admit_put_events(now)?;
    let entries = input
        .get("Entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let outcomes = broker.events.put_events(&entries, now)?;
    let mut failed = 0;
    let mut out = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok((id, deliveries)) => {
                delivery::send_all(broker, deliveries);
                out.push(json!({"EventId": id}));
            }
            Err((code, message)) => {
                failed += 1;
                out.push(json!({"ErrorCode": code, "ErrorMessage": message}));
            }
        }
    }
    Ok(json!({"FailedEntryCount": failed, "Entries": out}))
}
