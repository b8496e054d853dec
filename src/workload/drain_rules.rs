//! When a run's drain ends, as a pure decision over what the engine observed and when:
//! - every acknowledged message settled (deleted or dead-lettered), and `SETTLED_GRACE` passed
//!   for extra copies still on the queue;
//! - or the queue answered empty twice in a row (asked at most every `EMPTY_CHECK_EVERY`; lost
//!   messages stay lost), and stayed empty for the router's quiet time: an EventBridge bus
//!   holds events it has not delivered yet where no queue count sees them;
//! - or the drain timeout passed.
//!
//! Time is passed in (time since the run began), so the rules are tested without sleeping.
//! Depends on nothing.

use std::time::Duration;

/// How often the drain asks whether the queue is empty.
pub(crate) const EMPTY_CHECK_EVERY: Duration = Duration::from_millis(250);
/// How long the drain waits, once everything is deleted, for the queue to report empty.
pub(crate) const SETTLED_GRACE: Duration = Duration::from_secs(2);

/// How a drain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DrainEnd {
    /// Nothing more will arrive.
    Drained,
    /// The drain timeout passed first.
    TimedOut,
}

/// The drain's state: when it began and what it has seen.
#[derive(Debug, Clone)]
pub(crate) struct DrainRules {
    started: Duration,
    timeout: Duration,
    settled_since: Option<Duration>,
    empty_in_a_row: u32,
    last_empty_check: Option<Duration>,
    /// How long the queues must stay empty before that ends the drain (zero: two answers).
    quiet: Duration,
    empty_since: Option<Duration>,
}

impl DrainRules {
    pub(crate) fn new(started: Duration, timeout: Duration) -> DrainRules {
        DrainRules {
            started,
            timeout,
            settled_since: None,
            empty_in_a_row: 0,
            last_empty_check: None,
            quiet: Duration::ZERO,
            empty_since: None,
        }
    }

    /// The queues must stay empty for `quiet` (and answer so twice) before that ends the drain.
    pub(crate) fn quiet_for(self, quiet: Duration) -> DrainRules {
        DrainRules { quiet, ..self }
    }

    /// The ledger's standing at `now`: ends the drain once every acknowledged message has
    /// been settled for `SETTLED_GRACE`.
    pub(crate) fn ledger_at(
        &mut self,
        now: Duration,
        acknowledged: u64,
        settled: u64,
    ) -> Option<DrainEnd> {
        if settled < acknowledged {
            return None;
        }
        let since = *self.settled_since.get_or_insert(now);
        (now >= since + SETTLED_GRACE).then_some(DrainEnd::Drained)
    }

    /// Whether the queue should be asked again at `now`.
    pub(crate) fn empty_check_due(&self, now: Duration) -> bool {
        self.last_empty_check
            .is_none_or(|last| now >= last + EMPTY_CHECK_EVERY)
    }

    /// The queue's answer at `now`: two empty answers in a row end the drain.
    pub(crate) fn queue_checked(&mut self, now: Duration, empty: bool) -> Option<DrainEnd> {
        self.last_empty_check = Some(now);
        self.empty_in_a_row = if empty { self.empty_in_a_row + 1 } else { 0 };
        self.empty_since = if empty {
            Some(self.empty_since.unwrap_or(now))
        } else {
            None
        };
        let quiet = self
            .empty_since
            .is_some_and(|since| now >= since + self.quiet);
        (self.empty_in_a_row >= 2 && quiet).then_some(DrainEnd::Drained)
    }

    /// Ends the drain once its timeout has passed.
    pub(crate) fn timed_out(&self, now: Duration) -> Option<DrainEnd> {
        (now >= self.started + self.timeout).then_some(DrainEnd::TimedOut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn everything_settled_ends_the_drain_after_the_grace() {
        let mut rules = DrainRules::new(ms(10_000), ms(30_000));
        assert_eq!(rules.ledger_at(ms(10_000), 100, 99), None);
        assert_eq!(
            rules.ledger_at(ms(10_500), 100, 100),
            None,
            "the grace starts now"
        );
        assert_eq!(rules.ledger_at(ms(12_499), 100, 100), None);
        assert_eq!(
            rules.ledger_at(ms(12_500), 100, 100),
            Some(DrainEnd::Drained)
        );
    }

    #[test]
    fn two_empty_answers_in_a_row_end_the_drain_and_a_message_resets_the_count() {
        let mut rules = DrainRules::new(Duration::ZERO, ms(30_000));
        assert!(rules.empty_check_due(Duration::ZERO));
        assert_eq!(rules.queue_checked(Duration::ZERO, true), None);
        assert!(
            !rules.empty_check_due(ms(249)),
            "asked at most every 250 ms"
        );
        assert_eq!(rules.queue_checked(ms(250), false), None);
        assert_eq!(
            rules.queue_checked(ms(500), true),
            None,
            "the count started again"
        );
        assert_eq!(rules.queue_checked(ms(750), true), Some(DrainEnd::Drained));
    }

    #[test]
    fn behind_a_bus_the_queues_must_stay_empty_for_the_quiet_time() {
        let mut rules = DrainRules::new(Duration::ZERO, ms(30_000)).quiet_for(ms(5_000));
        assert_eq!(rules.queue_checked(ms(0), true), None);
        assert_eq!(
            rules.queue_checked(ms(250), true),
            None,
            "two answers, not yet quiet"
        );
        assert_eq!(
            rules.queue_checked(ms(4_000), false),
            None,
            "a late delivery arrived"
        );
        assert_eq!(rules.queue_checked(ms(4_250), true), None);
        assert_eq!(rules.queue_checked(ms(9_000), true), None);
        assert_eq!(
            rules.queue_checked(ms(9_250), true),
            Some(DrainEnd::Drained)
        );
    }

    #[test]
    fn the_timeout_ends_a_drain_that_never_settles() {
        let mut rules = DrainRules::new(ms(5_000), ms(1_000));
        for t in (5_000..6_000).step_by(100) {
            assert_eq!(rules.ledger_at(ms(t), 10, 3), None);
            assert_eq!(rules.queue_checked(ms(t), false), None);
            assert_eq!(rules.timed_out(ms(t)), None);
        }
        assert_eq!(rules.timed_out(ms(6_000)), Some(DrainEnd::TimedOut));
    }
}
