//! What `run` and `validate` share: the scenario path, `--set`, `--target`, `--duration`, and
//! printing every problem with its key path and line.

use std::path::PathBuf;

use clap::Args;

use crate::scenario::connections::{self, OpenLimits};
use crate::scenario::limits::{self, MemoryLimit};
use crate::scenario::{self, Scenario};
use crate::workload::shard::{self, Shard};

#[derive(Args)]
pub(super) struct ScenarioArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override any scenario key by its dotted path, e.g. --set producers.rate=500/s.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Where to send traffic: embedded, aws, or an SQS-compatible endpoint URL.
    #[arg(long)]
    pub target: Option<String>,
    /// The measured phase's length, e.g. 30s (same as --set run.duration=30s).
    #[arg(long)]
    pub duration: Option<String>,
    /// The memory a run may use, e.g. 4GiB; a scenario estimated to need more is refused
    /// (default: half the cgroup's memory.max, else half the machine's memory).
    #[arg(long, value_name = "SIZE", value_parser = scenario::units::parse_size)]
    pub max_memory: Option<u64>,
}

impl ScenarioArgs {
    pub(super) fn overrides(&self) -> Vec<String> {
        let mut out = self.set.clone();
        match self.target.as_deref() {
            None => {}
            Some("embedded") => out.push("target.kind=\"embedded\"".into()),
            Some("aws") => out.push("target.kind=\"aws\"".into()),
            Some(url) => {
                out.push("target.kind=\"endpoint\"".into());
                out.push(format!("target.endpoint={url:?}"));
            }
        }
        if let Some(d) = &self.duration {
            out.push(format!("run.duration={d:?}"));
        }
        out
    }
}

/// A scenario's size problems under the run's limits: memory and planned messages, then the
/// connections and file descriptors of the tasks this process runs (a shard's, in a
/// distributed run).
fn size_problems(args: &ScenarioArgs, s: &Scenario, shard: Shard) -> Vec<scenario::Problem> {
    let mut problems = limits::check(s, &MemoryLimit::resolve(args.max_memory));
    problems.extend(connections::check(
        &shard::tasks_on(s, shard),
        &OpenLimits::read(),
    ));
    problems
}

fn within_limits(
    args: &ScenarioArgs,
    s: &Scenario,
    shard: Shard,
) -> Result<(), Vec<scenario::Problem>> {
    let problems = size_problems(args, s, shard);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Loads the scenario (as run by `shard`) or prints every problem (to stderr) and returns None.
pub(super) fn load_or_report(args: &ScenarioArgs, shard: Shard) -> Option<Scenario> {
    let loaded = scenario::load(&args.scenario, &args.overrides())
        .and_then(|s| within_limits(args, &s, shard).map(|()| s));
    match loaded {
        Ok(s) => Some(s),
        Err(problems) => {
            eprintln!(
                "error: {} has {} problem{}:",
                args.scenario.display(),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            for p in problems {
                eprintln!("  {p}");
            }
            None
        }
    }
}

/// Loads the scenario's variants (one per `[sweep]` combination, or just the scenario) as run
/// by `shard`, or prints every problem and returns None.
pub(super) fn load_variants_or_report(
    args: &ScenarioArgs,
    shard: Shard,
) -> Option<Vec<crate::campaign::series::Variant>> {
    let path = &args.scenario;
    let result = scenario::read_file(path)
        .map_err(|p| vec![p])
        .and_then(|text| crate::campaign::series::variants(&text, &args.overrides()))
        .and_then(|variants| {
            let problems: Vec<scenario::Problem> = variants
                .iter()
                .flat_map(|v| size_problems(args, &v.scenario, shard))
                .collect();
            if problems.is_empty() {
                Ok(variants)
            } else {
                Err(problems)
            }
        });
    match result {
        Ok(v) => Some(v),
        Err(problems) => {
            eprintln!(
                "error: {} has {} problem{}:",
                path.display(),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            for p in problems {
                eprintln!("  {p}");
            }
            None
        }
    }
}
