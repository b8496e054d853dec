//! This process's clock against the queue's, bounded rather than assumed. SQS stamps a
//! message's first receive with its own clock (`ApproximateFirstReceiveTimestamp`, in ms); that
//! instant lies inside the ReceiveMessage call that got the message, as this process timed it.
//! So each first receive bounds the offset (local − queue) to a window: from the call's start
//! minus the stamp's end of millisecond, to the call's end minus the stamp. Every window holds
//! the true offset, so their intersection does too, and the narrowest calls make it tightest.
//! Pure arithmetic; depends on nothing.

use serde::{Deserialize, Serialize};

/// The windows seen so far: their intersection, and the narrowest one alone (what is left to
/// say if the intersection is empty, because a clock stepped during the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetWindows {
    lower_us: i64,
    upper_us: i64,
    narrowest: Option<(i64, i64)>,
    windows: u64,
}

impl Default for OffsetWindows {
    fn default() -> Self {
        OffsetWindows {
            lower_us: i64::MIN,
            upper_us: i64::MAX,
            narrowest: None,
            windows: 0,
        }
    }
}

/// The offset a first receive allows: local − queue, in µs, from a call that started and
/// ended at these local times (µs since the epoch) and the queue's stamp (ms since the epoch).
pub fn window(started_us: u64, ended_us: u64, first_receive_ms: u64) -> (i64, i64) {
    let stamp_us = first_receive_ms as i64 * 1000;
    // The stamp is truncated to its millisecond: the instant is up to 1 ms after it.
    (
        started_us as i64 - (stamp_us + 1000),
        ended_us as i64 - stamp_us,
    )
}

impl OffsetWindows {
    pub fn add(&mut self, (lower, upper): (i64, i64)) {
        self.lower_us = self.lower_us.max(lower);
        self.upper_us = self.upper_us.min(upper);
        if self.narrowest.is_none_or(|(l, u)| upper - lower < u - l) {
            self.narrowest = Some((lower, upper));
        }
        self.windows += 1;
    }

    pub fn merge(&mut self, other: &OffsetWindows) {
        self.lower_us = self.lower_us.max(other.lower_us);
        self.upper_us = self.upper_us.min(other.upper_us);
        if let Some((l, u)) = other.narrowest
            && self.narrowest.is_none_or(|(sl, su)| u - l < su - sl)
        {
            self.narrowest = Some((l, u));
        }
        self.windows += other.windows;
    }

    /// The estimate (the middle of what is allowed) and its bound, or `None` without a first
    /// receive.
    pub fn estimate(&self) -> Option<ClockOffset> {
        let (lower, upper, consistent) = if self.lower_us <= self.upper_us {
            (self.lower_us, self.upper_us, true)
        } else {
            let (l, u) = self.narrowest?;
            (l, u, false)
        };
        if self.windows == 0 {
            return None;
        }
        Some(ClockOffset {
            estimate_ms: (lower as f64 + upper as f64) / 2.0 / 1000.0,
            bound_ms: (upper as f64 - lower as f64) / 2.0 / 1000.0,
            windows: self.windows,
            consistent,
        })
    }
}

/// Floors on each sender's offset, from SQS's `SentTimestamp`: the payload's send time (the
/// sender's clock, taken before its send call) is no later than SQS's stamp of the message's
/// arrival (truncated to its millisecond), so the sender's offset is above the send time minus
/// the stamp's end of millisecond. Only a floor: how long the send took is not known. One per
/// producer id; a merge checks each shard's own estimate against its producers' floors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderFloors(Vec<i64>);

impl SenderFloors {
    #[inline]
    pub fn observe(&mut self, producer: u32, sent_us: u64, sent_stamp_ms: u64) {
        let floor = sent_us as i64 - (sent_stamp_ms as i64 * 1000 + 1000);
        let i = producer as usize;
        if i >= self.0.len() {
            self.0.resize(i + 1, i64::MIN);
        }
        self.0[i] = self.0[i].max(floor);
    }

    pub fn merge(&mut self, other: &SenderFloors) {
        if other.0.len() > self.0.len() {
            self.0.resize(other.0.len(), i64::MIN);
        }
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a = (*a).max(*b);
        }
    }

    /// The floor in ms on each of `count` shards' offsets (producer task p runs on shard
    /// p mod count); `None` for a shard none of whose messages were received here.
    pub fn by_shard(&self, count: u32) -> Vec<Option<f64>> {
        let shards = count.max(1) as usize;
        let mut floors = vec![None; shards];
        for (producer, floor) in self.0.iter().enumerate().filter(|(_, f)| **f > i64::MIN) {
            let slot: &mut Option<f64> = &mut floors[producer % shards];
            let ms = *floor as f64 / 1000.0;
            *slot = Some(slot.map_or(ms, |f| f.max(ms)));
        }
        floors
    }
}

/// The shard whose clock may be furthest from the queue's (estimate and bound together), with
/// that worst case in ms: what a latency between two shards' clocks may be off by, either way.
pub fn worst<'a>(offsets: impl Iterator<Item = (u32, &'a ClockOffset)>) -> Option<(u32, f64)> {
    offsets
        .map(|(shard, o)| (shard, o.estimate_ms.abs() + o.bound_ms))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// summary.json's `clock_offset`: this process's clock minus the queue's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClockOffset {
    /// Positive: this clock is ahead of the queue's.
    pub estimate_ms: f64,
    /// The true offset is within estimate ± bound.
    pub bound_ms: f64,
    /// First receives that bounded it.
    pub windows: u64,
    /// false: the windows did not all overlap (a clock stepped during the run); the estimate
    /// is the narrowest window's alone.
    pub consistent: bool,
}

impl ClockOffset {
    /// `+2500.12 ms ± 0.61 ms`.
    pub fn describe(&self) -> String {
        format!("{:+.2} ms ± {:.2} ms", self.estimate_ms, self.bound_ms)
    }

    /// This offset with its lower end raised to `floor_ms` (the floor SQS's SentTimestamp puts
    /// under it), when that is tighter; None when the floor is above it (the clock check fails).
    pub fn narrowed(&self, floor_ms: f64) -> Option<ClockOffset> {
        let (low, high) = (
            self.estimate_ms - self.bound_ms,
            self.estimate_ms + self.bound_ms,
        );
        if floor_ms > high {
            return None;
        }
        let low = low.max(floor_ms);
        Some(ClockOffset {
            estimate_ms: (low + high) / 2.0,
            bound_ms: (high - low) / 2.0,
            ..*self
        })
    }

    /// Whether this estimate allows the floor a shard's sends put on its offset.
    pub fn allows(&self, floor_ms: f64) -> bool {
        self.estimate_ms + self.bound_ms >= floor_ms
    }

    /// Whether the offset is certainly more than 1 ms either way: worth a flag beside
    /// latencies that compare this clock with another machine's.
    pub fn skewed(&self) -> bool {
        self.estimate_ms.abs() - self.bound_ms > 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_intersect_to_the_true_offset_and_the_bound_shrinks() {
        // A clock 2,500 ms ahead: calls of 10 ms and 3 ms around the queue's stamps.
        let offset_us = 2_500_000i64;
        let mut w = OffsetWindows::default();
        for (queue_at_us, before, after) in [
            (1_000_000_400u64, 6_000u64, 4_000u64),
            (1_000_900_700, 1_000, 2_000),
        ] {
            let local = (queue_at_us as i64 + offset_us) as u64;
            w.add(window(local - before, local + after, queue_at_us / 1000));
        }
        let e = w.estimate().unwrap();
        assert!(e.consistent);
        assert!((e.estimate_ms - 2_500.0).abs() <= e.bound_ms, "{e:?}");
        assert!(e.bound_ms <= 2.0, "the narrow call bounds it: {e:?}");
        assert!(e.skewed());
        assert_eq!(e.windows, 2);
    }

    #[test]
    fn no_first_receive_no_estimate_and_disjoint_windows_fall_back_to_the_narrowest() {
        assert_eq!(OffsetWindows::default().estimate(), None);
        let mut w = OffsetWindows::default();
        w.add((0, 1_000));
        w.add((50_000, 60_000));
        let e = w.estimate().unwrap();
        assert!(!e.consistent);
        assert_eq!((e.estimate_ms, e.bound_ms), (0.5, 0.5));
        let mut other = OffsetWindows::default();
        other.add((100, 400));
        w.merge(&other);
        assert_eq!(w.estimate().unwrap().estimate_ms, 0.25);
    }

    #[test]
    fn send_stamps_put_a_floor_under_each_shards_offset() {
        let mut a = SenderFloors::default();
        // Producer 3, 2,500 ms ahead: stamped 4 ms, then 10 ms, after it took its send time.
        a.observe(3, 10_002_500_000, 10_000_004);
        a.observe(3, 10_002_900_000, 10_000_410);
        let mut b = SenderFloors::default();
        b.observe(0, 20_000_000, 20_000);
        b.merge(&a);
        let floors = b.by_shard(2);
        assert_eq!(floors[0], Some(-1.0), "producer 0: a stamp in the same ms");
        assert_eq!(
            floors[1],
            Some(2_495.0),
            "producer 3 on shard 1: the tighter of its two"
        );
        let measured = ClockOffset {
            estimate_ms: 2_500.1,
            bound_ms: 0.4,
            windows: 10,
            consistent: true,
        };
        assert!(measured.allows(2_495.0));
        assert!(!measured.allows(2_600.0));
        let same = measured.narrowed(2_495.0).unwrap();
        assert!(
            (same.estimate_ms - measured.estimate_ms).abs() < 1e-9
                && (same.bound_ms - measured.bound_ms).abs() < 1e-9,
            "a floor below: nothing gained"
        );
        let wide = ClockOffset {
            estimate_ms: 2_954.0,
            bound_ms: 46.0,
            ..measured
        };
        let narrowed = wide.narrowed(2_999.6).unwrap();
        assert!(
            (narrowed.estimate_ms - 2_999.8).abs() < 1e-9,
            "{narrowed:?}"
        );
        assert!((narrowed.bound_ms - 0.2).abs() < 1e-9, "{narrowed:?}");
        assert_eq!(
            wide.narrowed(3_000.1),
            None,
            "a floor above: the check fails"
        );
        assert_eq!(SenderFloors::default().by_shard(3), vec![None, None, None]);
    }

    #[test]
    fn an_offset_within_its_bound_of_zero_is_not_skewed() {
        let e = ClockOffset {
            estimate_ms: 0.8,
            bound_ms: 0.5,
            windows: 1,
            consistent: true,
        };
        assert!(!e.skewed());
    }
}
