//! `sqsbench merge SHARD_DIR... --out DIR [--allow-missing] [--correct-clock-offset]`: one results directory from a
//! distributed run's shards, in the same format as a single run's; `[expect]` is judged on
//! it, so a distributed run gates CI like a single one. Shards and the output may be in S3
//! (`s3://bucket/run/shard-*`, `--out s3://bucket/run/merged`), and `--wait-until` waits for
//! the shards to finish.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::Args;

use super::exit;
use crate::report::terminal;
use crate::store::bridge::{self, Output};
use crate::store::{Input, Location};

#[derive(Args)]
pub(super) struct MergeArgs {
    /// The shards' results directories (`sqsbench run --shard I/N --out DIR`), in any order;
    /// s3://bucket/prefix ones too, and s3://bucket/run/shard-* for every folder so named.
    #[arg(required = true, value_name = "SHARD_DIR", value_parser = Input::parse)]
    dirs: Vec<Input>,
    /// Where to write the merged results (created; refused if not empty), or
    /// s3://bucket/prefix (written locally first, see --local, then uploaded).
    #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX", value_parser = Location::parse)]
    out: Location,
    /// With an s3:// --out: where the local copy is written first, and kept
    /// [default: results/merged-<UTC time>/].
    #[arg(long, value_name = "DIR")]
    local: Option<PathBuf>,
    /// Merge the shards that are there when some are missing or did not finish, and mark the
    /// result partial (summary.json `shards.partial`, the terminal and the report say so).
    #[arg(long)]
    allow_missing: bool,
    /// Correct end-to-end latencies between shards by each shard's measured clock offset
    /// against the queue's (summary.json `shards.clock_correction`; the terminal and the report
    /// say which was done). Refused when a shard measured no offset.
    #[arg(long)]
    correct_clock_offset: bool,
    /// First wait (checking every 5 s) until every shard has written its summary.json, or
    /// until this time (RFC 3339), then merge what is there.
    #[arg(long, value_name = "TIME", value_parser = crate::report::shard_file::parse_start_at)]
    wait_until: Option<SystemTime>,
}

impl MergeArgs {
    fn options(&self) -> crate::merge::Options {
        crate::merge::Options {
            allow_missing: self.allow_missing,
            correct_clock_offset: self.correct_clock_offset,
        }
    }

    fn all_local(&self) -> Option<Vec<PathBuf>> {
        if self.wait_until.is_some() || !matches!(self.out, Location::Local(_)) {
            return None;
        }
        self.dirs
            .iter()
            .map(|d| match d {
                Input::One(Location::Local(path)) => Some(path.clone()),
                _ => None,
            })
            .collect()
    }
}

pub(super) fn run(args: MergeArgs) -> u8 {
    if args.local.is_some() && !matches!(args.out, Location::S3(_)) {
        eprintln!(
            "error: --local names the local copy of an s3:// --out; give --out s3://… or drop --local"
        );
        return exit::BAD_INPUT;
    }
    if let (Some(dirs), Location::Local(out)) = (args.all_local(), &args.out) {
        return merged(&dirs, out, args.options());
    }
    let runtime = match bridge::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::BAD_INPUT;
        }
    };
    let scratch = bridge::scratch("merge");
    let code = runtime.block_on(remote(&args, &scratch));
    let _ = std::fs::remove_dir_all(&scratch);
    code
}

/// Waits if asked, brings s3:// shards to the disk, merges, and sends an s3:// output.
async fn remote(args: &MergeArgs, scratch: &Path) -> u8 {
    let output = match &args.out {
        Location::S3(at) => {
            let stamp = crate::run::utc_stamp(crate::run::since_epoch().as_secs());
            let local = args
                .local
                .clone()
                .unwrap_or_else(|| PathBuf::from("results").join(format!("merged-{stamp}")));
            match Output::open(at.clone(), local).await {
                Ok(o) => Some(o),
                Err(e) => {
                    eprintln!("error: --out {e}");
                    return exit::BAD_INPUT;
                }
            }
        }
        Location::Local(_) => None,
    };
    if let Some(until) = args.wait_until {
        eprintln!("{}", bridge::wait_for_shards(&args.dirs, until).await);
    }
    let dirs = match bridge::localize(&args.dirs, scratch, crate::store::fetch::everything).await {
        Ok(dirs) => dirs,
        Err(e) => {
            eprintln!("error: {e:#}");
            return exit::BAD_INPUT;
        }
    };
    let out = match (&args.out, &output) {
        (Location::Local(dir), _) => dir.clone(),
        (_, Some(o)) => o.local.clone(),
        (Location::S3(_), None) => unreachable!("an s3:// --out was opened above"),
    };
    let code = merged(&dirs, &out, args.options());
    let Some(output) = output else {
        return code;
    };
    if code == exit::BAD_INPUT {
        return code;
    }
    match bridge::send(output.mirror()).await {
        Ok(line) => {
            println!("{line}");
            code
        }
        Err(failures) => {
            for f in failures {
                eprintln!("error: results incomplete: {f}");
            }
            exit::RESULTS_INCOMPLETE
        }
    }
}

/// The merge itself, on local directories: its summary printed, its exit code.
fn merged(dirs: &[PathBuf], out: &Path, options: crate::merge::Options) -> u8 {
    let outcome = match crate::merge::merge(dirs, out, options) {
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
