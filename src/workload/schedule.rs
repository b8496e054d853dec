//! Open-loop schedules: the intended send time of every message, computed from the fleet's
//! rate alone — never from how fast the target answers — so that a slow target shows up as
//! schedule lag and end-to-end latency (coordinated omission accounted), not as fewer samples.
//! Pure arithmetic on `Duration`s since the start of sending; tested in virtual time.

use std::time::Duration;

use crate::scenario::RateSpec;

/// The schedule of one producer task: task `index` of `count` sends the fleet's messages
/// `index`, `index + count`, `index + 2·count`, … so the fleet's sends are evenly spaced.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    rate: RateSpec,
    index: u64,
    count: u64,
}

impl Schedule {
    pub(crate) fn new(rate: RateSpec, index: u32, count: u32) -> Self {
        Schedule {
            rate,
            index: index as u64,
            count: count.max(1) as u64,
        }
    }

    /// Closed loop: no intended times; each send follows the previous one's response.
    pub(crate) fn is_closed_loop(&self) -> bool {
        matches!(self.rate, RateSpec::Max)
    }

    /// When this task's `n`-th message (from 0) is meant to be sent; `None` for closed loop.
    pub(crate) fn intended(&self, n: u64) -> Option<Duration> {
        let m = (n * self.count + self.index) as f64;
        fleet_time_of(&self.rate, m).map(Duration::from_secs_f64)
    }

    /// The intended times of messages `from`, `from + 1`, … that are due before `end`: what a
    /// producer giving up at `from` leaves unsent. Empty for closed loop.
    pub(crate) fn due_before(
        &self,
        from: u64,
        end: Duration,
    ) -> impl Iterator<Item = Duration> + '_ {
        (from..).map_while(move |n| self.intended(n).filter(|t| *t < end))
    }
}

/// Seconds at which the fleet's `m`-th message is due: the inverse of the cumulative count.
fn fleet_time_of(rate: &RateSpec, m: f64) -> Option<f64> {
    match rate {
        RateSpec::Max => None,
        RateSpec::Constant(r) => Some(m / r),
        RateSpec::Steps(steps) => {
            let mut start = 0.0;
            let mut before = 0.0;
            for (r, length) in steps {
                let in_step = r * length.as_secs_f64();
                if m < before + in_step {
                    return Some(start + (m - before) / r);
                }
                before += in_step;
                start += length.as_secs_f64();
            }
            // After the last step, its rate holds.
            let (last, _) = steps.last()?;
            Some(start + (m - before) / last)
        }
        RateSpec::Ramp { from, to, over } => {
            let o = over.as_secs_f64();
            let slope = (to - from) / o;
            let during = (from + to) / 2.0 * o;
            if m >= during {
                return Some(o + (m - during) / to);
            }
            if slope.abs() < 1e-12 {
                return Some(m / from);
            }
            // from·t + slope·t²/2 = m
            let t = (-from + (from * from + 2.0 * slope * m).sqrt()) / slope;
            Some(t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(d: Option<Duration>) -> f64 {
        d.unwrap().as_secs_f64()
    }

    #[test]
    fn constant_rate_spreads_tasks_evenly() {
        let rate = RateSpec::Constant(1000.0);
        let tasks: Vec<Schedule> = (0..4).map(|i| Schedule::new(rate.clone(), i, 4)).collect();
        let mut times: Vec<f64> = tasks
            .iter()
            .flat_map(|t| (0..250).map(|n| secs(t.intended(n))))
            .collect();
        times.sort_by(f64::total_cmp);
        for (i, t) in times.iter().enumerate() {
            assert!((t - i as f64 / 1000.0).abs() < 1e-9, "message {i} at {t}");
        }
        assert!((secs(tasks[3].intended(249)) - 0.999).abs() < 1e-9);
    }

    #[test]
    fn what_is_left_unsent_is_exactly_the_rest_of_the_window() {
        let s = Schedule::new(RateSpec::Constant(1000.0), 1, 4);
        // Task 1 of 4 sends fleet messages 1, 5, 9, …: 250 of them in the first second.
        let left: Vec<f64> = s
            .due_before(240, Duration::from_secs(1))
            .map(|t| t.as_secs_f64())
            .collect();
        assert_eq!(left.len(), 10);
        assert!((left[0] - 0.961).abs() < 1e-9 && (left[9] - 0.997).abs() < 1e-9);
        assert_eq!(s.due_before(250, Duration::from_secs(1)).count(), 0);
        let closed = Schedule::new(RateSpec::Max, 0, 1);
        assert_eq!(closed.due_before(0, Duration::from_secs(60)).count(), 0);
    }

    #[test]
    fn steps_change_rate_at_boundaries() {
        let rate = RateSpec::Steps(vec![
            (100.0, Duration::from_secs(2)),
            (1000.0, Duration::from_secs(1)),
        ]);
        let s = Schedule::new(rate, 0, 1);
        assert!((secs(s.intended(199)) - 1.99).abs() < 1e-9);
        assert!((secs(s.intended(200)) - 2.0).abs() < 1e-9);
        assert!((secs(s.intended(1199)) - 2.999).abs() < 1e-9);
        // The last step's rate holds afterwards.
        assert!((secs(s.intended(2200)) - 4.0).abs() < 1e-9);
    }

    #[test]
    fn ramp_integrates_the_rate() {
        let rate = RateSpec::Ramp {
            from: 100.0,
            to: 300.0,
            over: Duration::from_secs(10),
        };
        let s = Schedule::new(rate, 0, 1);
        // 100·t + 10·t² messages by time t: 2,000 by t = 10 s.
        assert!((secs(s.intended(750)) - 5.0).abs() < 1e-6);
        assert!((secs(s.intended(2000)) - 10.0).abs() < 1e-6);
        assert!((secs(s.intended(2300)) - 11.0).abs() < 1e-6);
        let times: Vec<f64> = (0..3000).map(|n| secs(s.intended(n))).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]), "strictly increasing");
    }

    #[test]
    fn closed_loop_has_no_intended_times() {
        let s = Schedule::new(RateSpec::Max, 0, 1);
        assert!(s.is_closed_loop());
        assert_eq!(s.intended(5), None);
    }
}
