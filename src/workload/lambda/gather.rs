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

    /// Marks the end of one receive's messages: without a window, a batch with messages is
    /// invoked now.
    pub(crate) fn received(&mut self) {
        if self.limits.window.is_zero() && self.count > 0 && self.closed.is_none() {
            self.closed = Some(Closed::FirstReceive);
        }
    }

    /// Why the batch is complete at `now`, if it is.
    pub(crate) fn closed(&self, now: Duration) -> Option<Closed> {
        self.closed.or_else(|| {
            let opened = self.opened?;
            let ends = opened + self.limits.window;
            (!self.limits.window.is_zero() && now + Duration::from_secs(1) > ends)
                .then_some(Closed::WindowEnded)
        })
    }

    /// The next receive while the batch is open: up to 10 of what is missing, waiting the
    /// fleet's `wait_time` for a first message, then at most the window's whole seconds left.
    /// A window with less than a second left counts as ended (WaitTimeSeconds is whole
    /// seconds, and short polls to fill the rest would only add calls).
    pub(crate) fn next_receive(&self, now: Duration, wait_time: Duration) -> Option<Receive> {
        if self.closed(now).is_some() {
            return None;
        }
        let max = (self.limits.batch_size - self.count).min(PER_RECEIVE);
        let wait = match self.opened {
            None => wait_time,
            Some(opened) => {
                let left = (opened + self.limits.window).saturating_sub(now);
                Duration::from_secs(left.as_secs())
            }
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
        let later = t0 + Duration::from_millis(900);
        assert_eq!(g.next_receive(later, 20 * S).unwrap().wait, S);
        // Less than a whole second left: the window is over.
        let nearly = t0 + Duration::from_millis(1001);
        assert_eq!(g.closed(nearly), Some(Closed::WindowEnded));
        assert_eq!(g.next_receive(nearly, 20 * S), None);
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
