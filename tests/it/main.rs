//! Integration tests, one binary (linking the AWS SDK once): black-box runs of the `sqsbench`
//! binary (`run`, `serve`, `merge`, `report`, `cleanup` …) and the tests that need the harness and
//! the emulator together. The emulator's own tests, through the real SDKs, are in its crate
//! (`crates/sqsbench-emulator/tests/it`), whose SDK helpers (`sdk.rs`) this binary shares.

mod cleanup;
mod cli;
mod cli_series;
mod connections;
mod docs;
mod engine;
mod eventbridge_runs;
mod fanout;
mod full_disk;
mod live_metrics;
mod many_queues;
mod merge;
mod production_consumers;
mod report_corpus;
mod run_embedded;
mod run_fleets;
mod run_integrity;
mod run_lambda;
mod scenario_corpus;
#[path = "../../crates/sqsbench-emulator/tests/it/sdk.rs"]
mod sdk;
mod search;
mod serve_exhaustion;
mod shards;
mod signals;
mod support;
