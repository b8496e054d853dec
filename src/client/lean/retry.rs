//! `[run] retries = true` on the lean client: the SDK's standard mode, so a run's retries do
//! not change with the client. At most 3 attempts; before retry `n` a wait of
//! `rand[0,1) × initial × 2^(n-1)`, at most 20 s, or the service's `x-amz-retry-after` when it
//! sends one; and a retry quota shared by the run's calls: 500 tokens, a throttling retry costs
//! 5 and a transient one 10, a first-attempt success gives one back, and a call that succeeds
//! after retrying gives back its last retry's cost (aws-smithy-runtime 1.16's bookkeeping).
//! Without tokens, a failure is returned as it is. `retries = false` makes one attempt.
//! Depends on `failure` only.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::failure::{Failure, RetryKind};

const CAPACITY: u32 = 500;
const MAX_BACKOFF: Duration = Duration::from_secs(20);

#[derive(Clone, Debug)]
pub(crate) struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    quota: Arc<AtomicU32>,
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq)]
pub(crate) enum Next {
    GiveUp,
    /// Retry after the wait; the quota's cost is held until the call ends.
    RetryAfter(Duration, u32),
}

impl RetryPolicy {
    pub(crate) fn disabled() -> RetryPolicy {
        RetryPolicy::standard(1, Duration::from_secs(1))
    }

    /// The SDK's `RetryConfig::standard().with_max_attempts(n)`; the initial backoff is 1 s
    /// there, shorter only in tests.
    pub(crate) fn standard(max_attempts: u32, initial_backoff: Duration) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            initial_backoff,
            quota: Arc::new(AtomicU32::new(CAPACITY)),
        }
    }

    /// After attempt `attempt` (1-based) failed with `failure`, with `jitter` in [0, 1).
    pub(crate) fn after_failure(&self, attempt: u32, failure: &Failure, jitter: f64) -> Next {
        let Some(kind) = failure.retry_kind() else {
            return Next::GiveUp;
        };
        if attempt >= self.max_attempts {
            return Next::GiveUp;
        }
        let cost = match kind {
            RetryKind::Throttling => 5,
            RetryKind::Transient => 10,
        };
        if !self.take(cost) {
            return Next::GiveUp;
        }
        let wait = match failure.retry_after() {
            Some(asked) => asked.min(MAX_BACKOFF),
            None => {
                let exponential = self.initial_backoff.as_secs_f64()
                    * jitter
                    * 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
                Duration::from_secs_f64(exponential).min(MAX_BACKOFF)
            }
        };
        Next::RetryAfter(wait, cost)
    }

    /// A call succeeded: its last retry's cost comes back, or a token for a first-attempt success.
    pub(crate) fn succeeded(&self, last_cost: Option<u32>) {
        self.give(last_cost.unwrap_or(1));
    }

    fn take(&self, cost: u32) -> bool {
        self.quota
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(cost)
            })
            .is_ok()
    }

    fn give(&self, tokens: u32) {
        if tokens == 0 {
            return;
        }
        let _ = self
            .quota
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                (left < CAPACITY).then(|| (left + tokens).min(CAPACITY))
            });
    }

    #[cfg(test)]
    fn left(&self) -> u32 {
        self.quota.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unavailable() -> Failure {
        Failure::Service {
            status: 503,
            code: None,
            retry_after: None,
        }
    }

    #[test]
    fn three_attempts_with_exponential_backoff_under_the_jitter() {
        let p = RetryPolicy::standard(3, Duration::from_secs(1));
        assert_eq!(
            p.after_failure(1, &unavailable(), 0.5),
            Next::RetryAfter(Duration::from_millis(500), 10)
        );
        assert_eq!(
            p.after_failure(2, &unavailable(), 0.5),
            Next::RetryAfter(Duration::from_secs(1), 10)
        );
        assert_eq!(p.after_failure(3, &unavailable(), 0.5), Next::GiveUp);
        assert_eq!(p.left(), 480);
        p.succeeded(Some(10));
        assert_eq!(p.left(), 490);
    }

    #[test]
    fn the_quota_runs_out_and_first_attempt_successes_refill_it() {
        let p = RetryPolicy::standard(3, Duration::ZERO);
        let throttled = Failure::Service {
            status: 403,
            code: Some("RequestThrottled".into()),
            retry_after: Some(Duration::from_secs(60)),
        };
        assert_eq!(
            p.after_failure(1, &throttled, 0.0),
            Next::RetryAfter(MAX_BACKOFF, 5)
        );
        while p.after_failure(1, &unavailable(), 0.0) != Next::GiveUp {}
        assert_eq!(p.left(), 5);
        assert_eq!(
            p.after_failure(1, &throttled, 0.0),
            Next::RetryAfter(MAX_BACKOFF, 5)
        );
        assert_eq!(p.after_failure(1, &throttled, 0.0), Next::GiveUp);
        p.succeeded(None);
        assert_eq!(p.left(), 1);
        let refused = Failure::Service {
            status: 400,
            code: Some("InvalidParameterValue".into()),
            retry_after: None,
        };
        assert_eq!(p.after_failure(1, &refused, 0.0), Next::GiveUp);
        assert_eq!(
            RetryPolicy::disabled().after_failure(1, &unavailable(), 0.0),
            Next::GiveUp
        );
    }
}
