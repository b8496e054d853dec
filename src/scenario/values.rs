//! The scenario's plain values — queue type, rate, size, deduplication, processing time,
//! consumer kind, delete mode — that its sections and codecs are made of. A leaf of `scenario`.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueType {
    #[default]
    Standard,
    Fifo,
}

/// How fast a producer fleet offers messages (messages per second, whole fleet).
#[derive(Debug, Clone, PartialEq)]
pub enum RateSpec {
    /// Closed loop: each task sends as soon as its previous call returns.
    Max,
    Constant(f64),
    /// Consecutive (rate, how long) steps.
    Steps(Vec<(f64, Duration)>),
    /// Linear from one rate to another over a time, then holding the last rate.
    Ramp {
        from: f64,
        to: f64,
        over: Duration,
    },
}

impl RateSpec {
    /// The fleet's offered rate `t` into the run; none for a closed loop.
    pub fn at(&self, t: Duration) -> Option<f64> {
        match self {
            RateSpec::Max => None,
            RateSpec::Constant(r) => Some(*r),
            RateSpec::Steps(steps) => {
                let mut start = Duration::ZERO;
                for (rate, length) in steps {
                    start += *length;
                    if t < start {
                        return Some(*rate);
                    }
                }
                steps.last().map(|(rate, _)| *rate)
            }
            RateSpec::Ramp { from, to, over } => {
                let done = if over.is_zero() {
                    1.0
                } else {
                    (t.as_secs_f64() / over.as_secs_f64()).min(1.0)
                };
                Some(from + (to - from) * done)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SizeSpec {
    Fixed(u64),
    Uniform { min: u64, max: u64 },
}

impl SizeSpec {
    pub fn max(&self) -> u64 {
        match self {
            SizeSpec::Fixed(n) => *n,
            SizeSpec::Uniform { max, .. } => *max,
        }
    }

    pub fn mean(&self) -> f64 {
        match self {
            SizeSpec::Fixed(n) => *n as f64,
            SizeSpec::Uniform { min, max } => (*min + *max) as f64 / 2.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Deduplication {
    /// Every message gets its own deduplication id.
    Unique,
    /// The queue's content-based deduplication decides.
    Content,
    /// A fraction of sends repeat an earlier message (deliberate producer-side duplicates).
    DuplicateRate(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProcessingSpec {
    Fixed(Duration),
    Exponential { mean: Duration },
}

/// How a consumer fleet consumes: today's receive loop, or the Lambda event-source-mapping model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumerKind {
    /// Receive up to 10, process each message, delete the successes.
    Poller,
    /// Gather batches (size, window, 6 MB), invoke, apply the batch's outcome by Lambda's rules.
    Lambda,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteMode {
    Batch,
    Single,
}
