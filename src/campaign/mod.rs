//! Campaigns: a results directory that one or more runs fill — a single run, repeats, a
//! `[sweep]` (`series`) or a capacity `[search]` (`search`). Whatever the kind, a campaign has
//! one plan, says one line as each run ends, and has one outcome (warnings, interrupted, failed
//! expectations, files that could not be written), so the CLI drives every kind the same way.
//!
//! Depends on `run` and `report`; the CLI is the only module above it.

pub mod search;
pub(crate) mod series;

use std::time::Duration;

use tokio::sync::watch;

use crate::measure::latency::Latency;
use crate::report::search::StepRow;
use crate::report::{comparison, terminal};
use crate::run::{self, RunOptions};
use crate::scenario::Scenario;
use crate::workload::engine::Progress;
use series::{Variant, VariantOutcome};

/// What a campaign will run.
pub(crate) enum Plan {
    /// One run of one scenario.
    Run(Scenario),
    /// Every variant of a `[sweep]` (one, without it), each `repeat` times.
    Series { variants: Vec<Variant>, repeat: u32 },
    /// A capacity search: steps of rising rates.
    Search(Scenario),
}

/// How a campaign ended.
pub(crate) struct Outcome {
    pub interrupted: bool,
    pub expectations_failed: bool,
    /// Non-fatal problems, for stderr.
    pub warnings: Vec<String>,
    /// Results files that could not be written (exit 4).
    pub write_failures: Vec<String>,
    /// What is printed at the end: the summary, the comparison or the search's answer.
    pub closing: String,
}

impl Plan {
    /// The first scenario the plan runs.
    fn first(&self) -> &Scenario {
        match self {
            Plan::Run(s) | Plan::Search(s) => s,
            Plan::Series { variants, .. } => &variants[0].scenario,
        }
    }

    /// What is said before the first run; `None` when there is nothing to say (or `quiet`
    /// silences the single run's cost line).
    pub(crate) fn intro(&self, quiet: bool) -> Option<String> {
        match self {
            Plan::Run(s) => (!quiet).then(|| crate::scenario::estimate::cost_line(s)),
            Plan::Series { variants, repeat } => {
                let (n, r) = (variants.len(), *repeat);
                Some(format!(
                    "{}: {n} variant{} × {r} run{} ({} runs)",
                    variants[0].scenario.name,
                    if n == 1 { "" } else { "s" },
                    if r == 1 { "" } else { "s" },
                    n as u32 * r
                ))
            }
            Plan::Search(s) => s.search.as_ref().map(|spec| {
                format!(
                    "{}: capacity search from {:.1}/s (×{} until a step fails, then bisecting to {}%), {} s per step",
                    s.name,
                    spec.from,
                    spec.factor,
                    spec.precision * 100.0,
                    spec.step_duration.as_secs_f64()
                )
            }),
        }
    }

    /// How long each run is planned to take (for a progress bar).
    pub(crate) fn each_run(&self) -> Duration {
        let s = self.first();
        match (self, &s.search) {
            (Plan::Search(_), Some(spec)) => s.run.warmup + spec.step_duration,
            _ => s.run.warmup + s.run.duration,
        }
    }
}

/// Runs the plan into one results directory (`out`, or a fresh one under `results/`),
/// telling `announce` a line as each variant or step ends.
pub(crate) async fn execute(
    plan: Plan,
    runs: &RunOptions,
    interrupt: watch::Receiver<bool>,
    progress: &mut dyn FnMut(&Progress),
    announce: &mut dyn FnMut(String),
) -> anyhow::Result<Outcome> {
    match plan {
        Plan::Run(scenario) => single(&scenario, runs, interrupt, progress).await,
        Plan::Series { variants, repeat } => {
            let mut said = |v: &VariantOutcome| announce(variant_line(v));
            let out = runs.out.clone();
            let o =
                series::execute_series(variants, repeat, out, runs, interrupt, progress, &mut said)
                    .await?;
            let mut closing = String::new();
            if o.variants.len() > 1 {
                let rows: Vec<comparison::Row> = o
                    .variants
                    .iter()
                    .map(|v| comparison::Row::of(&v.label, &v.summary))
                    .collect();
                closing += &format!("\n{}", comparison::terminal(&rows));
            }
            closing += &format!("results: {}\n", o.dir.display());
            Ok(Outcome {
                expectations_failed: o.expectations_failed(),
                interrupted: o.interrupted,
                warnings: o.warnings,
                write_failures: o.write_failures,
                closing,
            })
        }
        Plan::Search(scenario) => {
            let mut said = |r: &StepRow| announce(step_line(r));
            let out = runs.out.clone();
            let o = search::execute_search(&scenario, out, runs, interrupt, progress, &mut said)
                .await?;
            let closing = format!(
                "\n{}results: {}\n",
                crate::report::search::page::terminal(&o.result),
                o.dir.display()
            );
            Ok(Outcome {
                interrupted: o.interrupted,
                expectations_failed: false,
                warnings: o.warnings,
                write_failures: o.write_failures,
                closing,
            })
        }
    }
}

/// One run, in `runs.out` (or a fresh directory).
async fn single(
    scenario: &Scenario,
    runs: &RunOptions,
    interrupt: watch::Receiver<bool>,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<Outcome> {
    let o = run::execute(scenario, runs, interrupt, progress).await?;
    Ok(Outcome {
        closing: terminal::summary(&o.summary, &o.dir.display().to_string()),
        interrupted: o.summary.interrupted.happened(),
        expectations_failed: o.expectations_failed(),
        warnings: o.warnings,
        write_failures: o.write_failures,
    })
}

/// A variant's line as it ends, with its failed expectations below it.
fn variant_line(v: &VariantOutcome) -> String {
    let s = &v.summary;
    let e2e = s.latency(Latency::EndToEnd);
    let spread = s.repeats.as_ref().map_or(String::new(), |r| {
        let t = r
            .spread
            .get("throughput.received_per_sec")
            .copied()
            .unwrap_or_default();
        format!(
            " (received/s over {} runs: {:.1}–{:.1})",
            r.count, t.min, t.max
        )
    });
    let mut line = format!(
        "{}: received {:.1}/s, e2e p50 {:.2} ms p99 {:.2} ms, duplicates {}, lost {}, ${:.6}{spread}",
        if v.label.is_empty() { "runs" } else { &v.label },
        s.throughput.received_per_sec,
        e2e.p50 as f64 / 1000.0,
        e2e.p99 as f64 / 1000.0,
        s.messages.duplicates,
        s.messages.lost,
        s.cost.usd,
    );
    if s.expectations.iter().any(|e| !e.passed) {
        line += "\n";
        line += terminal::expectations(s).trim_end();
    }
    line
}

/// A search step's line as it ends.
fn step_line(r: &StepRow) -> String {
    format!(
        "step {}: offered {:.1}/s, sent {:.1}/s, received {:.1}/s, throttled {}/{}/{}, p99 {:.2} ms: {}",
        r.step,
        r.offered_per_sec,
        r.sent_per_sec,
        r.received_per_sec,
        r.throttled_send,
        r.throttled_receive,
        r.throttled_delete,
        r.e2e_p99_ms,
        if r.passed {
            "pass".to_string()
        } else {
            format!("FAIL ({})", r.reason)
        }
    )
}
