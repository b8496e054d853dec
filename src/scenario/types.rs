//! The validated, typed scenario every later stage trusts: targets, the queue, phases, producer
//! and consumer fleets, the emulator's settings and expectations. No parsing here.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    pub target: Target,
    /// `[target] client`: which client makes the hot calls.
    pub client: ClientKind,
    /// The run's queue; a `[[queues]]` scenario's first queue (it stands for their type).
    pub queue: QueueSpec,
    /// `[[queues]]`: many queues, one lane each (`queue_sets::expand`); empty: `[queue]` alone.
    pub queues: Vec<QueueDecl>,
    pub run: RunSpec,
    pub producers: Vec<ProducerFleet>,
    pub consumers: Vec<ConsumerFleet>,
    pub emulator: EmulatorSpec,
    pub expect: Expectations,
    /// `[sweep]`: key path → values as TOML text (run one variant per combination).
    pub sweep: Vec<(String, Vec<String>)>,
    /// `[cost]`: request prices, USD per million (us-east-1 by default).
    pub cost: Prices,
    /// `[search]`: find the highest sustainable rate instead of running once.
    pub search: Option<SearchSpec>,
    /// `[topic]` and `[[subscriptions]]`: publishers publish to a topic that fans out to queues.
    pub fanout: Option<Fanout>,
}

impl Scenario {
    /// Every queue the run sends to, one lane each: `[[queues]]` expanded, or `[queue]`.
    pub fn lane_specs(&self) -> Vec<QueueSpec> {
        if self.queues.is_empty() {
            vec![self.queue.clone()]
        } else {
            super::queue_sets::expand(&self.queues)
        }
    }

    /// The lanes a fleet's `queue` key binds it to (validated: always some).
    pub fn lanes_of(&self, queue: Option<&str>) -> std::ops::Range<usize> {
        if self.queues.is_empty() {
            return 0..1;
        }
        super::queue_sets::lanes_of(&self.queues, queue).unwrap_or(0..1)
    }

    /// The price per million requests for this scenario's queue type.
    pub fn price_per_million(&self) -> f64 {
        match self.queue.kind {
            QueueType::Fifo => self.cost.fifo_per_million,
            QueueType::Standard => self.cost.standard_per_million,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The emulator, started in-process on 127.0.0.1:0.
    Embedded,
    /// Any SQS-compatible endpoint (LocalStack, fauxqs, `sqsbench serve`, ElasticMQ).
    Endpoint { url: String, region: String },
    /// Real SQS through the aws-config default credential chain.
    Aws {
        region: Option<String>,
        profile: Option<String>,
    },
}

impl Target {
    pub fn kind(&self) -> TargetKind {
        match self {
            Target::Embedded => TargetKind::Embedded,
            Target::Endpoint { .. } => TargetKind::Endpoint,
            Target::Aws { .. } => TargetKind::Aws,
        }
    }
}

pub use super::fanout::{AttributeSpec, Fanout, Route, RouteKeys, Router, Values};
pub use super::heartbeat::{Heartbeat, VISIBILITY_CEILING};
pub use super::pattern::{PatternSpec, TransformerSpec};
pub use super::policy::PolicySpec;
pub use super::queue_sets::QueueDecl;
pub use super::scaling::{Keda, LAMBDA_CONCURRENCY_CEILING, LambdaRamp, Scaling, TargetTracking};
pub use super::sections::{BusSpec, RuleKeys};
pub use super::sections::{ClientKind, TargetKind};
pub use super::sections::{
    ConsumerFleet, DeadLetter, Expectations, Prices, ProducerFleet, QueueSpec, RunSpec, SearchSpec,
    SubscriptionKeys, TopicSpec,
};
pub use super::shares::Skew;
pub use super::values::*;

/// `[emulator]`: defined, parsed and bounded by the emulator (`emulator::settings`).
pub use crate::emulator::settings::EmulatorSettings as EmulatorSpec;

impl Scenario {
    /// Messages the producers intend to send during warmup + measured phase.
    pub fn planned_messages(&self) -> Option<u64> {
        let total = self.run.warmup + self.run.duration;
        let mut sum = 0.0;
        for p in &self.producers {
            sum += p.planned_messages(total)?;
        }
        Some(sum.round() as u64)
    }
}

impl ProducerFleet {
    /// Messages the fleet's schedule plans over `total` (None for a closed loop).
    pub fn planned_messages(&self, total: Duration) -> Option<f64> {
        Some(match &self.rate {
            RateSpec::Max => return None,
            RateSpec::Constant(r) => r * total.as_secs_f64(),
            RateSpec::Steps(steps) => {
                let mut left = total.as_secs_f64();
                let mut n = 0.0;
                for (rate, length) in steps {
                    let t = length.as_secs_f64().min(left);
                    n += rate * t;
                    left -= t;
                }
                if let Some((last, _)) = steps.last() {
                    n += last * left.max(0.0);
                }
                n
            }
            RateSpec::Ramp { from, to, over } => {
                let t = total.as_secs_f64();
                let o = over.as_secs_f64();
                if t <= o {
                    from * t + (to - from) * t * t / (2.0 * o)
                } else {
                    (from + to) / 2.0 * o + to * (t - o)
                }
            }
        })
    }
}
