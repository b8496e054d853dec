//! Scenario files: TOML → what the user wrote, with lines (`sqsbench_keys::document`) → a validated, typed
//! `Scenario` (`validate`, `types`), every problem reported at once with key path and line.
//! Every key is defined once, in `sections` (the emulator's in `emulator::settings`), both with
//! `sqsbench_keys::section!`.
//! Main entry: `load`. Must not depend on targets, workloads or reports.

mod advice;
pub mod bus;
mod bus_rules;
pub(crate) mod codecs;
pub(crate) mod connections;
pub(crate) mod estimate;
pub(crate) mod fanout;
mod fanout_rules;
mod fleet_rules;
mod heartbeat;
pub(crate) mod keys;
pub(crate) mod limits;
mod pattern;
mod policy;
mod queue_set_rules;
pub mod queue_sets;
#[cfg(test)]
mod reference;
pub(crate) mod render;
mod scaling;
pub mod schema;
pub(crate) mod sections;
mod shares;
pub mod types;
pub(crate) mod units;
pub mod validate;
mod values;

pub use advice::warnings;
pub use sqsbench_keys::Problem;
pub use types::*;

/// The largest scenario file read: the reference scenario, which sets every key, is 8 KiB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a scenario file, refusing one over `MAX_FILE_BYTES` (or endless, like /dev/zero)
/// without reading more than that.
pub fn read_file(path: &std::path::Path) -> Result<String, Problem> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| Problem::file(path, format!("cannot read the file: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Problem::file(path, format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Problem::file(
            path,
            format!(
                "larger than {} KiB; a scenario file is a few KiB",
                MAX_FILE_BYTES / 1024
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        Problem::file(
            path,
            format!(
                "not UTF-8 text (byte {}); TOML files are UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Reads and validates a scenario file with `--set` overrides applied.
pub fn load(path: &std::path::Path, overrides: &[String]) -> Result<Scenario, Vec<Problem>> {
    let text = read_file(path).map_err(|p| vec![p])?;
    validate::scenario_from_text(&text, overrides)
}
