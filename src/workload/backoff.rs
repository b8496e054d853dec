//! How long a producer or consumer task waits after a call that reached no server (refused,
//! reset before an answer, out of file descriptors): exponential from 50 ms with jitter, capped
//! at 1 s, and back to the start on the first call that connects. A target that is down is
//! then tried about once a second per task, not in a tight loop, and a brief blip costs
//! 25–50 ms. Pure arithmetic on a seeded generator; the task does the waiting.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The first pause's upper bound; each further failure doubles it.
pub(crate) const FIRST: Duration = Duration::from_millis(50);
/// No pause is longer.
pub(crate) const CAP: Duration = Duration::from_secs(1);

/// One task's backoff state.
#[derive(Debug)]
pub(crate) struct Backoff {
    failures: u32,
    rng: StdRng,
}

impl Backoff {
    /// Seeded per task, so tasks that failed together do not retry together, and a run with
    /// a seed pauses the same way each time.
    pub(crate) fn new(seed: u64) -> Backoff {
        Backoff {
            failures: 0,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// The pause after one more failure in a row: uniform in the upper half of
    /// `min(FIRST × 2^failures, CAP)` ("equal jitter": spread out, but never near zero, so the
    /// attempts a task makes during an outage stay bounded).
    pub(crate) fn failed(&mut self) -> Duration {
        let ceiling = FIRST.saturating_mul(1u32 << self.failures.min(16)).min(CAP);
        self.failures = self.failures.saturating_add(1);
        let half = ceiling / 2;
        half + half.mul_f64(self.rng.random::<f64>())
    }

    /// A call connected: the next failure starts from `FIRST` again.
    pub(crate) fn connected(&mut self) {
        self.failures = 0;
    }

    /// Failures in a row so far.
    #[cfg(test)]
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Failed attempts that fit in `outage` when every pause is as short as it can be.
    fn most_attempts_within(outage: Duration) -> u32 {
        let (mut waited, mut attempts) = (Duration::ZERO, 1);
        while waited < outage {
            let ceiling = FIRST.saturating_mul(1u32 << (attempts - 1)).min(CAP);
            waited += ceiling / 2;
            attempts += 1;
        }
        attempts
    }

    #[test]
    fn pauses_double_from_50_ms_to_at_most_1_s() {
        let mut b = Backoff::new(7);
        let pauses: Vec<Duration> = (0..8).map(|_| b.failed()).collect();
        let ceilings = [50, 100, 200, 400, 800, 1000, 1000, 1000];
        for (pause, ceiling) in pauses.iter().zip(ceilings) {
            let ceiling = Duration::from_millis(ceiling);
            assert!(*pause >= ceiling / 2 && *pause <= ceiling, "{pauses:?}");
        }
        assert_eq!(b.failures(), 8);
    }

    #[test]
    fn a_connected_call_starts_over() {
        let mut b = Backoff::new(1);
        for _ in 0..10 {
            b.failed();
        }
        b.connected();
        assert!(b.failed() <= FIRST);
    }

    #[test]
    fn a_five_second_outage_costs_a_task_at_most_15_attempts() {
        // The bound: "at most about 15 attempts" per task during a 5 s outage.
        assert!(most_attempts_within(Duration::from_secs(5)) <= 15);
    }

    #[test]
    fn tasks_with_different_seeds_spread_apart() {
        let a: Vec<Duration> = {
            let mut b = Backoff::new(1);
            (0..6).map(|_| b.failed()).collect()
        };
        let mut b = Backoff::new(2);
        let c: Vec<Duration> = (0..6).map(|_| b.failed()).collect();
        assert_ne!(a, c);
    }

    proptest! {
        #[test]
        fn no_pause_is_longer_than_the_cap_or_shorter_than_half_its_ceiling(
            seed in any::<u64>(),
            failures in 0u32..200,
        ) {
            let mut b = Backoff::new(seed);
            for n in 0..failures {
                let pause = b.failed();
                let ceiling = FIRST.saturating_mul(1u32 << n.min(16)).min(CAP);
                prop_assert!(pause <= CAP);
                prop_assert!(pause >= ceiling / 2);
            }
        }
    }
}
