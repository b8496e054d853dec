//! Reports: the results directory (streamed timeseries and histogram log, then summary.json,
//! summary.csv, latency.hgrm, integrity.json, charts, report.html), the terminal summary, and
//! the comparison tables and charts of sweeps. Each format is a function of `RunSummary`,
//! saved histograms and files already written. Depends on `measure` only.

pub(crate) mod atomic;
pub mod chart;
pub(crate) mod comparison;
pub(crate) mod files;
pub(crate) mod html;
pub mod load;
pub(crate) mod queues;
pub(crate) mod results;
pub mod results_dir;
pub mod search;
pub(crate) mod sections;
pub mod shard_file;
pub(crate) mod subscriptions;
pub(crate) mod terminal;
pub(crate) mod wording;

#[cfg(test)]
mod tests;
