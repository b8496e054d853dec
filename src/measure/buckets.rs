//! Fixed latency buckets, the shape Prometheus histograms have: for the request durations per
//! API, which no HdrHistogram keeps apart, and for turning the HdrHistograms into buckets when
//! metrics are scraped. One bound list, so every exported histogram has the same `le` labels
//! and aggregates across pods. Depends on nothing but hdrhistogram.

use hdrhistogram::Histogram;

/// Upper bounds (inclusive) in µs: 250 µs to 1 min, finest where queue latencies usually are
/// (1–300 ms: a 1-1.5-2-3-5-7.5 ladder), then `+Inf`. Interpolating between 10 and 25 ms, a
/// coarser 1-2.5-5 ladder drew a steady p99 of 11–20 ms as a flat 24.7 ms.
pub const BOUNDS_US: [u64; 26] = [
    250, 500, 1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 50_000, 75_000,
    100_000, 150_000, 200_000, 300_000, 500_000, 750_000, 1_000_000, 2_000_000, 5_000_000,
    10_000_000, 20_000_000, 30_000_000, 60_000_000,
];

/// Counts per bucket (not cumulative): one per bound, then the `+Inf` overflow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Buckets {
    pub counts: [u64; BOUNDS_US.len() + 1],
    pub sum_us: u64,
}

impl Buckets {
    #[inline]
    pub fn observe(&mut self, us: u64) {
        self.counts[slot(us)] += 1;
        self.sum_us = self.sum_us.saturating_add(us);
    }

    pub fn add(&mut self, other: &Buckets) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.sum_us = self.sum_us.saturating_add(other.sum_us);
    }

    /// Everything a histogram recorded. A value lands by its HdrHistogram bucket's highest
    /// equivalent value, so a bound is exact to the histogram's 3 significant digits.
    pub fn add_histogram(&mut self, h: &Histogram<u64>) {
        for v in h.iter_recorded() {
            let n = v.count_at_value();
            self.counts[slot(v.value_iterated_to())] += n;
            self.sum_us = self
                .sum_us
                .saturating_add(n.saturating_mul(h.median_equivalent(v.value_iterated_to())));
        }
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
}

#[inline]
fn slot(us: u64) -> usize {
    BOUNDS_US.partition_point(|b| *b < us)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::latency::new_histogram;

    #[test]
    fn a_value_on_a_bound_counts_in_that_bucket_and_above_the_last_in_overflow() {
        let mut b = Buckets::default();
        for us in [1, 250, 251, 60_000_000, 60_000_001] {
            b.observe(us);
        }
        assert_eq!(b.counts[0], 2);
        assert_eq!(b.counts[1], 1);
        assert_eq!(b.counts[BOUNDS_US.len() - 1], 1);
        assert_eq!(b.counts[BOUNDS_US.len()], 1);
        assert_eq!(b.count(), 5);
        assert_eq!(b.sum_us, 1 + 250 + 251 + 60_000_000 + 60_000_001);
    }

    #[test]
    fn a_histogram_lands_in_the_same_buckets_as_its_values_observed_one_by_one() {
        let mut h = new_histogram();
        let mut direct = Buckets::default();
        // Values below 2,048 µs are exact in a 3-digit HdrHistogram; away from the bounds,
        // larger ones land in the same bucket whichever way they are counted.
        for us in [
            3, 999, 1_000, 1_700, 7_000, 40_000, 3_000_000, 3_000_000, 90_000_000,
        ] {
            h.record(us).unwrap();
            direct.observe(us);
        }
        let mut from_histogram = Buckets::default();
        from_histogram.add_histogram(&h);
        assert_eq!(from_histogram.counts, direct.counts);
        let error = from_histogram.sum_us.abs_diff(direct.sum_us) as f64 / direct.sum_us as f64;
        assert!(
            error < 0.001,
            "sum within the histogram's precision: {error}"
        );
    }
}
