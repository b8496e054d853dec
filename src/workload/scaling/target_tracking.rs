//! AWS target tracking on an SQS backlog per consumer, as AWS documents it in "Scaling policy
//! based on Amazon SQS" (EC2 Auto Scaling user guide): the metric is
//! ApproximateNumberOfMessagesVisible ÷ running consumers, one CloudWatch datapoint per
//! `metric_period`; target tracking's alarms need `scale_out_datapoints` consecutive
//! datapoints above the target to scale out and `scale_in_datapoints` below it to scale in;
//! it then sets the capacity in proportion to the metric (`ceil(visible ÷ target)`), within
//! `min..=max`, not sooner than the cooldown after the last scaling of the same direction.
//! sqsbench's model: the scale-in alarm compares with the target itself (AWS does not publish
//! the threshold of the alarms it creates), and a scale-out ends any scale-in cooldown.

use std::time::Duration;

use super::seen::Seen;
use crate::scenario::TargetTracking;

#[derive(Debug, Clone)]
pub(crate) struct TargetTrackingScaler {
    pub(super) spec: TargetTracking,
    pub(super) current: u32,
    /// Consecutive datapoints above, and below, the target.
    above: u32,
    below: u32,
    last_out: Option<Duration>,
    last_in: Option<Duration>,
}

impl TargetTrackingScaler {
    pub(crate) fn new(spec: TargetTracking) -> TargetTrackingScaler {
        TargetTrackingScaler {
            spec,
            current: spec.min,
            above: 0,
            below: 0,
            last_out: None,
            last_in: None,
        }
    }

    /// One datapoint, taken at `now`.
    pub(crate) fn observe(&mut self, now: Duration, seen: Seen) -> u32 {
        let s = self.spec;
        let per_consumer = seen.visible as f64 / f64::from(self.current.max(1));
        let (above, below) = (
            per_consumer > s.target_backlog_per_consumer,
            per_consumer < s.target_backlog_per_consumer,
        );
        self.above = if above { self.above + 1 } else { 0 };
        self.below = if below { self.below + 1 } else { 0 };
        let wanted = ((seen.visible as f64 / s.target_backlog_per_consumer).ceil() as u32)
            .clamp(s.min, s.max);
        let since = |last: Option<Duration>, cooldown: Duration| {
            last.is_none_or(|at| now.saturating_sub(at) >= cooldown)
        };
        if self.above >= s.scale_out_datapoints
            && wanted > self.current
            && since(self.last_out, s.scale_out_cooldown)
        {
            self.current = wanted;
            self.last_out = Some(now);
            self.last_in = None;
        } else if self.below >= s.scale_in_datapoints
            && wanted < self.current
            && since(self.last_in, s.scale_in_cooldown)
            && since(self.last_out, s.scale_in_cooldown)
        {
            self.current = wanted;
            self.last_in = Some(now);
            self.below = 0;
        }
        self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn spec(min: u32, max: u32, target: f64) -> TargetTracking {
        TargetTracking {
            target_backlog_per_consumer: target,
            min,
            max,
            scale_out_datapoints: 3,
            scale_in_datapoints: 15,
            scale_out_cooldown: 300 * Duration::from_secs(1),
            scale_in_cooldown: 300 * Duration::from_secs(1),
            metric_period: MINUTE,
        }
    }

    fn visible(n: u64) -> Seen {
        Seen {
            visible: n,
            in_flight: 0,
        }
    }

    /// AWS's worked example ("Scaling policy based on Amazon SQS", EC2 Auto Scaling user guide):
    /// 10 instances, 1,500 visible messages, 0.1 s per message and 10 s of acceptable latency
    /// make an acceptable backlog per instance of 10 ÷ 0.1 = 100, the target; the backlog per
    /// instance is 1,500 ÷ 10 = 150, so the group scales out by five instances, to 15.
    #[test]
    fn aws_backlog_per_instance_example_scales_ten_to_fifteen() {
        let mut s = TargetTrackingScaler::new(spec(10, 100, 10.0 / 0.1));
        // The scale-out alarm needs three one-minute datapoints above the target.
        assert_eq!(s.observe(MINUTE, visible(1_500)), 10);
        assert_eq!(s.observe(2 * MINUTE, visible(1_500)), 10);
        assert_eq!(s.observe(3 * MINUTE, visible(1_500)), 15);
        // At 15 the backlog per instance is the target: nothing moves.
        assert_eq!(s.observe(4 * MINUTE, visible(1_500)), 15);
    }

    #[test]
    fn scale_in_waits_for_fifteen_datapoints_below_the_target() {
        let mut s = TargetTrackingScaler::new(spec(1, 100, 100.0));
        for m in 1..=3 {
            s.observe(m * MINUTE, visible(2_000));
        }
        assert_eq!(s.current, 20);
        // The burst is gone: 14 datapoints below the target change nothing, the 15th scales in.
        for m in 4..=17 {
            assert_eq!(s.observe(m * MINUTE, visible(100)), 20, "minute {m}");
        }
        assert_eq!(s.observe(18 * MINUTE, visible(100)), 1);
    }

    #[test]
    fn a_second_scale_out_waits_for_the_cooldown() {
        let mut s = TargetTrackingScaler::new(spec(1, 100, 10.0));
        for m in 1..=3 {
            s.observe(m * MINUTE, visible(50));
        }
        assert_eq!(s.current, 5);
        // Twice the backlog, three datapoints later, but within 300 s of the last scale-out.
        for m in 4..=6 {
            assert_eq!(s.observe(m * MINUTE, visible(500)), 5, "minute {m}");
        }
        // Minute 8 is 300 s after minute 3.
        assert_eq!(s.observe(7 * MINUTE, visible(500)), 5);
        assert_eq!(s.observe(8 * MINUTE, visible(500)), 50);
    }

    #[test]
    fn capacity_stays_within_min_and_max() {
        let mut s = TargetTrackingScaler::new(spec(2, 8, 10.0));
        for m in 1..=3 {
            s.observe(m * MINUTE, visible(1_000_000));
        }
        assert_eq!(s.current, 8);
        for m in 9..=30 {
            s.observe(m * MINUTE, visible(0));
        }
        assert_eq!(s.current, 2);
    }
}
