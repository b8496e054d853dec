//! `execute`: one run of a validated scenario, the single entry point the CLI and tests call.
//! Connect → prepare queues → drive the fleets (streaming results every second) → summarise →
//! write the results directory → delete only the queues this run created → check expectations.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::measure::summary::{
    EmulatorInfo, Expectation, QueueInfo, RunSummary, SCHEMA_VERSION, ScenarioInfo, TargetInfo,
};
use crate::report::{charts, files, html, results};
use crate::scenario::{QueueType, Scenario, Target, estimate, render};
use crate::target;
use crate::workload::engine::{Engine, Progress};

pub struct RunOptions {
    /// `--out DIR`: the results directory itself.
    pub out: Option<PathBuf>,
}

pub struct RunOutcome {
    pub summary: RunSummary,
    pub dir: PathBuf,
    /// Non-fatal problems (a queue that could not be deleted, a chart that failed).
    pub warnings: Vec<String>,
}

impl RunOutcome {
    pub fn expectations_failed(&self) -> bool {
        self.summary.expectations.iter().any(|e| !e.passed)
    }
}

pub fn utc_stamp(secs: u64) -> String {
    // Civil date from days since the epoch (Howard Hinnant's algorithm), to avoid a date crate.
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub async fn execute(
    scenario: &Scenario,
    options: &RunOptions,
    interrupt: watch::Receiver<bool>,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<RunOutcome> {
    if !scenario.sweep.is_empty() {
        anyhow::bail!(
            "[sweep] is not supported by `sqsbench run` yet; run one variant at a time with --set"
        );
    }
    let estimate = estimate::estimate(scenario);
    if let (Target::Aws { .. }, Some(budget)) = (&scenario.target, scenario.run.budget_usd) {
        match &estimate {
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
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let run_id = crate::emulator::mix::finalize(
        now.as_nanos() as u64 ^ scenario.run.seed.rotate_left(17) ^ std::process::id() as u64,
    );
    let run_id_text = format!("{run_id:016x}");
    let dir = results::create_dir(
        options.out.as_deref(),
        &scenario.name,
        &utc_stamp(now.as_secs()),
    )?;
    let resolved = render::to_toml(scenario);
    std::fs::write(dir.join("scenario.toml"), &resolved).context("writing scenario.toml")?;

    let started = async {
        let connection = target::connect(scenario).await?;
        let queues =
            target::queues::prepare(&connection.client, &scenario.queue, &run_id_text).await?;
        anyhow::Ok((connection, queues))
    };
    let (connection, queues) = match started.await {
        Ok(c) => c,
        Err(e) => {
            // The run never started: leave no half-made results directory behind.
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    let mut stream = results::Stream::open(&dir, now.as_secs_f64())?;
    let engine = Engine {
        client: connection.client.clone(),
        queue_url: queues.url.clone(),
        dead_letter_url: queues.dead_letter_url.clone(),
        scenario,
        run_id,
        interrupt,
        // Only real SQS costs money; elsewhere the budget is not enforced.
        budget_usd: match scenario.target {
            Target::Aws { .. } => scenario.run.budget_usd,
            _ => None,
        },
        price_per_million: scenario.price_per_million(),
    };
    let result = engine.run(&mut stream, progress).await;

    let mut warnings = stream.write_errors.clone();
    warnings.extend(result.warnings.iter().cloned());
    let measured_seconds = if result.interrupted {
        (result.elapsed.as_secs_f64() - scenario.run.warmup.as_secs_f64())
            .clamp(0.0, scenario.run.duration.as_secs_f64())
    } else {
        scenario.run.duration.as_secs_f64()
    };
    let fifo = scenario.queue.kind == QueueType::Fifo;
    let mean_bytes = scenario
        .producers
        .iter()
        .map(|p| p.message_size.mean())
        .sum::<f64>()
        / scenario.producers.len().max(1) as f64;
    let mut summary = RunSummary {
        schema_version: SCHEMA_VERSION,
        sqsbench_version: env!("CARGO_PKG_VERSION").to_string(),
        run_id: run_id_text,
        started_at: utc_stamp(now.as_secs()),
        scenario: ScenarioInfo {
            name: scenario.name.clone(),
            sha256: Sha256::digest(resolved.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        },
        target: TargetInfo {
            kind: connection.kind.to_string(),
            endpoint: connection.endpoint.clone(),
            region: connection.region.clone(),
        },
        queue: QueueInfo {
            kind: if fifo { "fifo" } else { "standard" }.to_string(),
            name: scenario.queue.name.clone(),
        },
        interrupted: result.interrupted,
        drained: result.drained,
        stopped_by_budget: result.stopped_by_budget,
        emulator: connection.emulator.as_ref().map(|e| EmulatorInfo {
            injected: e.injected(),
        }),
        ..RunSummary::default()
    };
    summary.cost.estimated_billed_requests = estimate.map(|e| e.billed_requests.round() as u64);
    summary.cost.estimated_usd = estimate.map(|e| (e.usd * 1e6).round() / 1e6);
    summary.measured(
        &result.total,
        &result.ledger.tally(),
        measured_seconds,
        result.measured_start_us,
        scenario.price_per_million(),
        mean_bytes,
    );
    summary.expectations = expectations(scenario, &summary);
    let mut integrity = result.integrity.clone();
    integrity.foreign.count = summary.messages.foreign;
    integrity.emulator_injected = summary.emulator.as_ref().map(|e| e.injected);

    if let Err(e) = std::fs::write(
        dir.join("integrity.json"),
        files::integrity_json(&integrity),
    ) {
        warnings.push(format!("could not write integrity.json: {e}"));
    }
    write_files(&dir, &summary, &result.total, &stream.rows, &mut warnings);
    warnings.extend(target::queues::cleanup(&connection.client, &queues).await);
    if let Some(emulator) = connection.emulator {
        emulator.shutdown().await;
    }
    Ok(RunOutcome {
        summary,
        dir,
        warnings,
    })
}

fn write_files(
    dir: &Path,
    summary: &RunSummary,
    total: &crate::measure::recorder::Recorder,
    rows: &[crate::measure::timeline::TimelineRow],
    warnings: &mut Vec<String>,
) {
    let mut write = |name: &str, text: String| {
        if let Err(e) = std::fs::write(dir.join(name), text) {
            warnings.push(format!("could not write {name}: {e}"));
        }
    };
    write("summary.json", files::summary_json(summary));
    write(
        "summary.csv",
        files::summary_csv(std::slice::from_ref(summary)),
    );
    write("latency.hgrm", files::hgrm(&total.latencies));
    if let Err(e) = charts::write_all(
        &dir.join("charts"),
        rows,
        &total.latencies,
        &summary.scenario.name,
    ) {
        warnings.push(format!("could not draw charts: {e}"));
    }
    // Last: the page inlines the charts and integrity.json written above.
    if let Err(e) = std::fs::write(dir.join("report.html"), html::run_page(summary, dir)) {
        warnings.push(format!("could not write report.html: {e}"));
    }
}

/// Checks every `[expect]` key against the summary.
pub fn expectations(scenario: &Scenario, s: &RunSummary) -> Vec<Expectation> {
    let e = &scenario.expect;
    let mut out = Vec::new();
    let mut at_most = |name: &str, limit: Option<f64>, actual: f64| {
        if let Some(limit) = limit {
            out.push(Expectation {
                name: name.to_string(),
                limit,
                actual,
                passed: actual <= limit,
            });
        }
    };
    let p99 = s
        .latency_us
        .get("end_to_end")
        .map(|l| l.p99 as f64)
        .unwrap_or(0.0);
    at_most(
        "max_e2e_p99_us",
        e.max_e2e_p99.map(|d| d.as_micros() as f64),
        p99,
    );
    at_most(
        "max_duplicates",
        e.max_duplicates.map(|v| v as f64),
        s.messages.duplicates as f64,
    );
    at_most(
        "max_order_violations",
        e.max_order_violations.map(|v| v as f64),
        s.messages.order_violations as f64,
    );
    at_most(
        "max_lost",
        e.max_lost.map(|v| v as f64),
        s.messages.lost as f64,
    );
    at_most(
        "max_throttled",
        e.max_throttled.map(|v| v as f64),
        s.requests.values().map(|r| r.throttled).sum::<u64>() as f64,
    );
    at_most("max_cost_usd", e.max_cost_usd, s.cost.usd);
    if let Some(min) = e.min_throughput {
        let actual = s.throughput.received_per_sec;
        out.push(Expectation {
            name: "min_throughput_per_sec".into(),
            limit: min,
            actual,
            passed: actual >= min,
        });
    }
    out
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
