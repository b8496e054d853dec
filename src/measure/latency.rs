//! Latency histograms: HdrHistograms in microseconds (1 µs to 1 hour, 3 significant digits), one
//! per measured latency, kept whole (never only percentiles) so runs can be merged and re-read.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

pub const HIGHEST_US: u64 = 3_600_000_000;
/// Every latency histogram's precision (shards record it, so a merge can check it).
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// The latencies sqsbench measures, in the order reports list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Latency {
    /// Receive time minus intended send time (coordinated-omission corrected).
    EndToEnd,
    /// Receive time minus actual send time.
    EndToEndUncorrected,
    /// Successful processing time minus intended send time: when the consumer was done with
    /// it, failures and redeliveries included.
    EndToEndProcessed,
    Send,
    Receive,
    Delete,
    /// Actual send time minus intended send time.
    ScheduleLag,
}

impl Latency {
    pub const ALL: [Latency; 7] = [
        Latency::EndToEnd,
        Latency::EndToEndUncorrected,
        Latency::EndToEndProcessed,
        Latency::Send,
        Latency::Receive,
        Latency::Delete,
        Latency::ScheduleLag,
    ];

    /// How reports name it.
    pub fn label(self) -> &'static str {
        match self {
            Latency::EndToEnd => "end-to-end (intended)",
            Latency::EndToEndUncorrected => "end-to-end (actual send)",
            Latency::EndToEndProcessed => "end-to-end to processed",
            Latency::Send => "send call",
            Latency::Receive => "receive call",
            Latency::Delete => "delete call",
            Latency::ScheduleLag => "schedule lag",
        }
    }

    /// The name in summary.json and tags in histograms.hlog.
    pub fn key(self) -> &'static str {
        match self {
            Latency::EndToEnd => "end_to_end",
            Latency::EndToEndUncorrected => "end_to_end_uncorrected",
            Latency::EndToEndProcessed => "end_to_end_processed",
            Latency::Send => "send",
            Latency::Receive => "receive",
            Latency::Delete => "delete",
            Latency::ScheduleLag => "schedule_lag",
        }
    }
}

pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, SIGNIFICANT_DIGITS).expect("static bounds are valid")
}

/// One histogram per latency.
#[derive(Clone)]
pub struct Latencies {
    histograms: [Histogram<u64>; Latency::ALL.len()],
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies {
            histograms: std::array::from_fn(|_| new_histogram()),
        }
    }
}

impl Latencies {
    #[inline]
    pub fn record(&mut self, which: Latency, micros: u64) {
        self.histograms[which as usize].saturating_record(micros.clamp(1, HIGHEST_US));
    }

    pub fn get(&self, which: Latency) -> &Histogram<u64> {
        &self.histograms[which as usize]
    }

    /// Adds a histogram read back from a log; one with values beyond 1 hour is refused.
    pub fn add(&mut self, which: Latency, histogram: &Histogram<u64>) -> anyhow::Result<()> {
        self.histograms[which as usize]
            .add(histogram)
            .map_err(|e| anyhow::anyhow!("{}: {e:?}", which.key()))
    }

    pub fn merge(&mut self, other: &Latencies) {
        for (a, b) in self.histograms.iter_mut().zip(&other.histograms) {
            a.add(b)
                .expect("every latency histogram has the same bounds, so addition cannot fail");
        }
    }
}

/// A histogram's headline figures, as summary.json reports them (µs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyStats {
    pub count: u64,
    pub min: u64,
    pub mean: f64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

impl LatencyStats {
    pub fn of(h: &Histogram<u64>) -> LatencyStats {
        if h.is_empty() {
            return LatencyStats::default();
        }
        LatencyStats {
            count: h.len(),
            min: h.min(),
            mean: crate::round::tenths(h.mean()),
            p50: h.value_at_quantile(0.50),
            p90: h.value_at_quantile(0.90),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_estimate_knows_what_a_histogram_costs() {
        let bytes = new_histogram().distinct_values() as u64 * 8;
        assert_eq!(bytes, crate::scenario::limits::HISTOGRAM_BYTES);
    }

    #[test]
    fn records_merge_and_summarise() {
        let mut a = Latencies::default();
        let mut b = Latencies::default();
        for v in 1..=100 {
            a.record(Latency::EndToEnd, v * 1000);
        }
        b.record(Latency::EndToEnd, 1_000_000);
        b.record(Latency::Send, 0);
        a.merge(&b);
        let s = LatencyStats::of(a.get(Latency::EndToEnd));
        assert_eq!(s.count, 101);
        assert_eq!(s.max, 1_000_447);
        assert!((49_000..=51_100).contains(&s.p50), "{}", s.p50);
        assert_eq!(
            LatencyStats::of(a.get(Latency::Send)).min,
            1,
            "zero is recorded as 1 µs, never dropped"
        );
        assert_eq!(
            LatencyStats::of(a.get(Latency::Delete)),
            LatencyStats::default()
        );
    }
}
