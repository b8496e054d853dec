//! EventBridge ("Custom Event Bus - Classic") behind the emulator's `AWSEvents.*` API: event
//! buses (with `default` always there), rules with event patterns, SQS targets, tags, archives
//! and replays, and what a PutEvents routes where (`put_events`: which queues get which body).
//! Pure: time is passed in and deliveries are returned, never sent; the wire layer
//! (`http::events`) hands them to the broker and retries them. Depends on `event_pattern`,
//! the quota token bucket, `config` and the model's ids; never on the broker or the wire.
//!
//! One lock over all buses: the emulator serves from one thread, so it is never contended.

pub(crate) mod error;
pub(crate) mod input;
pub(crate) mod quota;
pub(crate) mod replay;
pub(crate) mod targets;
#[cfg(test)]
mod tests;
pub(crate) mod types;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::config::QuotaMode;
use crate::event_pattern::EventPattern;
use crate::model::message::{Micros, uuid_text};
use crate::quota::TokenBucket;
use crate::splitmix::finalize;
pub(crate) use error::{EventsCode, EventsError, EventsResult};
use input::Reserved;
use types::{Archive, Bus, Delivery, Fate, Replay, Rule};

/// A PutEvents request's entries may add up to 256 KB, counted as AWS counts them
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html>).
pub(crate) const MAX_PUT_EVENTS_BYTES: usize = 256 * 1024;
pub(crate) const MAX_ENTRIES: usize = 10;

pub(crate) struct Events {
    state: Mutex<State>,
    pub(crate) region: String,
    pub(crate) account: String,
}

struct State {
    buses: BTreeMap<String, Bus>,
    archives: BTreeMap<String, Archive>,
    replays: BTreeMap<String, Replay>,
    ids: u64,
    put_events: Option<TokenBucket>,
    invocations: Option<quota::Pacer>,
    /// (bus, rule) → deliveries by `Fate`, for live metrics.
    tally: BTreeMap<(String, String), [u64; 5]>,
    /// bus → events put on it.
    put: BTreeMap<String, u64>,
}

/// One PutEvents entry's outcome: its event id and deliveries, or (code, message).
pub(crate) type EntryOutcome = Result<(String, Vec<Delivery>), (&'static str, String)>;

/// Epoch seconds, as AWS JSON 1.1 writes a timestamp.
pub(crate) fn epoch_seconds(at: Micros) -> f64 {
    at as f64 / 1e6
}

fn rfc3339(at: Micros) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_micros(at)).to_string()
}

/// A bus named by its name or its ARN.
fn bus_name(name_or_arn: Option<&str>) -> &str {
    match name_or_arn {
        None | Some("") => "default",
        Some(text) => text
            .rsplit_once("event-bus/")
            .map_or(text, |(_, name)| name),
    }
}

impl Events {
    pub(crate) fn new(region: &str, account: &str, mode: &QuotaMode, now: Micros) -> Events {
        let events = Events {
            state: Mutex::new(State {
                buses: BTreeMap::new(),
                archives: BTreeMap::new(),
                replays: BTreeMap::new(),
                ids: 0,
                put_events: quota::put_events_bucket(mode, region, now),
                invocations: matches!(mode, QuotaMode::Aws)
                    .then(|| quota::Pacer::new(quota::invocations_tps(region))),
                tally: BTreeMap::new(),
                put: BTreeMap::new(),
            }),
            region: region.to_owned(),
            account: account.to_owned(),
        };
        events
            .create_bus("default", None, BTreeMap::new(), now)
            .expect("the default bus is the first");
        events
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn arn(&self, kind: &str, name: &str) -> String {
        format!(
            "arn:aws:events:{}:{}:{kind}/{name}",
            self.region, self.account
        )
    }

    fn rule_arn(&self, bus: &str, rule: &str) -> String {
        match bus {
            "default" => self.arn("rule", rule),
            _ => self.arn("rule", &format!("{bus}/{rule}")),
        }
    }

    // ----- buses -----

    pub(crate) fn create_bus(
        &self,
        name: &str,
        description: Option<&str>,
        tags: BTreeMap<String, String>,
        now: Micros,
    ) -> EventsResult<String> {
        crate::names::check_event_bus_name(name).map_err(EventsError::validation)?;
        let mut state = self.lock();
        if state.buses.contains_key(name) {
            return Err(EventsError::exists(format!("Event bus {name}")));
        }
        if state.buses.len() >= quota::BUSES {
            return Err(EventsError::new(
                EventsCode::LimitExceeded,
                format!(
                    "The requested resource exceeds the maximum number allowed: {} event buses.",
                    quota::BUSES
                ),
            ));
        }
        let arn = self.arn("event-bus", name);
        state.buses.insert(
            name.to_owned(),
            Bus {
                name: name.to_owned(),
                arn: arn.clone(),
                description: description.map(str::to_owned),
                tags,
                rules: BTreeMap::new(),
                created: now,
            },
        );
        Ok(arn)
    }

    pub(crate) fn delete_bus(&self, name: &str) -> EventsResult<()> {
        if name == "default" {
            return Err(EventsError::validation("Cannot delete event bus default."));
        }
        self.lock().buses.remove(name);
        Ok(())
    }

    pub(crate) fn describe_bus(&self, name: Option<&str>) -> EventsResult<Value> {
        let state = self.lock();
        let bus = bus_of(&state, name)?;
        let mut out = json!({"Name": bus.name, "Arn": bus.arn, "CreationTime": epoch_seconds(bus.created), "LastModifiedTime": epoch_seconds(bus.created)});
        if let Some(d) = &bus.description {
            out["Description"] = json!(d);
        }
        Ok(out)
    }

    pub(crate) fn list_buses(&self, prefix: Option<&str>) -> Value {
        let state = self.lock();
        let buses: Vec<Value> = state
            .buses
            .values()
            .filter(|b| b.name.starts_with(prefix.unwrap_or("")))
            .map(
                |b| json!({"Name": b.name, "Arn": b.arn, "CreationTime": epoch_seconds(b.created)}),
            )
            .collect();
        json!({"EventBuses": buses})
    }

    // ----- rules -----

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn put_rule(
        &self,
        bus: Option<&str>,
        name: &str,
        pattern: Option<&str>,
        schedule: Option<&str>,
        enabled: Option<bool>,
        description: Option<&str>,
        tags: BTreeMap<String, String>,
    ) -> EventsResult<String> {
        crate::names::check_rule_name(name).map_err(EventsError::validation)?;
        if schedule.is_some() {
            return Err(EventsError::validation(
                "ScheduleExpression is not supported by the sqsbench emulator: its rules match event patterns only (use EventBridge Scheduler for schedules).",
            ));
        }
        let text = pattern.ok_or_else(|| {
            EventsError::validation(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.",
            )
        })?;
        let checked = EventPattern::parse(text)
            .map_err(|e| EventsError::new(EventsCode::InvalidEventPattern, e.to_string()))?;
        let mut state = self.lock();
        let limit = quota::rules_per_bus(&self.region);
        let bus = bus_of_mut(&mut state, bus)?;
        let arn = self.rule_arn(&bus.name, name);
        match bus.rules.get_mut(name) {
            Some(rule) => {
                rule.pattern_text = text.to_owned();
                rule.pattern = checked;
                rule.enabled = enabled.unwrap_or(rule.enabled);
                rule.description = description.map(str::to_owned).or(rule.description.take());
                rule.tags.extend(tags);
            }
            None => {
                if bus.rules.len() >= limit {
                    return Err(EventsError::new(
                        EventsCode::LimitExceeded,
                        format!(
                            "The requested resource exceeds the maximum number allowed: {limit} rules on event bus {}.",
                            bus.name
                        ),
                    ));
                }
                bus.rules.insert(
                    name.to_owned(),
                    Rule {
                        name: name.to_owned(),
                        arn: arn.clone(),
                        pattern_text: text.to_owned(),
                        pattern: checked,
                        enabled: enabled.unwrap_or(true),
                        description: description.map(str::to_owned),
                        tags,
                        targets: Vec::new(),
                    },
                );
            }
        }
        Ok(arn)
    }

    pub(crate) fn describe_rule(&self, bus: Option<&str>, name: &str) -> EventsResult<Value> {
        let state = self.lock();
        let bus = bus_of(&state, bus)?;
        Ok(rule_json(bus, rule_of(bus, name)?))
    }

    pub(crate) fn list_rules(
        &self,
        bus: Option<&str>,
        prefix: Option<&str>,
    ) -> EventsResult<Value> {
        let state = self.lock();
        let bus = bus_of(&state, bus)?;
        let rules: Vec<Value> = bus
            .rules
            .values()
            .filter(|r| r.name.starts_with(prefix.unwrap_or("")))
            .map(|r| rule_json(bus, r))
            .collect();
        Ok(json!({"Rules": rules}))
    }

    pub(crate) fn delete_rule(&self, bus: Option<&str>, name: &str) -> EventsResult<()> {
        let mut state = self.lock();
        let bus = bus_of_mut(&mut state, bus)?;
        if bus.rules.get(name).is_some_and(|r| !r.targets.is_empty()) {
            return Err(EventsError::validation(
                "Rule can't be deleted since it has targets.",
            ));
        }
        bus.rules.remove(name);
        Ok(())
    }

    pub(crate) fn set_enabled(
        &self,
        bus: Option<&str>,
        name: &str,
        enabled: bool,
    ) -> EventsResult<()> {
        let mut state = self.lock();
        let bus = bus_of_mut(&mut state, bus)?;
        rule_of_mut(bus, name)?.enabled = enabled;
        Ok(())
    }

    // ----- targets -----

    /// Adds or replaces targets; returns the entries refused as (id, code, message).
    pub(crate) fn put_targets(
        &self,
        bus: Option<&str>,
        rule: &str,
        given: &[Value],
    ) -> EventsResult<Vec<(String, &'static str, String)>> {
        let mut state = self.lock();
        let bus = bus_of_mut(&mut state, bus)?;
        let rule = rule_of_mut(bus, rule)?;
        let mut failed = Vec::new();
        for entry in given {
            let id = entry
                .get("Id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            match targets::parse(entry) {
                Ok(target) => {
                    let replacing = rule.targets.iter().position(|t| t.id == target.id);
                    match replacing {
                        Some(at) => rule.targets[at] = target,
                        None if rule.targets.len() >= quota::TARGETS_PER_RULE => failed.push((
                            id,
                            "LimitExceededException",
                            format!("The requested resource exceeds the maximum number allowed: {} targets per rule.", quota::TARGETS_PER_RULE),
                        )),
                        None => rule.targets.push(target),
                    }
                }
                Err((code, message)) => failed.push((id, code, message)),
            }
        }
        Ok(failed)
    }

    pub(crate) fn remove_targets(
        &self,
        bus: Option<&str>,
        rule: &str,
        ids: &[&str],
    ) -> EventsResult<()> {
        let mut state = self.lock();
        let bus = bus_of_mut(&mut state, bus)?;
        rule_of_mut(bus, rule)?
            .targets
            .retain(|t| !ids.contains(&t.id.as_str()));
        Ok(())
    }

    pub(crate) fn list_targets(&self, bus: Option<&str>, rule: &str) -> EventsResult<Value> {
        let state = self.lock();
        let bus = bus_of(&state, bus)?;
        let targets: Vec<&Value> = rule_of(bus, rule)?
            .targets
            .iter()
            .map(|t| &t.given)
            .collect();
        Ok(json!({"Targets": targets}))
    }

    // ----- tags: buses and rules only, as on AWS -----

    pub(crate) fn tag(&self, arn: &str, tags: BTreeMap<String, String>) -> EventsResult<()> {
        self.with_tags(arn, |t| t.extend(tags))
    }

    pub(crate) fn untag(&self, arn: &str, keys: &[&str]) -> EventsResult<()> {
        self.with_tags(arn, |t| t.retain(|k, _| !keys.contains(&k.as_str())))
    }

    pub(crate) fn tags(&self, arn: &str) -> EventsResult<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        self.with_tags(arn, |t| out = t.clone())?;
        Ok(out)
    }

    fn with_tags(
        &self,
        arn: &str,
        f: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> EventsResult<()> {
        let mut state = self.lock();
        for bus in state.buses.values_mut() {
            if bus.arn == arn {
                f(&mut bus.tags);
                return Ok(());
            }
            if let Some(rule) = bus.rules.values_mut().find(|r| r.arn == arn) {
                f(&mut rule.tags);
                return Ok(());
            }
        }
        if arn.starts_with("arn:aws:events:")
            && !arn.contains(":event-bus/")
            && !arn.contains(":rule/")
        {
            return Err(EventsError::validation(format!(
                "{arn}: only event buses and rules can be tagged."
            )));
        }
        Err(EventsError::not_found(format!("Resource {arn}")))
    }

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
            replay::keep(archive, &bus_arn, &envelope, now);
        }
        Ok((id.as_str().to_owned(), deliveries))
    }

    /// The deliveries of one envelope on one bus: every enabled rule it matches (of `only`,
    /// a replay's FilterArns, when given), every target of each.
    fn route(
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
        let envelope = ["id", "account", "source", "time", "region", "detail-type"];
        if let Some(missing) = envelope.iter().find(|k| event.get(**k).is_none()) {
            return Err(EventsError::validation(format!(
                "Parameter Event is not valid: the event has no {missing}."
            )));
        }
        Ok(pattern.matches(&event))
    }

    /// Counts what became of a delivery of `rule` on `bus`.
    pub(crate) fn record(&self, bus: &str, rule: &str, fate: Fate) {
        count(&mut self.lock(), bus, rule, fate);
    }

    /// Events put per bus, and deliveries per bus and rule, for live metrics.
    pub(crate) fn stats(&self) -> (Vec<crate::stats::BusStats>, Vec<crate::stats::RuleStats>) {
        let state = self.lock();
        let buses = state
            .put
            .iter()
            .map(|(bus, events)| crate::stats::BusStats {
                bus: bus.clone(),
                events: *events,
            })
            .collect();
        let rules = state
            .tally
            .iter()
            .map(|((bus, rule), n)| crate::stats::RuleStats {
                bus: bus.clone(),
                rule: rule.clone(),
                matched: n[0],
                delivered: n[1],
                retried: n[2],
                dead_lettered: n[3],
                dropped: n[4],
            })
            .collect();
        (buses, rules)
    }

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
                events: Vec::new(),
                size_bytes: 0,
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

fn count(state: &mut State, bus: &str, rule: &str, fate: Fate) {
    let slot = match fate {
        Fate::Matched => 0,
        Fate::Delivered => 1,
        Fate::Retried => 2,
        Fate::DeadLettered => 3,
        Fate::Dropped => 4,
    };
    state
        .tally
        .entry((bus.to_owned(), rule.to_owned()))
        .or_default()[slot] += 1;
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

fn bus_of<'s>(state: &'s State, name: Option<&str>) -> EventsResult<&'s Bus> {
    let name = bus_name(name);
    state
        .buses
        .get(name)
        .ok_or_else(|| EventsError::not_found(format!("Event bus {name}")))
}

fn bus_of_mut<'s>(state: &'s mut State, name: Option<&str>) -> EventsResult<&'s mut Bus> {
    let name = bus_name(name);
    state
        .buses
        .get_mut(name)
        .ok_or_else(|| EventsError::not_found(format!("Event bus {name}")))
}

fn rule_of<'b>(bus: &'b Bus, name: &str) -> EventsResult<&'b Rule> {
    bus.rules
        .get(name)
        .ok_or_else(|| EventsError::not_found(format!("Rule {name}")))
}

fn rule_of_mut<'b>(bus: &'b mut Bus, name: &str) -> EventsResult<&'b mut Rule> {
    let bus_name = bus.name.clone();
    bus.rules
        .get_mut(name)
        .ok_or_else(|| EventsError::not_found(format!("Rule {name} on EventBus {bus_name}")))
}

fn rule_json(bus: &Bus, rule: &Rule) -> Value {
    let mut out = Map::new();
    out.insert("Name".into(), json!(rule.name));
    out.insert("Arn".into(), json!(rule.arn));
    out.insert("EventPattern".into(), json!(rule.pattern_text));
    out.insert(
        "State".into(),
        json!(if rule.enabled { "ENABLED" } else { "DISABLED" }),
    );
    out.insert("EventBusName".into(), json!(bus.name));
    if let Some(d) = &rule.description {
        out.insert("Description".into(), json!(d));
    }
    Value::Object(out)
}
