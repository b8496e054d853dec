//! Driving the fleets: the engine built for the run's shape, each second streamed to the
//! results directory, the forced-exit summary and the live metrics kept current, and a shard's
//! ledger journal written as it goes.

use std::time::UNIX_EPOCH;

use tokio::sync::watch;

use super::distributed::{LEDGER_FILE, open_journal, shard_json};
use super::options::RunOptions;
use super::setup::Ready;
use super::shape::Shape;
use super::shutdown::LastWords;
use crate::live::{self, LiveRun};
use crate::measure::fleets::FleetMap;
use crate::measure::ledger;
use crate::measure::recorder::Recorder;
use crate::report::results_dir::File;
use crate::report::{atomic, results};
use crate::scenario::{Scenario, Target};
use crate::workload::engine::{Engine, EngineResult, Phase, Progress, RouterTarget};

/// What the fleets did, with the streamed files and what could not be written.
pub(super) struct Driven {
    pub result: EngineResult,
    pub stream: results::Stream,
    /// Results files that could not be written (shard.json, the journal, a second's rows).
    pub write_failures: Vec<String>,
    /// The archive replay the run started (`[event_bus] replay_after`), if it came due.
    pub replay: Option<crate::measure::fanout::Replay>,
}

/// Runs the fleets to the end (or the interrupt). Only opening the streamed files can fail:
/// then what the run made is removed and nothing was sent.
pub(super) async fn drive(
    scenario: &Scenario,
    shape: Shape<'_>,
    options: &RunOptions,
    ready: &Ready,
    interrupt: watch::Receiver<bool>,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<Driven> {
    let (d, words, dir) = (&options.distributed, &options.last_words, &ready.dir);
    let mut write_failures = Vec::new();
    if shape.sharded() {
        let text = shard_json(
            d,
            &ready.head,
            ready.run_id,
            ready.began,
            options.segments_every,
        );
        if let Err(e) = atomic::write(&dir.join(File::Shard.name()), text) {
            write_failures.push(e.to_string());
        }
    }
    let mut stream = open_stream(scenario, options, ready).await?;
    let journal_path = dir.join(LEDGER_FILE);
    let journal = shape
        .sharded()
        .then(|| open_journal(&journal_path, &mut write_failures))
        .flatten();
    let engine = engine(scenario, shape, ready, interrupt, journal, d.start_at);
    let live = options.live.as_ref();
    begin_live(live, scenario, shape, ready);
    let mut sink = Checkpointed {
        stream: &mut stream,
        words,
        live,
    };
    let mut progress = |p: &Progress| {
        if let Some(live) = live {
            live.progress(live_phase(p.phase), p.duplicates);
        }
        progress(p)
    };
    let (result, replay) = {
        let run = engine.run(&mut sink, &mut progress);
        let replay_due = super::replay::when_due(shape.fanout(), ready);
        tokio::pin!(run, replay_due);
        let mut replay = None;
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                started = &mut replay_due, if replay.is_none() => replay = Some(started),
            }
        };
        (result, replay)
    };
    write_failures.extend(stream.write_errors.iter().cloned());
    if let Some(e) = &result.journal_failed {
        let path = journal_path.display();
        write_failures.push(format!("{} {path}: {e}", atomic::WRITE_FAILED));
    }
    Ok(Driven {
        result,
        stream,
        write_failures,
        replay,
    })
}

/// The streamed files. A shard's histogram intervals count from the agreed start, as its
/// seconds do.
async fn open_stream(
    scenario: &Scenario,
    options: &RunOptions,
    ready: &Ready,
) -> anyhow::Result<results::Stream> {
    let d = &options.distributed;
    let epoch = d
        .start_at
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .unwrap_or(ready.started);
    let fleets = FleetMap::of(scenario);
    let queues = match scenario.queues.is_empty() {
        true => Vec::new(),
        false => scenario.lane_specs().into_iter().map(|q| q.name).collect(),
    };
    match results::Stream::open(&ready.dir, epoch.as_secs_f64(), fleets, queues) {
        Ok(s) => Ok(s),
        Err(e) => {
            let words = &options.last_words;
            for problem in ready.prepared.remove(&ready.connection, words).await {
                eprintln!("warning: {problem}");
            }
            words.end();
            let dir = ready.dir.display();
            Err(e.context(format!("opening the results files in {dir}")))
        }
    }
}

/// The engine for the run's shape.
fn engine<'a>(
    scenario: &'a Scenario,
    shape: Shape<'a>,
    ready: &Ready,
    interrupt: watch::Receiver<bool>,
    journal: Option<ledger::Journal>,
    start_at: Option<std::time::SystemTime>,
) -> Engine<'a> {
    let connection = &ready.connection;
    let router = ready.prepared.router.as_ref().zip(shape.fanout());
    Engine {
        client: connection.client.clone(),
        hot: crate::workload::engine::HotCalls(connection.lean.clone()),
        lanes: ready.prepared.lanes.clone(),
        router: router.map(|(r, fanout)| RouterTarget {
            client: super::setup::router_client(connection, r),
            held: connection.emulator.as_ref().map(|e| e.stats_reader()),
            fanout,
        }),
        scenario,
        run_id: ready.run_id,
        interrupt,
        // Only real SQS costs money; elsewhere the budget is not enforced.
        budget_usd: match scenario.target {
            Target::Aws { .. } => scenario.run.budget_usd,
            _ => None,
        },
        price_per_million: scenario.price_per_million(),
        shard: shape.shard(),
        start_at,
        journal,
    }
}

fn begin_live(live: Option<&LiveRun>, scenario: &Scenario, shape: Shape<'_>, ready: &Ready) {
    if let Some(live) = live {
        let queue = &ready.prepared.lanes[0].queue_url;
        live.begin_run(scenario, shape.shard(), &ready.head.run_id, queue);
        if let Some(emulator) = &ready.connection.emulator {
            live.attach_emulator(emulator.stats_reader());
        }
    }
}

/// Streams each second to disk and keeps the forced-exit summary's counts current.
struct Checkpointed<'a> {
    stream: &'a mut results::Stream,
    words: &'a LastWords,
    live: Option<&'a LiveRun>,
}

impl crate::measure::timeline::IntervalSink for Checkpointed<'_> {
    fn interval(&mut self, row: &crate::measure::timeline::TimelineRow, recorded: &Recorder) {
        self.stream.interval(row, recorded);
        self.words.add_second(&recorded.counters);
        if let Some(live) = self.live {
            live.absorb(row, recorded);
        }
    }
}

/// The live metrics' phase for the engine's (reading dead letters back ends the drain).
fn live_phase(phase: Phase) -> live::Phase {
    match phase {
        Phase::Warmup => live::Phase::Warmup,
        Phase::Measured => live::Phase::Measured,
        Phase::Drain | Phase::DeadLetters => live::Phase::Drain,
    }
}
