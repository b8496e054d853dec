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
mod judge_fanout;
mod options;
mod replay;
mod setup;
pub mod shape;
pub mod shutdown;

use tokio::sync::watch;

pub use distributed::{Distributed, InterruptedBeforeTraffic, MissedStart};
use drive::Driven;
use judge::Judged;
pub use options::{RunOptions, RunOutcome, since_epoch, utc_stamp};
use setup::Ready;
use shape::Shape;

use crate::report::files;
use crate::report::results_dir::{File, ResultsDir};
use crate::scenario::Scenario;
use crate::workload::engine::Progress;

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
    crate::report::results::finish_run(&mut results, &summary, latencies, rows);
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
