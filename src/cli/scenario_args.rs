//! What `run` and `validate` share: the scenario path, `--set`, `--target`, `--duration`, and
//! printing every problem with its key path and line.

use std::path::PathBuf;

use clap::Args;

use crate::scenario::{self, Scenario};

#[derive(Args)]
pub struct ScenarioArgs {
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
}

impl ScenarioArgs {
    pub fn overrides(&self) -> Vec<String> {
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

/// Loads the scenario or prints every problem (to stderr) and returns None.
pub fn load_or_report(args: &ScenarioArgs) -> Option<Scenario> {
    match scenario::load(&args.scenario, &args.overrides()) {
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

/// Loads the scenario's variants (one per `[sweep]` combination, or just the scenario), or
/// prints every problem and returns None.
pub fn load_variants_or_report(args: &ScenarioArgs) -> Option<Vec<crate::series::Variant>> {
    let path = &args.scenario;
    let result = std::fs::read_to_string(path)
        .map_err(|e| {
            vec![scenario::Problem {
                path: path.display().to_string(),
                line: None,
                message: format!("cannot read the file: {e}"),
            }]
        })
        .and_then(|text| crate::series::variants(&text, &args.overrides()));
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
