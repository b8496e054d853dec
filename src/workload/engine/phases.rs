//! The run's phases: the fleets started, a second collected on every tick, the drain, the
//! dead letters read, then the ledgers' conclusions.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::Client;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::SetApart;
use super::seconds::{SecondRules, Seconds, Stop};
use super::spawn::{Fleets, Tasks};
use super::{Engine, EngineResult, Lane, LaneResult, Phase, Progress};
use crate::measure::fleets::FleetMap;
use crate::measure::ledger::{Integrity, Tally};
use crate::measure::recorder::{Recorder, Registry};
use crate::measure::timeline::IntervalSink;
use crate::scenario::QueueType;
use crate::workload::backlog::{self, Backlog};
use crate::workload::clock::RunClock;
use crate::workload::drain;
use crate::workload::drain_rules::{DrainEnd, DrainRules};
use crate::workload::lambda::causes::Causes;
use crate::workload::ledgers::Ledgers;

/// How long stopped tasks may take to finish their call before they are cancelled: an
/// unanswering target must not hold an interrupted run past its 10 s.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// How reading the dead-letter queue ended.
enum DeadLetters {
    Read,
    /// It could not be read: the message says why.
    Failed(String),
    Interrupted,
}

impl Engine<'_> {
    pub async fn run(
        mut self,
        sink: &mut dyn IntervalSink,
        progress: &mut dyn FnMut(&Progress),
    ) -> EngineResult {
        let sc = self.scenario;
        let clock = self.clock();
        let registry = Registry::default();
        let fifo = self.fifo_lanes();
        let ledgers = Ledgers::spawn(&fifo, self.journal.take());
        let apart: Vec<SetApart> = self.lanes.iter().map(|_| SetApart::default()).collect();
        let (stop_producers, producers_stopped) = watch::channel(false);
        let (stop_consumers, consumers_stopped) = watch::channel(false);
        let causes = Arc::new(Causes::default());
        let backlog = Arc::new(Backlog::new(self.lanes.len()));
        let sampler = self.start_sampler(&backlog, &consumers_stopped);
        let mut fleets = self.spawn_fleets(
            &Tasks {
                clock,
                fleets: Arc::new(FleetMap::of(sc)),
                registry: &registry,
                ledgers: &ledgers,
                producers_stopped,
                consumers_stopped,
                causes: causes.clone(),
                backlog: backlog.clone(),
            },
            &apart,
        );
        let mut seconds = Seconds {
            registry: &registry,
            sink,
            total: Recorder::default(),
            in_flight: 0,
            backlog: backlog.clone(),
            running: fleets.running.clone(),
            // A shard that starts within its grace, after the agreed start, begins mid-run.
            second: clock.elapsed().as_secs(),
        };
        let stop = self
            .until_stopped(&clock, &mut fleets, &mut seconds, &ledgers, progress)
            .await;
        let _ = stop_producers.send(true);
        let _ = stop_consumers.send(true);
        stop_all(&mut fleets.producers, &mut fleets.consumers).await;
        fleets.scalers.abort_all();
        sampler.abort();
        let mut warnings = Vec::new();
        let interrupted = stop == Stop::Interrupted
            || self
                .all_dead_letters(&clock, &seconds, &ledgers, &causes, progress, &mut warnings)
                .await;
        seconds.collect();
        let (lanes, journal_failed) = conclude(
            ledgers.finish().await,
            &apart,
            &fleets.groups,
            &fifo,
            &mut warnings,
        );
        let (mut tally, mut integrity) = (Tally::default(), Integrity::default());
        for lane in &lanes {
            tally.add(&lane.tally);
            integrity.add(&lane.integrity);
        }
        EngineResult {
            total: seconds.total,
            tally,
            integrity,
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

    /// How long the queues must stay empty before that ends the drain: an EventBridge bus holds
    /// events it has not delivered yet (the emulator's `eventbridge_delivery_delay`; on AWS a
    /// delivery usually takes well under a second, and retries longer), where no queue count
    /// sees them. A queue or a topic delivers at once.
    fn router_quiet(&self) -> Duration {
        match self.fanout().and_then(|f| f.bus()) {
            None => Duration::ZERO,
            Some(_) => BUS_QUIET + self.scenario.emulator.faults.eventbridge_delivery_delay * 2,
        }
    }

    /// Whether the router still holds deliveries it has not made (known on the embedded target
    /// only: a bus's rules' matched deliveries not yet delivered, dead-lettered or dropped).
    fn router_holds_some(&self) -> bool {
        let Some(reader) = self.router.as_ref().and_then(|r| r.held.as_ref()) else {
            return false;
        };
        reader
            .read()
            .rules
            .iter()
            .any(|r| r.matched > r.delivered + r.dead_lettered + r.dropped)
    }

    /// Per lane, whether its queue is FIFO: the run's queue type, or each route's queue's.
    fn fifo_lanes(&self) -> Vec<bool> {
        match self.fanout() {
            Some(f) => f
                .routes
                .iter()
                .map(|r| f.queue_kind(r) == QueueType::Fifo)
                .collect(),
            None => vec![self.scenario.queue.kind == QueueType::Fifo; self.lanes.len()],
        }
    }

    /// The run's clock: started now, or anchored at the start the shards agreed on.
    fn clock(&self) -> RunClock {
        let run = &self.scenario.run;
        match self.start_at {
            Some(at) => RunClock::anchored(at, run.warmup, run.duration),
            None => RunClock::start(run.warmup, run.duration),
        }
    }

    /// The once-a-second backlog reader of every lane, until the consumers stop.
    fn start_sampler(
        &self,
        backlog: &Arc<Backlog>,
        consumers_stopped: &watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(backlog::sample(
            self.client.clone(),
            self.lanes.iter().map(|l| l.queue_url.clone()).collect(),
            backlog.clone(),
            consumers_stopped.clone(),
        ))
    }

    /// Reads every lane's dead-letter queue after the drain (not after an interrupt); whether an
    /// interrupt came while reading.
    async fn all_dead_letters(
        &mut self,
        clock: &RunClock,
        seconds: &Seconds<'_>,
        ledgers: &Ledgers,
        causes: &Arc<Causes>,
        progress: &mut dyn FnMut(&Progress),
        warnings: &mut Vec<String>,
    ) -> bool {
        if !self.lanes.iter().any(|l| l.dead_letter_url.is_some()) {
            return false;
        }
        progress(
            &Progress::of(&seconds.total, clock.elapsed(), Phase::DeadLetters, 0, 0)
                .with_duplicates(ledgers.duplicates()),
        );
        for lane in 0..self.lanes.len() {
            match self.read_dead_letters(lane, clock, ledgers, causes).await {
                DeadLetters::Read => {}
                DeadLetters::Failed(e) => warnings.push(e),
                DeadLetters::Interrupted => return true,
            }
        }
        false
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
                drain = Some(
                    DrainRules::new(clock.elapsed(), self.scenario.run.drain_timeout)
                        .quiet_for(self.router_quiet()),
                );
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
            let empty = empty && !self.router_holds_some();
            end = rules.queue_checked(clock.elapsed(), empty);
        }
        match end.or_else(|| rules.timed_out(clock.elapsed()))? {
            DrainEnd::Drained => Some(Stop::Drained),
            DrainEnd::TimedOut => Some(Stop::DrainTimedOut),
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

/// How long the queues behind an EventBridge bus must stay empty to end the drain, beside the
/// emulator's delivery delay.
const BUS_QUIET: Duration = Duration::from_secs(3);

/// Each lane's conclusions from its ledger (an empty one, said, when a ledger failed), and the
/// journal's first write failure.
fn conclude(
    owned: Vec<Result<crate::measure::ledger::Owned, String>>,
    apart: &[SetApart],
    groups: &[u32],
    fifo: &[bool],
    warnings: &mut Vec<String>,
) -> (Vec<LaneResult>, Option<std::io::Error>) {
    let mut journal_failed = None;
    let mut lanes = Vec::new();
    for ((owned, apart), fifo) in owned.into_iter().zip(apart).zip(fifo) {
        let owned = owned.unwrap_or_else(|e| {
            warnings.push(format!(
                "the delivery ledger failed ({e}): duplicates, losses and order violations were not computed"
            ));
            Ledgers::empty(*fifo)
        });
        journal_failed = journal_failed.or(owned.journal_failed);
        lanes.push(LaneResult {
            tally: owned.ledger.tally(),
            integrity: owned.ledger.integrity_by_groups(groups),
            leaked: apart.leaks.leaked(),
            replayed: apart.replays.counted(),
        });
    }
    (lanes, journal_failed)
}
