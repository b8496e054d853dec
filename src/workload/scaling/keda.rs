//! KEDA's `aws-sqs-queue` scaler feeding a Kubernetes HorizontalPodAutoscaler. KEDA reads the
//! queue every `polling_interval` (GetQueueAttributes): the "actual messages" are
//! ApproximateNumberOfMessages, plus ApproximateNumberOfMessagesNotVisible when
//! `scale_on_in_flight` (KEDA's default). With `min = 0`, KEDA itself activates the workload
//! (0 → 1) when there are messages; from there the HPA's formula for an AverageValue target
//! applies: `desired = ceil(current × (actual ÷ current) ÷ queue_length)`, that is
//! `ceil(actual ÷ queue_length)`, left alone within the HPA's 10 % tolerance. The HPA's default
//! behaviour then bounds it: a scale-up adds at most max(100 %, 4 pods) per step, and a
//! scale-down takes the highest recommendation of the last `scale_down_stabilization`
//! (300 s by default). sqsbench's model applies the scale-up bound per polling interval (the
//! HPA's is per 15 s) and lets the stabilization window also delay a return to zero (KEDA's
//! own `cooldownPeriod`, 300 s by default).

use std::collections::VecDeque;
use std::time::Duration;

use super::seen::Seen;
use crate::scenario::Keda;

/// The HPA's default tolerance: a ratio within 10 % of 1 changes nothing.
const TOLERANCE: f64 = 0.1;

#[derive(Debug, Clone)]
pub(crate) struct KedaScaler {
    pub(super) spec: Keda,
    pub(super) current: u32,
    /// Recommendations within the stabilization window: (when, how many).
    recent: VecDeque<(Duration, u32)>,
}

impl KedaScaler {
    pub(crate) fn new(spec: Keda) -> KedaScaler {
        KedaScaler {
            spec,
            current: spec.min,
            recent: VecDeque::new(),
        }
    }

    /// The queue's messages as KEDA counts them.
    fn actual(&self, seen: Seen) -> u64 {
        seen.visible
            + if self.spec.scale_on_in_flight {
                seen.in_flight
            } else {
                0
            }
    }

    /// The HPA's recommendation for `actual` messages, before its behaviour bounds it.
    fn recommendation(&self, actual: u64) -> u32 {
        let s = self.spec;
        if actual == 0 {
            return s.min;
        }
        if self.current == 0 {
            // KEDA's activation: one replica, then the HPA takes over.
            return 1.max(s.min);
        }
        let per_replica = actual as f64 / f64::from(self.current);
        let ratio = per_replica / f64::from(s.queue_length);
        if (ratio - 1.0).abs() <= TOLERANCE {
            return self.current;
        }
        (actual as f64 / f64::from(s.queue_length)).ceil() as u32
    }

    pub(crate) fn observe(&mut self, now: Duration, seen: Seen) -> u32 {
        let s = self.spec;
        let wanted = self.recommendation(self.actual(seen)).clamp(s.min, s.max);
        self.recent.push_back((now, wanted));
        while self
            .recent
            .front()
            .is_some_and(|(at, _)| now.saturating_sub(*at) > s.scale_down_stabilization)
        {
            self.recent.pop_front();
        }
        let stabilized = self.recent.iter().map(|(_, n)| *n).max().unwrap_or(wanted);
        self.current = if wanted > self.current {
            let step = (2 * self.current).max(self.current + 4);
            wanted.min(step)
        } else {
            stabilized.min(self.current)
        };
        self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn spec(queue_length: u32, min: u32, max: u32) -> Keda {
        Keda {
            queue_length,
            scale_on_in_flight: true,
            polling_interval: 30 * SECOND,
            min,
            max,
            scale_down_stabilization: 300 * SECOND,
        }
    }

    fn seen(visible: u64, in_flight: u64) -> Seen {
        Seen { visible, in_flight }
    }

    /// KEDA's aws-sqs-queue scaler documentation: "if one pod can handle 10 messages, set the
    /// queue length target to 10. If the actual messages in the SQS Queue is 30, the scaler
    /// scales to 3 pods." (actual messages = visible + not visible by default).
    #[test]
    fn keda_documented_example_thirty_messages_at_ten_per_pod_is_three_pods() {
        let mut k = KedaScaler::new(spec(10, 1, 100));
        assert_eq!(k.observe(30 * SECOND, seen(20, 10)), 3);
    }

    #[test]
    fn scale_on_in_flight_false_counts_visible_messages_only() {
        let mut k = KedaScaler::new(Keda {
            scale_on_in_flight: false,
            ..spec(10, 1, 100)
        });
        assert_eq!(k.observe(30 * SECOND, seen(20, 10)), 2);
    }

    #[test]
    fn scale_up_is_bounded_by_the_hpa_default_policy_per_step() {
        // 1,000 messages at 10 per pod want 100 pods; from 1 the HPA adds max(100 %, 4 pods).
        let mut k = KedaScaler::new(spec(10, 1, 100));
        let steps: Vec<u32> = (1..=6)
            .map(|i| k.observe(i * 30 * SECOND, seen(1_000, 0)))
            .collect();
        assert_eq!(steps, [5, 10, 20, 40, 80, 100]);
    }

    #[test]
    fn scale_down_waits_for_the_stabilization_window() {
        let mut k = KedaScaler::new(spec(10, 1, 100));
        assert_eq!(k.observe(30 * SECOND, seen(40, 0)), 4);
        assert_eq!(k.observe(60 * SECOND, seen(40, 0)), 4);
        // The queue empties at 90 s; the highest recommendation of the last 300 s holds.
        for i in 3..=12 {
            assert_eq!(k.observe(i * 30 * SECOND, seen(0, 0)), 4, "poll {i}");
        }
        // At 390 s the 4 recommended at 60 s has left the window.
        assert_eq!(k.observe(390 * SECOND, seen(0, 0)), 1);
    }

    #[test]
    fn min_zero_activates_at_one_then_follows_the_formula() {
        let mut k = KedaScaler::new(spec(5, 0, 50));
        assert_eq!(k.current, 0);
        assert_eq!(k.observe(30 * SECOND, seen(0, 0)), 0);
        assert_eq!(k.observe(60 * SECOND, seen(100, 0)), 1);
        assert_eq!(k.observe(90 * SECOND, seen(100, 0)), 5);
    }

    #[test]
    fn the_hpa_tolerance_leaves_a_near_target_alone() {
        let mut k = KedaScaler::new(spec(10, 1, 100));
        k.observe(30 * SECOND, seen(100, 0));
        k.observe(60 * SECOND, seen(100, 0));
        assert_eq!(k.current, 10);
        // 105 messages on 10 pods is 5 % over the target: within tolerance.
        assert_eq!(k.observe(90 * SECOND, seen(105, 0)), 10);
        // 120 is 20 % over.
        assert_eq!(k.observe(120 * SECOND, seen(120, 0)), 12);
    }
}
