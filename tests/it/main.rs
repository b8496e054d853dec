//! Integration tests, one binary (linking the AWS SDK once): the real aws-sdk-sqs against the
//! embedded emulator over loopback, and black-box runs of the `sqsbench` binary.

mod cleanup;
mod cli;
mod cli_series;
mod emulator_exhaustion;
mod emulator_faults;
mod emulator_fifo;
mod emulator_messages;
mod emulator_queues;
mod emulator_redrive;
mod emulator_sns;
mod emulator_wire;
mod engine;
mod fanout;
mod full_disk;
mod live_metrics;
mod merge;
mod report_corpus;
mod run_embedded;
mod run_fleets;
mod run_integrity;
mod run_lambda;
mod scenario_corpus;
mod search;
mod shards;
mod signals;
mod support;
