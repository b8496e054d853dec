//! Archives and replays as their API actions make, read and start them; what an archive keeps
//! and a replay sends is `replay`. Part of `Events`.

use serde_json::{Value, json};

use super::replay;
use super::types::{Archive, Delivery, Fate};
use super::{Events, EventsCode, EventsError, EventsResult, count, epoch_seconds};
use crate::event_pattern::EventPattern;
use crate::model::message::Micros;

impl Events {
    // ----- archives and replays -----

    pub(crate) fn create_archive(
        &self,
        name: &str,
        source_arn: &str,
        pattern: Option<&str>,
        description: Option<&str>,
        retention_days: u32,
        now: Micros,
    ) -> EventsResult<Value> {
        let checked = pattern
            .map(EventPattern::parse)
            .transpose()
            .map_err(|e| EventsError::new(EventsCode::InvalidEventPattern, e.to_string()))?;
        let mut state = self.lock();
        if !state.buses.values().any(|b| b.arn == source_arn) {
            return Err(EventsError::not_found(format!("Event bus {source_arn}")));
        }
        if state.archives.contains_key(name) {
            return Err(EventsError::exists(format!("Archive {name}")));
        }
        let arn = self.arn("archive", name);
        state.archives.insert(
            name.to_owned(),
            Archive {
                name: name.to_owned(),
                arn: arn.clone(),
                source_arn: source_arn.to_owned(),
                pattern_text: pattern.map(str::to_owned),
                pattern: checked,
                description: description.map(str::to_owned),
                retention_days,
                events: Default::default(),
                size_bytes: 0,
                expired: 0,
                created: now,
            },
        );
        Ok(json!({"ArchiveArn": arn, "State": "ENABLED", "CreationTime": epoch_seconds(now)}))
    }

    pub(crate) fn describe_archive(&self, name: &str) -> EventsResult<Value> {
        let state = self.lock();
        let archive = state
            .archives
            .get(name)
            .ok_or_else(|| EventsError::not_found(format!("Archive {name}")))?;
        Ok(replay::archive_json(archive))
    }

    pub(crate) fn list_archives(&self, prefix: Option<&str>, source: Option<&str>) -> Value {
        let state = self.lock();
        let archives: Vec<Value> = state
            .archives
            .values()
            .filter(|a| a.name.starts_with(prefix.unwrap_or("")))
            .filter(|a| source.is_none_or(|s| s == a.source_arn))
            .map(replay::archive_json)
            .collect();
        json!({"Archives": archives})
    }

    pub(crate) fn delete_archive(&self, name: &str) -> EventsResult<()> {
        self.lock()
            .archives
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| EventsError::not_found(format!("Archive {name}")))
    }

    /// Replays the archive's events of [start, end) to the destination bus's rules, each
    /// marked with `replay-name`; returns the replay's answer and the deliveries.
    pub(crate) fn start_replay(
        &self,
        request: &replay::Request,
        now: Micros,
    ) -> EventsResult<(Value, Vec<Delivery>)> {
        let mut state = self.lock();
        if state.replays.contains_key(&request.name) {
            return Err(EventsError::exists(format!("Replay {}", request.name)));
        }
        let archive = state
            .archives
            .values()
            .find(|a| a.arn == request.archive_arn)
            .ok_or_else(|| EventsError::not_found(format!("Archive {}", request.archive_arn)))?;
        if archive.source_arn != request.destination_bus {
            return Err(EventsError::validation(
                "The destination of a replay must be the event bus its archive archives.",
            ));
        }
        let events = replay::window(archive, request, now)?;
        let bus = state
            .buses
            .values()
            .find(|b| b.arn == request.destination_bus)
            .ok_or_else(|| {
                EventsError::not_found(format!("Event bus {}", request.destination_bus))
            })?;
        let only = request.filter_arns.as_deref();
        let deliveries: Vec<Delivery> = events
            .iter()
            .flat_map(|event| self.route(bus, event, now, only))
            .collect();
        for d in &deliveries {
            count(&mut state, &d.bus, &d.rule, Fate::Matched);
        }
        let arn = self.arn("replay", &request.name);
        let replayed = events.len() as u64;
        state.replays.insert(
            request.name.clone(),
            replay::record(request, &arn, now, replayed),
        );
        Ok((
            json!({"ReplayArn": arn, "State": "STARTING", "ReplayStartTime": epoch_seconds(now)}),
            deliveries,
        ))
    }

    pub(crate) fn describe_replay(&self, name: &str) -> EventsResult<Value> {
        let state = self.lock();
        let replay = state
            .replays
            .get(name)
            .ok_or_else(|| EventsError::not_found(format!("Replay {name}")))?;
        Ok(replay::replay_json(replay))
    }

    pub(crate) fn list_replays(&self, prefix: Option<&str>) -> Value {
        let state = self.lock();
        let replays: Vec<Value> = state
            .replays
            .values()
            .filter(|r| r.name.starts_with(prefix.unwrap_or("")))
            .map(replay::replay_json)
            .collect();
        json!({"Replays": replays})
    }

    /// A replay runs to its end within StartReplay, so there is never one left to cancel.
    pub(crate) fn cancel_replay(&self, name: &str) -> EventsResult<Value> {
        let state = self.lock();
        let replay = state
            .replays
            .get(name)
            .ok_or_else(|| EventsError::not_found(format!("Replay {name}")))?;
        Err(EventsError::new(
            EventsCode::IllegalStatus,
            format!(
                "Replay {} is {} and can't be cancelled.",
                replay.name, replay.state
            ),
        ))
    }
}
