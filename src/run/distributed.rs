//! The plumbing of a run split across processes (`--shard I/N`): the id and start every shard
//! agrees on, the gate a late shard does not pass, the queue shard 0 makes and the others wait
//! for, each shard's shard.json and ledger journal.
//!
//! Which tasks a shard runs is `workload::shard`'s; judging the whole is `merge`'s.

use std::path::Path;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::client;
use crate::measure::ledger;
use crate::measure::summary::{RunSummary, ShardInfo};
use crate::report::atomic;
use crate::report::results_dir::File;
use crate::report::shard_file::{self, ShardFile};
use crate::scenario::Scenario;
use crate::workload::shard::Shard;

/// A shard's ledger journal, in its results directory.
pub(super) const LEDGER_FILE: &str = File::Ledger.name();

/// A run's place in a distributed run.
#[derive(Clone, Debug)]
pub struct Distributed {
    pub shard: Shard,
    /// `--run-id`: the id every shard shares (the queues' tag; the payload's numeric id is
    /// derived from it). `None`: a fresh random id.
    pub run_id: Option<String>,
    /// `--start-at`: when traffic starts, the same instant on every shard.
    pub start_at: Option<SystemTime>,
    /// `--start-grace`: how late after `start_at` a shard may still start (else exit 3).
    pub start_grace: Duration,
}

impl Default for Distributed {
    fn default() -> Self {
        Distributed {
            shard: Shard::ALL,
            run_id: None,
            start_at: None,
            start_grace: Duration::from_secs(10),
        }
    }
}

impl Distributed {
    pub fn sharded(&self) -> bool {
        self.shard.count > 1
    }
}

/// The run was interrupted before any traffic: nothing was measured (exit 130).
#[derive(Debug, thiserror::Error)]
#[error("interrupted before any traffic was sent")]
pub struct InterruptedBeforeTraffic;

/// The shard was ready only after the agreed start plus the grace, or the queue it waits for
/// never appeared: it sent nothing (exit 3).
#[derive(Debug, thiserror::Error)]
#[error("missed the start: {0}; nothing was sent")]
pub struct MissedStart(pub String);

/// What a shard does once it is ready (client made, queue found).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StartGate {
    /// Wait this long, then send (zero when the start has just passed: the shard starts at
    /// once, behind its schedule, and its lag is measured like any other).
    Wait(Duration),
    /// Ready after the start plus the grace: it sends nothing (exit 3), so a late shard never
    /// adds a burst the others did not plan for.
    Missed { late_by: Duration },
}

/// The gate for a shard ready at `now`.
pub(super) fn gate(now: SystemTime, start_at: SystemTime, grace: Duration) -> StartGate {
    match start_at.duration_since(now) {
        Ok(ahead) => StartGate::Wait(ahead),
        Err(past) if past.duration() <= grace => StartGate::Wait(Duration::ZERO),
        Err(past) => StartGate::Missed {
            late_by: past.duration(),
        },
    }
}

/// Waits for `--start-at`; a shard ready only after the start plus the grace sends nothing.
pub(super) async fn wait_for_start(
    d: &Distributed,
    interrupt: &mut watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let Some(at) = d.start_at else {
        return Ok(());
    };
    match gate(SystemTime::now(), at, d.start_grace) {
        StartGate::Missed { late_by } => Err(MissedStart(format!(
            "ready {:.1} s after --start-at, beyond the {:.0} s --start-grace",
            late_by.as_secs_f64(),
            d.start_grace.as_secs_f64()
        ))
        .into()),
        StartGate::Wait(wait) => tokio::select! {
            _ = tokio::time::sleep(wait) => Ok(()),
            Ok(_) = interrupt.wait_for(|stop| *stop) => Err(InterruptedBeforeTraffic.into()),
        },
    }
}

/// The queues shard 0 creates, looked up every 500 ms until the start plus the grace (30 s
/// from now without a start time).
pub(super) async fn shared_queues(
    client: &aws_sdk_sqs::Client,
    scenario: &Scenario,
    run_id: &str,
    d: &Distributed,
) -> anyhow::Result<client::queues::Queues> {
    let deadline = d.start_at.map_or_else(
        || SystemTime::now() + Duration::from_secs(30),
        |at| at + d.start_grace,
    );
    let look_up = crate::scenario::QueueSpec {
        create: false,
        ..scenario.queue.clone()
    };
    let unused = std::sync::Mutex::new(Vec::new());
    loop {
        match client::queues::prepare(client, &look_up, run_id, &unused).await {
            Ok(queues) => return Ok(queues),
            Err(e) if SystemTime::now() >= deadline => {
                return Err(MissedStart(format!(
                    "the queue shard 0 creates did not appear ({e:#})"
                ))
                .into());
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

/// The payload's numeric run id for a `--run-id` text: the first 8 bytes of its SHA-256, so
/// every shard derives the same one.
pub(super) fn numeric_run_id(run_id: &str) -> u64 {
    let digest = Sha256::digest(run_id.as_bytes());
    u64::from_be_bytes(
        digest[..8]
            .try_into()
            .expect("a SHA-256 digest has 32 bytes"),
    )
}

/// The run's id: the one a distributed run agreed on, or one drawn from the clock, the seed
/// and the process (numeric for the payloads, and as text).
pub(super) fn run_ids(d: &Distributed, scenario: &Scenario, now: Duration) -> (u64, String) {
    match &d.run_id {
        Some(text) => (numeric_run_id(text), text.clone()),
        None => {
            let id = crate::emulator::splitmix::finalize(
                now.as_nanos() as u64
                    ^ scenario.run.seed.rotate_left(17)
                    ^ std::process::id() as u64,
            );
            (id, format!("{id:016x}"))
        }
    }
}

/// A shard's ledger journal; a file that cannot be created is a setup failure (exit 4), and
/// the run goes on without it.
pub(super) fn open_journal(
    path: &Path,
    setup_failures: &mut Vec<String>,
) -> Option<ledger::Journal> {
    ledger::Journal::create(path)
        .map_err(|e| {
            setup_failures.push(format!("{} {}: {e}", atomic::WRITE_FAILED, path.display()))
        })
        .ok()
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// shard.json (`ShardFile`).
pub(super) fn shard_json(
    d: &Distributed,
    head: &RunSummary,
    run_id: u64,
    began: SystemTime,
    segments_every: Option<Duration>,
) -> String {
    let info = shard_info(d.shard, d.start_at, began);
    ShardFile {
        schema_version: shard_file::SCHEMA_VERSION,
        run_id: head.run_id.clone(),
        payload_run_id: format!("{run_id:016x}"),
        shard: shard_file::Place {
            index: info.index,
            count: info.count,
        },
        scenario_sha256: head.scenario.sha256.clone(),
        histograms: shard_file::HistogramSettings::ours(),
        start_at: info.start_at,
        started_sending_at: info.started_sending_at,
        ledger: LEDGER_FILE.into(),
        segments_every_seconds: segments_every.map(|e| e.as_secs_f64()),
    }
    .to_json()
}

pub(super) fn shard_info(
    shard: Shard,
    start_at: Option<SystemTime>,
    began: SystemTime,
) -> ShardInfo {
    ShardInfo {
        index: shard.index,
        count: shard.count,
        start_at: start_at.map(rfc3339),
        started_sending_at: rfc3339(began.max(start_at.unwrap_or(began))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::shard_file::parse_start_at;

    #[test]
    fn the_start_is_rfc_3339_with_or_without_an_offset() {
        let utc = parse_start_at("2026-12-01T10:00:00Z").unwrap();
        assert_eq!(parse_start_at("2026-12-01T11:00:00+01:00"), Ok(utc));
        assert_eq!(
            utc.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
            1_796_119_200
        );
        let e = parse_start_at("tomorrow at ten").unwrap_err();
        assert!(e.starts_with("--start-at \"tomorrow at ten\": "), "{e}");
        assert!(
            e.ends_with("expected RFC 3339, e.g. 2026-12-01T10:00:00Z"),
            "{e}"
        );
    }

    #[test]
    fn a_shard_waits_for_the_start_and_misses_it_only_after_the_grace() {
        let start = parse_start_at("2026-12-01T10:00:00Z").unwrap();
        let grace = Duration::from_secs(10);
        let at = |secs: i64| {
            if secs >= 0 {
                start + Duration::from_secs(secs as u64)
            } else {
                start - Duration::from_secs((-secs) as u64)
            }
        };
        assert_eq!(
            gate(at(-90), start, grace),
            StartGate::Wait(Duration::from_secs(90))
        );
        assert_eq!(gate(at(0), start, grace), StartGate::Wait(Duration::ZERO));
        assert_eq!(gate(at(10), start, grace), StartGate::Wait(Duration::ZERO));
        assert_eq!(
            gate(at(11), start, grace),
            StartGate::Missed {
                late_by: Duration::from_secs(11)
            }
        );
    }

    #[test]
    fn every_shard_derives_the_same_numeric_run_id() {
        assert_eq!(numeric_run_id("launch-42"), numeric_run_id("launch-42"));
        assert_ne!(numeric_run_id("launch-42"), numeric_run_id("launch-43"));
        // SHA-256("abc") starts ba7816bf 8f01cfea.
        assert_eq!(numeric_run_id("abc"), 0xba78_16bf_8f01_cfea);
    }
}
