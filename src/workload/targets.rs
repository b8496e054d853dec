//! Which queue each call goes to in a run of many queues: a producer's sends spread over its
//! fleet's queues (evenly in rotation, or drawn by weight), and a consumer fleet's tasks spread
//! over its queues, a task with several polling them in rotation. Pure: no I/O.

use std::ops::Range;
use std::time::Duration;

use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;

/// How a producer picks the queue of its next call, among `lanes`.
#[derive(Debug, Clone)]
pub(crate) struct SendTargets {
    pub lanes: Range<usize>,
    /// `None`: even, in rotation from the producer's own starting queue.
    weights: Option<WeightedIndex<f64>>,
    /// Per-queue figures are recorded (a `[[queues]]` run).
    pub recorded: bool,
}

impl SendTargets {
    /// `shares` per lane (all equal: even).
    pub(crate) fn new(lanes: Range<usize>, shares: &[f64], recorded: bool) -> SendTargets {
        let even = shares.windows(2).all(|w| w[0] == w[1]);
        SendTargets {
            weights: if even {
                None
            } else {
                WeightedIndex::new(shares).ok()
            },
            lanes,
            recorded,
        }
    }

    /// One queue, not recorded per queue: a queue or fan-out run.
    pub(crate) fn one() -> SendTargets {
        SendTargets::new(0..1, &[1.0], false)
    }

    /// The lane of a producer's `call`-th call: even shares rotate from the producer's `id`, so a
    /// fleet's tasks start on different queues; weighted ones are drawn.
    pub(crate) fn pick(&self, id: u32, call: u64, rng: &mut StdRng) -> usize {
        let n = self.lanes.len().max(1);
        let offset = match &self.weights {
            Some(w) => w.sample(rng),
            None => ((u64::from(id) + call) % n as u64) as usize,
        };
        self.lanes.start + offset
    }
}

/// The lanes consumer `task` of a fleet of `count` tasks reads, among `lanes`: one each when
/// there are at least as many tasks as queues (queues shared round-robin), else every
/// `count`-th queue from its own, so no queue is left unpolled.
pub(crate) fn consumer_lanes(lanes: Range<usize>, count: u32, task: u32) -> Vec<usize> {
    let n = lanes.len();
    if n == 0 {
        return Vec::new();
    }
    let (count, task) = (count.max(1) as usize, task as usize);
    if count >= n {
        return vec![lanes.start + task % n];
    }
    (task..n).step_by(count).map(|i| lanes.start + i).collect()
}

/// The longest a task polling several queues in rotation long-polls one of them.
pub(crate) const ROTATION_WAIT: Duration = Duration::from_secs(1);

/// How a task of several queues polls them: short polls (no wait) round the queues, so a busy
/// queue is never kept waiting behind idle ones; once a whole round came back empty, one long
/// poll of at most `ROTATION_WAIT` on the next queue, then short polls again. A message on any
/// queue of an idle rotation is seen within about a second plus one round of short polls, and
/// an idle task makes about `queues + 1` receive calls a second.
#[derive(Debug, Clone)]
pub(crate) struct Rotation {
    queues: usize,
    /// Empty receives since the last that returned messages (or the last long poll).
    empty: usize,
    turn: usize,
}

impl Rotation {
    pub(crate) fn new(queues: usize) -> Rotation {
        Rotation {
            queues,
            empty: 0,
            turn: 0,
        }
    }

    /// The place (among the task's queues) of the next receive, and how long it may wait given
    /// the fleet's `wait_time`; a task of one queue always long-polls it with `wait_time`.
    pub(crate) fn next(&mut self, wait_time: Duration) -> (usize, Duration) {
        let place = self.turn % self.queues.max(1);
        self.turn += 1;
        let wait = match self.queues {
            0 | 1 => wait_time,
            n if self.empty >= n => wait_time.min(ROTATION_WAIT),
            _ => Duration::ZERO,
        };
        (place, wait)
    }

    /// What the receive of `next` returned; `waited` when it was a long poll.
    pub(crate) fn received(&mut self, messages: bool, waited: Duration) {
        if messages || (self.queues > 1 && !waited.is_zero()) {
            self.empty = 0;
        } else {
            self.empty += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    proptest! {
        #[test]
        fn every_queue_is_polled_by_some_task_and_no_task_is_idle(n in 1usize..300, count in 1u32..400) {
            let mut polled = vec![0u32; n];
            for task in 0..count {
                let mine = consumer_lanes(10..10 + n, count, task);
                prop_assert!(!mine.is_empty());
                for l in mine {
                    polled[l - 10] += 1;
                }
            }
            prop_assert!(polled.iter().all(|p| *p >= 1));
            // Tasks are shared as evenly as they can be.
            let (lo, hi) = (polled.iter().min().unwrap(), polled.iter().max().unwrap());
            prop_assert!(hi - lo <= 1);
        }
    }

    #[test]
    fn even_sends_rotate_and_weighted_ones_follow_their_weights() {
        let mut rng = StdRng::seed_from_u64(1);
        let even = SendTargets::new(5..8, &[1.0; 3], true);
        let lanes: Vec<usize> = (0..4).map(|c| even.pick(1, c, &mut rng)).collect();
        assert_eq!(lanes, [6, 7, 5, 6]);
        let weighted = SendTargets::new(0..3, &[0.0, 1.0, 3.0], true);
        let mut counts = [0u32; 3];
        for c in 0..40_000 {
            counts[weighted.pick(0, c, &mut rng)] += 1;
        }
        assert_eq!(counts[0], 0);
        let ratio = f64::from(counts[2]) / f64::from(counts[1]);
        assert!((ratio - 3.0).abs() < 0.15, "{counts:?}");
    }

    #[test]
    fn a_rotation_short_polls_until_a_whole_round_is_empty_then_long_polls_once() {
        let twenty = Duration::from_secs(20);
        let mut one = Rotation::new(1);
        assert_eq!(one.next(twenty), (0, twenty));
        let mut r = Rotation::new(3);
        let mut seen = Vec::new();
        for got in [true, false, false, false, false, false, false, false] {
            let (place, wait) = r.next(twenty);
            seen.push((place, wait.as_secs()));
            r.received(got, wait);
        }
        // A busy first queue, then a round of three empties, one long poll of a second, then
        // short polls again.
        assert_eq!(
            seen,
            [
                (0, 0),
                (1, 0),
                (2, 0),
                (0, 0),
                (1, 1),
                (2, 0),
                (0, 0),
                (1, 0)
            ]
        );
        let mut short = Rotation::new(2);
        short.received(false, Duration::ZERO);
        short.received(false, Duration::ZERO);
        assert_eq!(
            short.next(Duration::ZERO).1,
            Duration::ZERO,
            "short polling stays short"
        );
    }
}
