//! `sqsbench merge`: the results directories of a distributed run's shards added into one
//! results directory in the same format as a single run's. Histograms are added exactly (into
//! full-range histograms: the crate refuses to add a wider histogram into a narrower one),
//! timelines per aligned second, and integrity is judged on the union of the shards' ledger
//! journals, FIFO order by SQS's clock. Depends on `measure`, `report`, `scenario` and the
//! workload's integrity rule; nothing here talks to a queue.

mod inputs;
mod seconds;
mod summary;

use std::path::{Path, PathBuf};

use crate::measure::fleets::FleetMap;
use crate::measure::ledger::order::{self, ShardReceipt};
use crate::measure::ledger::{Integrity, Ledger};
use crate::measure::summary::RunSummary;
use crate::report::{atomic, charts, files, html, results};
use crate::scenario::Scenario;

/// Why nothing was merged: the input cannot be added exactly (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

pub struct Outcome {
    pub summary: RunSummary,
    pub dir: PathBuf,
    /// Files that could not be written (exit 4).
    pub write_failures: Vec<String>,
}

fn refused(e: impl std::fmt::Display) -> Refused {
    Refused(e.to_string())
}

/// Reads and checks every shard, adds them, and writes `out`.
pub fn merge(dirs: &[PathBuf], out: &Path, allow_missing: bool) -> Result<Outcome, Refused> {
    let mut shards = Vec::with_capacity(dirs.len());
    for dir in dirs {
        shards.push(inputs::read(dir).map_err(|e| refused(format!("{e:#}")))?);
    }
    inputs::check(&shards, allow_missing).map_err(Refused)?;
    shards.sort_by_key(|s| s.record.shard.index);
    let Some(first_finished) = shards.iter().find(|s| s.summary.is_some()) else {
        return Err(Refused(
            "no shard finished (none has a summary.json): there is nothing to merge yet".into(),
        ));
    };
    let scenario_path = first_finished.dir.join("scenario.toml");
    let scenario = crate::scenario::load(&scenario_path, &[]).map_err(|problems| {
        let said: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        Refused(format!(
            "{} does not load: {}",
            scenario_path.display(),
            said.join("; ")
        ))
    })?;
    let head = first_finished.summary.clone().expect("a finished shard");
    let missing = inputs::missing(&shards, shards[0].record.shard.count);
    let start = start_of(&shards[0].record).map_err(Refused)?;
    let fleets = FleetMap::of(&scenario);
    let seconds = seconds::merge(&shards, start, &fleets).map_err(|e| refused(format!("{e:#}")))?;

    let fifo = head.queue.kind == crate::scenario::QueueType::Fifo;
    let (ledger, receipts) = union(&mut shards, fifo).map_err(|e| refused(format!("{e:#}")))?;
    let judged = order::judge(receipts);
    let tally = ledger.tally();
    let mut summary = summary::merged(
        &head,
        &shards,
        &summary::Verdict {
            tally: &tally,
            order: &judged,
            totals: &seconds.totals,
            missing: &missing,
        },
    );
    summary.expectations = crate::run::expectations(&scenario, &summary);
    let integrity = integrity(&scenario, ledger, &judged, &summary);

    let dir = results::create_dir(Some(out), &summary.scenario.name, "")
        .map_err(|e| refused(format!("{e:#}")))?;
    let scenario_text = std::fs::read_to_string(&scenario_path)
        .map_err(|e| refused(format!("reading {}: {e}", scenario_path.display())))?;
    let mut write_failures = Vec::new();
    let mut write = |name: &str, bytes: Vec<u8>| {
        if let Err(e) = atomic::write(&dir.join(name), bytes) {
            write_failures.push(e.to_string());
        }
    };
    write("scenario.toml", scenario_text.into_bytes());
    write("timeseries.csv", csv_rows(&seconds.rows).into_bytes());
    write(
        "timeseries-fleets.csv",
        csv_rows(&seconds.fleet_rows).into_bytes(),
    );
    write("histograms.hlog", seconds.hlog);
    write(
        "integrity.json",
        files::integrity_json(&integrity).into_bytes(),
    );
    write("summary.json", files::summary_json(&summary).into_bytes());
    write(
        "summary.csv",
        files::summary_csv(std::slice::from_ref(&summary)).into_bytes(),
    );
    write(
        "latency.hgrm",
        files::hgrm(&seconds.totals.latencies).into_bytes(),
    );
    if let Err(e) = charts::write_all(
        &dir.join("charts"),
        &seconds.rows,
        &seconds.totals.latencies,
        &summary.scenario.name,
    ) {
        write_failures.push(format!(
            "could not draw the charts in {}: {e}",
            dir.join("charts").display()
        ));
    }
    // Last: the page inlines the charts and integrity.json written above.
    if let Err(e) = atomic::write(&dir.join("report.html"), html::run_page(&summary, &dir)) {
        write_failures.push(e.to_string());
    }
    Ok(Outcome {
        summary,
        dir,
        write_failures,
    })
}

/// The agreed start every shard counted its seconds from.
fn start_of(
    record: &crate::report::shard_file::ShardFile,
) -> Result<std::time::SystemTime, String> {
    let text = record
        .start_at
        .as_deref()
        .unwrap_or(&record.started_sending_at);
    crate::shard::parse_start_at(text).map_err(|e| format!("shard.json's start {text:?}: {e}"))
}

/// Every shard's journal added into one ledger, a frame at a time (a shard's frames and other
/// shards' add the same way), and every FIFO first-delivery receipt with its shard.
fn union(
    shards: &mut [inputs::ShardDir],
    fifo: bool,
) -> anyhow::Result<(Ledger, Vec<ShardReceipt>)> {
    let mut ledger = Ledger::new(fifo);
    let mut receipts = Vec::new();
    for s in shards {
        if s.fifo.is_some_and(|own| own != fifo) {
            anyhow::bail!(
                "{} is a {} queue's run, the other shards' are not",
                s.dir.display(),
                if fifo { "standard" } else { "FIFO" }
            );
        }
        let shard = s.record.shard.index;
        s.journal(fifo, |part| {
            receipts.extend(
                part.receipts()
                    .iter()
                    .map(|r| ShardReceipt { shard, receipt: *r }),
            );
            ledger.absorb(part);
        })?;
    }
    ledger.recount();
    Ok((ledger, receipts))
}

fn integrity(
    scenario: &Scenario,
    mut ledger: Ledger,
    judged: &order::Judged,
    s: &RunSummary,
) -> Integrity {
    ledger.set_order_violations(judged.violations, judged.examples.clone());
    let groups: Vec<u32> = scenario
        .producers
        .iter()
        .flat_map(|f| std::iter::repeat_n(f.groups, f.count as usize))
        .collect();
    let mut integrity = crate::workload::engine::integrity(&ledger, &groups);
    integrity.order_undecided = judged.undecided;
    integrity.foreign.count = s.messages.foreign;
    if s.interrupted.happened() {
        integrity.interrupted();
    }
    integrity
}

fn csv_rows<T: serde::Serialize>(rows: &[T]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .expect("a row of numbers and strings always serializes");
    }
    String::from_utf8(w.into_inner().expect("writing to memory cannot fail"))
        .expect("the csv crate writes the UTF-8 it is given")
}
