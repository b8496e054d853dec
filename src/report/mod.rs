//! Reports: the results directory (streamed timeseries and histogram log, then summary.json,
//! summary.csv, latency.hgrm, charts), and the terminal summary. Each format is a function of
//! `RunSummary` and saved histograms. Depends on `measure` only.

pub mod charts;
pub mod files;
pub mod reread;
pub mod results;
pub mod terminal;

#[cfg(test)]
mod tests;
