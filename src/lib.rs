//! sqsbench: a load-testing and benchmarking harness for Amazon SQS queues.
//!
//! The flow: `cli` parses arguments → `scenario` turns TOML into a validated scenario →
//! `client` yields an SQS client (AWS, a custom endpoint, or a freshly started `emulator`) →
//! `workload` drives producer and consumer fleets → `measure` records → `report` writes results.
//! `run` is one run (`fanout` adds a fan-out run's results); `series` runs sweeps and repeats of
//! it, `search` a capacity search;
//! `compare` reads two results directories.
//!
//! Arrows point one way, as the code has them (README, "Architecture"):
//! `cli → {series, search, compare, run}`; `{series, search} → run → {fanout, client, workload,
//! measure, report, scenario}`; `fanout → {measure, scenario, workload}`; `workload → {measure, scenario}`; `report → {measure, scenario}`;
//! `compare → {measure, report}`; `{run, cli} → live → {measure, scenario, shard}` (live
//! metrics); `measure → scenario` (the spelled enums: queue type, target kind);
//! `shutdown → {measure, report}`; `{scenario, measure, client, run, live, workload} → emulator`, its
//! public API only (settings and their reader, ids, injected-fault counters, stats). The
//! emulator is a crate of its own (`crates/sqsbench-emulator`) and depends on nothing here;
//! both declare their TOML keys with `sqsbench_keys` (`section!`, durations, did-you-mean).

#![warn(unreachable_pub)]

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

pub mod workload;
