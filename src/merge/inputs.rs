//! Reading the shards' results directories, and refusing what cannot be added exactly: another
//! run's or another scenario's shard, a missing or doubled index, other histogram settings, a
//! damaged file. Every refusal names the directory or file and what to do.

use std::path::{Path, PathBuf};

use anyhow::Context;

use std::fs::File;
use std::io::BufReader;

use crate::measure::ledger::journal;
use crate::measure::ledger::{Ledger, Tally};
use crate::measure::summary::RunSummary;
use crate::measure::timeline::{FleetRow, TimelineRow};
use crate::report::load;
use crate::report::results_dir::File as ResultsFile;
use crate::report::shard_file::{self, HistogramSettings, ShardFile};

/// One shard's results directory, read whole.
pub(super) struct ShardDir {
    pub(super) dir: PathBuf,
    pub(super) record: ShardFile,
    /// None when the shard did not finish (killed, or still running).
    pub(super) summary: Option<RunSummary>,
    pub(super) timeline: Vec<TimelineRow>,
    pub(super) fleet_rows: Vec<FleetRow>,
    pub(super) hlog: Vec<u8>,
    pub(super) fifo: Option<bool>,
    /// What reading its ledger journal found (filled in by `journal`).
    pub(super) journal: Journaled,
}

/// A shard's journal as the merge read it.
#[derive(Default)]
pub(super) struct Journaled {
    pub(super) frames: u64,
    pub(super) cut_bytes: u64,
    /// An unfinished shard's own verdict: its counts stand in for the summary it never wrote.
    pub(super) tally: Option<Tally>,
}

fn read_to_string(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn rows<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    reader
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .with_context(|| format!("{} has a malformed row", path.display()))
}

pub(super) fn read(dir: &Path) -> anyhow::Result<ShardDir> {
    let record_path = dir.join(ResultsFile::Shard.name());
    if !record_path.is_file() {
        anyhow::bail!(
            "{} has no {}: it is not a shard's results directory (`sqsbench run --shard I/N` writes one)",
            dir.display(),
            ResultsFile::Shard.name()
        );
    }
    let record = shard_record(&read_to_string(&record_path)?, &record_path)?;
    let summary = match dir.join(ResultsFile::Summary.name()).is_file() {
        true => Some(load::read_summary(dir)?),
        false => None,
    };
    let fifo = summary
        .as_ref()
        .map(|s| s.queue.kind == crate::scenario::QueueType::Fifo);
    let ledger_path = dir.join(&record.ledger);
    if !ledger_path.is_file() {
        anyhow::bail!(
            "{} is missing: the shard's ledger journal is what its deliveries are judged from",
            ledger_path.display()
        );
    }
    let hlog_path = dir.join(ResultsFile::Histograms.name());
    Ok(ShardDir {
        dir: dir.to_path_buf(),
        summary,
        timeline: rows(&dir.join(ResultsFile::Timeseries.name()))?,
        fleet_rows: rows(&dir.join(ResultsFile::TimeseriesFleets.name()))?,
        hlog: std::fs::read(&hlog_path)
            .with_context(|| format!("reading {}", hlog_path.display()))?,
        fifo,
        journal: Journaled::default(),
        record,
    })
}

/// A shard file's text (`path` names it in errors), of the version this sqsbench merges.
pub fn shard_record(text: &str, path: &Path) -> anyhow::Result<ShardFile> {
    let record: ShardFile = serde_json::from_str(text)
        .with_context(|| format!("{} is not a sqsbench shard file", path.display()))?;
    if record.schema_version != shard_file::SCHEMA_VERSION {
        anyhow::bail!(
            "{} has schema_version {}; this sqsbench merges version {}",
            path.display(),
            record.schema_version,
            shard_file::SCHEMA_VERSION
        );
    }
    Ok(record)
}

impl ShardDir {
    /// Hands each frame of the shard's ledger journal to `each`, a frame at a time, and notes
    /// how many there were; an unfinished shard's own tally is kept too.
    pub(super) fn journal(
        &mut self,
        fifo: bool,
        mut each: impl FnMut(Ledger),
    ) -> anyhow::Result<()> {
        let path = self.dir.join(&self.record.ledger);
        let file = File::open(&path).with_context(|| format!("reading {}", path.display()))?;
        let len = file
            .metadata()
            .with_context(|| format!("reading {}", path.display()))?
            .len();
        let mut own = self.summary.is_none().then(|| Ledger::new(fifo));
        let (frames, cut_bytes) = journal::read_frames(BufReader::new(file), len, fifo, |part| {
            if let Some(own) = &mut own {
                own.absorb(part.clone());
            }
            each(part)
        })
        .map_err(|e| anyhow::anyhow!("{} is damaged: {e}", path.display()))?;
        self.journal = Journaled {
            frames,
            cut_bytes,
            tally: own.map(|l| l.tally()),
        };
        Ok(())
    }
}

/// Which indexes of `count` no directory holds.
pub(super) fn missing(shards: &[ShardDir], count: u32) -> Vec<u32> {
    (0..count)
        .filter(|i| !shards.iter().any(|s| s.record.shard.index == *i))
        .collect()
}

/// Every check before anything is added; the first problem found, as a sentence.
pub(super) fn check(shards: &[ShardDir], allow_missing: bool) -> Result<(), String> {
    let Some(first) = shards.first() else {
        return Err("no shard directories given".into());
    };
    let one = &first.record;
    for s in &shards[1..] {
        let r = &s.record;
        let differ = |what: &str, a: &str, b: &str| {
            format!(
                "{what} differ: {} has {a:?}, {} has {b:?}: these are not shards of one run",
                first.dir.display(),
                s.dir.display()
            )
        };
        if r.run_id != one.run_id {
            return Err(differ("the run ids", &one.run_id, &r.run_id));
        }
        if r.scenario_sha256 != one.scenario_sha256 {
            return Err(differ(
                "the scenario hashes",
                &one.scenario_sha256,
                &r.scenario_sha256,
            ));
        }
        if r.shard.count != one.shard.count {
            return Err(differ(
                "the shard counts",
                &one.shard.count.to_string(),
                &r.shard.count.to_string(),
            ));
        }
    }
    for (n, s) in shards.iter().enumerate() {
        if s.record.histograms != HistogramSettings::ours() {
            return Err(format!(
                "{}'s histograms were recorded with {:?}; this sqsbench records {:?}: they cannot be added exactly",
                s.dir.join(ResultsFile::Shard.name()).display(),
                s.record.histograms,
                HistogramSettings::ours()
            ));
        }
        if let Some(twin) = shards[n + 1..]
            .iter()
            .find(|o| o.record.shard.index == s.record.shard.index)
        {
            return Err(format!(
                "shard {} is given twice: {} and {}",
                s.record.shard.index,
                s.dir.display(),
                twin.dir.display()
            ));
        }
    }
    if allow_missing {
        return Ok(());
    }
    if let Some(i) = missing(shards, one.shard.count).first() {
        return Err(format!(
            "shard {i} of {} is missing: give its results directory, or --allow-missing to merge the rest and mark the result partial",
            one.shard.count
        ));
    }
    if let Some(s) = shards.iter().find(|s| s.summary.is_none()) {
        return Err(format!(
            "shard {} ({}) did not finish: it has no {} (killed, or still running); wait for it, or --allow-missing to merge what it wrote and mark the result partial",
            s.record.shard.index,
            s.dir.display(),
            ResultsFile::Summary.name()
        ));
    }
    Ok(())
}
