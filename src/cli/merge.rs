//! `sqsbench merge SHARD_DIR... --out DIR [--allow-missing] [--correct-clock-offset]`: one results directory from a
//! distributed run's shards, in the same format as a single run's; `[expect]` is judged on
//! it, so a distributed run gates CI like a single one.

use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::report::terminal;

#[derive(Args)]
pub(super) struct MergeArgs {
    /// The shards' results directories (`sqsbench run --shard I/N --out DIR`), in any order.
    #[arg(required = true, value_name = "SHARD_DIR")]
    dirs: Vec<PathBuf>,
    /// Where to write the merged results (created; refused if not empty).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Merge the shards that are there when some are missing or did not finish, and mark the
    /// result partial (summary.json `shards.partial`, the terminal and the report say so).
    #[arg(long)]
    allow_missing: bool,
    /// Correct end-to-end latencies between shards by each shard's measured clock offset
    /// against the queue's (summary.json `shards.clock_correction`; the terminal and the report
    /// say which was done). Refused when a shard measured no offset.
    #[arg(long)]
    correct_clock_offset: bool,
}

pub(super) fn run(args: MergeArgs) -> u8 {
    let options = crate::merge::Options {
        allow_missing: args.allow_missing,
        correct_clock_offset: args.correct_clock_offset,
    };
    let outcome = match crate::merge::merge(&args.dirs, &args.out, options) {
        Ok(o) => o,
        Err(refused) => {
            eprintln!("error: {refused}");
            return exit::BAD_INPUT;
        }
    };
    print!(
        "{}",
        terminal::summary(&outcome.summary, &outcome.dir.display().to_string())
    );
    for f in &outcome.write_failures {
        eprintln!("error: results incomplete: {f}");
    }
    if !outcome.write_failures.is_empty() {
        exit::RESULTS_INCOMPLETE
    } else if outcome.summary.expectations.iter().any(|e| !e.passed) {
        exit::EXPECTATION_FAILED
    } else {
        exit::OK
    }
}
