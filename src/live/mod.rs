//! Live metrics: a run and the emulator as they go, served as OpenMetrics text at `/metrics`
//! for Prometheus to scrape (`--metrics ADDR`). A run's metrics are fed once a second from the
//! interval every task's recorder was merged into (`run_metrics`), and the emulator's are read
//! from its own counters when scraped (`emulator_metrics`), so nothing shared is touched per
//! message. The encoding is `prometheus-client`'s; histograms are buckets (`measure::buckets`),
//! never summaries, so pods aggregate. The authoritative numbers stay in the results directory.
//! Depends on `measure`, `scenario`, `shard` and the emulator's `Stats`; only `run` and `cli`
//! use it.

pub mod emulator_metrics;
mod run_exposition;
pub mod run_metrics;
pub mod server;

pub use run_metrics::{LiveRun, Phase, RunLabels};
pub use server::MetricsServer;
