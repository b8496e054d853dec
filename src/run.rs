//! `execute`: one run of a validated scenario, the single entry point the CLI and tests call.
//! Connect → prepare queues → drive the fleets (streaming results every second) → summarise →
//! write the results directory → delete only the queues this run created → check expectations.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::client;
use crate::live::{self, LiveRun};
use crate::measure::fanout::Settle;
use crate::measure::fleets::FleetMap;
use crate::measure::ledger;
use crate::measure::recorder::Recorder;
use crate::measure::summary::{
    Batches, EmulatorInfo, FleetSummary, Interruption, QueueInfo, RunSummary, SCHEMA_VERSION,
    ScenarioInfo, ShardInfo, TargetInfo,
};
use crate::report::shard_file::{self, ShardFile};
use crate::report::{atomic, charts, files, html, results};
use crate::scenario::{Scenario, Target, estimate, render};
use crate::shard::{self, Shard, StartGate};
use crate::shutdown::LastWords;
use crate::workload::engine::{Engine, EngineResult, Lane, Phase, Progress, TopicTarget};

/// A shard's ledger journal, in its results directory.
pub const LEDGER_FILE: &str = "ledger.bin";

#[derive(Clone, Default)]
pub struct RunOptions {
    /// `--out DIR`: the results directory itself.
    pub out: Option<PathBuf>,
    /// Kept current as the run goes, for a forced exit (a second signal) to write.
    pub last_words: LastWords,
    /// `--shard`, `--run-id`, `--start-at`: the default is a whole run that starts when ready.
    pub distributed: Distributed,
    /// `--metrics`: the live metrics this run feeds once a second.
    pub live: Option<LiveRun>,
}

/// A run's place in a distributed run.
#[derive(Clone, Debug)]
pub struct Distributed {
    pub shard: Shard,
    /// `--run-id`: the id every shard shares (the queues' tag; the payload's numeric id is
    /// derived from it). `None`: a fresh random id.
    pub run_id: Option<String>,
    /// `--start-at`: when traffic starts, the same instant on every shard.
    pub start_at: Option<SystemTime>,
    /// `--start-grace`: how late after `start_at` a shard may still start (else exit 3).
    pub start_grace: Duration,
}

impl Default for Distributed {
    fn default() -> Self {
        Distributed {
            shard: Shard::ALL,
            run_id: None,
            start_at: None,
            start_grace: Duration::from_secs(10),
        }
    }
}

impl Distributed {
    fn sharded(&self) -> bool {
        self.shard.count > 1
    }
}

/// The shard was ready only after the agreed start plus the grace, or the queue it waits for
/// never appeared: it sent nothing (exit 3).
#[derive(Debug, thiserror::Error)]
#[error("missed the start: {0}; nothing was sent")]
pub struct MissedStart(pub String);

pub struct RunOutcome {
    pub summary: RunSummary,
    pub dir: PathBuf,
    /// Non-fatal problems (a queue that could not be deleted, the DLQ could not be read).
    pub warnings: Vec<String>,
    /// Results files that could not be written, each naming its path and the OS error: the
    /// directory is incomplete (exit 4).
    pub write_failures: Vec<String>,
}

impl RunOutcome {
    pub fn expectations_failed(&self) -> bool {
        self.summary.expectations.iter().any(|e| !e.passed)
    }
}

/// The run was interrupted before any traffic: nothing was measured (exit 130).
#[derive(Debug, thiserror::Error)]
#[error("interrupted before any traffic was sent")]
pub struct InterruptedBeforeTraffic;

/// How long one queue deletion may take at the end, so an unanswering target cannot hold an
/// interrupted run past its 10 s.
const DELETE_TIMEOUT: Duration = Duration::from_secs(3);

/// `secs` after the epoch as a compact UTC stamp, `20261201T100000Z` (ISO 8601 basic format):
/// it names results directories, so it has no `:` (not allowed in Windows paths).
/// Time since the Unix epoch. A clock set before 1970 reads as the epoch itself: the time only
/// names the results directory and seeds the run id.
pub fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

pub fn utc_stamp(secs: u64) -> String {
    let time = std::time::UNIX_EPOCH + Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .replace(['-', ':'], "")
}

/// A run that never started leaves no half-made results directory behind, or says it could not
/// remove it.
fn remove_unstarted(dir: &Path) {
    if let Err(e) = std::fs::remove_dir_all(dir) {
        eprintln!(
            "warning: could not remove the unused results directory {}: {e}",
            dir.display()
        );
    }
}

fn check_budget(scenario: &Scenario, estimate: Option<&estimate::Estimate>) -> anyhow::Result<()> {
    if let (Target::Aws { .. }, Some(budget)) = (&scenario.target, scenario.run.budget_usd) {
        match estimate {
            None => anyhow::bail!(
                "run.budget_usd = {budget}: a closed-loop rate (\"max\") cannot be estimated, so the budget cannot be checked; use an open-loop rate"
            ),
            Some(e) if e.usd > budget => anyhow::bail!(
                "run.budget_usd = {budget}: the estimated cost ${:.6} exceeds it, so nothing was sent ({})",
                e.usd,
                e.describe(scenario.price_per_million())
            ),
            Some(_) => {}
        }
    }
    Ok(())
}

/// The summary's parts known before any traffic.
fn summary_head(
    scenario: &Scenario,
    run_id: &str,
    started_secs: u64,
    resolved: &str,
    connection: &client::Connection,
) -> RunSummary {
    RunSummary {
        schema_version: SCHEMA_VERSION,
        sqsbench_version: env!("CARGO_PKG_VERSION").to_string(),
        run_id: run_id.to_string(),
        started_at: utc_stamp(started_secs),
        scenario: ScenarioInfo {
            name: scenario.name.clone(),
            sha256: Sha256::digest(resolved.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            warmup_seconds: Some(scenario.run.warmup.as_secs_f64()),
            duration_seconds: Some(scenario.run.duration.as_secs_f64()),
        },
        target: TargetInfo {
            kind: connection.kind,
            endpoint: connection.endpoint.clone(),
            region: connection.region.clone(),
        },
        queue: QueueInfo {
            kind: scenario.queue.kind,
            name: scenario.queue.name.clone(),
        },
        ..RunSummary::default()
    }
}

/// Connects and prepares the queues, unless a signal comes first; then the queues made so far
/// are deleted (a shard deletes none: others may use them) and the run ends before any traffic.
/// A shard other than 0 does not create the queue: it waits for shard 0's, until the start
/// plus the grace.
/// Everything before traffic: the resolved scenario written, the target connected and its
/// queues ready, the agreed start reached. On an error the caller removes the directory.
async fn set_up(
    scenario: &Scenario,
    dir: &Path,
    resolved: &str,
    run_id: &str,
    interrupt: &mut watch::Receiver<bool>,
    d: &Distributed,
) -> anyhow::Result<(client::Connection, Prepared)> {
    atomic::write(&dir.join("scenario.toml"), resolved)?;
    let ready = start(scenario, run_id, interrupt, d).await?;
    wait_for_start(d, interrupt).await?;
    Ok(ready)
}

async fn start(
    scenario: &Scenario,
    run_id: &str,
    interrupt: &mut watch::Receiver<bool>,
    d: &Distributed,
) -> anyhow::Result<(client::Connection, Prepared)> {
    let made = client::fanout::Made::default();
    let connection = tokio::select! {
        c = client::connect(scenario) => c?,
        Ok(_) = interrupt.wait_for(|stop| *stop) => return Err(InterruptedBeforeTraffic.into()),
    };
    let prepare = async {
        if let Some(f) = &scenario.fanout {
            let (sqs, sns) = (&connection.client, &connection.sns);
            client::fanout::prepare(sqs, sns, &scenario.queue, f, run_id, &made)
                .await
                .map(Prepared::fanout)
        } else if d.sharded() && d.shard.index > 0 {
            shared_queues(&connection.client, scenario, run_id, d)
                .await
                .map(Prepared::queue)
        } else {
            client::queues::prepare(&connection.client, &scenario.queue, run_id, &made.queues)
                .await
                .map(Prepared::queue)
        }
    };
    let prepared = tokio::select! {
        q = prepare => Some(q),
        Ok(_) = interrupt.wait_for(|stop| *stop) => None,
    };
    match prepared {
        Some(Ok(ready)) => Ok((connection, ready)),
        failed => {
            // What was made before the failure or the signal goes; a shard's queues are shared.
            if !d.sharded() {
                let partial = Prepared::made(made);
                for problem in partial.remove(&connection, &LastWords::default()).await {
                    eprintln!("warning: {problem}");
                }
            }
            match failed {
                Some(Err(e)) => Err(e),
                _ => Err(InterruptedBeforeTraffic.into()),
            }
        }
    }
}

/// What a run sends to and reads from, and what it made (the only things it may remove).
pub(crate) struct Prepared {
    /// The queue, or each subscription's.
    pub lanes: Vec<Lane>,
    /// URLs of the queues this run created.
    pub created: Vec<String>,
    /// A fan-out run's topic, with the subscriptions it made.
    pub topic: Option<client::topics::Topic>,
}

impl Prepared {
    fn queue(q: client::queues::Queues) -> Prepared {
        Prepared {
            lanes: vec![Lane {
                queue_url: q.url,
                dead_letter_url: q.dead_letter_url,
            }],
            created: q.created,
            topic: None,
        }
    }

    fn fanout(ready: client::fanout::Ready) -> Prepared {
        let created = ready
            .queues
            .iter()
            .flat_map(|q| q.created.clone())
            .collect();
        Prepared {
            lanes: ready
                .queues
                .into_iter()
                .map(|q| Lane {
                    queue_url: q.url,
                    dead_letter_url: q.dead_letter_url,
                })
                .collect(),
            created,
            topic: Some(ready.topic),
        }
    }

    /// What an abandoned setup had made.
    fn made(made: client::fanout::Made) -> Prepared {
        Prepared {
            lanes: Vec::new(),
            created: made.queues.into_inner().unwrap_or_else(|p| p.into_inner()),
            topic: made.topic.into_inner().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Removes what the run made: the topic's subscriptions (and the topic, if it made it),
    /// then its queues; returns what could not be removed.
    async fn remove(&self, connection: &client::Connection, words: &LastWords) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(topic) = &self.topic {
            let removal = client::topics::tear_down(&connection.sns, topic);
            match tokio::time::timeout(DELETE_TIMEOUT, removal).await {
                Ok(p) => problems.extend(p),
                Err(_) => problems.push(format!(
                    "topic {}: no answer within {} s while removing it",
                    topic.arn,
                    DELETE_TIMEOUT.as_secs()
                )),
            }
        }
        problems.extend(delete_queues(&connection.client, &self.created, words).await);
        problems
    }
}

/// The queues shard 0 creates, looked up every 500 ms until the start plus the grace (30 s
/// from now without a start time).
async fn shared_queues(
    client: &aws_sdk_sqs::Client,
    scenario: &Scenario,
    run_id: &str,
    d: &Distributed,
) -> anyhow::Result<client::queues::Queues> {
    let deadline = d.start_at.map_or_else(
        || SystemTime::now() + Duration::from_secs(30),
        |at| at + d.start_grace,
    );
    let look_up = crate::scenario::QueueSpec {
        create: false,
        ..scenario.queue.clone()
    };
    let unused = std::sync::Mutex::new(Vec::new());
    loop {
        match client::queues::prepare(client, &look_up, run_id, &unused).await {
            Ok(queues) => return Ok(queues),
            Err(e) if SystemTime::now() >= deadline => {
                return Err(MissedStart(format!(
                    "the queue shard 0 creates did not appear ({e:#})"
                ))
                .into());
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

/// Waits for `--start-at`; a shard ready only after the start plus the grace sends nothing.
async fn wait_for_start(
    d: &Distributed,
    interrupt: &mut watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let Some(at) = d.start_at else {
        return Ok(());
    };
    match shard::gate(SystemTime::now(), at, d.start_grace) {
        StartGate::Missed { late_by } => Err(MissedStart(format!(
            "ready {:.1} s after --start-at, beyond the {:.0} s --start-grace",
            late_by.as_secs_f64(),
            d.start_grace.as_secs_f64()
        ))
        .into()),
        StartGate::Wait(wait) => tokio::select! {
            _ = tokio::time::sleep(wait) => Ok(()),
            Ok(_) = interrupt.wait_for(|stop| *stop) => Err(InterruptedBeforeTraffic.into()),
        },
    }
}

/// Deletes the queues this run created, each within `DELETE_TIMEOUT`; returns what could not
/// be deleted, naming each queue's URL.
async fn delete_queues(
    client: &aws_sdk_sqs::Client,
    urls: &[String],
    words: &LastWords,
) -> Vec<String> {
    let mut problems = Vec::new();
    for url in urls.iter().rev() {
        match tokio::time::timeout(DELETE_TIMEOUT, client::queues::delete(client, url)).await {
            Ok(Ok(())) => words.queue_deleted(url),
            Ok(Err(e)) => problems.push(format!("could not delete {url}: {e:#}")),
            Err(_) => problems.push(format!(
                "could not delete {url}: no answer within {} s",
                DELETE_TIMEOUT.as_secs()
            )),
        }
    }
    problems
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

pub async fn execute(
    scenario: &Scenario,
    options: &RunOptions,
    mut interrupt: watch::Receiver<bool>,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<RunOutcome> {
    if !scenario.sweep.is_empty() {
        anyhow::bail!(
            "run::execute runs one variant; a scenario with [sweep] goes through series::execute (as `sqsbench run` does)"
        );
    }
    if scenario.fanout.is_some() && options.distributed.sharded() {
        anyhow::bail!(
            "a fan-out scenario ([topic]) runs on one machine for now; --shard is not supported with it"
        );
    }
    let estimate = estimate::estimate(scenario);
    check_budget(scenario, estimate.as_ref())?;
    let now = since_epoch();
    let d = &options.distributed;
    let (run_id, run_id_text) = run_ids(d, scenario, now);
    let dir = results::create_dir(
        options.out.as_deref(),
        &scenario.name,
        &utc_stamp(now.as_secs()),
    )?;
    let resolved = render::to_toml(scenario);
    let (connection, queues) =
        match set_up(scenario, &dir, &resolved, &run_id_text, &mut interrupt, d).await {
            Ok(ready) => ready,
            Err(e) => {
                remove_unstarted(&dir);
                return Err(e);
            }
        };
    let settle = settle(scenario, &connection, &queues, run_id, &mut interrupt).await;
    let began = SystemTime::now();
    let words = &options.last_words;
    let head = summary_head(
        scenario,
        &run_id_text,
        now.as_secs(),
        &resolved,
        &connection,
    );
    words.begin(dir.clone(), head.clone());
    words.created_queues(&queues.created);
    let mut setup_failures = Vec::new();
    if d.sharded()
        && let Err(e) = atomic::write(&dir.join("shard.json"), shard_json(d, &head, run_id, began))
    {
        setup_failures.push(e.to_string());
    }
    // A shard's histogram intervals count from the agreed start, as its seconds do.
    let epoch = d
        .start_at
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .unwrap_or(now);
    let mut stream = match results::Stream::open(&dir, epoch.as_secs_f64(), FleetMap::of(scenario))
    {
        Ok(s) => s,
        Err(e) => {
            for problem in queues.remove(&connection, words).await {
                eprintln!("warning: {problem}");
            }
            words.end();
            return Err(e.context(format!("opening the results files in {}", dir.display())));
        }
    };
    let journal_path = dir.join(LEDGER_FILE);
    let journal = d
        .sharded()
        .then(|| open_journal(&journal_path, &mut setup_failures))
        .flatten();
    let engine = Engine {
        client: connection.client.clone(),
        lanes: queues.lanes.clone(),
        topic: queues.topic.as_ref().map(|t| TopicTarget {
            sns: connection.sns.clone(),
            arn: t.arn.clone(),
        }),
        scenario,
        run_id,
        interrupt,
        // Only real SQS costs money; elsewhere the budget is not enforced.
        budget_usd: match scenario.target {
            Target::Aws { .. } => scenario.run.budget_usd,
            _ => None,
        },
        price_per_million: scenario.price_per_million(),
        shard: d.shard,
        start_at: d.start_at,
        journal,
    };
    let live = options.live.as_ref();
    if let Some(live) = live {
        live.begin_run(scenario, d.shard, &run_id_text, &queues.lanes[0].queue_url);
        if let Some(emulator) = &connection.emulator {
            live.attach_emulator(emulator.stats_reader());
        }
    }
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
    let result = engine.run(&mut sink, &mut progress).await;

    let mut write_failures = setup_failures;
    write_failures.extend(stream.write_errors.iter().cloned());
    if let Some(e) = &result.journal_failed {
        write_failures.push(format!(
            "{} {}: {e}",
            atomic::WRITE_FAILED,
            journal_path.display()
        ));
    }
    let mut warnings = result.warnings.clone();
    let (mut summary, integrity) = judged(
        scenario,
        d,
        head,
        &result,
        estimate.as_ref(),
        &connection,
        began,
    );
    if let Some(s) = settle.as_ref().filter(|s| !s.settled) {
        warnings.push(format!(
            "the subscriptions' filters had not settled when traffic began ({}); missing and leaked may include filter propagation",
            s.last_problem
        ));
    }
    if let Some(topic) = &mut summary.topic {
        topic.settle = settle;
    }
    if let Some(live) = live {
        live.finish(summary.messages.duplicates);
    }

    if !d.sharded()
        && let Err(e) = atomic::write(
            &dir.join("integrity.json"),
            files::integrity_json(&integrity),
        )
    {
        write_failures.push(e.to_string());
    }
    write_files(
        &dir,
        &summary,
        &result.total.latencies,
        &stream.rows,
        &mut write_failures,
    );
    words.summary_written(&summary);
    if !d.sharded() {
        warnings.extend(queues.remove(&connection, words).await);
    }
    words.end();
    if let Some(emulator) = connection.emulator {
        emulator.shutdown().await;
    }
    Ok(RunOutcome {
        summary,
        dir,
        warnings,
        write_failures,
    })
}

/// A fan-out run's settle probes, unless `[topic] settle = "0s"`.
async fn settle(
    scenario: &Scenario,
    connection: &client::Connection,
    prepared: &Prepared,
    run_id: u64,
    interrupt: &mut watch::Receiver<bool>,
) -> Option<Settle> {
    let (fanout, topic) = (scenario.fanout.as_ref()?, prepared.topic.as_ref()?);
    if fanout.topic.settle.is_zero() {
        return None;
    }
    let probes = crate::workload::settle::Probes {
        sqs: &connection.client,
        sns: &connection.sns,
        topic_arn: &topic.arn,
        lanes: &prepared.lanes,
        fanout,
        run_id,
        seed: scenario.run.seed,
    };
    Some(probes.settle(fanout.topic.settle, interrupt).await)
}

/// The run's id: the one a distributed run agreed on, or one drawn from the clock, the seed
/// and the process (numeric for the payloads, and as text).
fn run_ids(d: &Distributed, scenario: &Scenario, now: Duration) -> (u64, String) {
    match &d.run_id {
        Some(text) => (shard::numeric_run_id(text), text.clone()),
        None => {
            let id = crate::emulator::splitmix::finalize(
                now.as_nanos() as u64
                    ^ scenario.run.seed.rotate_left(17)
                    ^ std::process::id() as u64,
            );
            (id, format!("{id:016x}"))
        }
    }
}

/// A shard's ledger journal; a file that cannot be created is a setup failure (exit 4), and
/// the run goes on without it.
fn open_journal(path: &Path, setup_failures: &mut Vec<String>) -> Option<ledger::Journal> {
    ledger::Journal::create(path)
        .map_err(|e| {
            setup_failures.push(format!("{} {}: {e}", atomic::WRITE_FAILED, path.display()))
        })
        .ok()
}

/// The summary and integrity of the finished run. A shard judges only what one shard can:
/// losses, FIFO order, first deliveries and the expectations are judged over every shard by
/// `merge`.
fn judged(
    scenario: &Scenario,
    d: &Distributed,
    head: RunSummary,
    result: &EngineResult,
    estimate: Option<&estimate::Estimate>,
    connection: &client::Connection,
    began: SystemTime,
) -> (RunSummary, ledger::Integrity) {
    let mut summary = summarise(scenario, head, result, estimate, connection);
    let mut integrity = result.integrity.clone();
    if let Some(fanout) = &scenario.fanout {
        crate::fanout::integrity(&mut integrity, fanout, result);
    }
    integrity.foreign.count = summary.messages.foreign;
    integrity.emulator_injected = summary.emulator.as_ref().map(|e| e.injected);
    if summary.interrupted.happened() {
        integrity.interrupted();
    }
    if d.sharded() {
        summary.shard = Some(shard_info(d, began));
        summary.sender_clock_floors_ms = result.total.sender_floors.by_shard(d.shard.count);
        // Other shards receive this shard's messages.
        summary.messages.lost = 0;
        summary.messages.order_violations = 0;
        summary.messages.unique_received = 0;
        summary.throughput.received_per_sec = crate::measure::summary::per_second(
            summary.messages.received,
            summary.measured_seconds,
        );
    } else {
        summary.expectations = crate::measure::expectations::judge(&scenario.expect, &summary);
    }
    (summary, integrity)
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// shard.json (`ShardFile`).
fn shard_json(d: &Distributed, head: &RunSummary, run_id: u64, began: SystemTime) -> String {
    let info = shard_info(d, began);
    ShardFile {
        schema_version: shard_file::SCHEMA_VERSION,
        run_id: head.run_id.clone(),
        payload_run_id: format!("{run_id:016x}"),
        shard: shard_file::Place {
            index: info.index,
            count: info.count,
        },
        scenario_sha256: head.scenario.sha256.clone(),
        histograms: shard_file::HistogramSettings::ours(),
        start_at: info.start_at,
        started_sending_at: info.started_sending_at,
        ledger: LEDGER_FILE.into(),
    }
    .to_json()
}

fn shard_info(d: &Distributed, began: SystemTime) -> ShardInfo {
    ShardInfo {
        index: d.shard.index,
        count: d.shard.count,
        start_at: d.start_at.map(rfc3339),
        started_sending_at: rfc3339(began.max(d.start_at.unwrap_or(began))),
    }
}

/// The summary of a finished (or interrupted) run.
fn summarise(
    scenario: &Scenario,
    head: RunSummary,
    result: &EngineResult,
    estimate: Option<&estimate::Estimate>,
    connection: &client::Connection,
) -> RunSummary {
    let measured_seconds = if result.interrupted {
        (result.elapsed.as_secs_f64() - scenario.run.warmup.as_secs_f64())
            .clamp(0.0, scenario.run.duration.as_secs_f64())
    } else {
        scenario.run.duration.as_secs_f64()
    };
    let mean_bytes = scenario
        .producers
        .iter()
        .map(|p| p.message_size.mean())
        .sum::<f64>()
        / scenario.producers.len().max(1) as f64;
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
        ..head
    };
    summary.cost.estimated_billed_requests = estimate.map(|e| e.billed_requests.round() as u64);
    summary.cost.estimated_usd = estimate.map(|e| crate::round::usd(e.usd));
    summary.measured(
        &result.total,
        &result.tally,
        measured_seconds,
        result.measured_start_us,
        scenario.price_per_million(),
        mean_bytes,
    );
    summary.fleets = FleetSummary::all(&FleetMap::of(scenario), &result.total);
    if let Some(fanout) = &scenario.fanout {
        let queues = connection.emulator.as_ref().map(|e| e.stats().queues);
        let injected_on = |name: &str| {
            let queues = queues.as_ref()?;
            queues.iter().find(|q| q.name == name).map(|q| q.faults)
        };
        crate::fanout::summarise(
            &mut summary,
            scenario,
            fanout,
            result,
            mean_bytes,
            &injected_on,
        );
    }
    let lambda = scenario
        .consumers
        .iter()
        .any(|c| c.kind == crate::scenario::ConsumerKind::Lambda);
    summary.batches = lambda.then(|| {
        Batches::of(
            &result.total.counters.batches,
            result.dead_lettered_by_cause,
        )
    });
    if result.interrupted {
        // Not yet received at the signal is not lost: it may still be on the queue.
        summary.messages.undelivered_at_interrupt = summary.messages.lost;
        summary.messages.lost = 0;
    }
    summary
}

/// The files every results directory ends with, single run or merged: the summary, the
/// latency percentiles, the charts, and last the page that inlines them.
pub(crate) fn write_files(
    dir: &Path,
    summary: &RunSummary,
    latencies: &crate::measure::latency::Latencies,
    rows: &[crate::measure::timeline::TimelineRow],
    failures: &mut Vec<String>,
) {
    let mut write = |name: &str, text: String| {
        if let Err(e) = atomic::write(&dir.join(name), text) {
            failures.push(e.to_string());
        }
    };
    write("summary.json", files::summary_json(summary));
    write(
        "summary.csv",
        files::summary_csv(std::slice::from_ref(summary)),
    );
    write("latency.hgrm", files::hgrm(latencies));
    if let Err(e) = charts::write_all(&dir.join("charts"), rows, latencies, summary) {
        failures.push(format!(
            "could not draw the charts in {}: {e}",
            dir.join("charts").display()
        ));
    }
    // Last: the page inlines the charts and integrity.json written above.
    if let Err(e) = atomic::write(&dir.join("report.html"), html::run_page(summary, dir)) {
        failures.push(e.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::utc_stamp;

    #[test]
    fn utc_stamps() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        assert_eq!(utc_stamp(1_795_432_055), "20261123T110735Z");
        assert_eq!(utc_stamp(951_782_400), "20000229T000000Z");
    }
}
