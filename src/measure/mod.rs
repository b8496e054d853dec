//! Measurement: per-task recorders (latency histograms and counters), merged once per interval;
//! the delivery ledger; the run summary every report is made from. Main types: `Recorder`,
//! `RunSummary`. Must not depend on workloads, targets or reports.

pub mod backlog;
pub mod buckets;
pub mod by_sender;
pub mod clock_offset;
pub mod consumer_events;
pub mod counts;
pub mod expectations;
pub mod fanout;
pub mod fleets;
pub mod latency;
pub mod leaks;
pub mod ledger;
pub(crate) mod metrics;
pub mod payload;
pub mod queues;
pub mod recorder;
pub mod replays;
pub mod shards;
pub mod spread;
pub mod summary;
pub mod timeline;
