//! Capacity search (`[search]`): offer rising rates, one short run per step, and find the highest
//! rate the configuration sustains without throttling, within its latency SLO and error budget,
//! with producers and consumers keeping up. Each step is an ordinary results directory under
//! `steps/`; the search writes search.csv/.md/.json, a chart and its own report.html.
//! Depends on `run` and `report`; the stepping logic (`bracket`) is pure.

pub(crate) mod bracket;

use std::path::PathBuf;

use anyhow::Context;
use tokio::sync::watch;

use crate::measure::latency::Latency;
use crate::measure::summary::RunSummary;
use crate::report::chart::kind::{Chart, Data};
use crate::report::chart::search::SearchData;
use crate::report::results_dir::{File, ResultsDir};
use crate::report::search::{SearchResult, StepRow, page};
use crate::report::{atomic, results};
use crate::run::{RunOptions, execute};
use crate::scenario::{RateSpec, Scenario, SearchSpec, render};
use crate::workload::engine::Progress;
use bracket::Bracket;

pub struct SearchOutcome {
    pub dir: PathBuf,
    pub result: SearchResult,
    pub interrupted: bool,
    /// Results files that could not be written (exit 4).
    pub write_failures: Vec<String>,
    pub warnings: Vec<String>,
}

/// The scenario of one step: every producer fleet offers `rate`, for the step's duration.
pub fn step_scenario(base: &Scenario, spec: &SearchSpec, rate: f64) -> Scenario {
    let mut s = base.clone();
    s.search = None;
    s.run.duration = spec.step_duration;
    s.run.repeat = 1;
    for p in &mut s.producers {
        p.rate = RateSpec::Constant(rate);
    }
    s
}

/// Whether a step passed, and if not, why.
pub fn judge(spec: &SearchSpec, offered: f64, s: &RunSummary, consumers: bool) -> (bool, String) {
    let calls: u64 = s.requests.values().map(|r| r.count).sum();
    let throttled: u64 = s.requests.values().map(|r| r.throttled).sum();
    let errors: u64 = s.requests.values().map(|r| r.failed()).sum();
    let fraction = |n: u64| {
        if calls > 0 {
            n as f64 / calls as f64
        } else {
            0.0
        }
    };
    if throttled > 0 && fraction(throttled) > spec.max_throttled_fraction {
        let worst = s
            .requests
            .iter()
            .max_by_key(|(_, r)| r.throttled)
            .map(|(api, _)| api.clone())
            .unwrap_or_default();
        return (
            false,
            format!(
                "throttled: {worst} ({:.1}% of calls throttled)",
                fraction(throttled) * 100.0
            ),
        );
    }
    if errors > 0 && fraction(errors) > spec.max_error_fraction {
        return (
            false,
            format!("errors: {:.1}% of calls failed", fraction(errors) * 100.0),
        );
    }
    let p99 = s.latency(Latency::EndToEnd).p99;
    if let Some(slo) = spec.max_e2e_p99
        && p99 as u128 > slo.as_micros()
    {
        return (
            false,
            format!(
                "latency: e2e p99 {:.1} ms over {:.1} ms",
                p99 as f64 / 1000.0,
                slo.as_secs_f64() * 1000.0
            ),
        );
    }
    let floor = spec.min_achieved_fraction * offered;
    if s.throughput.sent_per_sec < floor {
        return (
            false,
            format!(
                "producers fell behind: sent {:.1}/s of {offered:.1}/s",
                s.throughput.sent_per_sec
            ),
        );
    }
    if consumers && s.throughput.received_per_sec < floor {
        return (
            false,
            format!(
                "consumers fell behind (backlog grows): received {:.1}/s of {offered:.1}/s",
                s.throughput.received_per_sec
            ),
        );
    }
    (true, String::new())
}

fn row(
    step: u32,
    offered: f64,
    s: &RunSummary,
    judged: (bool, String),
    dir: &str,
    backlog: i64,
) -> StepRow {
    let throttled = |apis: &[&str]| -> u64 {
        apis.iter()
            .filter_map(|a| s.requests.get(*a))
            .map(|r| r.throttled)
            .sum()
    };
    let e2e = s.latency(Latency::EndToEnd);
    StepRow {
        step,
        offered_per_sec: crate::round::tenths(offered),
        sent_per_sec: s.throughput.sent_per_sec,
        received_per_sec: s.throughput.received_per_sec,
        calls: s.requests.values().map(|r| r.count).sum(),
        seconds: s.measured_seconds,
        throttled_send: throttled(&["SendMessage", "SendMessageBatch"]),
        throttled_receive: throttled(&["ReceiveMessage"]),
        throttled_delete: throttled(&["DeleteMessage", "DeleteMessageBatch"]),
        errors: s.requests.values().map(|r| r.failed()).sum(),
        e2e_p50_ms: e2e.p50 as f64 / 1000.0,
        e2e_p99_ms: e2e.p99 as f64 / 1000.0,
        backlog,
        passed: judged.0,
        reason: judged.1,
        dir: dir.to_string(),
    }
}

/// The most messages sent but not deleted at any second of a step (from its timeseries.csv).
fn backlog(dir: &std::path::Path) -> anyhow::Result<i64> {
    let path = dir.join(File::Timeseries.name());
    let mut reader = csv::Reader::from_path(&path)?;
    let mut most = 0;
    for row in reader.deserialize::<crate::measure::timeline::TimelineRow>() {
        most = most.max(row?.in_flight);
    }
    Ok(most)
}

/// A step's backlog, or 0 with a warning that says the column is unknown for that step.
fn backlog_or_warn(step: u32, dir: &std::path::Path) -> i64 {
    backlog(dir).unwrap_or_else(|e| {
        eprintln!(
            "warning: step {step}: backlog unknown (shown as 0): {}: {e:#}",
            dir.join(File::Timeseries.name()).display()
        );
        0
    })
}

pub async fn execute_search(
    base: &Scenario,
    out: Option<PathBuf>,
    // `last_words` and `live` for every run; each run's `out` is its own directory.
    runs: &RunOptions,
    interrupt: watch::Receiver<bool>,
    progress: &mut dyn FnMut(&Progress),
    announce: &mut dyn FnMut(&StepRow),
) -> anyhow::Result<SearchOutcome> {
    let spec = base
        .search
        .clone()
        .context("the scenario has no [search]")?;
    let now = crate::run::since_epoch();
    let dir = results::create_dir(
        out.as_deref(),
        &base.name,
        &crate::run::utc_stamp(now.as_secs()),
    )?;
    atomic::write(&dir.join(File::Scenario.name()), render::to_toml(base))?;
    let mut bracket = Bracket::new(spec.from, spec.to, spec.factor, spec.precision);
    let mut steps: Vec<StepRow> = Vec::new();
    let mut warnings = Vec::new();
    let mut failures = Vec::new();
    let mut interrupted = false;
    let consumers = !base.consumers.is_empty();
    while let Some(rate) = bracket.next() {
        if steps.len() as u32 >= spec.max_steps {
            warnings.push(format!(
                "stopped after max_steps = {} steps",
                spec.max_steps
            ));
            break;
        }
        let n = steps.len() as u32 + 1;
        let rel = format!("steps/{n:02}-{rate:.0}-per-sec");
        let scenario = step_scenario(base, &spec, rate);
        let outcome = execute(
            &scenario,
            &RunOptions {
                out: Some(dir.join(&rel)),
                ..runs.clone()
            },
            interrupt.clone(),
            progress,
        )
        .await
        .with_context(|| format!("search step {n} at {rate:.1}/s"))?;
        warnings.extend(outcome.warnings);
        failures.extend(outcome.write_failures);
        if outcome.summary.interrupted.happened() {
            interrupted = true;
            break;
        }
        let judged = judge(&spec, rate, &outcome.summary, consumers);
        bracket.record(rate, judged.0);
        let r = row(
            n,
            rate,
            &outcome.summary,
            judged,
            &rel,
            backlog_or_warn(n, &outcome.dir),
        );
        announce(&r);
        steps.push(r);
    }
    let result = answer(base, &bracket, steps);
    failures.extend(write_search(&dir, &result));
    Ok(SearchOutcome {
        dir,
        result,
        interrupted,
        warnings,
        write_failures: failures,
    })
}

/// The search's answer from its bracket and steps.
fn answer(base: &Scenario, bracket: &Bracket, steps: Vec<StepRow>) -> SearchResult {
    let limited_by = bracket.failed.and_then(|f| {
        steps
            .iter()
            .find(|s| !s.passed && (s.offered_per_sec - crate::round::tenths(f)).abs() < 1e-6)
            .map(|s| s.reason.clone())
    });
    SearchResult {
        kind: crate::measure::summary::ResultsKind::Search,
        scenario: base.name.clone(),
        sustainable_per_sec: bracket.passed.map(crate::round::tenths),
        failing_per_sec: bracket.failed.map(crate::round::tenths),
        limited_by,
        steps,
    }
}

/// search.json, then the pages made from it; what could not be written.
fn write_search(dir: &std::path::Path, result: &SearchResult) -> Vec<String> {
    let mut out = ResultsDir::local(dir);
    match serde_json::to_string_pretty(result) {
        Ok(text) => out.write(File::Search, text + "\n"),
        Err(e) => out.failed(format!("could not encode {}: {e}", File::Search.name())),
    }
    write_pages(&mut out, result);
    out.take_failures()
}

/// search.csv, search.md, the charts and report.html, from a search's result: what a search
/// writes after search.json, and what `sqsbench report` re-renders.
pub(crate) fn write_pages(out: &mut ResultsDir, result: &SearchResult) {
    out.write(File::SearchCsv, page::csv(&result.steps));
    out.write(File::SearchMd, page::markdown(result));
    let charts = out.path(File::Charts);
    let data = Data::Search(&SearchData::new(result));
    if let Err(e) = Chart::draw_all(&Chart::SEARCH, &charts, &data) {
        out.failed(format!(
            "could not draw the search chart in {}: {e}",
            charts.display()
        ));
    }
    out.write(File::Report, page::page(result, &charts));
}
