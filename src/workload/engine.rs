//! A run's phases around the fleets: start every producer and consumer task, collect their
//! recorders once a second into the timeline, stop producers at the end of the send window,
//! drain (until the queue is empty, or every acknowledged measured message is deleted, or the
//! drain timeout passes), collect this run's dead letters, and stop early and cleanly when
//! interrupted.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::Client;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::clock::RunClock;
use super::consumer::Consumer;
use super::drain;
use super::producer::Producer;
use super::schedule::Schedule;
use crate::measure::ledger::{self, Integrity, Ledger};
use crate::measure::recorder::{Recorder, Registry};
use crate::measure::timeline::{IntervalSink, TimelineRow};
use crate::scenario::{QueueType, Scenario};

/// How often the drain asks whether the queue is empty.
const EMPTY_CHECK_EVERY: Duration = Duration::from_millis(250);
/// How long the drain waits, once everything is deleted, for the queue to report empty.
const SETTLED_GRACE: Duration = Duration::from_secs(2);
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
        }
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

pub struct EngineResult {
    pub total: Recorder,
    pub ledger: Ledger,
    pub integrity: Integrity,
    pub interrupted: bool,
    pub stopped_by_budget: bool,
    /// Whether the drain ended by itself (queue empty, or everything deleted) before its timeout.
    pub drained: bool,
    /// Problems that did not stop the run (the dead-letter queue could not be read).
    pub warnings: Vec<String>,
    pub elapsed: Duration,
    /// Wall-clock µs at which the measured phase began.
    pub measured_start_us: u64,
}

pub struct Engine<'a> {
    pub client: Client,
    pub queue_url: String,
    pub dead_letter_url: Option<String>,
    pub scenario: &'a Scenario,
    pub run_id: u64,
    /// Turns true on Ctrl-C.
    pub interrupt: watch::Receiver<bool>,
    /// Stop the run when the counted cost reaches this (target `aws` only).
    pub budget_usd: Option<f64>,
    pub price_per_million: f64,
}

impl Engine<'_> {
    pub async fn run(
        mut self,
        sink: &mut dyn IntervalSink,
        progress: &mut dyn FnMut(&Progress),
    ) -> EngineResult {
        let sc = self.scenario;
        let clock = RunClock::start(sc.run.warmup, sc.run.duration);
        let registry = Registry::default();
        let fifo = sc.queue.kind == QueueType::Fifo;
        let (ledger, ledger_task) = ledger::spawn(fifo);
        let mut groups = Vec::new();
        let (stop_producers, producers_stopped) = watch::channel(false);
        let (stop_consumers, consumers_stopped) = watch::channel(false);
        let mut producers = JoinSet::new();
        let mut consumers = JoinSet::new();
        let mut id = 0u32;
        for fleet in &sc.producers {
            let fleet = Arc::new(fleet.clone());
            for i in 0..fleet.count {
                let p = Producer {
                    client: self.client.clone(),
                    queue_url: self.queue_url.clone(),
                    fleet: fleet.clone(),
                    fifo,
                    schedule: Schedule::new(fleet.rate.clone(), i, fleet.count),
                    id,
                    run_id: self.run_id,
                    clock,
                    seed: sc.run.seed,
                    recorder: registry.clone(),
                    ledger: ledger.clone(),
                    stop: producers_stopped.clone(),
                    retries: sc.run.retries,
                    catch_up: sc.run.drain_timeout,
                };
                groups.push(fleet.groups);
                id += 1;
                producers.spawn(p.run());
            }
        }
        let mut index = 0;
        for fleet in &sc.consumers {
            let fleet = Arc::new(fleet.clone());
            for _ in 0..fleet.count {
                let c = Consumer {
                    client: self.client.clone(),
                    queue_url: self.queue_url.clone(),
                    fleet: fleet.clone(),
                    index,
                    run_id: self.run_id,
                    clock,
                    seed: sc.run.seed,
                    recorder: registry.clone(),
                    ledger: ledger.clone(),
                    stop: consumers_stopped.clone(),
                    retries: sc.run.retries,
                };
                index += 1;
                consumers.spawn(c.run());
            }
        }

        let mut total = Recorder::default();
        let mut in_flight: i64 = 0;
        let mut second = 0u64;
        let mut interrupted = false;
        let mut stopped_by_budget = false;
        let mut drain_started: Option<Duration> = None;
        let mut drained = false;
        let mut empty_checks = 0;
        let mut last_empty_check: Option<tokio::time::Instant> = None;
        let mut settled_since: Option<Duration> = None;
        let mut ticker = tokio::time::interval_at(
            tokio::time::Instant::now() + Duration::from_secs(1),
            Duration::from_secs(1),
        );
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The drain's checks run at most this often (one interval, not a new one per pass).
        let mut check = tokio::time::interval(Duration::from_millis(50));
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    second += 1;
                    let interval = registry.collect();
                    in_flight += interval.counters.sent_all as i64 - interval.counters.deleted_all as i64;
                    let row = TimelineRow::from_interval(second, &interval, in_flight);
                    sink.interval(&row, &interval);
                    total.merge(&interval);
                    if let Some(budget) = self.budget_usd {
                        let calls: u64 = total.apis.values().map(|a| a.count).sum();
                        if calls as f64 * self.price_per_million / 1e6 >= budget {
                            stopped_by_budget = true;
                            break;
                        }
                    }
                    let elapsed = clock.elapsed();
                    let phase = if drain_started.is_some() { Phase::Drain } else if elapsed < sc.run.warmup { Phase::Warmup } else { Phase::Measured };
                    progress(&Progress::of(&total, elapsed, phase, row.sent, row.received));
                }
                Ok(_) = self.interrupt.wait_for(|stop| *stop) => {
                    interrupted = true;
                    break;
                }
                Some(_) = producers.join_next(), if !producers.is_empty() => {}
                _ = check.tick() => {}
            }
            if producers.is_empty() && drain_started.is_none() {
                drain_started = Some(clock.elapsed());
            }
            if let Some(started) = drain_started {
                if consumers.is_empty() || sc.consumers.is_empty() {
                    drained = true;
                    break;
                }
                // Producers have ended, so every acknowledgement is already queued to the ledger.
                let Some(progress) = ledger.sync().await else {
                    // The ledger stopped: nothing can say the queue is drained.
                    break;
                };
                // Everything acknowledged was deleted (or dead-lettered); give extra copies still
                // on the queue a moment, since another run's traffic may keep it from emptying.
                if progress.settled >= progress.acknowledged {
                    let since = *settled_since.get_or_insert(clock.elapsed());
                    if clock.elapsed() >= since + SETTLED_GRACE {
                        drained = true;
                        break;
                    }
                }
                // An empty queue, twice in a row: nothing more will arrive (lost messages stay lost).
                if last_empty_check.is_none_or(|t| t.elapsed() >= EMPTY_CHECK_EVERY) {
                    last_empty_check = Some(tokio::time::Instant::now());
                    let empty = tokio::select! {
                        empty = drain::queue_is_empty(&self.client, &self.queue_url) => empty,
                        Ok(_) = self.interrupt.wait_for(|stop| *stop) => {
                            interrupted = true;
                            break;
                        }
                    };
                    if empty {
                        empty_checks += 1;
                    } else {
                        empty_checks = 0;
                    }
                    if empty_checks >= 2 {
                        drained = true;
                        break;
                    }
                }
                if clock.elapsed() >= started + sc.run.drain_timeout {
                    break;
                }
            }
        }
        let _ = stop_producers.send(true);
        let _ = stop_consumers.send(true);
        stop_all(&mut producers, &mut consumers).await;
        let mut warnings = Vec::new();
        if let (Some(url), false) = (&self.dead_letter_url, interrupted) {
            progress(&Progress::of(
                &total,
                clock.elapsed(),
                Phase::DeadLetters,
                0,
                0,
            ));
            let budget = sc.run.drain_timeout.max(Duration::from_secs(10));
            let collect = drain::collect_dead_letters(
                &self.client,
                url,
                self.run_id,
                &clock,
                &ledger,
                budget,
            );
            tokio::select! {
                collected = collect => {
                    if let Err(e) = collected {
                        warnings.push(format!("{e:#}"));
                    }
                }
                Ok(_) = self.interrupt.wait_for(|stop| *stop) => interrupted = true,
            }
        }
        second += 1;
        let interval = registry.collect();
        in_flight += interval.counters.sent_all as i64 - interval.counters.deleted_all as i64;
        let row = TimelineRow::from_interval(second, &interval, in_flight);
        sink.interval(&row, &interval);
        total.merge(&interval);
        drop(ledger);
        let ledger = ledger_task.await.unwrap_or_else(|_| Ledger::new(fifo));
        let integrity = ledger.integrity(&|producer, sequence| {
            let groups = groups.get(producer as usize).copied().unwrap_or(1).max(1);
            ((producer as u64 + sequence) % groups as u64) as u32
        });
        EngineResult {
            total,
            ledger,
            integrity,
            warnings,
            interrupted,
            stopped_by_budget,
            drained,
            elapsed: clock.elapsed(),
            measured_start_us: clock.us_at(clock.warmup),
        }
    }
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
