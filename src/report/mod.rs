//! Reports: the results directory (streamed timeseries and histogram log, then summary.json,
//! summary.csv, latency.hgrm, integrity.json, charts, report.html), the terminal summary, and
//! the comparison tables and charts of sweeps. Each format is a function of `RunSummary`,
//! saved histograms and files already written. Depends on `measure` only.

pub(crate) mod atomic;
pub(crate) mod chart_parts;
pub mod charts;
pub(crate) mod comparison;
pub(crate) mod comparison_charts;
pub(crate) mod files;
pub(crate) mod fleet_charts;
pub(crate) mod html;
pub(crate) mod latency_throughput;
pub mod load;
pub(crate) mod results;
pub mod results_dir;
pub mod search;
pub mod shard_file;
pub(crate) mod subscriptions;
pub(crate) mod terminal;
pub(crate) mod ticks;

#[cfg(test)]
mod chart_checks;
#[cfg(test)]
mod tests;
