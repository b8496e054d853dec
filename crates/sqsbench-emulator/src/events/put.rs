//! PutEvents and TestEventPattern: each entry checked, made into the envelope, kept by the
//! bus's archives and routed to every enabled rule it matches (`route`, which replays use too).
//! Part of `Events`.

use serde_json::{Value, json};

use super::input::{self, Reserved};
use super::types::{Bus, Delivery, Fate};
use super::{
    Events, EventsCode, EventsError, EventsResult, State, bus_name, count, replay, rfc3339,
};
use crate::event_pattern::EventPattern;
use crate::model::message::{Micros, uuid_text};
use crate::splitmix::finalize;

/// A PutEvents request's entries may add up to 256 KB, counted as AWS counts them
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html>).
pub(crate) const MAX_PUT_EVENTS_BYTES: usize = 256 * 1024;
pub(crate) const MAX_ENTRIES: usize = 10;

/// One PutEvents entry's outcome: its event id and deliveries, or (code, message).
pub(crate) type EntryOutcome = Result<(String, Vec<Delivery>), (&'static str, String)>;

impl Events {
    // ----- events -----

    /// Throttles the request when the region's PutEvents rate is spent.
    pub(crate) fn admit_put_events(&self, now: Micros) -> EventsResult<()> {
        let admitted = self
            .lock()
            .put_events
            .as_mut()
            .is_none_or(|bucket| bucket.try_take(now));
        if admitted {
            Ok(())
        } else {
            Err(EventsError::new(EventsCode::Throttling, "Rate exceeded"))
        }
    }

    /// How long an invocation due now waits for the region's invocation rate (µs).
    pub(crate) fn invocation_delay(&self, now: Micros) -> Micros {
        self.lock().invocations.as_mut().map_or(0, |p| p.delay(now))
    }

    /// Routes each entry: its envelope to the archives of its bus and to every enabled rule
    /// that matches it.
    pub(crate) fn put_events(
        &self,
        entries: &[Value],
        now: Micros,
    ) -> EventsResult<Vec<EntryOutcome>> {
        if entries.is_empty() || entries.len() > MAX_ENTRIES {
            return Err(EventsError::validation(format!(
                "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and {MAX_ENTRIES}; it has {}.",
                entries.len()
            )));
        }
        let size: usize = entries.iter().map(entry_size).sum();
        if size > MAX_PUT_EVENTS_BYTES {
            return Err(EventsError::validation(format!(
                "Total size of the entries in the request is over the limit: {size} bytes, at most {MAX_PUT_EVENTS_BYTES}."
            )));
        }
        let mut state = self.lock();
        Ok(entries
            .iter()
            .map(|e| self.put_one(&mut state, e, now))
            .collect())
    }

    fn put_one(&self, state: &mut State, entry: &Value, now: Micros) -> EntryOutcome {
        let text = |key: &str| entry.get(key).and_then(Value::as_str);
        let required = |key: &str| {
            text(key).filter(|s| !s.is_empty()).ok_or((
                "InvalidArgument",
                format!("Parameter {key} is not valid. Reason: {key} is a required argument."),
            ))
        };
        let (source, detail_type, detail) = (
            required("Source")?,
            required("DetailType")?,
            required("Detail")?,
        );
        let detail: Value = match serde_json::from_str(detail) {
            Ok(object @ Value::Object(_)) => object,
            _ => return Err(("MalformedDetail", "Detail is malformed.".into())),
        };
        let name = bus_name(text("EventBusName"));
        let Some(bus) = state.buses.get(name) else {
            return Err((
                "ResourceNotFoundException",
                format!("Event bus {name} does not exist."),
            ));
        };
        state.ids += 1;
        let id =
            uuid_text(((finalize(state.ids) as u128) << 64) | finalize(state.ids ^ 0xeb) as u128);
        let time = entry
            .get("Time")
            .and_then(Value::as_f64)
            .map_or(now, |secs| (secs * 1e6) as Micros);
        let resources = entry.get("Resources").cloned().unwrap_or_else(|| json!([]));
        let envelope = json!({
            "version": "0",
            "id": id.as_str(),
            "detail-type": detail_type,
            "source": source,
            "account": self.account,
            "time": rfc3339(time),
            "region": self.region,
            "resources": resources,
            "detail": detail,
        });
        let bus_arn = bus.arn.clone();
        let deliveries = self.route(bus, &envelope, now, None);
        *state.put.entry(name.to_owned()).or_default() += 1;
        for d in &deliveries {
            count(state, &d.bus, &d.rule, Fate::Matched);
        }
        for archive in state.archives.values_mut() {
            replay::keep(
                archive,
                &bus_arn,
                &envelope,
                now,
                replay::MAX_ARCHIVED_EVENTS,
            );
        }
        Ok((id.as_str().to_owned(), deliveries))
    }

    /// The deliveries of one envelope on one bus: every enabled rule it matches (of `only`,
    /// a replay's FilterArns, when given), every target of each.
    pub(super) fn route(
        &self,
        bus: &Bus,
        envelope: &Value,
        now: Micros,
        only: Option<&[String]>,
    ) -> Vec<Delivery> {
        let ingestion = rfc3339(now);
        let mut out = Vec::new();
        for rule in bus.rules.values() {
            let chosen = only.is_none_or(|arns| arns.contains(&rule.arn));
            if !rule.enabled || !chosen || !rule.pattern.matches(envelope) {
                continue;
            }
            let reserved = Reserved {
                rule_arn: &rule.arn,
                rule_name: &rule.name,
                ingestion_time: &ingestion,
            };
            for target in &rule.targets {
                out.push(Delivery {
                    queue_arn: target.arn.clone(),
                    body: input::body(&target.shape, envelope, &reserved),
                    group_id: target.group_id.clone(),
                    retry: target.retry,
                    dead_letter_arn: target.dead_letter_arn.clone(),
                    bus: bus.name.clone(),
                    rule: rule.name.clone(),
                });
            }
        }
        out
    }

    pub(crate) fn test_event_pattern(&self, pattern: &str, event: &str) -> EventsResult<bool> {
        let pattern = EventPattern::parse(pattern)
            .map_err(|e| EventsError::new(EventsCode::InvalidEventPattern, e.to_string()))?;
        let event: Value = serde_json::from_str(event)
            .map_err(|_| EventsError::validation("Parameter Event is not valid."))?;
        let envelope = [
            "id",
            "account",
            "source",
            "time",
            "region",
            "resources",
            "detail-type",
        ];
        if let Some(missing) = envelope.iter().find(|k| event.get(**k).is_none()) {
            return Err(EventsError::validation(format!(
                "Parameter Event is not valid: the event has no {missing}."
            )));
        }
        Ok(pattern.matches(&event))
    }
}

/// An entry's size as AWS counts it: 14 bytes for a Time, and the UTF-8 bytes of Source,
/// DetailType, Detail and each Resource.
pub(crate) fn entry_size(entry: &Value) -> usize {
    let text = |key: &str| entry.get(key).and_then(Value::as_str).map_or(0, str::len);
    let time = if entry.get("Time").is_some() { 14 } else { 0 };
    let resources: usize = entry
        .get("Resources")
        .and_then(Value::as_array)
        .map_or(0, |r| {
            r.iter().filter_map(Value::as_str).map(str::len).sum()
        });
    time + text("Source") + text("DetailType") + text("Detail") + resources
}
