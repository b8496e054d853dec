//! Scenario files: TOML → what the user wrote, with lines (`file`) → a validated, typed
//! `Scenario` (`validate`, `types`), every problem reported at once with key path and line.
//! Main entry: `load`. Must not depend on targets, workloads or reports.

pub mod estimate;
pub mod file;
pub mod render;
pub mod types;
pub mod units;
pub mod validate;

pub use file::Problem;
pub use types::*;

/// Reads and validates a scenario file with `--set` overrides applied.
pub fn load(path: &std::path::Path, overrides: &[String]) -> Result<Scenario, Vec<Problem>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Problem {
            path: path.display().to_string(),
            line: None,
            message: format!("cannot read the file: {e}"),
        }]
    })?;
    validate::scenario_from_text(&text, overrides)
}
