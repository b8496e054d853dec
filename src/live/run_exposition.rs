//! How a run's metrics are written: the families, their types, help texts and labels, encoded
//! from one `RunState` snapshot per scrape through `prometheus-client`'s descriptor encoder (no
//! hand-written exposition text). Histograms come out as the shared bucket ladder.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use super::run_metrics::{FleetTotals, Phase, QueueSeries, QueueTotals, RunState};
use crate::measure::buckets::{BOUNDS_US, Buckets};
use crate::measure::fleets::Role;
use crate::measure::recorder::ApiCounts;

const OUTCOMES: [&str; 5] = ["ok", "throttled", "error", "timeout", "connect"];

/// A per-queue counter: its name, help and value.
type QueueFamily = (&'static str, &'static str, fn(&QueueTotals) -> u64);

fn outcome_counts(c: &ApiCounts) -> [u64; 5] {
    [c.ok, c.throttled, c.errors, c.timeouts, c.connect_failed]
}

impl Collector for RunState {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let by_role = |role: Role, value: fn(&FleetTotals) -> u64| {
            self.fleets
                .iter()
                .filter(move |f| f.role == Some(role))
                .map(move |f| (f.name.as_str(), value(f)))
        };
        counter_by_fleet(
            &mut encoder,
            "sqsbench_messages_sent",
            "Messages the queue acknowledged, every phase, by producer fleet.",
            by_role(Role::Producer, |f| f.sent),
        )?;
        counter_by_fleet(
            &mut encoder,
            "sqsbench_send_failed",
            "Measured messages whose send failed, by producer fleet.",
            by_role(Role::Producer, |f| f.send_failed),
        )?;
        counter_by_fleet(
            &mut encoder,
            "sqsbench_messages_received",
            "Deliveries (duplicates included), every phase, by consumer fleet.",
            by_role(Role::Consumer, |f| f.received),
        )?;
        counter(
            &mut encoder,
            "sqsbench_messages_deleted",
            "Messages deleted, every phase.",
            self.deleted,
        )?;
        counter(
            &mut encoder,
            "sqsbench_messages_duplicates",
            "Deliveries of measured messages already received.",
            self.duplicates,
        )?;
        self.encode_requests(&mut encoder)?;
        histogram(
            &mut encoder,
            "sqsbench_end_to_end_latency_seconds",
            "Receive time minus intended send time (coordinated omission corrected), measured messages.",
            &[],
            &self.end_to_end,
        )?;
        histogram(
            &mut encoder,
            "sqsbench_end_to_end_uncorrected_latency_seconds",
            "Receive time minus actual send time, measured messages.",
            &[],
            &self.end_to_end_uncorrected,
        )?;
        self.encode_gauges(&mut encoder)
    }
}

impl RunState {
    fn encode_requests(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let metric = encoder.encode_descriptor(
            "sqsbench_requests",
            "SQS calls by API and outcome (connect: the request never reached a server).",
            None,
            MetricType::Counter,
        )?;
        let mut metric = metric;
        for (api, counts) in &self.apis {
            for (outcome, n) in OUTCOMES.iter().zip(outcome_counts(counts)) {
                let labels = [("api", api.name()), ("outcome", *outcome)];
                ConstCounter::new(n).encode(metric.encode_family(&labels)?)?;
            }
        }
        let mut metric = encoder.encode_descriptor(
            "sqsbench_request_duration",
            "How long SQS calls took, every phase, by API.",
            Some(&prometheus_client::registry::Unit::Seconds),
            MetricType::Histogram,
        )?;
        for (api, counts) in &self.apis {
            encode_buckets(&mut metric, &[("api", api.name())], &counts.durations)?;
        }
        Ok(())
    }

    fn encode_gauges(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let metric = encoder.encode_descriptor(
            "sqsbench_in_flight_messages",
            "Messages sent and not yet deleted.",
            None,
            MetricType::Gauge,
        )?;
        ConstGauge::new(self.in_flight).encode(metric)?;
        gauge(
            encoder,
            "sqsbench_consumers",
            "Consumer tasks running (a scaled fleet: as its policy last decided).",
            f64::from(self.consumers),
        )?;
        if let Some(counts) = self.queue_counts {
            let mut metric = encoder.encode_descriptor(
                "sqsbench_queue_messages",
                "The queue's own approximate counts as last read (visible, in_flight, delayed).",
                None,
                MetricType::Gauge,
            )?;
            for (state, n) in ["visible", "in_flight", "delayed"].iter().zip(counts) {
                ConstGauge::new(n as i64).encode(metric.encode_family(&[("state", *state)])?)?;
            }
        }
        gauge(
            encoder,
            "sqsbench_schedule_lag_seconds",
            "p99 of the last second's schedule lag: actual send time minus intended.",
            self.schedule_lag_p99_us as f64 / 1e6,
        )?;
        let mut metric = encoder.encode_descriptor(
            "sqsbench_offered_rate",
            "Messages per second the producer fleet's schedule offered in the last second (open loop only).",
            None,
            MetricType::Gauge,
        )?;
        for fleet in &self.fleets {
            if let Some(rate) = fleet.offered {
                ConstGauge::new(rate)
                    .encode(metric.encode_family(&[("fleet", fleet.name.as_str())])?)?;
            }
        }
        let mut metric = encoder.encode_descriptor(
            "sqsbench_phase",
            "1 for the phase the run is in, 0 for the others (all 0 once it has ended).",
            None,
            MetricType::Gauge,
        )?;
        for phase in Phase::ALL {
            let on = i64::from(self.phase == Some(phase));
            ConstGauge::new(on).encode(metric.encode_family(&[("phase", phase.name())])?)?;
        }
        Ok(())
    }
}

impl Collector for QueueSeries {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        encode_queues(&self.0, &mut encoder)
    }
}

/// A run of many queues: each labelled queue's counts and end-to-end latency.
fn encode_queues(
    queues: &[QueueTotals],
    encoder: &mut DescriptorEncoder,
) -> Result<(), std::fmt::Error> {
    let families: [QueueFamily; 2] = [
        (
            "sqsbench_queue_messages_sent",
            "Messages the queue acknowledged, every phase, by queue (the first 100 queues; queue=\"other\" sums the rest).",
            |q| q.sent,
        ),
        (
            "sqsbench_queue_messages_received",
            "Deliveries from the queue (duplicates included), every phase, by queue.",
            |q| q.received,
        ),
    ];
    for (name, help, value) in families {
        let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        for q in queues {
            ConstCounter::new(value(q))
                .encode(metric.encode_family(&[("queue", q.name.as_str())])?)?;
        }
    }
    let mut metric = encoder.encode_descriptor(
        "sqsbench_queue_end_to_end_latency",
        "Receive time minus intended send time, measured messages, by queue.",
        Some(&prometheus_client::registry::Unit::Seconds),
        MetricType::Histogram,
    )?;
    for q in queues {
        encode_buckets(&mut metric, &[("queue", q.name.as_str())], &q.end_to_end)?;
    }
    Ok(())
}

fn counter(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: u64,
) -> Result<(), std::fmt::Error> {
    let metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    ConstCounter::new(value).encode(metric)
}

fn counter_by_fleet<'a>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    values: impl Iterator<Item = (&'a str, u64)>,
) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (fleet, value) in values {
        ConstCounter::new(value).encode(metric.encode_family(&[("fleet", fleet)])?)?;
    }
    Ok(())
}

fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: f64,
) -> Result<(), std::fmt::Error> {
    let metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    ConstGauge::new(value).encode(metric)
}

/// A histogram in seconds; `name` carries the `_seconds` unit suffix.
fn histogram(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    labels: &[(&str, &str)],
    buckets: &Buckets,
) -> Result<(), std::fmt::Error> {
    let base = name.strip_suffix("_seconds").unwrap_or(name);
    let mut metric = encoder.encode_descriptor(
        base,
        help,
        Some(&prometheus_client::registry::Unit::Seconds),
        MetricType::Histogram,
    )?;
    encode_buckets(&mut metric, labels, buckets)
}

fn encode_buckets(
    metric: &mut prometheus_client::encoding::MetricEncoder,
    labels: &[(&str, &str)],
    buckets: &Buckets,
) -> Result<(), std::fmt::Error> {
    let bounds: Vec<(f64, u64)> = BOUNDS_US
        .iter()
        .map(|us| *us as f64 / 1e6)
        .chain([f64::INFINITY])
        .zip(buckets.counts)
        .collect();
    let sum = buckets.sum_us as f64 / 1e6;
    if labels.is_empty() {
        metric.encode_histogram::<NoLabelSet>(sum, buckets.count(), &bounds, None)
    } else {
        metric
            .encode_family(&labels)?
            .encode_histogram::<NoLabelSet>(sum, buckets.count(), &bounds, None)
    }
}
