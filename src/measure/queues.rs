//! Per-queue recording for a run of many queues (`[[queues]]`): each queue's sends, deliveries
//! and end-to-end histogram beside the run's totals, its row per second in
//! timeseries-queues.csv, and its part of summary.json (`queues[]`, judged by its own ledger).
//! A queue's histogram keeps 2 significant digits (26 KiB, against 184 KiB at 3 digits) and is
//! made on its first delivery, so 1,000 queues stay within the memory estimate
//! (`limits::QUEUE_HISTOGRAM_BYTES`). Recorded only when the scenario declares `[[queues]]`.
//! Depends on nothing outside `measure` (and the emulator's fault counts).

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::latency::{HIGHEST_US, LatencyStats};
use super::ledger::Tally;

/// A queue's place in the run's list of queues (its lane).
pub type QueueIndex = u32;

/// Significant digits of a queue's histogram: 1 % resolution, enough to rank queues.
const QUEUE_DIGITS: u8 = 2;

pub fn new_queue_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, QUEUE_DIGITS).expect("static bounds are valid")
}

/// One queue's counters: `sent` and `received` count measured messages, the `_all` ones every
/// phase (the timeline).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounters {
    pub sent: u64,
    pub received: u64,
    pub sent_all: u64,
    pub received_all: u64,
}

impl QueueCounters {
    pub fn add(&mut self, o: &QueueCounters) {
        let QueueCounters {
            sent,
            received,
            sent_all,
            received_all,
        } = o;
        self.sent += sent;
        self.received += received;
        self.sent_all += sent_all;
        self.received_all += received_all;
    }
}

/// What one queue recorded.
#[derive(Clone, Default)]
pub struct QueueRecord {
    pub counters: QueueCounters,
    end_to_end: Option<Histogram<u64>>,
}

impl QueueRecord {
    /// One measured delivery's end-to-end latency (from the intended send time).
    #[inline]
    pub fn end_to_end(&mut self, micros: u64) {
        self.end_to_end
            .get_or_insert_with(new_queue_histogram)
            .saturating_record(micros.clamp(1, HIGHEST_US));
    }

    pub fn end_to_end_histogram(&self) -> Option<&Histogram<u64>> {
        self.end_to_end.as_ref()
    }

    pub fn merge(&mut self, other: &QueueRecord) {
        self.counters.add(&other.counters);
        if let Some(h) = &other.end_to_end {
            self.end_to_end
                .get_or_insert_with(new_queue_histogram)
                .add(h)
                .expect("every queue histogram has the same bounds, so addition cannot fail");
        }
    }

    fn is_empty(&self) -> bool {
        self.counters == QueueCounters::default() && self.end_to_end.is_none()
    }
}

/// Every queue's record, by index (empty unless the run has `[[queues]]`).
#[derive(Clone, Default)]
pub struct QueueRecords(Vec<QueueRecord>);

impl QueueRecords {
    #[inline]
    pub fn get_mut(&mut self, queue: QueueIndex) -> &mut QueueRecord {
        let i = queue as usize;
        if i >= self.0.len() {
            self.0.resize_with(i + 1, QueueRecord::default);
        }
        &mut self.0[i]
    }

    pub fn get(&self, queue: QueueIndex) -> Option<&QueueRecord> {
        self.0.get(queue as usize)
    }

    pub fn merge(&mut self, other: &QueueRecords) {
        for (i, record) in other.0.iter().enumerate() {
            if !record.is_empty() {
                self.get_mut(i as QueueIndex).merge(record);
            }
        }
    }

    /// The queues that recorded anything, with their index.
    pub fn recorded(&self) -> impl Iterator<Item = (QueueIndex, &QueueRecord)> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_empty())
            .map(|(i, r)| (i as QueueIndex, r))
    }
}

/// timeseries-queues.csv's columns: `QueueRow`'s fields.
pub const QUEUE_TIMESERIES_HEADER: &str =
    "second,queue,sent,received,e2e_p50_us,e2e_p99_us,e2e_max_us";

/// One second of one queue in timeseries-queues.csv: every phase's sends and deliveries, the
/// percentiles of its measured deliveries. Only queues that sent or received that second have
/// a row, so the file grows by at most one row per queue per second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub second: u64,
    pub queue: String,
    pub sent: u64,
    pub received: u64,
    pub e2e_p50_us: u64,
    pub e2e_p99_us: u64,
    pub e2e_max_us: u64,
}

impl QueueRow {
    pub fn from_interval(second: u64, names: &[String], interval: &QueueRecords) -> Vec<QueueRow> {
        interval
            .recorded()
            .filter_map(|(i, record)| {
                let e2e = record.end_to_end_histogram();
                let q = |quantile: f64| e2e.map_or(0, |h| h.value_at_quantile(quantile));
                Some(QueueRow {
                    second,
                    queue: names.get(i as usize)?.clone(),
                    sent: record.counters.sent_all,
                    received: record.counters.received_all,
                    e2e_p50_us: q(0.5),
                    e2e_p99_us: q(0.99),
                    e2e_max_us: e2e.map_or(0, |h| h.max()),
                })
            })
            .collect()
    }
}

/// summary.json `queues[]`: one queue's measured messages, judged by its own ledger.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueSummary {
    pub name: String,
    /// Measured sends the queue acknowledged.
    pub sent: u64,
    /// Deliveries of measured messages, duplicates included.
    pub received: u64,
    pub unique_received: u64,
    /// Sent, never received, not dead-lettered.
    pub missing: u64,
    pub duplicates: u64,
    /// Duplicates neither a redelivery nor the producer explains: what a queue's own fault
    /// (the emulator's injected duplicates) shows as.
    pub unexplained_duplicates: u64,
    pub order_violations: u64,
    pub dead_lettered: u64,
    /// `sent == unique_received + dead_lettered + missing`.
    pub identity_holds: bool,
    pub received_per_sec: f64,
    /// From the intended send time to receipt (2 significant digits).
    pub end_to_end_us: LatencyStats,
    /// Embedded target only: the faults the emulator injected on this queue, beside what was
    /// detected (`missing`, `duplicates`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub emulator_injected: Option<crate::emulator::stats::QueueFaults>,
}

impl QueueSummary {
    /// A queue's figures from its ledger's tally and what its record holds.
    pub fn of(name: &str, tally: &Tally, record: Option<&QueueRecord>, seconds: f64) -> Self {
        let t = tally;
        QueueSummary {
            name: name.to_string(),
            sent: t.acknowledged,
            received: record.map_or(0, |r| r.counters.received),
            unique_received: t.unique_received,
            missing: t.lost,
            duplicates: t.duplicates,
            unexplained_duplicates: t.unexplained_duplicates,
            order_violations: t.order_violations,
            dead_lettered: t.dead_lettered,
            identity_holds: t.acknowledged == t.unique_received + t.dead_lettered + t.lost,
            received_per_sec: crate::round::per_second(t.unique_received, seconds),
            end_to_end_us: record
                .and_then(QueueRecord::end_to_end_histogram)
                .map(LatencyStats::of)
                .unwrap_or_default(),
            emulator_injected: None,
        }
    }
}

/// The `n` queues with the highest end-to-end p99, highest first (ties by name).
pub fn worst(queues: &[QueueSummary], n: usize) -> Vec<&QueueSummary> {
    let mut by_p99: Vec<&QueueSummary> = queues.iter().collect();
    by_p99.sort_by(|a, b| {
        b.end_to_end_us
            .p99
            .cmp(&a.end_to_end_us.p99)
            .then_with(|| a.name.cmp(&b.name))
    });
    by_p99.truncate(n);
    by_p99
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_merge_by_queue_and_rows_name_only_queues_that_recorded() {
        let mut a = QueueRecords::default();
        a.get_mut(0).counters.sent_all += 2;
        let mut b = QueueRecords::default();
        b.get_mut(3).end_to_end(200);
        b.get_mut(3).counters.received_all += 1;
        a.merge(&b);
        let names: Vec<String> = (0..5).map(|i| format!("q-{i}")).collect();
        let rows = QueueRow::from_interval(7, &names, &a);
        let got: Vec<(&str, u64, u64, u64)> = rows
            .iter()
            .map(|r| (r.queue.as_str(), r.sent, r.received, r.e2e_max_us))
            .collect();
        assert_eq!(got, [("q-0", 2, 0, 0), ("q-3", 0, 1, 200)]);
        assert!(
            a.get(1).is_some_and(QueueRecord::is_empty),
            "grown, not used"
        );
    }

    #[test]
    fn a_queue_histogram_costs_what_the_estimate_says_and_is_within_one_percent() {
        let mut h = new_queue_histogram();
        let bytes = h.distinct_values() as u64 * 8;
        assert_eq!(bytes, crate::scenario::limits::QUEUE_HISTOGRAM_BYTES);
        h.record(123_456).unwrap();
        let seen = h.value_at_quantile(0.5) as f64;
        assert!((seen / 123_456.0 - 1.0).abs() < 0.01, "{seen}");
    }

    #[test]
    fn the_worst_queues_are_ranked_by_p99() {
        let q = |name: &str, p99| QueueSummary {
            name: name.into(),
            end_to_end_us: LatencyStats {
                p99,
                ..LatencyStats::default()
            },
            ..QueueSummary::default()
        };
        let all = [q("a", 5), q("b", 9), q("c", 9), q("d", 1)];
        let names: Vec<&str> = worst(&all, 3).iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["b", "c", "a"]);
    }
}
