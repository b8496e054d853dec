//! A run's phases around the fleets: start every producer and consumer task, collect their
//! recorders once a second into the timeline, stop producers at the end of the send window,
//! drain (until the queue is empty, or every acknowledged measured message is deleted, or the
//! drain timeout passes), collect this run's dead letters, and stop early and cleanly when
//! interrupted.

mod phases;
mod seconds;
mod spawn;

use std::time::{Duration, SystemTime};

use aws_sdk_sqs::Client;
use tokio::sync::watch;

use super::shard::Shard;
use crate::measure::leaks::Leaked;
use crate::measure::ledger::{Integrity, Tally};
use crate::measure::recorder::ByCause;
use crate::measure::recorder::Recorder;
use crate::scenario::{Fanout, Scenario};

/// What a progress display is told once a second.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub elapsed: Duration,
    pub phase: Phase,
    pub sent_per_sec: u64,
    pub received_per_sec: u64,
    pub errors: u64,
    pub throttled: u64,
    /// Deliveries of measured messages already received, as the ledger stands.
    pub duplicates: u64,
}

impl Progress {
    /// The display's figures: this second's rates, the run's failed and throttled calls so far.
    fn of(total: &Recorder, elapsed: Duration, phase: Phase, sent: u64, received: u64) -> Progress {
        Progress {
            elapsed,
            phase,
            sent_per_sec: sent,
            received_per_sec: received,
            errors: total.apis.values().map(|a| a.failed()).sum(),
            throttled: total.apis.values().map(|a| a.throttled).sum(),
            duplicates: 0,
        }
    }

    fn with_duplicates(self, duplicates: u64) -> Progress {
        Progress { duplicates, ..self }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Warmup,
    Measured,
    Drain,
    /// Reading this run's messages back from the dead-letter queue.
    DeadLetters,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Warmup => "warmup",
            Phase::Measured => "measured",
            Phase::Drain => "drain",
            Phase::DeadLetters => "dead letters",
        }
    }
}

/// One queue's conclusions (a fan-out run: one subscription's).
pub struct LaneResult {
    pub tally: Tally,
    pub integrity: Integrity,
    /// Fan-out: measured messages the route's filter or pattern should have stopped.
    pub leaked: Leaked,
    /// EventBridge: deliveries an archive replayed, by replay name.
    pub replayed: std::collections::BTreeMap<String, u64>,
}

/// A route's messages set apart from its ledger: leaks and replayed events, shared by the
/// route's consumers.
#[derive(Default, Clone)]
pub(crate) struct SetApart {
    pub leaks: std::sync::Arc<crate::measure::leaks::Leaks>,
    pub replays: std::sync::Arc<crate::measure::replays::Replays>,
}

pub struct EngineResult {
    pub total: Recorder,
    /// Every lane's tally added up.
    pub tally: Tally,
    /// Every lane's integrity added up.
    pub integrity: Integrity,
    /// Per queue the consumers read, in `Engine::lanes`' order.
    pub lanes: Vec<LaneResult>,
    pub interrupted: bool,
    pub stopped_by_budget: bool,
    /// Whether the drain ended by itself (queue empty, or everything deleted) before its timeout.
    pub drained: bool,
    /// Problems that did not stop the run (the dead-letter queue could not be read).
    pub warnings: Vec<String>,
    pub elapsed: Duration,
    /// Wall-clock µs at which the measured phase began.
    pub measured_start_us: u64,
    /// The ledger journal's first write failure.
    pub journal_failed: Option<std::io::Error>,
    /// Measured messages in the dead-letter queue that Lambda-style batches had left, by why.
    pub dead_lettered_by_cause: ByCause,
}

/// A queue the consumers read, with its dead-letter queue.
#[derive(Debug, Clone)]
pub struct Lane {
    pub queue_url: String,
    pub dead_letter_url: Option<String>,
}

pub use crate::workload::publish::RouterClient;

/// A fan-out run's router: an SNS topic or an EventBridge bus.
#[derive(Clone)]
pub struct RouterTarget<'a> {
    pub client: RouterClient,
    /// The embedded emulator's statistics, where the drain reads how many deliveries a bus still
    /// holds (waiting, or retrying after a throttle); `None` elsewhere: no target says.
    pub held: Option<crate::emulator::StatsReader>,
    /// The fan-out the router routes: its routes (one lane each) and publishers.
    pub fanout: &'a Fanout,
}

/// Which client makes the hot calls: `HotCalls::sdk()`, the engine's SDK client, or the lean
/// client the run connected (`client::connect`).
#[derive(Clone, Debug, Default)]
pub struct HotCalls(pub(crate) Option<std::sync::Arc<crate::client::lean::LeanClient>>);

impl HotCalls {
    pub fn sdk() -> HotCalls {
        HotCalls(None)
    }
}

pub struct Engine<'a> {
    /// The control plane's client (and the drain's and dead-letter reads).
    pub client: Client,
    /// The hot calls' client: the lean one, or `client` (`[target] client`).
    pub hot: HotCalls,
    /// The queue (a fan-out run: each subscription's, in `[[subscriptions]]` order).
    pub lanes: Vec<Lane>,
    /// Fan-out: producers publish here instead of sending to the queue.
    pub router: Option<RouterTarget<'a>>,
    pub scenario: &'a Scenario,
    pub run_id: u64,
    /// Turns true on Ctrl-C.
    pub interrupt: watch::Receiver<bool>,
    /// Stop the run when the counted cost reaches this (target `aws` only).
    pub budget_usd: Option<f64>,
    pub price_per_million: f64,
    /// The tasks this process runs (`--shard I/N`; `Shard::ALL` for a whole run). A shard's
    /// drain never ends on "my messages are deleted": other shards delete them.
    pub shard: Shard,
    /// `--start-at`: the instant the run's seconds and intended send times count from, the
    /// same on every shard; `None` starts now.
    pub start_at: Option<SystemTime>,
    /// A shard's ledger journal (`ledger.bin`), appended once a second.
    pub journal: Option<crate::measure::ledger::Journal>,
}
