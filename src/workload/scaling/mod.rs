//! Autoscaling policies as pure state machines in virtual time: each is told what it sees of
//! the queue at its own interval and answers how many consumers should run. The runtime that
//! feeds them (`workload::scaler`) and the tasks they gate (`workload::fleet_size`) live
//! apart, so every policy is tested here without sleeping. Must not depend on clients,
//! measurement or reports.

mod keda;
mod lambda;
mod seen;
mod target_tracking;

use std::time::Duration;

use crate::scenario::Scaling;

pub(crate) use keda::KedaScaler;
pub(crate) use lambda::LambdaScaler;
pub use seen::Seen;
pub(crate) use target_tracking::TargetTrackingScaler;

/// One of the three policies, with its state.
#[derive(Debug, Clone)]
pub(crate) enum Scaler {
    TargetTracking(TargetTrackingScaler),
    Keda(KedaScaler),
    Lambda(LambdaScaler),
}

impl Scaler {
    pub(crate) fn new(policy: &Scaling) -> Scaler {
        match policy {
            Scaling::TargetTracking(s) => Scaler::TargetTracking(TargetTrackingScaler::new(*s)),
            Scaling::Keda(s) => Scaler::Keda(KedaScaler::new(*s)),
            Scaling::Lambda(s) => Scaler::Lambda(LambdaScaler::new(*s)),
        }
    }

    /// Consumers at the start.
    pub(crate) fn current(&self) -> u32 {
        match self {
            Scaler::TargetTracking(s) => s.current,
            Scaler::Keda(s) => s.current,
            Scaler::Lambda(s) => s.current(),
        }
    }

    /// How often the policy looks: CloudWatch's period, KEDA's polling interval, Lambda's
    /// pollers each second.
    pub(crate) fn interval(&self) -> Duration {
        match self {
            Scaler::TargetTracking(s) => s.spec.metric_period,
            Scaler::Keda(s) => s.spec.polling_interval,
            Scaler::Lambda(_) => lambda::TICK,
        }
    }

    /// Whether the policy reads the queue's attributes itself (KEDA calls GetQueueAttributes,
    /// counted and billed); the others see what CloudWatch or Lambda's pollers see, for free.
    pub(crate) fn reads_attributes(&self) -> bool {
        matches!(self, Scaler::Keda(_))
    }

    /// What the policy decides at `now` (since the run started), having seen `seen`.
    pub(crate) fn observe(&mut self, now: Duration, seen: Seen) -> u32 {
        match self {
            Scaler::TargetTracking(s) => s.observe(now, seen),
            Scaler::Keda(s) => s.observe(now, seen),
            Scaler::Lambda(s) => s.observe(now, seen),
        }
    }
}
