//! When a Lambda-style poller stops gathering and invokes: the batch is full (`batch_size`),
//! the batching window has run out, or the next message would take the batch past Lambda's
//! 6 MB invocation payload. Receives ask for at most 10 messages and, while a window is open,
//! wait at most what is left of it. Time is passed in (a `Duration` since any fixed instant).

use std::time::Duration;

/// Lambda's synchronous invocation payload limit.
pub(crate) const INVOCATION_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;
/// ReceiveMessage's ceiling on MaxNumberOfMessages.
const PER_RECEIVE: u32 = 10;
/// ReceiveMessage's ceiling on WaitTimeSeconds.
const LONGEST_POLL: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub batch_size: u32,
    /// MaximumBatchingWindowInSeconds; zero invokes with what the first receive returned.
    pub window: Duration,
    pub payload_bytes: usize,
}

/// Why a batch was invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    Full,
    WindowEnded,
    Payload,
    /// No window: the first receive that returned messages makes the batch.
    FirstReceive,
}

/// The next ReceiveMessage of a gathering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Receive {
    pub max: u32,
    pub wait: Duration,
}

/// One batch being gathered.
#[derive(Debug, Clone)]
pub(crate) struct Gathering {
    limits: Limits,
    /// When the first message arrived: the window runs from there.
    opened: Option<Duration>,
    count: u32,
    bytes: usize,
    closed: Option<Closed>,
}

impl Gathering {
    pub(crate) fn new(limits: Limits) -> Self {
        Gathering {
            limits,
            opened: None,
            count: 0,
            bytes: 0,
            closed: None,
        }
    }

    /// When the window opened (the first message's arrival), for the gather time.
    pub(crate) fn opened(&self) -> Option<Duration> {
        self.opened
    }

    /// Takes a message of `bytes` that arrived at `now` into the batch; false when it would
    /// pass the payload limit (the batch closes without it, and it starts the next one).
    /// An empty batch takes any message, so one message over the limit is still invoked alone.
    pub(crate) fn add(&mut self, now: Duration, bytes: usize) -> bool {
        if self.count > 0 && self.bytes + bytes > self.limits.payload_bytes {
            self.closed = Some(Closed::Payload);
            return false;
        }
        self.opened.get_or_insert(now);
        self.count += 1;
        self.bytes += bytes;
        if self.count >= self.limits.batch_size {
            self.closed = Some(Closed::Full);
        }
        true
    }

    /// Marks the end of one receive: without a window, a batch with messages is invoked now.
    pub(crate) fn received(&mut self) {
        if self.closed.is_none() && self.count > 0 && self.limits.window.is_zero() {
            self.closed = Some(Closed::FirstReceive);
        }
    }

    /// What is left of the window at `now` (zero before it opens or once it has ended).
    fn left(&self, now: Duration) -> Duration {
        self.opened.map_or(Duration::ZERO, |opened| {
            (opened + self.limits.window).saturating_sub(now)
        })
    }

    /// Why the batch is complete at `now`, if it is.
    pub(crate) fn closed(&self, now: Duration) -> Option<Closed> {
        self.closed.or_else(|| {
            (self.opened.is_some() && !self.limits.window.is_zero() && self.left(now).is_zero())
                .then_some(Closed::WindowEnded)
        })
    }

    /// The next receive while the batch is open: up to 10 of what is missing, waiting the
    /// fleet's `wait_time` for a first message, then what is left of the window rounded up to
    /// whole seconds (WaitTimeSeconds): a long poll returns as soon as messages arrive, so the
    /// batch overruns its window, by under a second, only while the queue is empty.
    pub(crate) fn next_receive(&self, now: Duration, wait_time: Duration) -> Option<Receive> {
        if self.closed(now).is_some() {
            return None;
        }
        let max = (self.limits.batch_size - self.count).min(PER_RECEIVE);
        let wait = match self.opened {
            None => wait_time,
            Some(_) => Duration::from_secs(self.left(now).as_secs_f64().ceil() as u64),
        };
        Some(Receive {
            max,
            wait: wait.min(LONGEST_POLL),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn limits(batch_size: u32, window: Duration) -> Limits {
        Limits {
            batch_size,
            window,
            payload_bytes: INVOCATION_PAYLOAD_BYTES,
        }
    }

    #[test]
    fn without_a_window_the_first_receive_with_messages_is_the_batch() {
        let mut g = Gathering::new(limits(10, Duration::ZERO));
        assert_eq!(
            g.next_receive(S, 20 * S),
            Some(Receive {
                max: 10,
                wait: 20 * S
            })
        );
        g.received();
        assert_eq!(g.closed(S), None, "an empty receive invokes nothing");
        for _ in 0..3 {
            assert!(g.add(S, 100));
        }
        g.received();
        assert_eq!(g.closed(S), Some(Closed::FirstReceive));
        assert_eq!(g.next_receive(S, 20 * S), None);
        assert_eq!(g.count, 3);
    }

    #[test]
    fn a_window_gathers_from_the_first_message_until_it_ends() {
        let mut g = Gathering::new(limits(100, 2 * S));
        let t0 = 10 * S;
        for _ in 0..10 {
            g.add(t0, 100);
        }
        g.received();
        assert_eq!(g.opened(), Some(t0));
        assert_eq!(g.closed(t0), None);
        assert_eq!(
            g.next_receive(t0, 20 * S),
            Some(Receive {
                max: 10,
                wait: 2 * S
            })
        );
        // Messages keep coming: receives go on, waiting what is left, rounded up.
        let later = t0 + Duration::from_millis(900);
        g.add(later, 100);
        g.received();
        assert_eq!(
            g.next_receive(later, 20 * S).unwrap().wait,
            2 * S,
            "1.1 s left"
        );
        let last = t0 + Duration::from_millis(1500);
        g.received();
        assert_eq!(g.next_receive(last, 20 * S).unwrap().wait, S, "0.5 s left");
        assert_eq!(g.closed(t0 + 2 * S), Some(Closed::WindowEnded));
        assert_eq!(g.next_receive(t0 + 2 * S, 20 * S), None);
    }

    #[test]
    fn the_wait_is_what_is_left_of_the_window_in_whole_seconds_rounded_up() {
        let mut g = Gathering::new(limits(100, 5 * S));
        g.add(S, 1);
        g.received();
        assert_eq!(g.next_receive(2 * S, 20 * S).unwrap().wait, 4 * S);
        let late = 5 * S + Duration::from_millis(950);
        assert_eq!(g.next_receive(late, 20 * S).unwrap().wait, S);
        assert_eq!(g.closed(6 * S), Some(Closed::WindowEnded));
        assert_eq!(g.next_receive(6 * S, 20 * S), None);
    }

    #[test]
    fn a_full_batch_closes_and_receives_ask_only_for_what_is_missing() {
        let mut g = Gathering::new(limits(25, 5 * S));
        for _ in 0..20 {
            g.add(S, 1);
        }
        assert_eq!(g.next_receive(S, 20 * S).unwrap().max, 5);
        for _ in 0..5 {
            g.add(S, 1);
        }
        assert_eq!(g.closed(S), Some(Closed::Full));
    }

    #[test]
    fn the_payload_limit_leaves_the_message_that_does_not_fit_for_the_next_batch() {
        let mut g = Gathering::new(Limits {
            batch_size: 100,
            window: 5 * S,
            payload_bytes: 1000,
        });
        assert!(g.add(S, 600));
        assert!(g.add(S, 400), "exactly at the limit fits");
        assert!(!g.add(S, 1));
        assert_eq!(g.closed(S), Some(Closed::Payload));
        assert_eq!(g.count, 2);
        let mut alone = Gathering::new(Limits {
            batch_size: 100,
            window: 5 * S,
            payload_bytes: 1000,
        });
        assert!(
            alone.add(S, 5000),
            "one oversized message is still invoked alone"
        );
    }
}
