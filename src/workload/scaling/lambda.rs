//! Lambda's SQS event source mapping on a standard queue, as the Lambda developer guide
//! describes it ("Configuring scaling behavior for SQS event source mappings",
//! https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html): when messages
//! are available Lambda processes five batches at a time; while messages remain it adds up to
//! 300 concurrent batches a minute, up to 1,000 for a mapping, or its `MaximumConcurrency`
//! (2–1,000); when traffic is low it goes back to five. sqsbench's model adds the 300 a
//! minute as 5 a second, and goes back to five the first second the queue shows nothing
//! visible (the guide gives no delay).

use std::time::Duration;

use super::seen::Seen;
use crate::scenario::{LAMBDA_CONCURRENCY_CEILING, LambdaRamp};

/// Lambda's pollers look every second in this model.
pub(super) const TICK: Duration = Duration::from_secs(1);
/// Concurrent batches when messages first become available.
const START: u32 = 5;
/// Batches added a minute while messages remain.
const PER_MINUTE: f64 = 300.0;

#[derive(Debug, Clone)]
pub(crate) struct LambdaScaler {
    ceiling: u32,
    current: f64,
    last: Option<Duration>,
}

impl LambdaScaler {
    pub(crate) fn new(spec: LambdaRamp) -> LambdaScaler {
        let ceiling = spec
            .maximum_concurrency
            .unwrap_or(LAMBDA_CONCURRENCY_CEILING);
        LambdaScaler {
            ceiling,
            current: f64::from(START.min(ceiling)),
            last: None,
        }
    }

    pub(crate) fn current(&self) -> u32 {
        self.current as u32
    }

    pub(crate) fn observe(&mut self, now: Duration, seen: Seen) -> u32 {
        let elapsed = self
            .last
            .map_or(TICK, |last| now.saturating_sub(last))
            .as_secs_f64();
        self.last = Some(now);
        let floor = f64::from(START.min(self.ceiling));
        self.current = if seen.visible > 0 {
            (self.current + PER_MINUTE * elapsed / 60.0).min(f64::from(self.ceiling))
        } else {
            floor
        };
        self.current()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backlog() -> Seen {
        Seen {
            visible: 1_000_000,
            in_flight: 0,
        }
    }

    /// Concurrency after each second of a lasting backlog, for `seconds` seconds.
    fn ramp(maximum_concurrency: Option<u32>, seconds: u64) -> Vec<u32> {
        let mut l = LambdaScaler::new(LambdaRamp {
            maximum_concurrency,
        });
        (1..=seconds)
            .map(|s| l.observe(Duration::from_secs(s), backlog()))
            .collect()
    }

    /// The Lambda guide: "Lambda starts processing five batches at a time with five concurrent
    /// invocations … increases the number of processes that are reading batches by up to 300
    /// more instances per minute. The maximum number of batches that an event source mapping
    /// can process simultaneously is 1,000."
    #[test]
    fn lambda_ramp_starts_at_five_adds_three_hundred_a_minute_up_to_a_thousand() {
        let l = LambdaScaler::new(LambdaRamp {
            maximum_concurrency: None,
        });
        assert_eq!(l.current(), 5);
        let r = ramp(None, 240);
        assert_eq!(r[59], 305, "after one minute");
        assert_eq!(r[119], 605, "after two");
        assert_eq!(r[179], 905, "after three");
        assert_eq!(
            r[198], 1_000,
            "5 + 300 × 199/60 reaches the ceiling at 199 s"
        );
        assert_eq!(r[239], 1_000);
    }

    #[test]
    fn maximum_concurrency_caps_the_ramp() {
        let r = ramp(Some(100), 60);
        assert_eq!(r[18], 100, "5 + 5 × 19");
        assert!(r.iter().all(|c| *c <= 100));
        assert_eq!(
            ramp(Some(2), 10),
            vec![2; 10],
            "below five it starts at the maximum"
        );
    }

    #[test]
    fn an_empty_queue_takes_it_back_to_five() {
        let mut l = LambdaScaler::new(LambdaRamp {
            maximum_concurrency: None,
        });
        for s in 1..=30 {
            l.observe(Duration::from_secs(s), backlog());
        }
        assert_eq!(l.current(), 155);
        assert_eq!(l.observe(Duration::from_secs(31), Seen::default()), 5);
    }
}
