//! The per-second timeline: one row per interval, made from what every task recorded in it,
//! handed to an `IntervalSink` (the results writer) as the run goes, so a crash or Ctrl-C loses
//! at most the current second.

use serde::{Deserialize, Serialize};

use super::fleets::{FleetIndex, FleetMap, Role};
use super::latency::Latency;
use super::recorder::{Api, Recorder};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineRow {
    /// Seconds since the run started (the row covers `second - 1 .. second`).
    pub second: u64,
    pub sent: u64,
    pub received: u64,
    pub deleted: u64,
    pub errors: u64,
    pub throttled: u64,
    /// Throttled calls per action: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch).
    #[serde(default)]
    pub throttled_send: u64,
    #[serde(default)]
    pub throttled_receive: u64,
    #[serde(default)]
    pub throttled_delete: u64,
    /// Sent but not yet deleted, across the whole run so far.
    pub in_flight: i64,
    pub e2e_p50_us: u64,
    pub e2e_p99_us: u64,
    pub e2e_max_us: u64,
    pub send_p99_us: u64,
    pub schedule_lag_p99_us: u64,
    /// The queue's own counts at the second's end, as it reported them (a run of several
    /// queues: added up); empty when not read (more than 16 queues, or before the first read).
    #[serde(default)]
    pub queue_visible: Option<u64>,
    #[serde(default)]
    pub queue_in_flight: Option<u64>,
    #[serde(default)]
    pub queue_delayed: Option<u64>,
    /// Consumer tasks running (a scaled fleet: as its policy last decided).
    #[serde(default)]
    pub consumers: u32,
}

impl TimelineRow {
    pub fn from_interval(second: u64, interval: &Recorder, in_flight: i64) -> TimelineRow {
        let e2e = interval.latencies.get(Latency::EndToEnd);
        let q = |h: &hdrhistogram::Histogram<u64>, quantile: f64| {
            if h.is_empty() {
                0
            } else {
                h.value_at_quantile(quantile)
            }
        };
        let throttled = |apis: &[Api]| -> u64 {
            apis.iter()
                .filter_map(|a| interval.apis.get(a))
                .map(|a| a.throttled)
                .sum()
        };
        TimelineRow {
            second,
            sent: interval.counters.sent_all,
            received: interval.counters.received_all,
            deleted: interval.counters.deleted_all,
            errors: interval.apis.values().map(|a| a.failed()).sum(),
            throttled: interval.apis.values().map(|a| a.throttled).sum(),
            throttled_send: throttled(&[
                Api::SendMessage,
                Api::SendMessageBatch,
                Api::Publish,
                Api::PublishBatch,
                Api::PutEvents,
            ]),
            throttled_receive: throttled(&[Api::ReceiveMessage]),
            throttled_delete: throttled(&[Api::DeleteMessage, Api::DeleteMessageBatch]),
            in_flight,
            e2e_p50_us: q(e2e, 0.5),
            e2e_p99_us: q(e2e, 0.99),
            e2e_max_us: if e2e.is_empty() { 0 } else { e2e.max() },
            send_p99_us: q(interval.latencies.get(Latency::Send), 0.99),
            schedule_lag_p99_us: q(interval.latencies.get(Latency::ScheduleLag), 0.99),
            queue_visible: None,
            queue_in_flight: None,
            queue_delayed: None,
            consumers: 0,
        }
    }
}

/// One fleet's second (timeseries-fleets.csv): like the run's row, `sent` and `received` count
/// every phase; the percentiles are of its measured deliveries (see `fleets` for how a delivery
/// is credited to both fleets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetRow {
    pub second: u64,
    pub fleet: String,
    pub role: Role,
    pub sent: u64,
    pub received: u64,
    pub e2e_p50_us: u64,
    pub e2e_p99_us: u64,
    pub e2e_max_us: u64,
}

impl FleetRow {
    /// One row per fleet of the map, whether or not it recorded anything this second.
    pub fn from_interval(second: u64, fleets: &FleetMap, interval: &Recorder) -> Vec<FleetRow> {
        fleets
            .fleets
            .iter()
            .enumerate()
            .map(|(i, fleet)| {
                let record = interval.fleets.get(i as FleetIndex);
                let e2e = record.end_to_end_histogram();
                let q = |quantile: f64| e2e.map_or(0, |h| h.value_at_quantile(quantile));
                FleetRow {
                    second,
                    fleet: fleet.name.clone(),
                    role: fleet.role,
                    sent: record.counters.sent_all,
                    received: record.counters.received_all,
                    e2e_p50_us: q(0.5),
                    e2e_p99_us: q(0.99),
                    e2e_max_us: e2e.map_or(0, |h| h.max()),
                }
            })
            .collect()
    }
}

/// Receives each interval as it closes.
pub trait IntervalSink: Send {
    fn interval(&mut self, row: &TimelineRow, recorded: &Recorder);
}

/// A sink that keeps nothing (tests, or runs without a results directory).
pub struct Discard;

impl IntervalSink for Discard {
    fn interval(&mut self, _: &TimelineRow, _: &Recorder) {}
}
