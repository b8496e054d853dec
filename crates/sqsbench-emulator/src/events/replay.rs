//! Archives keep the envelopes their bus routes (those their pattern matches, or all); a replay
//! takes an archive's events of a time window and marks each with `replay-name`, to be routed
//! again. The archive's and the replay's answers as DescribeArchive and DescribeReplay give
//! them. Pure: a leaf of `events` over its records.

use serde_json::{Value, json};

use super::epoch_seconds;
use super::error::{EventsError, EventsResult};
use super::types::{Archive, Replay};
use crate::model::message::Micros;

/// What StartReplay asks for.
pub(crate) struct Request {
    pub(crate) name: String,
    pub(crate) archive_arn: String,
    pub(crate) start: Micros,
    pub(crate) end: Micros,
    pub(crate) destination_bus: String,
    pub(crate) filter_arns: Option<Vec<String>>,
    pub(crate) destination: Value,
    pub(crate) description: Option<String>,
}

/// The most events one archive holds: a bound on the memory a long run's archive takes
/// (about 0.5 GB of 500-byte envelopes). Past it the oldest are let go, as if their retention
/// had ended, and counted (`DescribeArchive`'s `EventsExpired`, not an AWS field).
pub(crate) const MAX_ARCHIVED_EVENTS: usize = 1_000_000;

/// Keeps the envelope if the archive is of this bus and its pattern (if any) matches, letting
/// the oldest go past `limit` events.
pub(crate) fn keep(
    archive: &mut Archive,
    bus_arn: &str,
    envelope: &Value,
    now: Micros,
    limit: usize,
) {
    let wanted = archive.source_arn == bus_arn
        && archive.pattern.as_ref().is_none_or(|p| p.matches(envelope));
    if !wanted {
        return;
    }
    let text = envelope.to_string();
    archive.size_bytes += text.len() as u64;
    archive.events.push_back((now, envelope.clone()));
    while archive.events.len() > limit {
        if let Some((_, old)) = archive.events.pop_front() {
            archive.size_bytes = archive
                .size_bytes
                .saturating_sub(old.to_string().len() as u64);
            archive.expired += 1;
        }
    }
}

/// The archive's events of [start, end), each marked with the replay's name.
pub(crate) fn window(
    archive: &Archive,
    request: &Request,
    now: Micros,
) -> EventsResult<Vec<Value>> {
    if request.start >= request.end {
        return Err(EventsError::validation(
            "EventStartTime must be before EventEndTime.",
        ));
    }
    if request.end > now {
        return Err(EventsError::validation(
            "EventEndTime must not be in the future.",
        ));
    }
    Ok(archive
        .events
        .iter()
        .filter(|(at, _)| *at >= request.start && *at < request.end)
        .map(|(_, envelope)| {
            let mut replayed = envelope.clone();
            replayed["replay-name"] = json!(request.name);
            replayed
        })
        .collect())
}

/// The replay as it stands once its events are routed: completed.
pub(crate) fn record(request: &Request, arn: &str, now: Micros, replayed: u64) -> Replay {
    Replay {
        name: request.name.clone(),
        arn: arn.to_owned(),
        archive_arn: request.archive_arn.clone(),
        destination: request.destination.clone(),
        description: request.description.clone(),
        start: request.start,
        end: request.end,
        state: "COMPLETED",
        started: now,
        ended: now,
        replayed,
    }
}

pub(crate) fn archive_json(a: &Archive) -> Value {
    let mut out = json!({
        "ArchiveName": a.name,
        "ArchiveArn": a.arn,
        "EventSourceArn": a.source_arn,
        "State": "ENABLED",
        "RetentionDays": a.retention_days,
        "SizeBytes": a.size_bytes,
        "EventCount": a.events.len(),
        "EventsExpired": a.expired,
        "CreationTime": epoch_seconds(a.created),
    });
    if let Some(p) = &a.pattern_text {
        out["EventPattern"] = json!(p);
    }
    if let Some(d) = &a.description {
        out["Description"] = json!(d);
    }
    out
}

pub(crate) fn replay_json(r: &Replay) -> Value {
    let mut out = json!({
        "ReplayName": r.name,
        "ReplayArn": r.arn,
        "EventSourceArn": r.archive_arn,
        "Destination": r.destination,
        "State": r.state,
        "StateReason": format!("{} events replayed.", r.replayed),
        "EventStartTime": epoch_seconds(r.start),
        "EventEndTime": epoch_seconds(r.end),
        "EventLastReplayedTime": epoch_seconds(r.ended),
        "ReplayStartTime": epoch_seconds(r.started),
        "ReplayEndTime": epoch_seconds(r.ended),
    });
    if let Some(d) = &r.description {
        out["Description"] = json!(d);
    }
    out
}
