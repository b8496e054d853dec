//! Limits checked before any traffic, so a run never takes the machine down: the memory a
//! scenario will need, estimated from its fleets, messages and queue, against the memory it may
//! use (half of the cgroup's `memory.max` in a container or pod, else half the machine's, or
//! `--max-memory`), and the planned message count against what the ledger is sized for.
//! Pure arithmetic on a `Scenario` plus reading the limits from /sys and /proc; no traffic.

use std::path::Path;

use super::types::{Scenario, Target};
use sqsbench_keys::document::Problem;

/// The most messages one run may plan (warmup and measured phase together). The ledger keeps
/// about 0.4 B per message; the cap keeps it and the schedule's arithmetic well inside range.
pub(crate) const MAX_PLANNED_MESSAGES: f64 = 1e10;

/// What one producer or consumer task costs besides its messages' bodies: its future, its SDK
/// request and response state, its payload buffer and its share of the ledger channel. Measured
/// with `cargo bench --bench task_memory` (peak RSS of 2,000 and 10,000 tasks, the difference
/// per task, rounded up).
pub(crate) const PER_TASK_BYTES: u64 = 64 * 1024;
/// The process before any task: runtime, SDK client, emulator, recorders of a few threads.
pub(crate) const BASE_BYTES: u64 = 64 * 1024 * 1024;
/// The ledger per planned message, rounded up from its benchmark (0.38 B at 100 M messages).
pub(crate) const LEDGER_BYTES_PER_MESSAGE: f64 = 1.0;

/// One 1 µs–1 h, 3-digit latency histogram (`measure::latency::new_histogram`: 23,552 counts
/// of 8 B; a test keeps the two in step).
pub(crate) const HISTOGRAM_BYTES: u64 = 23_552 * 8;

/// One queue's 1 µs–1 h, 2-digit end-to-end histogram (`measure::queues::new_queue_histogram`;
/// a test keeps the two in step).
pub(crate) const QUEUE_HISTOGRAM_BYTES: u64 = 3_328 * 8;

/// What one queue of a `[[queues]]` run costs besides its histograms: its ledger's owner task,
/// channel and per-producer bitmaps, its lane, its live-metrics series and its place in the
/// embedded emulator. Measured: 1,000 queues at 2,000 msg/s for 5 s peaked 24 MB above one queue
/// (release build, `/usr/bin/time -v`, histograms of the 253 queues that received included);
/// rounded up.
pub(crate) const PER_QUEUE_BYTES: u64 = 32 * 1024;

/// Copies of each fleet's end-to-end histogram a run may hold at once: one per runtime thread
/// that records, the second being collected, and the run's total.
fn fleet_histogram_copies() -> u64 {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    threads as u64 + 2
}

/// A shard's end-to-end histograms split by sender (`measure::by_sender`), with `shards`
/// shards: each thread's recorder and the one being collected hold, at most, the three
/// end-to-end latencies and each fleet's share for every sender shard.
pub(crate) fn split_by_sender(s: &Scenario, shards: u32) -> (String, u64) {
    let fleets = (s.producers.len() + s.consumers.len()) as u64;
    let per_sender = (3 + fleets) * HISTOGRAM_BYTES;
    let copies = fleet_histogram_copies() - 1;
    let bytes = if shards > 1 {
        u64::from(shards) * per_sender * copies
    } else {
        0
    };
    ("end-to-end histograms by sender shard".to_string(), bytes)
}

/// A run's peak use of one resource (memory, connections), by part, so a refusal can say
/// which keys drive it.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    pub parts: Vec<(String, u64)>,
    /// How an amount reads: `human` bytes, or a count with thousands separated.
    pub unit: fn(u64) -> String,
}

/// A run's expected peak memory, in bytes.
pub(crate) type MemoryEstimate = Parts;

impl Parts {
    pub(crate) fn total(&self) -> u64 {
        self.parts.iter().map(|(_, n)| n).sum()
    }

    /// "base 64 MiB + producers[0].count × (…) 316 KiB + …", leaving out empty parts.
    pub(crate) fn describe(&self) -> String {
        self.parts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(what, n)| format!("{what} {}", (self.unit)(*n)))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// Estimates the peak memory of one run of `s`.
pub(crate) fn memory(s: &Scenario) -> MemoryEstimate {
    let mut parts = vec![("base".to_string(), BASE_BYTES)];
    let producers: Vec<u64> = s
        .producers
        .iter()
        .map(|p| p.count as u64 * (PER_TASK_BYTES + 3 * p.batch_size as u64 * p.message_size.max()))
        .collect();
    parts.push(fleets("producers", &producers));
    let largest_message = s
        .producers
        .iter()
        .map(|p| p.message_size.max())
        .max()
        .unwrap_or(0);
    let consumers: Vec<u64> = s
        .consumers
        .iter()
        .map(|c| c.count as u64 * (PER_TASK_BYTES + 3 * c.batch_size as u64 * largest_message))
        .collect();
    parts.push(fleets("consumers", &consumers));
    let fleet_count = (s.producers.len() + s.consumers.len()) as u64;
    parts.push((
        "per-fleet histograms".to_string(),
        fleet_count * fleet_histogram_copies() * HISTOGRAM_BYTES,
    ));
    if !s.queues.is_empty() {
        let queues = s.lane_specs().len() as u64;
        parts.push((
            format!("{queues} queues × (ledger + end-to-end histograms)"),
            queues * (PER_QUEUE_BYTES + fleet_histogram_copies() * QUEUE_HISTOGRAM_BYTES),
        ));
    }
    let total = s.run.warmup + s.run.duration;
    let planned: f64 = s
        .producers
        .iter()
        .filter_map(|p| p.planned_messages(total))
        .sum();
    parts.push((
        "ledger (planned messages)".to_string(),
        (planned * LEDGER_BYTES_PER_MESSAGE) as u64,
    ));
    // With no consumers, every message stays queued in the embedded emulator's memory.
    if s.consumers.is_empty() && matches!(s.target, Target::Embedded) {
        let queued: f64 = s
            .producers
            .iter()
            .filter_map(|p| {
                p.planned_messages(total)
                    .map(|n| n * (p.message_size.mean() + 200.0))
            })
            .sum();
        parts.push((
            "embedded queue (no consumers: every message stays queued)".to_string(),
            queued as u64,
        ));
    }
    MemoryEstimate { parts, unit: human }
}

/// One part for a section's fleets (each `count × (task + 3 × batch_size × message_size)`:
/// a batch's bodies live in the payload buffer, the request and its serialized copy).
fn fleets(section: &str, bytes: &[u64]) -> (String, u64) {
    (
        format!(
            "{} × (task + 3 × batch_size × message_size)",
            largest_fleets(section, bytes)
        ),
        bytes.iter().sum(),
    )
}

/// The `count` keys of a section's largest fleets by `amounts`, so a refusal says what to
/// lower: "producers[2].count, producers[0].count, producers[1].count, 2 more fleets".
pub(crate) fn largest_fleets(section: &str, amounts: &[u64]) -> String {
    let mut largest: Vec<usize> = (0..amounts.len()).collect();
    largest.sort_by_key(|&i| std::cmp::Reverse(amounts[i]));
    let mut keys: Vec<String> = largest
        .iter()
        .take(3)
        .map(|i| format!("{section}[{i}].count"))
        .collect();
    if amounts.len() > 3 {
        keys.push(format!("{} more fleets", amounts.len() - 3));
    }
    if keys.is_empty() {
        keys.push(format!("no {section}"));
    }
    keys.join(", ")
}

/// Problems with the scenario's size: planned messages over `MAX_PLANNED_MESSAGES`, or an
/// estimated peak memory over `limit`.
pub(crate) fn check(s: &Scenario, limit: &MemoryLimit) -> Vec<Problem> {
    let mut problems = Vec::new();
    let total = s.run.warmup + s.run.duration;
    for (i, p) in s.producers.iter().enumerate() {
        if let Some(n) = p.planned_messages(total)
            && n > MAX_PLANNED_MESSAGES
        {
            problems.push(problem(
                &format!("producers[{i}].rate"),
                format!(
                    "plans {n:.3e} messages over run.warmup + run.duration; at most {MAX_PLANNED_MESSAGES:.0e} per run"
                ),
            ));
        }
    }
    let estimate = memory(s);
    if estimate.total() > limit.bytes {
        problems.push(problem(
            "producers, consumers",
            format!(
                "the run would need about {} ({}), more than the {} it may use ({}); lower the counts, batch sizes or message sizes, or raise the limit with --max-memory",
                human(estimate.total()),
                estimate.describe(),
                human(limit.bytes),
                limit.source
            ),
        ));
    }
    problems
}

/// A problem of the whole file's size, under the keys that drive it.
pub(super) fn problem(path: &str, message: String) -> Problem {
    Problem {
        path: path.to_string(),
        line: None,
        message,
        whole_file: true,
    }
}

/// How much memory a run may use, and where that figure came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MemoryLimit {
    pub bytes: u64,
    pub source: String,
}

impl MemoryLimit {
    /// `--max-memory`, else half the cgroup's memory.max, else half the machine's memory.
    pub(crate) fn resolve(flag: Option<u64>) -> MemoryLimit {
        if let Some(bytes) = flag {
            return MemoryLimit {
                bytes,
                source: "--max-memory".into(),
            };
        }
        let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
            .ok()
            .and_then(|t| parse_cgroup_max(&t));
        if let Some(max) = cgroup {
            return MemoryLimit {
                bytes: max / 2,
                source: format!("half the cgroup's memory.max of {}", human(max)),
            };
        }
        match machine_memory(Path::new("/proc/meminfo")) {
            Some(total) => MemoryLimit {
                bytes: total / 2,
                source: format!("half the machine's {}", human(total)),
            },
            None => MemoryLimit {
                bytes: u64::MAX,
                source: "no limit found".into(),
            },
        }
    }
}

/// Bytes for people: `512 MiB`, `3.5 GiB`.
pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            let value = bytes as f64 / size as f64;
            return if value.fract() < 0.05 || value >= 100.0 {
                format!("{value:.0} {unit}")
            } else {
                format!("{value:.1} {unit}")
            };
        }
    }
    format!("{bytes} B")
}

/// `memory.max` holds a byte count, or `max` when the cgroup has no limit.
pub(crate) fn parse_cgroup_max(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

fn machine_memory(meminfo: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(meminfo).ok()?;
    parse_mem_total(&text)
}

/// `MemTotal:       24568392 kB` → bytes.
pub(crate) fn parse_mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::scenario::validate::scenario_from_text;

    /// One producer fleet at 100/s and one consumer fleet, with `extra` overrides (the size
    /// checks' tests, here and in `connections`).
    pub(in crate::scenario) fn scenario(extra: &[&str]) -> Scenario {
        let overrides: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        scenario_from_text(
            "name = \"m\"\n[[producers]]\nrate = \"100/s\"\n[[consumers]]\n",
            &overrides,
        )
        .unwrap()
    }

    fn limit(bytes: u64) -> MemoryLimit {
        MemoryLimit {
            bytes,
            source: "test".into(),
        }
    }

    #[test]
    fn limits_come_from_cgroup_or_meminfo() {
        assert_eq!(parse_cgroup_max("max\n"), None);
        assert_eq!(parse_cgroup_max("4294967296\n"), Some(4 << 30));
        assert_eq!(
            parse_mem_total("MemTotal:       24568392 kB\nMemFree: 1 kB\n"),
            Some(24_568_392 * 1024)
        );
        assert_eq!(MemoryLimit::resolve(Some(123)).bytes, 123);
    }

    #[test]
    fn a_shards_split_by_sender_grows_with_the_shards() {
        let s = scenario(&[]);
        assert_eq!(split_by_sender(&s, 1).1, 0, "a single run keeps no split");
        let (two, eight) = (split_by_sender(&s, 2).1, split_by_sender(&s, 8).1);
        assert!(two > 0 && two % HISTOGRAM_BYTES == 0);
        assert_eq!(eight, 4 * two);
    }

    #[test]
    fn memory_grows_with_tasks_and_batches_of_large_messages() {
        let small = memory(&scenario(&[])).total();
        let many = memory(&scenario(&["producers.count=10000"])).total();
        assert_eq!(many - small, 9_999 * (PER_TASK_BYTES + 3 * 1024));
        let big = memory(&scenario(&[
            "producers.count=1000",
            "producers.batch_size=1",
            "producers.message_size=\"1MiB\"",
        ]));
        assert!(big.total() > 3_000 * 1_048_576, "{}", big.describe());
        assert!(big.describe().contains("producers[0].count"));
    }

    #[test]
    fn a_run_over_the_limit_is_refused_naming_the_keys_and_the_limit() {
        let s = scenario(&["producers.count=10000", "consumers.count=10000"]);
        let problems = check(&s, &limit(512 << 20));
        assert_eq!(problems.len(), 1, "{problems:?}");
        let text = problems[0].to_string();
        assert!(text.contains("producers[0].count"), "{text}");
        assert!(text.contains("consumers[0].count"), "{text}");
        assert!(text.contains("512 MiB"), "{text}");
        assert!(text.contains("--max-memory"), "{text}");
        assert!(check(&s, &limit(u64::MAX)).is_empty());
    }

    #[test]
    fn a_plan_beyond_the_ledger_is_refused() {
        let s = scenario(&["producers.rate=\"7000000/s\"", "run.duration=\"1h\""]);
        let problems = check(&s, &limit(u64::MAX));
        assert!(
            problems[0].to_string().contains("producers[0].rate"),
            "{problems:?}"
        );
    }
}
