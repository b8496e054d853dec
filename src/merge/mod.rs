//! `sqsbench merge`: the results directories of a distributed run's shards added into one
//! results directory in the same format as a single run's. Histograms are added exactly (into
//! full-range histograms: the crate refuses to add a wider histogram into a narrower one),
//! timelines per aligned second, and integrity is judged on the union of the shards' ledger
//! journals, FIFO order by SQS's clock. Depends on `measure`, `report`, `scenario` and the
//! workload's integrity rule; nothing here talks to a queue.

mod clock_correction;
mod inputs;
/// The shard file's reader, public for the fuzz target `merge_shard_file`.
pub use inputs::shard_record;
mod seconds;
mod summary;
mod unknown;

use std::path::{Path, PathBuf};

use crate::measure::fleets::FleetMap;
use crate::measure::ledger::order::{self, ShardReceipt};
use crate::measure::ledger::{Integrity, Ledger};
use crate::measure::summary::RunSummary;
use crate::report::results_dir::{File, ResultsDir};
use crate::report::{files, results};
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

/// How to merge.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Merge the shards there are, and mark the result partial.
    pub allow_missing: bool,
    /// Correct end-to-end latencies by each shard's measured clock offset.
    pub correct_clock_offset: bool,
}

/// Reads and checks every shard, adds them, and writes `out`.
pub fn merge(dirs: &[PathBuf], out: &Path, options: Options) -> Result<Outcome, Refused> {
    let allow_missing = options.allow_missing;
    let (mut shards, scenario_path) = read_checked(dirs, allow_missing)?;
    let scenario = crate::scenario::load(&scenario_path, &[]).map_err(|problems| {
        let said: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        Refused(format!(
            "{} does not load: {}",
            scenario_path.display(),
            said.join("; ")
        ))
    })?;
    let start = start_of(&shards[0].record).map_err(Refused)?;
    let count = shards[0].record.shard.count;
    let mut correction = options
        .correct_clock_offset
        .then(|| clock_correction::Correction::new(&shards, count))
        .transpose()
        .map_err(|e| refused(format!("{e:#}")))?;
    let seconds = seconds::merge(
        &shards,
        start,
        &FleetMap::of(&scenario),
        correction.as_mut(),
    )
    .map_err(|e| refused(format!("{e:#}")))?;
    let corrected = correction
        .map(|c| c.finish())
        .transpose()
        .map_err(|e| refused(format!("{e:#}")))?;
    let (mut summary, integrity) = judged(&scenario, &mut shards, &seconds.totals)?;
    if let Some(shards) = summary.shards.as_mut() {
        shards.clock_correction = corrected;
    }
    let dir = results::create_dir(Some(out), &summary.scenario.name, "")
        .map_err(|e| refused(format!("{e:#}")))?;
    let scenario_text = std::fs::read_to_string(&scenario_path)
        .map_err(|e| refused(format!("reading {}: {e}", scenario_path.display())))?;
    let write_failures = write_all(&dir, &scenario_text, &seconds, &summary, &integrity);
    Ok(Outcome {
        summary,
        dir,
        write_failures,
    })
}

/// Every shard read and the checks passed, in index order; and the resolved scenario of the
/// first shard that finished (every shard's has the same hash).
fn read_checked(
    dirs: &[PathBuf],
    allow_missing: bool,
) -> Result<(Vec<inputs::ShardDir>, PathBuf), Refused> {
    let mut shards = Vec::with_capacity(dirs.len());
    for dir in dirs {
        shards.push(inputs::read(dir).map_err(|e| refused(format!("{e:#}")))?);
    }
    inputs::check(&shards, allow_missing).map_err(Refused)?;
    shards.sort_by_key(|s| s.record.shard.index);
    let Some(first_finished) = shards.iter().find(|s| s.summary.is_some()) else {
        return Err(Refused(format!(
            "no shard finished (none has a {}): there is nothing to merge yet",
            File::Summary.name()
        )));
    };
    let scenario_path = first_finished.dir.join(File::Scenario.name());
    Ok((shards, scenario_path))
}

/// The merged summary (expectations judged) and integrity.json, from the union of the shards'
/// journals and the added histograms.
fn judged(
    scenario: &Scenario,
    shards: &mut [inputs::ShardDir],
    totals: &crate::report::load::Logged,
) -> Result<(RunSummary, Integrity), Refused> {
    let head = shards
        .iter()
        .find_map(|s| s.summary.clone())
        .expect("read_checked found a finished shard");
    let missing = inputs::missing(shards, shards[0].record.shard.count);
    let fifo = head.queue.kind == crate::scenario::QueueType::Fifo;
    let (ledger, receipts, acks) = union(shards, fifo).map_err(|e| refused(format!("{e:#}")))?;
    let order = order::judge(receipts);
    let windows: Vec<_> = shards
        .iter()
        .filter_map(|s| unknown::window(&s.record, s.summary.is_some(), s.journal.frames))
        .collect();
    let (unknown, bounds) = unknown::unknown(&ledger, &acks, &windows);
    let mut tally = ledger.tally();
    tally.lost -= unknown.min(tally.lost);
    let verdict = summary::Verdict {
        tally: &tally,
        order: &order,
        totals,
        missing: &missing,
    };
    let mut summary = summary::merged(&head, shards, &verdict);
    match summary.interrupted.happened() {
        // As in one run: not yet received at the signal; the unknown among them too.
        true => summary.messages.undelivered_at_interrupt += unknown,
        false => summary.messages.unknown = unknown,
    }
    if let Some(s) = summary.shards.as_mut() {
        s.unknown_windows = windows;
    }
    summary.expectations = crate::measure::expectations::judge(&scenario.expect, &summary);
    let mut integrity = integrity(scenario, ledger, &order, &summary);
    if !summary.interrupted.happened() {
        let below =
            |producer: u32, sequence: u64| bounds.get(&producer).is_some_and(|b| sequence <= *b);
        integrity.unknown(unknown, below);
    }
    Ok((summary, integrity))
}

/// The merged results directory's files; the ones that could not be written.
fn write_all(
    dir: &Path,
    scenario_text: &str,
    seconds: &seconds::Merged,
    summary: &RunSummary,
    integrity: &Integrity,
) -> Vec<String> {
    let mut out = ResultsDir::local(dir);
    out.write(File::Scenario, scenario_text);
    out.write(File::Timeseries, csv_rows(&seconds.rows));
    out.write(File::TimeseriesFleets, csv_rows(&seconds.fleet_rows));
    out.write(File::Histograms, &seconds.hlog);
    out.write(File::Integrity, files::integrity_json(integrity));
    results::finish_run(&mut out, summary, &seconds.totals.latencies, &seconds.rows);
    out.take_failures()
}

/// The agreed start every shard counted its seconds from.
fn start_of(
    record: &crate::report::shard_file::ShardFile,
) -> Result<std::time::SystemTime, String> {
    let text = record
        .start_at
        .as_deref()
        .unwrap_or(&record.started_sending_at);
    crate::report::shard_file::parse_start_at(text)
        .map_err(|e| format!("{}'s start {text:?}: {e}", File::Shard.name()))
}

/// Every shard's journal added into one ledger, a frame at a time (a shard's frames and other
/// shards' add the same way), every FIFO first-delivery receipt with its shard, and what each
/// producer had acknowledged by each second.
fn union(
    shards: &mut [inputs::ShardDir],
    fifo: bool,
) -> anyhow::Result<(Ledger, Vec<ShardReceipt>, unknown::Acks)> {
    let mut ledger = Ledger::new(fifo);
    let mut receipts = Vec::new();
    let mut acks = unknown::Acks::default();
    for s in shards {
        if s.fifo.is_some_and(|own| own != fifo) {
            anyhow::bail!(
                "{} is a {} queue's run, the other shards' are not",
                s.dir.display(),
                if fifo { "standard" } else { "FIFO" }
            );
        }
        let shard = s.record.shard.index;
        let mut second = unknown::first_second(&s.record);
        s.journal(fifo, |part| {
            acks.add(second, &part);
            second += 1;
            receipts.extend(
                part.receipts()
                    .iter()
                    .map(|r| ShardReceipt { shard, receipt: *r }),
            );
            ledger.absorb(part);
        })?;
    }
    ledger.recount();
    Ok((ledger, receipts, acks))
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
    let mut integrity = ledger.integrity_by_groups(&groups);
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
