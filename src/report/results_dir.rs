//! A results directory's files, each named here and nowhere else, and the one writer every
//! command uses: `run`, `merge`, `report`, and the campaigns (repeats, sweeps, searches) that
//! fill a directory with several runs. Files go through a `Sink`: the local disk, whole or
//! absent (`atomic`); object storage will be another sink.
//!
//! Depends on `atomic` only: what goes in each file is its writers' (`results::finish_run`).

use std::path::{Path, PathBuf};

use super::atomic;

/// Every file a results directory may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum File {
    /// The resolved scenario.
    Scenario,
    Summary,
    SummaryCsv,
    Timeseries,
    TimeseriesFleets,
    /// A run of many queues: each queue's seconds.
    TimeseriesQueues,
    Latency,
    Histograms,
    Integrity,
    Report,
    /// A shard's identity and start, and its ledger journal.
    Shard,
    Ledger,
    /// A sweep's index, and its comparison of the variants.
    Series,
    ComparisonCsv,
    ComparisonMd,
    /// A capacity search's steps.
    Search,
    SearchCsv,
    SearchMd,
    /// The folder of charts.
    Charts,
}

impl File {
    /// The file's name in its directory.
    pub const fn name(self) -> &'static str {
        match self {
            File::Scenario => "scenario.toml",
            File::Summary => "summary.json",
            File::SummaryCsv => "summary.csv",
            File::Timeseries => "timeseries.csv",
            File::TimeseriesFleets => "timeseries-fleets.csv",
            File::TimeseriesQueues => "timeseries-queues.csv",
            File::Latency => "latency.hgrm",
            File::Histograms => "histograms.hlog",
            File::Integrity => "integrity.json",
            File::Report => "report.html",
            File::Shard => "shard.json",
            File::Ledger => "ledger.bin",
            File::Series => "series.json",
            File::ComparisonCsv => "comparison.csv",
            File::ComparisonMd => "comparison.md",
            File::Search => "search.json",
            File::SearchCsv => "search.csv",
            File::SearchMd => "search.md",
            File::Charts => "charts",
        }
    }
}

/// Where a results directory's files are put.
pub trait Sink: Send + Sync {
    /// Puts `bytes` as the file at `path`, whole or not at all; the error names the path.
    fn put(&self, path: &Path, bytes: &[u8]) -> Result<(), String>;
}

/// The local disk: each file written under a temporary name and renamed into place.
pub struct Disk;

impl Sink for Disk {
    fn put(&self, path: &Path, bytes: &[u8]) -> Result<(), String> {
        atomic::write(path, bytes).map_err(|e| e.to_string())
    }
}

/// A results directory being written: its files' paths, and what could not be written (each
/// naming its path and why; any makes the directory incomplete, exit 4).
pub struct ResultsDir {
    root: PathBuf,
    sink: &'static dyn Sink,
    failures: Vec<String>,
}

impl ResultsDir {
    /// The directory at `root`, written to the local disk.
    pub fn local(root: impl Into<PathBuf>) -> ResultsDir {
        ResultsDir {
            root: root.into(),
            sink: &Disk,
            failures: Vec::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where `file` is in this directory.
    pub fn path(&self, file: File) -> PathBuf {
        path(&self.root, file)
    }

    /// Writes `file`; a failure is kept, not returned, so the other files are still written.
    pub fn write(&mut self, file: File, text: impl AsRef<[u8]>) {
        let path = self.path(file);
        if let Err(e) = self.sink.put(&path, text.as_ref()) {
            self.failures.push(e);
        }
    }

    /// Writes `file`, or says why it could not be.
    pub fn put(&self, file: File, text: impl AsRef<[u8]>) -> Result<(), String> {
        self.sink.put(&self.path(file), text.as_ref())
    }

    /// Notes a failure found elsewhere (a chart that could not be drawn, a streamed row).
    pub fn failed(&mut self, why: impl Into<String>) {
        self.failures.push(why.into());
    }

    /// What could not be written, so far; the list is emptied.
    pub fn take_failures(&mut self) -> Vec<String> {
        std::mem::take(&mut self.failures)
    }
}

/// Where `file` is in the directory `root` (for readers of directories written earlier).
pub fn path(root: &Path, file: File) -> PathBuf {
    root.join(file.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_kept_and_the_other_files_written() {
        let root =
            std::env::temp_dir().join(format!("sqsbench-results-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let mut dir = ResultsDir::local(&root);
        dir.write(File::Summary, "{}");
        std::fs::create_dir_all(root.join(File::Report.name())).unwrap();
        dir.write(File::Report, "<html>");
        dir.write(File::SummaryCsv, "a\n");
        assert_eq!(
            std::fs::read_to_string(dir.path(File::Summary)).unwrap(),
            "{}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path(File::SummaryCsv)).unwrap(),
            "a\n"
        );
        let failures = dir.take_failures();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].contains("report.html"), "{failures:?}");
        let _ = std::fs::remove_dir_all(&root);
    }
}
