//! A shard's cross-machine latencies split by the shard that sent each message: the three
//! end-to-end histograms and each fleet's end-to-end share, once per sender shard. A merge
//! asked to correct clocks shifts each part by the sender's offset minus the receiver's, which
//! it can only do on parts whose two clocks are known. Kept only by shards of a distributed
//! run; a histogram is made on the first delivery from its sender, so the split costs nothing
//! where a sender's messages never arrive. A latency is kept with its sign (a receiver whose
//! clock is behind the sender's measures some below zero, which the whole histograms keep as
//! 1 µs): each part has a histogram of the values below zero, negated, made only when one
//! arrives. Must not depend on workloads or reports.

use hdrhistogram::Histogram;

use super::fleets::FleetIndex;
use super::latency::{HIGHEST_US, Latency, new_histogram};

/// What a part of the split holds: one of the end-to-end latencies, or one fleet's share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Latency(Latency),
    Fleet(FleetIndex),
}

/// The latencies that compare two machines' clocks: a sender's (the send time in the payload)
/// with a receiver's.
pub const CROSSING: [Latency; 3] = [
    Latency::EndToEnd,
    Latency::EndToEndUncorrected,
    Latency::EndToEndProcessed,
];

impl Part {
    /// Where the part's histograms sit: two per part, values from zero up, then below zero.
    fn slot(self, below_zero: bool) -> usize {
        let part = match self {
            Part::Latency(l) => CROSSING
                .iter()
                .position(|c| *c == l)
                .expect("only end-to-end latencies are split by sender"),
            Part::Fleet(f) => CROSSING.len() + f as usize,
        };
        part * 2 + usize::from(below_zero)
    }

    /// The part and sign at `slot`.
    fn of_slot(slot: usize) -> (Part, bool) {
        let (part, below_zero) = (slot / 2, slot % 2 == 1);
        let part = match CROSSING.get(part) {
            Some(l) => Part::Latency(*l),
            None => Part::Fleet((part - CROSSING.len()) as FleetIndex),
        };
        (part, below_zero)
    }
}

/// One part's histogram: which sender, what of, and whether it holds values below zero.
pub struct Split<'a> {
    pub sender: u32,
    pub part: Part,
    /// The histogram holds latencies below zero, negated (`-3` µs is recorded as 3).
    pub below_zero: bool,
    pub histogram: &'a Histogram<u64>,
}

/// Histograms by sender shard, then by slot (`Part::slot`).
#[derive(Clone, Default)]
pub struct BySender(Vec<Vec<Option<Histogram<u64>>>>);

impl BySender {
    /// One latency, receive time minus send time, either of which may be on another clock.
    #[inline]
    pub fn record(&mut self, sender: u32, part: Part, micros: i64) {
        let below_zero = micros < 0;
        self.histogram(sender as usize, part.slot(below_zero))
            .saturating_record(micros.unsigned_abs().clamp(1, HIGHEST_US));
    }

    fn histogram(&mut self, sender: usize, slot: usize) -> &mut Histogram<u64> {
        if sender >= self.0.len() {
            self.0.resize_with(sender + 1, Vec::new);
        }
        let parts = &mut self.0[sender];
        if slot >= parts.len() {
            parts.resize_with(slot + 1, || None);
        }
        parts[slot].get_or_insert_with(new_histogram)
    }

    pub fn merge(&mut self, other: &BySender) {
        for s in other.iter() {
            self.histogram(s.sender as usize, s.part.slot(s.below_zero))
                .add(s.histogram)
                .expect("every latency histogram has the same bounds, so addition cannot fail");
        }
    }

    /// Every non-empty histogram of the split.
    pub fn iter(&self) -> impl Iterator<Item = Split<'_>> {
        self.0.iter().enumerate().flat_map(|(sender, parts)| {
            parts.iter().enumerate().filter_map(move |(slot, h)| {
                let histogram = h.as_ref().filter(|h| !h.is_empty())?;
                let (part, below_zero) = Part::of_slot(slot);
                Some(Split {
                    sender: sender as u32,
                    part,
                    below_zero,
                    histogram,
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_keep_their_sender_and_merge_per_sender() {
        let mut a = BySender::default();
        a.record(2, Part::Latency(Latency::EndToEnd), 1_000);
        a.record(2, Part::Fleet(1), 1_000);
        let mut b = BySender::default();
        b.record(0, Part::Latency(Latency::EndToEndProcessed), 5);
        b.record(2, Part::Latency(Latency::EndToEnd), 2_000);
        b.record(2, Part::Latency(Latency::EndToEnd), -2_000);
        a.merge(&b);
        let parts: Vec<(u32, Part, bool, u64, u64)> = a
            .iter()
            .map(|s| {
                (
                    s.sender,
                    s.part,
                    s.below_zero,
                    s.histogram.len(),
                    s.histogram.max(),
                )
            })
            .collect();
        assert_eq!(
            parts,
            vec![
                (0, Part::Latency(Latency::EndToEndProcessed), false, 1, 5),
                (2, Part::Latency(Latency::EndToEnd), false, 2, 2_000),
                (2, Part::Latency(Latency::EndToEnd), true, 1, 2_000),
                (2, Part::Fleet(1), false, 1, 1_000),
            ]
        );
    }
}
