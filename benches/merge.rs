//! `sqsbench merge` at scale: time and peak memory (VmHWM of the merge process) for 16 shards of
//! 10,000,000 measured messages each — goal under 10 s and under 1 GiB — and for a quarter and
//! a half of that, to show how both grow with messages. The shards' directories are made here,
//! as 100-second runs would write them: a ledger journal of one frame per second, every
//! message sent by its shard and received by another (blocks of 1,000 dealt round the shards),
//! one in 1,000 delivered again on a second shard, one in 10,000 never delivered; a histogram
//! log of 6 latencies per second and a timeline row per second. The merged summary is checked
//! against those known counts, so the figure is of a correct merge.
//!
//! Run: `cargo bench --bench merge` (`SQSBENCH_MERGE_MESSAGES` per shard, default 10,000,000;
//! the input takes about 1 GB of temporary disk and a few minutes to make).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;
use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};
use sqsbench::measure::latency::{Latency, new_histogram};
use sqsbench::measure::ledger::{Delivery, Journal, Ledger};
use sqsbench::measure::summary::{RunSummary, SCHEMA_VERSION};
use sqsbench::measure::timeline::TimelineRow;
use sqsbench::report::shard_file::{HistogramSettings, Place, ShardFile};

mod support;

const SHARDS: u32 = 16;
const PRODUCERS_PER_SHARD: u32 = 4;
const SECONDS: u64 = 100;
const BLOCK: u64 = 1_000;
const DUPLICATE_EVERY: u64 = 1_000;
const LOST_EVERY: u64 = 10_000;

fn main() {
    let per_shard: u64 = std::env::var("SQSBENCH_MERGE_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let root = std::env::temp_dir().join(format!("sqsbench-merge-bench-{}", std::process::id()));
    println!(
        "merge of {SHARDS} shards ({} producers each, {SECONDS} one-second journal frames)",
        PRODUCERS_PER_SHARD
    );
    println!(
        "{:>14} {:>14} {:>10} {:>12} {:>14}",
        "msgs/shard", "msgs in all", "seconds", "peak MiB", "bytes/message"
    );
    for messages in [per_shard / 4, per_shard / 2, per_shard] {
        let _ = std::fs::remove_dir_all(&root);
        let dirs = make_shards(&root, messages);
        let out = root.join("merged");
        let (elapsed, peak_kib, ok) = merge(&dirs, &out);
        assert!(ok, "the merge succeeded");
        check(&out, messages);
        let total = messages * SHARDS as u64;
        println!(
            "{messages:>14} {total:>14} {:>10.2} {:>12.0} {:>14.2}",
            elapsed.as_secs_f64(),
            peak_kib as f64 / 1024.0,
            peak_kib as f64 * 1024.0 / total as f64
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// Time and peak resident set of `sqsbench merge`.
fn merge(dirs: &[PathBuf], out: &Path) -> (Duration, u64, bool) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .arg("merge")
        .args(dirs)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("sqsbench starts");
    let (peak, ok) = support::peak_rss_kib(child, Duration::from_secs(600));
    (start.elapsed(), peak, ok)
}

/// The shard that receives a message: blocks of 1,000 dealt round the shards.
fn receiver(producer: u32, sequence: u64) -> u32 {
    ((sequence / BLOCK + producer as u64) % SHARDS as u64) as u32
}

fn make_shards(root: &Path, messages: u64) -> Vec<PathBuf> {
    let per_producer = messages / PRODUCERS_PER_SHARD as u64;
    let per_second = per_producer.div_ceil(SECONDS);
    let start_at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    (0..SHARDS)
        .map(|shard| {
            let dir = root.join(format!("shard-{shard}"));
            std::fs::create_dir_all(dir.join("charts")).unwrap();
            let mut journal = Journal::create(&dir.join("ledger.bin")).unwrap();
            for second in 0..SECONDS {
                let from = second * per_second;
                let to = ((second + 1) * per_second).min(per_producer);
                journal.append(&second_of(shard, from, to)).unwrap();
            }
            write_files(&dir, shard, messages, start_at);
            dir
        })
        .collect()
}

/// One shard's events in one second: its producers' sends of `from..to`, and its deliveries and
/// deletes of every producer's messages in that range that it receives.
fn second_of(shard: u32, from: u64, to: u64) -> Ledger {
    let mut l = Ledger::new(false);
    let producers = SHARDS * PRODUCERS_PER_SHARD;
    for p in (0..producers).filter(|p| p % SHARDS == shard) {
        l.record_sent(p, &(from..to).collect::<Vec<_>>());
    }
    for p in 0..producers {
        let mut s = from;
        while s < to {
            let block_end = ((s / BLOCK + 1) * BLOCK).min(to);
            let mine = receiver(p, s) == shard;
            let again = receiver(p, s) == (shard + SHARDS - 1) % SHARDS;
            for sequence in s..block_end {
                let lost = sequence % LOST_EVERY == LOST_EVERY - 1;
                let duplicate = sequence % DUPLICATE_EVERY == 0;
                if (mine && !lost) || (again && duplicate && !lost) {
                    l.record_received(Delivery {
                        producer: p,
                        sequence,
                        receive_count: if mine { 1 } else { 2 },
                        ..Delivery::default()
                    });
                    l.record_deleted(p, sequence);
                }
            }
            s = block_end;
        }
    }
    l
}

fn write_files(dir: &Path, shard: u32, messages: u64, start_at: SystemTime) {
    let stamp = humantime::format_rfc3339_millis(start_at).to_string();
    let record = ShardFile {
        schema_version: 1,
        run_id: "merge-bench".into(),
        payload_run_id: "0".into(),
        shard: Place {
            index: shard,
            count: SHARDS,
        },
        scenario_sha256: "bench".into(),
        histograms: HistogramSettings::ours(),
        start_at: Some(stamp.clone()),
        started_sending_at: stamp.clone(),
        ledger: "ledger.bin".into(),
        segments_every_seconds: None,
    };
    std::fs::write(dir.join("shard.json"), record.to_json()).unwrap();
    std::fs::write(
        dir.join("scenario.toml"),
        format!(
            "name = \"merge-bench\"\n[target]\nkind = \"endpoint\"\nendpoint = \"http://127.0.0.1:9\"\n\
             [run]\nwarmup = \"0s\"\nduration = \"{SECONDS}s\"\n[[producers]]\ncount = {}\nrate = \"1000/s\"\n\
             [[consumers]]\ncount = {SHARDS}\n",
            SHARDS * PRODUCERS_PER_SHARD
        ),
    )
    .unwrap();
    let mut summary = RunSummary {
        schema_version: SCHEMA_VERSION,
        run_id: "merge-bench".into(),
        started_at: stamp,
        measured_seconds: SECONDS as f64,
        ..RunSummary::default()
    };
    summary.scenario.name = "merge-bench".into();
    summary.messages.sent = messages;
    summary.messages.sent_including_warmup = messages;
    std::fs::write(
        dir.join("summary.json"),
        serde_json::to_string_pretty(&summary).unwrap(),
    )
    .unwrap();
    let per_second = messages / SECONDS;
    let mut timeline = csv::Writer::from_path(dir.join("timeseries.csv")).unwrap();
    for second in 1..=SECONDS {
        timeline
            .serialize(TimelineRow {
                second,
                sent: per_second,
                received: per_second,
                deleted: per_second,
                ..TimelineRow::default()
            })
            .unwrap();
    }
    timeline.flush().unwrap();
    std::fs::write(
        dir.join("timeseries-fleets.csv"),
        "second,fleet,role,sent,received,e2e_p50_us,e2e_p99_us,e2e_max_us\n",
    )
    .unwrap();
    write_hlog(&dir.join("histograms.hlog"), shard, per_second, start_at);
}

/// Six latencies a second, each a spread of 200 values whose counts add up to the second's
/// messages.
fn write_hlog(path: &Path, shard: u32, per_second: u64, start_at: SystemTime) {
    let mut out = Vec::new();
    let mut serializer = V2DeflateSerializer::new();
    IntervalLogWriterBuilder::new()
        .add_comment("[Histogram log format version 1.3]")
        .with_start_time(start_at)
        .with_base_time(start_at)
        .begin_log_with(&mut out, &mut serializer)
        .unwrap();
    for second in 0..SECONDS {
        let mut log = IntervalLogWriterBuilder::new()
            .begin_log_with(&mut out, &mut serializer)
            .unwrap();
        for which in Latency::ALL {
            let mut h: Histogram<u64> = new_histogram();
            for v in 0..200u64 {
                let micros = 500 + (v * v * 7 + second * 13 + shard as u64 * 31) % 50_000;
                h.record_n(micros, per_second / 200).unwrap();
            }
            log.write_histogram(
                &h,
                Duration::from_secs(second),
                Duration::from_secs(1),
                Tag::new(which.key()),
            )
            .unwrap();
        }
    }
    std::fs::write(path, out).unwrap();
}

/// The merge found what the shards were made with.
fn check(out: &Path, messages: u64) {
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let m = &s["messages"];
    let total = messages * SHARDS as u64;
    let producers = (SHARDS * PRODUCERS_PER_SHARD) as u64;
    let per_producer = messages / PRODUCERS_PER_SHARD as u64;
    let lost = producers * ((per_producer + 1) / LOST_EVERY);
    // Every 1,000th sequence again on a second shard (none of them is a lost one).
    let duplicates = producers * per_producer.div_ceil(DUPLICATE_EVERY);
    assert_eq!(m["sent"].as_u64(), Some(total), "{m}");
    assert_eq!(m["lost"].as_u64(), Some(lost), "{m}");
    assert_eq!(m["duplicates"].as_u64(), Some(duplicates), "{m}");
    assert_eq!(
        m["duplicate_causes"]["redelivery"].as_u64(),
        Some(duplicates),
        "{m}"
    );
    assert_eq!(m["unique_received"].as_u64(), Some(total - lost), "{m}");
}
