//! `merge --correct-clock-offset`: each shard's end-to-end histograms rebuilt from their parts
//! by sender shard, each part shifted by the sender's clock offset minus the receiver's (as
//! each measured its own against the queue's clock), so a latency between two machines reads
//! as if on one clock. A latency measured on the sender's machine is measured on one clock
//! and is not shifted. Each offset is the shard's own first-receive bound, its lower end
//! raised to the floor SQS's SentTimestamp of its messages put under it, which is often far
//! tighter. A part whose two clocks were not both measured, or a shard whose two bounds
//! disagree, is refused rather than passed through: an uncorrected part would pass for a
//! corrected one.

use hdrhistogram::Histogram;

use super::inputs::ShardDir;
use crate::measure::by_sender::CROSSING;
use crate::measure::clock_offset::ClockOffset;
use crate::measure::latency::{HIGHEST_US, new_histogram};
use crate::measure::summary::ClockCorrection;
use crate::report::load::{Interval, Tagged};

/// The shift to apply, per shard pair, and what applying it found.
pub(super) struct Correction {
    /// Each shard's clock minus the queue's, by index (None: it measured none).
    offsets: Vec<Option<ClockOffset>>,
    offsets_us: Vec<Option<i64>>,
    /// Per receiving shard: samples of the whole end-to-end histograms left out, and of their
    /// parts by sender put in instead. They must match, or parts are missing.
    left_out: Vec<u64>,
    put_in: Vec<u64>,
    /// Samples the shift took below 1 µs (recorded as 1 µs): an estimate is off.
    below_zero: u64,
}

/// What the merge adds of one interval.
pub(super) enum Admitted {
    /// The interval as it is.
    Whole,
    /// A sender's part, shifted, added as the whole it is part of.
    Shifted(Tagged, Histogram<u64>),
    /// Nothing: a whole its parts replace, or a part when nothing is corrected.
    Nothing,
}

impl Correction {
    /// Each shard's offset, narrowed by its send floor; refused when the two disagree.
    pub(super) fn new(shards: &[ShardDir], count: u32) -> anyhow::Result<Correction> {
        let mut offsets = vec![None; count as usize];
        for s in shards {
            let index = s.record.shard.index;
            let (Some(slot), Some(own)) = (
                offsets.get_mut(index as usize),
                s.summary.as_ref().and_then(|s| s.clock_offset),
            ) else {
                continue;
            };
            *slot = Some(match super::summary::sends_floor(shards, index) {
                None => own,
                Some(floor) => own.narrowed(floor).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--correct-clock-offset: shard {index}'s clock check failed (its messages' SentTimestamp put its offset at least {floor:+.2} ms from the queue's, beyond its measured {}), so its offset is not known well enough to correct by; merge without --correct-clock-offset",
                        own.describe()
                    )
                })?,
            });
        }
        let offsets_us = offsets
            .iter()
            .map(|o| o.map(|o| (o.estimate_ms * 1000.0).round() as i64))
            .collect();
        Ok(Correction {
            offsets,
            offsets_us,
            left_out: vec![0; count as usize],
            put_in: vec![0; count as usize],
            below_zero: 0,
        })
    }

    /// What of `interval`, from shard `receiver`'s log, goes into the merge.
    pub(super) fn admit(&mut self, receiver: u32, interval: &Interval) -> anyhow::Result<Admitted> {
        let r = receiver as usize;
        match &interval.tagged {
            Tagged::Latency(l) if !CROSSING.contains(l) => Ok(Admitted::Whole),
            // Shards never run many queues (`run::shape`): nothing of a queue's to shift.
            Tagged::Queue => Ok(Admitted::Nothing),
            Tagged::Latency(_) | Tagged::Fleet(_) => {
                *self.left_out.get_mut(r).ok_or_else(|| beyond(receiver))? +=
                    interval.histogram.len();
                Ok(Admitted::Nothing)
            }
            Tagged::FromSender {
                sender,
                below_zero,
                of,
            } => {
                let by_us = self.offset(*sender, receiver)? - self.offset(receiver, *sender)?;
                *self.put_in.get_mut(r).ok_or_else(|| beyond(receiver))? +=
                    interval.histogram.len();
                let sign = if *below_zero { -1 } else { 1 };
                let h = shifted(&interval.histogram, sign, by_us, &mut self.below_zero);
                Ok(Admitted::Shifted((**of).clone(), h))
            }
        }
    }

    /// Shard `shard`'s measured offset, or why a latency between it and `other` cannot be
    /// corrected.
    fn offset(&self, shard: u32, other: u32) -> anyhow::Result<i64> {
        self.offsets_us
            .get(shard as usize)
            .copied()
            .flatten()
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--correct-clock-offset: shard {shard} measured no clock offset (it finished no run with a first receive of its own), so latencies between it and shard {other} cannot be corrected; merge without --correct-clock-offset"
                )
            })
    }

    /// After every interval: each shard's parts add up to its wholes, and what was found.
    pub(super) fn finish(self) -> anyhow::Result<ClockCorrection> {
        for (shard, (left, put)) in self.left_out.iter().zip(&self.put_in).enumerate() {
            if left != put {
                anyhow::bail!(
                    "--correct-clock-offset: shard {shard}'s histogram log splits {put} of its {left} end-to-end samples by sender (it was written by an sqsbench that did not split them), so its latencies cannot be corrected; merge without --correct-clock-offset"
                );
            }
        }
        let mut bounds: Vec<f64> = self.offsets.iter().flatten().map(|o| o.bound_ms).collect();
        bounds.sort_by(|a, b| b.total_cmp(a));
        Ok(ClockCorrection {
            within_ms: bounds.iter().take(2).sum(),
            below_zero: self.below_zero,
            offsets: self.offsets,
        })
    }
}

fn beyond(shard: u32) -> anyhow::Error {
    anyhow::anyhow!("shard {shard} is beyond the run's shard count")
}

/// `h`'s values, times `sign` (−1: the histogram holds values below zero, negated), moved by
/// `by_us`. Values are taken at the middle of their bucket, so within the histogram's 0.1 %;
/// what would fall below 1 µs is recorded as 1 µs and counted.
fn shifted(h: &Histogram<u64>, sign: i64, by_us: i64, below_zero: &mut u64) -> Histogram<u64> {
    if by_us == 0 && sign == 1 {
        return h.clone();
    }
    let mut out = new_histogram();
    for v in h.iter_recorded() {
        let value = sign * h.median_equivalent(v.value_iterated_to()) as i64 + by_us;
        if value < 1 {
            *below_zero += v.count_at_value();
        }
        out.saturating_record_n(value.clamp(1, HIGHEST_US as i64) as u64, v.count_at_value());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn values_below_zero_come_back_when_the_sender_was_ahead() {
        // The sender 3 s ahead of the receiver: a 20 ms latency measured as −2,980 ms, kept
        // negated. The shift is as exact as the bucket of the value before it (0.1 %: 1 ms).
        let mut h = new_histogram();
        h.record(2_980_000).unwrap();
        let mut below = 0;
        let out = shifted(&h, -1, 3_000_000, &mut below);
        assert_eq!((out.len(), below), (1, 0));
        assert!(out.max().abs_diff(20_000) <= 1_100, "{}", out.max());
        let back = shifted(&h, -1, 2_000_000, &mut below);
        assert_eq!(
            (back.max(), below),
            (1, 1),
            "an estimate 1 s short: below zero, counted"
        );
    }

    proptest! {
        #[test]
        fn a_shift_moves_every_value_and_keeps_every_sample(
            values in prop::collection::vec(1u64..10_000_000, 1..200),
            by_us in -3_000_000i64..3_000_000,
        ) {
            let mut h = new_histogram();
            for v in &values {
                h.record(*v).unwrap();
            }
            let mut below = 0;
            let out = shifted(&h, 1, by_us, &mut below);
            prop_assert_eq!(out.len(), h.len());
            let expected_below = values.iter().filter(|v| (**v as i64) + by_us < 1).count() as u64;
            // A value within a bucket's width of zero may land either side of it.
            let near = values
                .iter()
                .filter(|v| ((**v as i64) + by_us).unsigned_abs() <= h.equivalent_range(**v))
                .count() as u64;
            prop_assert!(below.abs_diff(expected_below) <= near, "{} vs {}", below, expected_below);
            let max = values.iter().map(|v| *v as i64 + by_us).max().unwrap().max(1) as u64;
            // Off by the width of the bucket the value came from (at its unshifted size) and of
            // the bucket it lands in.
            let from = *values.iter().max().unwrap();
            prop_assert!(out.max().abs_diff(max) <= h.equivalent_range(from) + out.equivalent_range(max),
                "max {} vs {}", out.max(), max);
        }
    }
}
