//! Reports: the results directory (streamed timeseries and histogram log, then summary.json,
//! summary.csv, latency.hgrm, integrity.json, charts, report.html), the terminal summary, and
//! the comparison tables and charts of sweeps. Each format is a function of `RunSummary`,
//! saved histograms and files already written. Depends on `measure` only.

pub mod atomic;
pub mod charts;
pub mod comparison;
pub mod comparison_charts;
pub mod files;
pub mod html;
pub mod load;
pub mod results;
pub mod search;
pub mod terminal;

#[cfg(test)]
mod tests;
