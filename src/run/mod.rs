//! One run of a validated scenario, the single entry point the CLI, campaigns and tests call:
//! prepare (shape, queues, start) → drive (the fleets, streaming every second) → judge (the
//! summary, integrity, expectations) → write (the results directory; then only what this run
//! made is removed).
//!
//! Each step is a file: `shape.rs` decides the run's shape once, `setup.rs` prepares,
//! `drive.rs` drives, `judge.rs` judges; `distributed.rs` is a shard's plumbing and
//! `shutdown.rs` stops a run on signals.

mod distributed;
mod drive;
mod judge;
mod setup;
pub mod shape;
pub mod shutdown;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

pub use distributed::{Distributed, MissedStart};
use drive::Driven;
use judge::Judged;
use setup::Ready;
use shape::Shape;
use shutdown::LastWords;

use crate::live::LiveRun;
use crate::measure::summary::RunSummary;
use crate::report::files;
use crate::report::results_dir::{File, ResultsDir};
use crate::scenario::Scenario;
use crate::workload::engine::Progress;

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

pub async fn execute(
    scenario: &Scenario,
    options: &RunOptions,
    mut interrupt: watch::Receiver<bool>,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<RunOutcome> {
    let shape = Shape::of(scenario, &options.distributed)?;
    let ready = setup::prepare(scenario, shape, options, &mut interrupt).await?;
    let driven = drive::drive(scenario, shape, options, &ready, interrupt, progress).await?;
    let judged = judge::judge(scenario, shape, options, &ready, &driven);
    Ok(write(shape, options, ready, driven, judged).await)
}

/// Writes the results directory, then removes what the run made (a shard leaves the shared
/// queues to shard 0's cleanup) and stops the embedded emulator.
async fn write(
    shape: Shape<'_>,
    options: &RunOptions,
    ready: Ready,
    driven: Driven,
    judged: Judged,
) -> RunOutcome {
    let words = &options.last_words;
    let Judged {
        summary,
        integrity,
        mut warnings,
    } = judged;
    let mut results = ResultsDir::local(&ready.dir);
    if !shape.sharded() {
        results.write(File::Integrity, files::integrity_json(&integrity));
    }
    let (latencies, rows) = (&driven.result.total.latencies, &driven.stream.rows);
    results.finish_run(&summary, latencies, rows);
    let mut write_failures = driven.write_failures;
    write_failures.extend(results.take_failures());
    words.summary_written(&summary);
    if !shape.sharded() {
        warnings.extend(ready.prepared.remove(&ready.connection, words).await);
    }
    words.end();
    if let Some(emulator) = ready.connection.emulator {
        emulator.shutdown().await;
    }
    RunOutcome {
        summary,
        dir: ready.dir,
        warnings,
        write_failures,
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
