//! sqsbench: a load-testing and benchmarking harness for Amazon SQS queues.
//!
//! The flow: `cli` parses arguments → `scenario` turns TOML into a validated scenario →
//! `client` yields an SQS client (AWS, a custom endpoint, or a freshly started `emulator`) →
//! `workload` drives producer and consumer fleets → `measure` records → `report` writes results.
//! `run` is one run; `series` runs sweeps and repeats of it, `search` a capacity search;
//! `compare` reads two results
//! directories. Arrows point one way; `emulator` imports nothing else from the crate.

pub mod cli;
pub mod client;
pub mod compare;
pub mod did_you_mean;
pub mod emulator;
pub mod measure;
pub mod report;
pub mod run;
pub mod scenario;
pub mod search;
pub mod series;
pub mod shutdown;
pub mod workload;
