//! EventBridge ("Custom Event Bus - Classic") behind the emulator's `AWSEvents.*` API: event
//! buses (with `default` always there), rules with event patterns, SQS targets, tags, archives
//! and replays, and what a PutEvents routes where (`put_events`: which queues get which body).
//! Pure: time is passed in and deliveries are returned, never sent; the wire layer
//! (`http::events`) hands them to the broker and retries them. Depends on `event_pattern`,
//! the quota token bucket, `config` and the model's ids; never on the broker or the wire.
//!
//! One lock over all buses: the emulator serves from one thread, so it is never contended.

mod archives;
mod catalog;
pub(crate) mod error;
pub(crate) mod input;
mod put;
pub(crate) mod quota;
pub(crate) mod replay;
pub(crate) mod targets;
#[cfg(test)]
mod tests;
pub(crate) mod types;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

use crate::config::QuotaMode;
use crate::model::message::Micros;
use crate::quota::TokenBucket;
pub(crate) use error::{EventsCode, EventsError, EventsResult};
use types::{Archive, Bus, Fate, Replay, Rule};

/// At most this many deliveries wait (throttled invocations, the delivery-delay fault) or
/// retry at once, holding at most `MAX_PENDING_BYTES` of bodies: a bound on what a gone target
/// under load makes the emulator hold. One past it gives up at once (dead-lettered or dropped).
pub(crate) const MAX_PENDING_DELIVERIES: usize = 100_000;
pub(crate) const MAX_PENDING_BYTES: usize = 256 * 1024 * 1024;

pub(crate) struct Events {
    state: Mutex<State>,
    /// Deliveries waiting or retrying, and their bodies' bytes (`hold`).
    pending: AtomicUsize,
    pending_bytes: AtomicUsize,
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
            pending: AtomicUsize::new(0),
            pending_bytes: AtomicUsize::new(0),
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

    /// Takes a place for a delivery that must wait or retry, if fewer than
    /// `MAX_PENDING_DELIVERIES` hold `MAX_PENDING_BYTES` between them; `release` gives it back.
    pub(crate) fn hold(&self, bytes: usize) -> bool {
        let full = self.pending.load(Relaxed) >= MAX_PENDING_DELIVERIES
            || self.pending_bytes.load(Relaxed) + bytes > MAX_PENDING_BYTES;
        if !full {
            self.pending.fetch_add(1, Relaxed);
            self.pending_bytes.fetch_add(bytes, Relaxed);
        }
        !full
    }

    pub(crate) fn release(&self, bytes: usize) {
        self.pending.fetch_sub(1, Relaxed);
        self.pending_bytes.fetch_sub(bytes, Relaxed);
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
