//! sqsbench: a load-testing and benchmarking harness for Amazon SQS queues.
//!
//! The flow: `cli` parses arguments → `scenario` turns TOML into a validated scenario →
//! `campaign` fills one results directory with one or more runs → `run` decides the run's shape
//! once, prepares, drives `workload`'s fleets through `client`, judges with `measure` and writes
//! through `report`'s `ResultsDir`; `merge` and `compare` read results directories; `store`
//! sends them to and brings them from S3. Which module
//! may use which is one table, `architecture::MODULES`, kept by a test and rendered in
//! docs/architecture.md. The emulator is a crate of its own (`crates/sqsbench-emulator`) and
//! depends on nothing here; both declare their TOML keys with `sqsbench_keys`.

#![warn(unreachable_pub)]

/// The map of these modules and the test that keeps it (read by tests only).
#[cfg(test)]
mod architecture;
pub mod campaign;
pub mod cli;
pub(crate) mod client;
pub(crate) mod compare;
/// The embedded emulator, a crate of its own (`crates/sqsbench-emulator`).
pub use sqsbench_emulator as emulator;
pub mod live;
pub mod measure;
pub mod merge;
pub mod price;
pub mod report;
pub mod round;
pub mod run;
pub mod scenario;
pub mod store;

pub mod workload;
