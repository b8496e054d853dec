//! Judging a finished run: its summary (counts, throughput, latency, cost — SNS's or
//! EventBridge's share included, priced before the summary is stated), its integrity, a
//! fan-out's router and routes (`judge_fanout`), and the `[expect]` checks. A shard judges only what one shard can; `merge`
//! judges the whole.

use std::time::SystemTime;

use super::distributed::shard_info;
use super::drive::Driven;
use super::judge_fanout::{fanout_integrity, fanout_parts, router_share};
use super::options::RunOptions;
use super::setup::Ready;
use super::shape::Shape;
use crate::emulator::stats::QueueFaults;
use crate::measure::backlog;
use crate::measure::counts::LambdaBill;
use crate::measure::fleets::FleetMap;
use crate::measure::ledger::{self, Integrity, QueueIntegrity};
use crate::measure::queues::{QueueIndex, QueueSummary};
use crate::measure::summary::{
    Batches, EmulatorInfo, FleetSummary, Interruption, Measurement, RunSummary,
};
use crate::measure::timeline::TimelineRow;
use crate::scenario::Scenario;
use crate::workload::engine::EngineResult;

/// A judged run: its summary, its integrity, and what did not stop it but should be said.
pub(super) struct Judged {
    pub summary: RunSummary,
    pub integrity: Integrity,
    pub warnings: Vec<String>,
}

/// Judges what the run drove.
pub(super) fn judge(
    scenario: &Scenario,
    shape: Shape<'_>,
    options: &RunOptions,
    ready: &Ready,
    driven: &Driven,
) -> Judged {
    let result = &driven.result;
    let mut warnings = result.warnings.clone();
    let case = Case {
        scenario,
        shape,
        ready,
        result,
        rows: &driven.stream.rows,
        replay: driven.replay.as_ref(),
    };
    let (mut summary, integrity) = judged(&case, options.distributed.start_at);
    if let Some(s) = ready.settle.as_ref().filter(|s| !s.settled) {
        warnings.push(format!(
            "the {} had not settled when traffic began ({}); missing and leaked may include filter propagation",
            match shape.fanout().map(|f| f.route_word()) {
                Some("rule") => "rules",
                _ => "subscriptions' filters",
            },
            s.last_problem
        ));
    }
    if let Some(topic) = &mut summary.topic {
        topic.settle = ready.settle.clone();
    }
    if let Some(bus) = &mut summary.event_bus {
        bus.settle = ready.settle.clone();
    }
    if let Some(live) = &options.live {
        live.finish(summary.messages.duplicates);
    }
    Judged {
        summary,
        integrity,
        warnings,
    }
}

/// What a run is judged from: its scenario and shape, what setup made ready, what it drove.
struct Case<'a> {
    scenario: &'a Scenario,
    shape: Shape<'a>,
    ready: &'a Ready,
    result: &'a EngineResult,
    /// The run's seconds, as streamed to timeseries.csv.
    rows: &'a [TimelineRow],
    /// The archive replay the run started, if any.
    replay: Option<&'a crate::measure::fanout::Replay>,
}

/// The summary and integrity of the finished run. A shard judges only what one shard can:
/// losses, FIFO order, first deliveries and the expectations are judged over every shard by
/// `merge`.
fn judged(case: &Case, start_at: Option<SystemTime>) -> (RunSummary, ledger::Integrity) {
    let Case {
        scenario,
        shape,
        ready,
        result,
        ..
    } = *case;
    let mut summary = summarise(case);
    let mut integrity = result.integrity.clone();
    if let Some(fanout) = shape.fanout() {
        fanout_integrity(&mut integrity, fanout, result);
    }
    if !scenario.queues.is_empty() {
        integrity.queues = queue_names(scenario)
            .into_iter()
            .zip(&result.lanes)
            .map(|(name, lane)| QueueIntegrity {
                name,
                integrity: lane.integrity.clone(),
            })
            .collect();
    }
    integrity.foreign.count = summary.messages.foreign;
    integrity.emulator_injected = summary.emulator.as_ref().map(|e| e.injected);
    if summary.interrupted.happened() {
        integrity.interrupted();
    }
    if let Shape::Shard(shard) = shape {
        summary.shard = Some(shard_info(shard, start_at, ready.began));
        summary.sender_clock_floors_ms = result.total.sender_floors.by_shard(shard.count);
        // Other shards receive this shard's messages.
        summary.messages.lost = 0;
        summary.messages.order_violations = 0;
        summary.messages.unique_received = 0;
        summary.throughput.received_per_sec =
            crate::round::per_second(summary.messages.received, summary.measured_seconds);
    } else {
        summary.expectations = crate::measure::expectations::judge(&scenario.expect, &summary);
    }
    (summary, integrity)
}

/// The summary of a finished (or interrupted) run.
fn summarise(case: &Case) -> RunSummary {
    let Case {
        scenario,
        shape,
        ready,
        result,
        rows,
        replay,
    } = *case;
    let (estimate, connection) = (ready.estimate.as_ref(), &ready.connection);
    let measured_seconds = measured_seconds(scenario, result);
    let mean_bytes = mean_message_bytes(scenario);
    let mut summary = RunSummary {
        interrupted: if result.interrupted {
            Interruption::Signal
        } else {
            Interruption::None
        },
        drained: result.drained,
        stopped_by_budget: result.stopped_by_budget,
        emulator: connection.emulator.as_ref().map(|e| EmulatorInfo {
            injected: e.injected(),
        }),
        ..ready.head.clone()
    };
    summary.cost.estimated_billed_requests = estimate.map(|e| e.billed_requests.round() as u64);
    summary.cost.estimated_usd = estimate.map(|e| crate::round::usd(e.usd));
    let (sns, eventbridge) = match shape.fanout() {
        None => (None, None),
        Some(f) => router_share(scenario, f, result, mean_bytes, replay),
    };
    let production_like = scenario
        .consumers
        .iter()
        .any(|c| c.crash_rate > 0.0 || c.visibility_heartbeat.is_some());
    summary.consumers = production_like.then_some(result.total.counters.consumer_events);
    summary.measured(Measurement {
        total: &result.total,
        tally: &result.tally,
        seconds: measured_seconds,
        start_us: result.measured_start_us,
        price_per_million: scenario.price_per_million(),
        mean_message_bytes: mean_bytes,
        sns,
        eventbridge,
    });
    summary.fleets = FleetSummary::all(&FleetMap::of(scenario), &result.total);
    let stats = connection.emulator.as_ref().map(|e| e.stats().queues);
    let injected_on = |name: &str| {
        let queues = stats.as_ref()?;
        queues.iter().find(|q| q.name == name).map(|q| q.faults)
    };
    if let Some(fanout) = shape.fanout() {
        fanout_parts(&mut summary, fanout, result, &injected_on, replay);
        if let (Some(bus), Some(crate::client::fanout::Routed::Bus(made))) =
            (&mut summary.event_bus, &ready.prepared.router)
        {
            bus.archive = made.archive.as_ref().map(|(name, _)| name.clone());
        }
    }
    if !scenario.queues.is_empty() {
        summary.queues = queue_parts(scenario, result, summary.measured_seconds, &injected_on);
    }
    summary.batches = batch_parts(scenario, result);
    let send_window = scenario.run.warmup + scenario.run.duration;
    summary.backlog = backlog::judge(
        rows,
        backlog::last_peak_end(&scenario.producers, send_window),
    );
    if result.interrupted {
        // Not yet received at the signal is not lost: it may still be on the queue.
        summary.messages.undelivered_at_interrupt = summary.messages.lost;
        summary.messages.lost = 0;
    }
    summary
}

/// Seconds of the measured phase: all of it, or what had passed of it at the signal.
fn measured_seconds(scenario: &Scenario, result: &EngineResult) -> f64 {
    if result.interrupted {
        (result.elapsed.as_secs_f64() - scenario.run.warmup.as_secs_f64())
            .clamp(0.0, scenario.run.duration.as_secs_f64())
    } else {
        scenario.run.duration.as_secs_f64()
    }
}

/// The mean message size over the producer fleets (each fleet's mean counted once).
fn mean_message_bytes(scenario: &Scenario) -> f64 {
    scenario
        .producers
        .iter()
        .map(|p| p.message_size.mean())
        .sum::<f64>()
        / scenario.producers.len().max(1) as f64
}

/// summary.json `queues[]` of a `[[queues]]` run, each with the faults the emulator injected
/// on it.
fn queue_parts(
    scenario: &Scenario,
    result: &EngineResult,
    seconds: f64,
    injected_on: &dyn Fn(&str) -> Option<QueueFaults>,
) -> Vec<QueueSummary> {
    queue_names(scenario)
        .iter()
        .zip(&result.lanes)
        .enumerate()
        .map(|(i, (name, lane))| QueueSummary {
            emulator_injected: injected_on(name),
            ..QueueSummary::of(
                name,
                &lane.tally,
                result.total.queues.get(i as QueueIndex),
                seconds,
            )
        })
        .collect()
}

/// summary.json `batches` of a run with Lambda-style consumers, with Lambda's bill.
fn batch_parts(scenario: &Scenario, result: &EngineResult) -> Option<Batches> {
    let lambda = scenario
        .consumers
        .iter()
        .any(|c| c.kind == crate::scenario::ConsumerKind::Lambda);
    lambda.then(|| {
        let counters = &result.total.counters.batches;
        let prices = &scenario.cost;
        Batches {
            lambda: LambdaBill::of(
                counters,
                prices.lambda_per_gb_second,
                prices.lambda_per_million_requests,
            ),
            ..Batches::of(counters, result.dead_lettered_by_cause)
        }
    })
}

/// A `[[queues]]` run's queue names, in lane order.
fn queue_names(scenario: &Scenario) -> Vec<String> {
    scenario.lane_specs().into_iter().map(|q| q.name).collect()
}
