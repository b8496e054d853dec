//! `sqsbench run`: validate, run (one run, a `[sweep]` or `repeat` series), print the summary,
//! exit 0 / 1 (an expectation failed) / 2 (bad input, or the run could not start) / 4 (a
//! results file could not be written) / 130 (SIGINT or SIGTERM; results still written).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

use super::exit;
use super::metrics::RunMetrics;
use super::scenario_args::{ScenarioArgs, load_variants_or_report};
use crate::campaign::series::Variant;
use crate::campaign::{self, Plan};
use crate::run::shutdown::{self, LastWords};
use crate::run::{Distributed, InterruptedBeforeTraffic, MissedStart, RunOptions};
use crate::store::Location;
use crate::store::bridge::{self, Output};
use crate::workload::engine::Progress;
use crate::workload::shard::{self, Shard};
use sqsbench_keys::units::parse_duration;

#[derive(Args)]
pub(super) struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The results directory (created; refused if it exists and is not empty), or
    /// s3://bucket/prefix: written locally as the run goes and uploaded (see --local).
    #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX", value_parser = Location::parse)]
    out: Option<Location>,
    /// With an s3:// --out: where the local copy is written first, and kept
    /// [default: results/<name>-<UTC time>/].
    #[arg(long, value_name = "DIR")]
    local: Option<PathBuf>,
    /// With an s3:// --out: how often each streamed file's new part is uploaded as a segment
    /// (1s to 10s).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = segments_every)]
    upload_every: Duration,
    /// Run the scenario N times and record the spread (same as --set run.repeat=N).
    #[arg(long, value_name = "N")]
    repeat: Option<u32>,
    /// No progress display.
    #[arg(long, short)]
    quiet: bool,
    /// Run shard I (from 0) of N of a distributed run: its share of every fleet's tasks
    /// (`validate --shard I/N` shows it). Needs --run-id and --start-at when N > 1.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// The id every shard of a distributed run shares (any text; the queues are tagged with it,
    /// and `cleanup --run-id` finds them by it). Default: a fresh random id.
    #[arg(long, value_name = "ID")]
    run_id: Option<String>,
    /// When traffic starts, in RFC 3339 (e.g. 2026-12-01T10:00:00Z): the same instant on every
    /// shard, and what each shard's seconds count from.
    #[arg(long, value_name = "TIME", value_parser = crate::report::shard_file::parse_start_at)]
    start_at: Option<SystemTime>,
    /// How late after --start-at a shard may still start; later, it sends nothing and exits 3.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    start_grace: Duration,
    /// Serve live metrics (OpenMetrics) at http://ADDR/metrics while the run goes, e.g.
    /// 127.0.0.1:9464 (overrides [run] metrics).
    #[arg(long, value_name = "ADDR", value_parser = crate::scenario::keys::parse_listen_addr)]
    metrics: Option<std::net::SocketAddr>,
    /// Keep the metrics endpoint up this long after the results are written, so a last scrape
    /// catches the final values [default: 0s on a terminal, 30s elsewhere]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    metrics_linger: Option<Duration>,
}

fn segments_every(text: &str) -> Result<Duration, String> {
    let every = parse_duration(text)?;
    if !(Duration::from_secs(1)..=Duration::from_secs(10)).contains(&every) {
        return Err(format!("{text}: between 1s and 10s"));
    }
    Ok(every)
}

impl RunArgs {
    /// The local directory the run writes (`None`: results/<name>-<time>/), and with an
    /// s3:// --out, where it goes after.
    fn outputs(
        &self,
        name: &str,
    ) -> Result<(Option<PathBuf>, Option<crate::store::S3Prefix>), String> {
        match (&self.out, &self.local) {
            (Some(Location::S3(at)), local) => {
                let stamp = crate::run::utc_stamp(crate::run::since_epoch().as_secs());
                let local = local
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("results").join(format!("{name}-{stamp}")));
                Ok((Some(local), Some(at.clone())))
            }
            (_, Some(_)) => Err(
                "--local names the local copy of an s3:// --out; give --out s3://… or drop --local"
                    .into(),
            ),
            (Some(Location::Local(dir)), None) => Ok((Some(dir.clone()), None)),
            (None, None) => Ok((None, None)),
        }
    }

    /// `--shard`, `--run-id`, `--start-at` and `--start-grace`, checked against each other and
    /// the scenario.
    fn distributed(&self, variants: &[Variant]) -> Result<Distributed, Vec<String>> {
        let scenario = &variants[0].scenario;
        let shard = self.shard.unwrap_or(Shard::ALL);
        let mut problems: Vec<String> = Vec::new();
        let one_run = variants.len() == 1 && scenario.run.repeat <= 1 && scenario.search.is_none();
        if !one_run && shard.count == 1 && (self.run_id.is_some() || self.start_at.is_some()) {
            problems.push(
                "--run-id and --start-at name one run; a [sweep], repeat or [search] makes many"
                    .to_string(),
            );
        }
        if variants.len() > 1 && shard.count > 1 {
            problems.push(format!(
                "--shard {shard}: [sweep]: a sweep runs in one process; run each variant as its own sharded run"
            ));
        }
        if shard.count > 1 {
            if self.run_id.is_none() {
                problems.push(format!(
                    "--shard {shard} needs --run-id, the id all shards share"
                ));
            }
            if self.start_at.is_none() {
                problems.push(format!(
                    "--shard {shard} needs --start-at, the instant all shards start and count their seconds from"
                ));
            }
            if matches!(scenario.target, crate::scenario::Target::Embedded) {
                problems.push(format!(
                    "--shard {shard}: the embedded target is one process's own emulator; shards share a queue on an endpoint (--target URL, e.g. sqsbench serve) or aws"
                ));
            }
            problems.extend(
                shard::unsupported(scenario)
                    .into_iter()
                    .map(|p| format!("--shard {shard}: {p}")),
            );
        }
        if self
            .run_id
            .as_deref()
            .is_some_and(|id| id.trim().is_empty())
        {
            problems.push("--run-id is empty".to_string());
        }
        if problems.is_empty() {
            Ok(Distributed {
                shard,
                run_id: self.run_id.clone(),
                start_at: self.start_at,
                start_grace: self.start_grace,
            })
        } else {
            Err(problems)
        }
    }
}

pub(super) fn run(mut args: RunArgs) -> u8 {
    if let Some(n) = args.repeat {
        args.scenario.set.push(format!("run.repeat={n}"));
    }
    let Some(variants) = load_variants_or_report(&args.scenario, args.shard.unwrap_or(Shard::ALL))
    else {
        return exit::BAD_INPUT;
    };
    let mut said = std::collections::BTreeSet::new();
    for w in variants
        .iter()
        .flat_map(|v| crate::scenario::warnings(&v.scenario))
    {
        if said.insert(w.clone()) {
            eprintln!("warning: {w}");
        }
    }
    let distributed = match args.distributed(&variants) {
        Ok(d) => d,
        Err(problems) => {
            for p in problems {
                eprintln!("error: {p}");
            }
            return exit::BAD_INPUT;
        }
    };
    let (local_out, s3_out) = match args.outputs(&variants[0].scenario.name) {
        Ok(outputs) => outputs,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    let runtime = match runtime_for(&variants) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    runtime.block_on(async move {
        let last_words = LastWords::default();
        let interrupt = shutdown::listen(last_words.clone());
        let first = &variants[0].scenario;
        let repeat = first.run.repeat.max(1);
        if first.search.is_some() && (variants.len() > 1 || repeat > 1) {
            eprintln!(
                "error: [search] runs its own series of steps; it cannot be combined with [sweep] or repeat"
            );
            return exit::BAD_INPUT;
        }
        let output = match open_output(s3_out, &local_out).await {
            Ok(output) => output,
            Err(e) => {
                eprintln!("error: --out {e}");
                return exit::BAD_INPUT;
            }
        };
        let addr = args.metrics.or(first.run.metrics);
        let metrics = match RunMetrics::start(addr, args.metrics_linger) {
            Ok(metrics) => metrics,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::BAD_INPUT;
            }
        };
        let runs = RunOptions {
            out: local_out,
            last_words,
            distributed,
            live: metrics.as_ref().map(|m| m.live.clone()),
            segments_every: output.as_ref().map(|_| args.upload_every),
        };
        let ended = interrupt.clone();
        let plan = if first.search.is_some() {
            Plan::Search(variants[0].scenario.clone())
        } else if variants.len() == 1 && repeat == 1 {
            Plan::Run(variants[0].scenario.clone())
        } else {
            Plan::Series { variants, repeat }
        };
        let code = drive(plan, &args, &runs, interrupt, output).await;
        if let Some(metrics) = metrics {
            metrics.linger_then_stop(ended, args.quiet).await;
        }
        code
    })
}

/// The runtime every variant shares: `[run] threads` workers when they agree on it.
fn runtime_for(variants: &[Variant]) -> Result<tokio::runtime::Runtime, String> {
    let Some(threads) = one_thread_count(variants) else {
        return Err(
            "run.threads: a [sweep]'s variants share one runtime, so they cannot differ in it"
                .into(),
        );
    };
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = threads {
        builder.worker_threads(n as usize);
    }
    builder
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// An s3:// --out connected and probed before anything runs; none for a local one.
async fn open_output(
    s3_out: Option<crate::store::S3Prefix>,
    local: &Option<PathBuf>,
) -> Result<Option<Output>, String> {
    let Some(at) = s3_out else {
        return Ok(None);
    };
    let local = local.clone().expect("an s3:// --out has a local copy");
    Output::open(at, local).await.map(Some)
}

/// Runs a campaign of any kind: its intro, a progress bar (or a line per phase), a line as
/// each variant or step ends, then its closing text and exit code.
async fn drive(
    plan: Plan,
    args: &RunArgs,
    runs: &RunOptions,
    interrupt: watch::Receiver<bool>,
    output: Option<Output>,
) -> u8 {
    let streaming = output.as_ref().map(|o| o.stream(args.upload_every));
    if let Some(intro) = plan.intro(args.quiet) {
        println!("{intro}");
    }
    let bar = progress_bar(args.quiet, plan.each_run());
    let mut on_progress = progress_to(&bar, args.quiet);
    let mut announce = |line: String| match &bar {
        Some(b) => b.println(line),
        None => println!("{line}"),
    };
    let outcome = campaign::execute(plan, runs, interrupt, &mut on_progress, &mut announce).await;
    drop(on_progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let sent = match streaming {
        Some(s) => Some(bridge::send(s.stop().await).await),
        None => None,
    };
    match outcome {
        Err(e) => {
            for f in sent.and_then(Result::err).unwrap_or_default() {
                eprintln!("error: {f}");
            }
            could_not_run(e)
        }
        Ok(o) => {
            warn(&o.warnings);
            print!("{}", o.closing);
            let mut failures = o.write_failures;
            match sent {
                Some(Ok(line)) => println!("{line}"),
                Some(Err(unsent)) => failures.extend(unsent),
                None => {}
            }
            exit_code(o.interrupted, o.expectations_failed, &failures)
        }
    }
}

fn could_not_run(e: anyhow::Error) -> u8 {
    eprintln!("error: {e:#}");
    if e.is::<InterruptedBeforeTraffic>() {
        exit::INTERRUPTED
    } else if e.is::<MissedStart>() {
        exit::MISSED_START
    } else {
        exit::BAD_INPUT
    }
}

fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

/// 4 when a results file could not be written (the verdict itself may be incomplete), 130
/// when interrupted (results still written), 1 when an expectation failed, else 0.
/// Each file that could not be written is printed here, last, so it is not lost above the summary.
fn exit_code(interrupted: bool, expectations_failed: bool, write_failures: &[String]) -> u8 {
    for f in write_failures {
        eprintln!("error: results incomplete: {f}");
    }
    if !write_failures.is_empty() {
        exit::RESULTS_INCOMPLETE
    } else if interrupted {
        exit::INTERRUPTED
    } else if expectations_failed {
        exit::EXPECTATION_FAILED
    } else {
        exit::OK
    }
}

/// The progress bar on a terminal; elsewhere (CI logs, pods), unless quiet, one line per phase
/// change, so a log shows when warmup, the measured phase, the drain and the DLQ read began.
fn progress_to<'a>(bar: &'a Option<ProgressBar>, quiet: bool) -> impl FnMut(&Progress) + 'a {
    let mut last_phase = None;
    move |p: &Progress| {
        let phase = p.phase.name();
        match bar {
            Some(bar) => {
                bar.set_position(p.elapsed.as_secs());
                bar.set_message(format!(
                    "{phase}: sent {}/s received {}/s errors {} throttled {}",
                    p.sent_per_sec, p.received_per_sec, p.errors, p.throttled
                ));
            }
            None if !quiet && last_phase != Some(p.phase) => {
                eprintln!("[{:>4}s] phase: {phase}", p.elapsed.as_secs());
            }
            None => {}
        }
        last_phase = Some(p.phase);
    }
}

fn progress_bar(quiet: bool, planned: Duration) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(planned.as_secs());
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len}s {msg}")
            .ok()?
            .progress_chars("=> "),
    );
    Some(bar)
}

/// `[run] threads` when every variant has the same (inner `None`: tokio's default, one per
/// core); `None` when they differ.
fn one_thread_count(variants: &[Variant]) -> Option<Option<u32>> {
    let first = variants[0].scenario.run.threads;
    variants
        .iter()
        .all(|v| v.scenario.run.threads == first)
        .then_some(first)
}
