//! `sqsbench compare BASELINE CANDIDATE [--fail-if RULE]... [--markdown FILE]`: exit 0 when
//! every rule holds, 1 when one breaks, 2 when a rule is malformed or names no metric, or a
//! directory is not a results directory.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::exit;
use crate::compare::{self, Rule};
use crate::measure::summary::RunSummary;
use crate::report::results_dir::File;
use crate::store::bridge;
use crate::store::{Input, Location};

#[derive(Args)]
pub(super) struct CompareArgs {
    /// The baseline results directory (or one sweep variant's directory), or one in S3
    /// (s3://bucket/prefix).
    #[arg(value_name = "BASELINE", value_parser = Location::parse)]
    baseline: Location,
    /// The candidate results directory, or one in S3.
    #[arg(value_name = "CANDIDATE", value_parser = Location::parse)]
    candidate: Location,
    /// Fail (exit 1) when a metric breaks this rule: PATH:+N%, PATH:-N%, PATH:>N or PATH:<N.
    #[arg(long = "fail-if", value_name = "RULE")]
    fail_if: Vec<String>,
    /// Also write the comparison as GitHub-flavoured Markdown (e.g. $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
}

fn read(dir: &Path) -> anyhow::Result<RunSummary> {
    let path = dir.join(File::Summary.name());
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{} (is it a results directory?)", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a sqsbench summary", path.display()))
}

/// The two directories on the local disk: S3 ones' summary.json fetched under `scratch`.
fn localized(args: &CompareArgs, scratch: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let inputs = [
        Input::One(args.baseline.clone()),
        Input::One(args.candidate.clone()),
    ];
    let dirs = match (&args.baseline, &args.candidate) {
        (Location::Local(b), Location::Local(c)) => vec![b.clone(), c.clone()],
        _ => {
            let only_summary = |rel: &str| rel == File::Summary.name();
            bridge::runtime()?.block_on(bridge::localize(&inputs, scratch, only_summary))?
        }
    };
    Ok((dirs[0].clone(), dirs[1].clone()))
}

fn shown(location: &Location) -> String {
    match location {
        Location::Local(dir) => dir.display().to_string(),
        Location::S3(at) => at.to_string(),
    }
}

pub(super) fn run(args: CompareArgs) -> u8 {
    let scratch = bridge::scratch("compare");
    let code = match localized(&args, &scratch) {
        Ok((baseline, candidate)) => compared(&args, &baseline, &candidate),
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::BAD_INPUT
        }
    };
    let _ = std::fs::remove_dir_all(&scratch);
    code
}

fn compared(args: &CompareArgs, baseline_dir: &Path, candidate_dir: &Path) -> u8 {
    let mut rules = Vec::new();
    let mut bad = false;
    for text in &args.fail_if {
        match Rule::parse(text) {
            Ok(r) => rules.push(r),
            Err(e) => {
                eprintln!("error: {e}");
                bad = true;
            }
        }
    }
    let (baseline, candidate) = match (read(baseline_dir), read(candidate_dir)) {
        (Ok(b), Ok(c)) => (b, c),
        (b, c) => {
            for e in [b.err(), c.err()].into_iter().flatten() {
                eprintln!("error: {e:#}");
            }
            return exit::BAD_INPUT;
        }
    };
    if bad {
        return exit::BAD_INPUT;
    }
    let comparison = match compare::compare(&baseline, &candidate, &rules) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return exit::BAD_INPUT;
        }
    };
    for warning in compare::warnings(&baseline, &candidate) {
        eprintln!("warning: {warning}");
    }
    println!(
        "baseline {} → candidate {}\n",
        shown(&args.baseline),
        shown(&args.candidate)
    );
    print!("{}", compare::terminal(&comparison));
    if let Some(path) = &args.markdown {
        let md = compare::markdown(&comparison, &shown(&args.baseline), &shown(&args.candidate));
        // Appends, as $GITHUB_STEP_SUMMARY expects several steps to add to one file.
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, md.as_bytes()));
        if let Err(e) = written {
            eprintln!("error: could not write {}: {e}", path.display());
            return exit::BAD_INPUT;
        }
    }
    if comparison.failed() {
        exit::EXPECTATION_FAILED
    } else {
        exit::OK
    }
}
