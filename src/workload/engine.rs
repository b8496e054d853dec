//! A run's phases around the fleets: start every producer and consumer task, collect their
//! recorders once a second into the timeline, stop producers at the end of the send window,
//! drain (until the queue is empty, or every acknowledged measured message is deleted, or the
//! drain timeout passes), collect this run's dead letters, and stop early and cleanly when
//! interrupted.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_sqs::Client;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::clock::RunClock;
use super::consumer::Consumer;
use super::drain;
use super::drain_rules::{DrainEnd, DrainRules};
use super::lambda::causes::Causes;
use super::ledgers::Ledgers;
use super::producer::Producer;
use super::publish::{Destination, Route};
use super::schedule::Schedule;
use super::shard::Shard;
use super::subscriber::Subscriber;
use crate::emulator::filter_policy::FilterPolicy;
use crate::measure::fleets::FleetMap;
use crate::measure::leaks::{Leaked, Leaks};
use crate::measure::ledger::{Integrity, Tally};
use crate::measure::recorder::ByCause;
use crate::measure::recorder::{Recorder, Registry};
use crate::measure::timeline::{IntervalSink, TimelineRow};
use crate::scenario::{Fanout, QueueType, Scenario};

/// How long stopped tasks may take to finish their call before they are cancelled: an
/// unanswering target must not hold an interrupted run past its 10 s.
const STOP_GRACE: Duration = Duration::from_secs(2);

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
    /// Fan-out: measured messages the subscription's filter should have stopped.
    pub leaked: Leaked,
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

/// What every task of a run shares.
struct Tasks<'r> {
    clock: RunClock,
    fleets: Arc<FleetMap>,
    registry: &'r Registry,
    ledgers: &'r Ledgers,
    producers_stopped: watch::Receiver<bool>,
    consumers_stopped: watch::Receiver<bool>,
    causes: Arc<Causes>,
}

/// The once-a-second collection: every task's recorder swapped out into the second's timeline
/// row, the streamed files and the run's totals.
struct Seconds<'s> {
    registry: &'s Registry,
    sink: &'s mut dyn IntervalSink,
    total: Recorder,
    in_flight: i64,
    second: u64,
}

impl Seconds<'_> {
    fn collect(&mut self) -> TimelineRow {
        self.second += 1;
        let mut interval = self.registry.collect();
        self.in_flight += interval.counters.sent_all as i64 - interval.counters.deleted_all as i64;
        let row = TimelineRow::from_interval(self.second, &interval, self.in_flight);
        self.sink.interval(&row, &interval);
        // The split by sender is only ever read back from the streamed log (by a merge).
        interval.by_sender = Default::default();
        self.total.merge(&interval);
        row
    }
}

/// What each second is checked against: the budget, and when warmup ends (for the display).
struct SecondRules {
    usd: Option<f64>,
    price_per_million: f64,
    warmup: Duration,
}

impl SecondRules {
    /// One second: collected, the budget checked, the progress display told.
    fn second(
        &self,
        clock: &RunClock,
        seconds: &mut Seconds<'_>,
        draining: bool,
        ledgers: &Ledgers,
        progress: &mut dyn FnMut(&Progress),
    ) -> Option<Stop> {
        let row = seconds.collect();
        if over_budget(self.usd, self.price_per_million, &seconds.total) {
            return Some(Stop::Budget);
        }
        let elapsed = clock.elapsed();
        let phase = if draining {
            Phase::Drain
        } else if elapsed < self.warmup {
            Phase::Warmup
        } else {
            Phase::Measured
        };
        progress(
            &Progress::of(&seconds.total, elapsed, phase, row.sent, row.received)
                .with_duplicates(ledgers.duplicates()),
        );
        None
    }
}

/// Why the run's loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Interrupted,
    /// `[run] budget_usd` was reached.
    Budget,
    /// Everything acknowledged was deleted, or the queue was seen empty, or no consumers.
    Drained,
    /// The drain timeout passed, or the ledger stopped and nothing can say it drained.
    DrainTimedOut,
}

/// How reading the dead-letter queue ended.
enum DeadLetters {
    Read,
    /// It could not be read: the message says why.
    Failed(String),
    Interrupted,
}

/// The running fleets, and each producer's group count (to place its messages in groups).
struct Fleets {
    producers: JoinSet<()>,
    consumers: JoinSet<()>,
    groups: Vec<u32>,
}

/// A queue the consumers read, with its dead-letter queue.
#[derive(Debug, Clone)]
pub struct Lane {
    pub queue_url: String,
    pub dead_letter_url: Option<String>,
}

/// A fan-out run's topic.
#[derive(Debug, Clone)]
pub struct TopicTarget<'a> {
    pub sns: aws_sdk_sns::Client,
    pub arn: String,
    /// The fan-out the topic routes: its subscriptions (one lane each) and publishers.
    pub fanout: &'a Fanout,
}

pub struct Engine<'a> {
    pub client: Client,
    /// The queue (a fan-out run: each subscription's, in `[[subscriptions]]` order).
    pub lanes: Vec<Lane>,
    /// Fan-out: producers publish here instead of sending to the queue.
    pub topic: Option<TopicTarget<'a>>,
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

impl Engine<'_> {
    pub async fn run(
        mut self,
        sink: &mut dyn IntervalSink,
        progress: &mut dyn FnMut(&Progress),
    ) -> EngineResult {
        let sc = self.scenario;
        let clock = match self.start_at {
            Some(at) => RunClock::anchored(at, sc.run.warmup, sc.run.duration),
            None => RunClock::start(sc.run.warmup, sc.run.duration),
        };
        let registry = Registry::default();
        let fifo = sc.queue.kind == QueueType::Fifo;
        let ledgers = Ledgers::spawn(self.lanes.len(), fifo, self.journal.take());
        let leaks: Vec<Arc<Leaks>> = self.lanes.iter().map(|_| Arc::default()).collect();
        let (stop_producers, producers_stopped) = watch::channel(false);
        let (stop_consumers, consumers_stopped) = watch::channel(false);
        let causes = Arc::new(Causes::default());
        let mut fleets = self.spawn_fleets(
            &Tasks {
                clock,
                fleets: Arc::new(FleetMap::of(sc)),
                registry: &registry,
                ledgers: &ledgers,
                producers_stopped,
                consumers_stopped,
                causes: causes.clone(),
            },
            &leaks,
        );
        let mut seconds = Seconds {
            registry: &registry,
            sink,
            total: Recorder::default(),
            in_flight: 0,
            // A shard that starts within its grace, after the agreed start, begins mid-run.
            second: clock.elapsed().as_secs(),
        };
        let stop = self
            .until_stopped(&clock, &mut fleets, &mut seconds, &ledgers, progress)
            .await;
        let _ = stop_producers.send(true);
        let _ = stop_consumers.send(true);
        stop_all(&mut fleets.producers, &mut fleets.consumers).await;
        let mut warnings = Vec::new();
        let mut interrupted = stop == Stop::Interrupted;
        if !interrupted && self.lanes.iter().any(|l| l.dead_letter_url.is_some()) {
            progress(
                &Progress::of(&seconds.total, clock.elapsed(), Phase::DeadLetters, 0, 0)
                    .with_duplicates(ledgers.duplicates()),
            );
            for lane in 0..self.lanes.len() {
                match self
                    .read_dead_letters(lane, &clock, &ledgers, &causes)
                    .await
                {
                    DeadLetters::Read => {}
                    DeadLetters::Failed(e) => warnings.push(e),
                    DeadLetters::Interrupted => {
                        interrupted = true;
                        break;
                    }
                }
            }
        }
        seconds.collect();
        let mut journal_failed = None;
        let mut lanes = Vec::new();
        for (owned, leaks) in ledgers.finish().await.into_iter().zip(&leaks) {
            let owned = owned.unwrap_or_else(|e| {
                warnings.push(format!(
                    "the delivery ledger failed ({e}): duplicates, losses and order violations were not computed"
                ));
                Ledgers::empty(fifo)
            });
            journal_failed = journal_failed.or(owned.journal_failed);
            lanes.push(LaneResult {
                tally: owned.ledger.tally(),
                integrity: owned.ledger.integrity_by_groups(&fleets.groups),
                leaked: leaks.leaked(),
            });
        }
        let (mut tally, mut total) = (Tally::default(), Integrity::default());
        for lane in &lanes {
            tally.add(&lane.tally);
            total.add(&lane.integrity);
        }
        EngineResult {
            total: seconds.total,
            tally,
            integrity: total,
            lanes,
            warnings,
            interrupted,
            stopped_by_budget: stop == Stop::Budget,
            drained: stop == Stop::Drained,
            elapsed: clock.elapsed(),
            measured_start_us: clock.us_at(clock.warmup),
            journal_failed,
            dead_lettered_by_cause: causes.dead_lettered_total(),
        }
    }

    /// The run's loop: a second collected on every tick, the drain started once every producer
    /// has ended and checked at most every 50 ms, until something stops it.
    async fn until_stopped(
        &mut self,
        clock: &RunClock,
        fleets: &mut Fleets,
        seconds: &mut Seconds<'_>,
        ledgers: &Ledgers,
        progress: &mut dyn FnMut(&Progress),
    ) -> Stop {
        let rules = SecondRules {
            usd: self.budget_usd,
            price_per_million: self.price_per_million,
            warmup: self.scenario.run.warmup,
        };
        let mut drain: Option<DrainRules> = None;
        // Seconds end on whole seconds of the run's clock, so shards that share a start share
        // their seconds even when one starts late.
        let next_second = Duration::from_secs(seconds.second + 1);
        let mut ticker = tokio::time::interval_at(
            tokio::time::Instant::from_std(clock.instant_at(next_second)),
            Duration::from_secs(1),
        );
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // One interval for the drain's checks, not a new one per pass.
        let mut check = tokio::time::interval(Duration::from_millis(50));
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    ledgers.checkpoint();
                    if let Some(stop) = rules.second(clock, seconds, drain.is_some(), ledgers, progress) {
                        return stop;
                    }
                }
                Ok(_) = self.interrupt.wait_for(|stop| *stop) => return Stop::Interrupted,
                Some(_) = fleets.producers.join_next(), if !fleets.producers.is_empty() => {}
                _ = check.tick() => {}
            }
            if fleets.producers.is_empty() && drain.is_none() {
                drain = Some(DrainRules::new(
                    clock.elapsed(),
                    self.scenario.run.drain_timeout,
                ));
            }
            if let Some(rules) = &mut drain
                && let Some(stop) = self.drain_check(clock, rules, fleets, ledgers).await
            {
                return stop;
            }
        }
    }

    /// Whether the drain is over: no consumers, the ledger settled, the queue seen empty twice,
    /// or the drain timeout (the rules in `drain_rules`).
    async fn drain_check(
        &mut self,
        clock: &RunClock,
        rules: &mut DrainRules,
        fleets: &Fleets,
        ledgers: &Ledgers,
    ) -> Option<Stop> {
        if fleets.consumers.is_empty() || self.scenario.consumers.is_empty() {
            return Some(Stop::Drained);
        }
        // Producers have ended, so every acknowledgement is already queued to the ledger.
        let Some(progress) = ledgers.sync().await else {
            // The ledger stopped: nothing can say the queue is drained.
            return Some(Stop::DrainTimedOut);
        };
        let mut end = if self.shard.is_part() {
            None
        } else {
            rules.ledger_at(clock.elapsed(), progress.acknowledged, progress.settled)
        };
        if end.is_none() && rules.empty_check_due(clock.elapsed()) {
            let empty = tokio::select! {
                empty = queues_are_empty(&self.client, &self.lanes) => empty,
                Ok(_) = self.interrupt.wait_for(|stop| *stop) => return Some(Stop::Interrupted),
            };
            end = rules.queue_checked(clock.elapsed(), empty);
        }
        match end.or_else(|| rules.timed_out(clock.elapsed()))? {
            DrainEnd::Drained => Some(Stop::Drained),
            DrainEnd::TimedOut => Some(Stop::DrainTimedOut),
        }
    }

    /// Starts every producer and consumer task of the scenario's fleets.
    fn spawn_fleets(&self, t: &Tasks<'_>, leaks: &[Arc<Leaks>]) -> Fleets {
        let sc = self.scenario;
        let fifo = sc.queue.kind == QueueType::Fifo;
        let mut groups = Vec::new();
        let mut producers = JoinSet::new();
        let mut consumers = JoinSet::new();
        let filters = self.filters();
        // Which ledgers learn of an acknowledged message: one per lane, behind its filter.
        let routes: Arc<[Route]> = filters
            .iter()
            .enumerate()
            .map(|(lane, filter)| Route {
                filter: filter.clone(),
                ledger: t.ledgers.handle(lane).clone(),
            })
            .collect();
        let mut attributes_of = Vec::new();
        let mut id = 0u32;
        for (k, fleet) in sc.producers.iter().enumerate() {
            let destination = self.destination(k);
            let fleet = Arc::new(fleet.clone());
            let fleet_index = t.fleets.producer(k);
            for i in 0..fleet.count {
                let p = Producer {
                    destination: destination.clone(),
                    fleet: fleet.clone(),
                    fleet_index,
                    fifo,
                    schedule: Schedule::new(fleet.rate.clone(), i, fleet.count),
                    id,
                    run_id: self.run_id,
                    clock: t.clock,
                    seed: sc.run.seed,
                    recorder: t.registry.clone(),
                    routes: routes.clone(),
                    stop: t.producers_stopped.clone(),
                    retries: sc.run.retries,
                    catch_up: sc.run.drain_timeout,
                    shard: self.shard.is_part().then_some(self.shard.index),
                };
                groups.push(fleet.groups);
                attributes_of.push(match &destination {
                    Destination::Topic { attributes, .. } => attributes.clone(),
                    Destination::Queue { .. } => Arc::default(),
                });
                id += 1;
                if self.shard.runs(u64::from(p.id)) {
                    producers.spawn(p.run());
                }
            }
        }
        let mut index = 0;
        let calls = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let attributes_of = Arc::new(attributes_of);
        for (k, fleet) in sc.consumers.iter().enumerate() {
            let fleet = Arc::new(fleet.clone());
            let fleet_index = t.fleets.consumer(k);
            // A fan-out's consumer fleets are its subscriptions', in order; a queue run has one lane.
            let lane = if self.topic.is_some() { k } else { 0 };
            let subscriber =
                self.subscriber(lane, filters[lane].clone(), &attributes_of, &leaks[lane]);
            for _ in 0..fleet.count {
                let c = Consumer {
                    client: self.client.clone(),
                    queue_url: self.lanes[lane].queue_url.clone(),
                    fleet: fleet.clone(),
                    fleet_index,
                    fleets: t.fleets.clone(),
                    index,
                    run_id: self.run_id,
                    clock: t.clock,
                    seed: sc.run.seed,
                    recorder: t.registry.clone(),
                    ledger: t.ledgers.handle(lane).clone(),
                    stop: t.consumers_stopped.clone(),
                    retries: sc.run.retries,
                    fifo,
                    shards: self.shard.count,
                    calls: calls.clone(),
                    causes: t.causes.clone(),
                    subscriber: subscriber.clone(),
                };
                index += 1;
                // Consumers are numbered after every producer (`shard::split`'s order).
                if self.shard.runs(u64::from(id) + u64::from(c.index)) {
                    consumers.spawn(c.run());
                }
            }
        }
        Fleets {
            producers,
            consumers,
            groups,
        }
    }

    /// Reads this run's messages back from the dead-letter queue into the ledger, for at most
    /// the drain timeout (10 s at least), unless interrupted.
    async fn read_dead_letters(
        &mut self,
        lane: usize,
        clock: &RunClock,
        ledgers: &Ledgers,
        causes: &Causes,
    ) -> DeadLetters {
        let Some(url) = self.lanes[lane].dead_letter_url.clone() else {
            return DeadLetters::Read;
        };
        let ledger = ledgers.handle(lane);
        let budget = self.scenario.run.drain_timeout.max(Duration::from_secs(10));
        let collect = drain::collect_dead_letters(
            &self.client,
            &url,
            self.run_id,
            clock,
            ledger,
            causes,
            budget,
        );
        tokio::select! {
            collected = collect => match collected {
                Ok(()) => DeadLetters::Read,
                Err(e) => DeadLetters::Failed(format!("{e:#}")),
            },
            Ok(_) = self.interrupt.wait_for(|stop| *stop) => DeadLetters::Interrupted,
        }
    }
}

/// Whether every lane's queue was seen empty.
async fn queues_are_empty(client: &Client, lanes: &[Lane]) -> bool {
    for lane in lanes {
        if !drain::queue_is_empty(client, &lane.queue_url).await {
            return false;
        }
    }
    true
}

impl<'a> Engine<'a> {
    /// The fan-out this run's topic routes, if it publishes to one.
    fn fanout(&self) -> Option<&'a Fanout> {
        self.topic.as_ref().map(|t| t.fanout)
    }

    /// Each subscription's filter policy, parsed once for its route and its consumers (a queue
    /// run: one lane, no filter).
    fn filters(&self) -> Vec<Option<Arc<FilterPolicy>>> {
        match self.fanout() {
            None => vec![None],
            Some(fanout) => fanout
                .subscriptions
                .iter()
                .map(|s| s.keys.filter_policy.as_ref().map(|p| Arc::new(p.parsed())))
                .collect(),
        }
    }

    /// Where producer fleet `k` sends: the queue, or the topic with the fleet's attributes.
    fn destination(&self, k: usize) -> Destination {
        match &self.topic {
            Some(topic) => Destination::Topic {
                sns: topic.sns.clone(),
                arn: topic.arn.clone(),
                attributes: Arc::new(topic.fanout.attributes.get(k).cloned().unwrap_or_default()),
            },
            None => Destination::Queue {
                client: self.client.clone(),
                url: self.lanes[0].queue_url.clone(),
            },
        }
    }

    /// A fan-out consumer's subscription: its filter, envelope and leak tally.
    fn subscriber(
        &self,
        lane: usize,
        filter: Option<Arc<FilterPolicy>>,
        attributes_of: &Arc<Vec<Arc<Vec<crate::scenario::AttributeSpec>>>>,
        leaks: &Arc<Leaks>,
    ) -> Option<Arc<Subscriber>> {
        let s = self.fanout()?.subscriptions.get(lane)?;
        Some(Arc::new(Subscriber {
            filter,
            envelope: !s.keys.raw_message_delivery,
            attributes: attributes_of.clone(),
            seed: self.scenario.run.seed,
            leaks: leaks.clone(),
        }))
    }
}

/// Whether the run's counted cost reached `[run] budget_usd` (target `aws` only).
fn over_budget(budget_usd: Option<f64>, price_per_million: f64, total: &Recorder) -> bool {
    budget_usd.is_some_and(|budget| {
        let calls: u64 = total.apis.values().map(|a| a.count).sum();
        crate::price::usd(calls as f64, price_per_million) >= budget
    })
}

/// Lets stopped tasks finish the call they are in for up to `STOP_GRACE`, then cancels them
/// (an in-flight long poll, or a call to a target that stopped answering).
async fn stop_all(producers: &mut JoinSet<()>, consumers: &mut JoinSet<()>) {
    let joined = async {
        while producers.join_next().await.is_some() {}
        while consumers.join_next().await.is_some() {}
    };
    if tokio::time::timeout(STOP_GRACE, joined).await.is_err() {
        producers.abort_all();
        consumers.abort_all();
        while producers.join_next().await.is_some() {}
        while consumers.join_next().await.is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::recorder::{Api, ApiCounts};

    fn calls(n: u64) -> Recorder {
        let mut total = Recorder::default();
        total.apis.insert(
            Api::SendMessageBatch,
            ApiCounts {
                count: n,
                ..ApiCounts::default()
            },
        );
        total
    }

    #[test]
    fn the_budget_stops_the_run_when_the_counted_cost_reaches_it() {
        // $0.40 per million calls: a $1 budget is 2.5 million calls.
        assert!(!over_budget(Some(1.0), 0.40, &calls(2_499_999)));
        assert!(over_budget(Some(1.0), 0.40, &calls(2_500_000)));
        assert!(
            !over_budget(None, 0.40, &calls(u64::MAX / 2)),
            "no budget, no stop"
        );
    }
}
