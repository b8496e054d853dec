//! A consumer fleet's autoscaling, `scaling = { policy = "target_tracking" | "keda" | "lambda",
//! … }`: the three policies' settings and their codec. The policies' behaviour lives in
//! `workload::scaling`; this module must not depend on anything outside `scenario`.

use std::time::Duration;

use serde_json::{Value, json};
use sqsbench_keys::codec::duration_schema;
use sqsbench_keys::document::{Field, Table};

use super::keys::Codec;
use super::units::{format_duration, parse_duration};

/// Lambda's event source mapping processes at most this many batches at once, and
/// `MaximumConcurrency` is 2 to 1,000.
pub const LAMBDA_CONCURRENCY_CEILING: u32 = 1_000;

/// How a fleet's consumer count follows its queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scaling {
    TargetTracking(TargetTracking),
    Keda(Keda),
    Lambda(LambdaRamp),
}

/// AWS target tracking on backlog per consumer (ECS or EC2 Auto Scaling, "scaling based on
/// Amazon SQS"): CloudWatch datapoints of visible messages ÷ running consumers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetTracking {
    pub target_backlog_per_consumer: f64,
    pub min: u32,
    pub max: u32,
    /// Consecutive datapoints above the target before scaling out (AWS: 3).
    pub scale_out_datapoints: u32,
    /// Consecutive datapoints below the target before scaling in (AWS: 15).
    pub scale_in_datapoints: u32,
    pub scale_out_cooldown: Duration,
    pub scale_in_cooldown: Duration,
    /// CloudWatch's period: 60 s on AWS; as low as 1 s here for short runs.
    pub metric_period: Duration,
}

/// KEDA's `aws-sqs-queue` scaler driving a Kubernetes HPA.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Keda {
    /// Messages per replica (`queueLength`).
    pub queue_length: u32,
    /// Count in-flight messages with the visible ones (`scaleOnInFlight`).
    pub scale_on_in_flight: bool,
    pub polling_interval: Duration,
    pub min: u32,
    pub max: u32,
    /// The HPA's scale-down stabilization window.
    pub scale_down_stabilization: Duration,
}

/// Lambda's SQS event source mapping ramp on a standard queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LambdaRamp {
    /// `MaximumConcurrency` (2–1,000); absent: the mapping's own ceiling of 1,000.
    pub maximum_concurrency: Option<u32>,
}

impl Scaling {
    pub fn policy(&self) -> &'static str {
        match self {
            Scaling::TargetTracking(_) => "target_tracking",
            Scaling::Keda(_) => "keda",
            Scaling::Lambda(_) => "lambda",
        }
    }

    /// The most consumers (Lambda: concurrent batches) the policy can run: the fleet's tasks.
    pub fn max(&self) -> u32 {
        match self {
            Scaling::TargetTracking(t) => t.max,
            Scaling::Keda(k) => k.max,
            Scaling::Lambda(l) => l.maximum_concurrency.unwrap_or(LAMBDA_CONCURRENCY_CEILING),
        }
    }
}

/// `{ policy = "keda", queue_length = 10, max = 20 }` and the like.
pub(crate) struct Scalings;

const TARGET_TRACKING_KEYS: [&str; 9] = [
    "policy",
    "target_backlog_per_consumer",
    "min",
    "max",
    "scale_out_datapoints",
    "scale_in_datapoints",
    "scale_out_cooldown",
    "scale_in_cooldown",
    "metric_period",
];
const KEDA_KEYS: [&str; 7] = [
    "policy",
    "queue_length",
    "scale_on_in_flight",
    "polling_interval",
    "min",
    "max",
    "scale_down_stabilization",
];
const LAMBDA_KEYS: [&str; 2] = ["policy", "maximum_concurrency"];

/// The settings of one policy's table, each read with its default.
struct Reader<'t, 'd> {
    t: &'t Table<'d>,
}

impl Reader<'_, '_> {
    fn int(&self, key: &str, min: i64, max: i64, default: u32) -> Option<u32> {
        match self.t.get(key) {
            Some(v) => v.int(min, max).map(|n| n as u32),
            None => Some(default),
        }
    }

    fn duration(
        &self,
        key: &str,
        min: Duration,
        max: Duration,
        default: Duration,
    ) -> Option<Duration> {
        let Some(v) = self.t.get(key) else {
            return Some(default);
        };
        v.parsed(parse_duration).filter(|d| {
            let fits = *d >= min && *d <= max;
            if !fits {
                v.problem(format!(
                    "must be from {} to {}",
                    format_duration(min),
                    format_duration(max)
                ));
            }
            fits
        })
    }

    /// `min` and `max`, with `min` ≤ `max`.
    fn bounds(&self, least: i64, default_min: u32, default_max: u32) -> Option<(u32, u32)> {
        let min = self.int("min", least, 10_000, default_min)?;
        let max = self.int("max", 1, 10_000, default_max)?;
        if min > max {
            self.t
                .problem("min", format!("({min}) must be at most max ({max})"));
            return None;
        }
        Some((min, max))
    }
}

const SECOND: Duration = Duration::from_secs(1);
const HOUR: Duration = Duration::from_secs(3_600);

fn target_tracking(r: &Reader<'_, '_>) -> Option<TargetTracking> {
    let target = match r.t.get("target_backlog_per_consumer") {
        Some(v) => v.number(0.001, 1e9),
        None => {
            r.t.problem(
                "target_backlog_per_consumer",
                "is required: the backlog one consumer may hold, e.g. 100 (acceptable latency ÷ time per message)",
            );
            None
        }
    };
    // Target tracking divides by the running consumers: with none there is no datapoint.
    let bounds = r.bounds(1, 1, 10);
    let spec = TargetTracking {
        target_backlog_per_consumer: target?,
        min: bounds?.0,
        max: bounds?.1,
        scale_out_datapoints: r.int("scale_out_datapoints", 1, 100, 3)?,
        scale_in_datapoints: r.int("scale_in_datapoints", 1, 100, 15)?,
        scale_out_cooldown: r.duration("scale_out_cooldown", Duration::ZERO, HOUR, 300 * SECOND)?,
        scale_in_cooldown: r.duration("scale_in_cooldown", Duration::ZERO, HOUR, 300 * SECOND)?,
        metric_period: r.duration("metric_period", SECOND, HOUR, 60 * SECOND)?,
    };
    Some(spec)
}

fn keda(r: &Reader<'_, '_>) -> Option<Keda> {
    let bounds = r.bounds(0, 0, 100);
    let on_in_flight = match r.t.get("scale_on_in_flight") {
        Some(v) => v.bool(),
        None => Some(true),
    };
    Some(Keda {
        queue_length: r.int("queue_length", 1, 1_000_000, 5)?,
        scale_on_in_flight: on_in_flight?,
        polling_interval: r.duration("polling_interval", SECOND, HOUR, 30 * SECOND)?,
        min: bounds?.0,
        max: bounds?.1,
        scale_down_stabilization: r.duration(
            "scale_down_stabilization",
            Duration::ZERO,
            HOUR,
            300 * SECOND,
        )?,
    })
}

fn lambda(r: &Reader<'_, '_>) -> Option<LambdaRamp> {
    let maximum_concurrency = match r.t.get("maximum_concurrency") {
        Some(v) => Some(v.int(2, i64::from(LAMBDA_CONCURRENCY_CEILING))? as u32),
        None => None,
    };
    Some(LambdaRamp {
        maximum_concurrency,
    })
}

impl Codec for Scalings {
    type Value = Scaling;

    fn read(&self, f: &Field<'_>) -> Option<Scaling> {
        let t = f.table()?;
        let r = Reader { t: &t };
        let Some(policy) = t.get("policy") else {
            f.problem("needs policy = \"target_tracking\", \"keda\" or \"lambda\"");
            return None;
        };
        // Each policy's keys are read before `finish` names the rest as unknown.
        match policy.str()? {
            "target_tracking" => {
                let read = target_tracking(&r).map(Scaling::TargetTracking);
                t.finish(&TARGET_TRACKING_KEYS);
                read
            }
            "keda" => {
                let read = keda(&r).map(Scaling::Keda);
                t.finish(&KEDA_KEYS);
                read
            }
            "lambda" => {
                let read = lambda(&r).map(Scaling::Lambda);
                t.finish(&LAMBDA_KEYS);
                read
            }
            other => {
                policy.problem(format!(
                    "{other:?} is not a policy: \"target_tracking\", \"keda\" or \"lambda\""
                ));
                None
            }
        }
    }

    fn write(&self, value: &Scaling) -> Option<toml::Value> {
        let mut t = toml::Table::new();
        t.insert("policy".into(), value.policy().into());
        let d = |d: Duration| toml::Value::from(format_duration(d));
        match value {
            Scaling::TargetTracking(s) => {
                t.insert(
                    "target_backlog_per_consumer".into(),
                    s.target_backlog_per_consumer.into(),
                );
                t.insert("min".into(), i64::from(s.min).into());
                t.insert("max".into(), i64::from(s.max).into());
                t.insert(
                    "scale_out_datapoints".into(),
                    i64::from(s.scale_out_datapoints).into(),
                );
                t.insert(
                    "scale_in_datapoints".into(),
                    i64::from(s.scale_in_datapoints).into(),
                );
                t.insert("scale_out_cooldown".into(), d(s.scale_out_cooldown));
                t.insert("scale_in_cooldown".into(), d(s.scale_in_cooldown));
                t.insert("metric_period".into(), d(s.metric_period));
            }
            Scaling::Keda(s) => {
                t.insert("queue_length".into(), i64::from(s.queue_length).into());
                t.insert("scale_on_in_flight".into(), s.scale_on_in_flight.into());
                t.insert("polling_interval".into(), d(s.polling_interval));
                t.insert("min".into(), i64::from(s.min).into());
                t.insert("max".into(), i64::from(s.max).into());
                t.insert(
                    "scale_down_stabilization".into(),
                    d(s.scale_down_stabilization),
                );
            }
            Scaling::Lambda(s) => {
                if let Some(n) = s.maximum_concurrency {
                    t.insert("maximum_concurrency".into(), i64::from(n).into());
                }
            }
        }
        Some(toml::Value::Table(t))
    }

    fn accepts(&self) -> String {
        "{ policy = \"target_tracking\" | \"keda\" | \"lambda\", … } (docs/production-consumers.md)"
            .to_string()
    }

    fn schema(&self) -> Value {
        let int = |min: u32, max: u32| json!({"type": "integer", "minimum": min, "maximum": max});
        let policy = |name: &str| json!({"const": name});
        json!({
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "policy": policy("target_tracking"),
                        "target_backlog_per_consumer": {"type": "number", "exclusiveMinimum": 0},
                        "min": int(1, 10_000),
                        "max": int(1, 10_000),
                        "scale_out_datapoints": int(1, 100),
                        "scale_in_datapoints": int(1, 100),
                        "scale_out_cooldown": duration_schema(),
                        "scale_in_cooldown": duration_schema(),
                        "metric_period": duration_schema(),
                    },
                    "required": ["policy", "target_backlog_per_consumer"],
                    "additionalProperties": false,
                },
                {
                    "type": "object",
                    "properties": {
                        "policy": policy("keda"),
                        "queue_length": int(1, 1_000_000),
                        "scale_on_in_flight": {"type": "boolean"},
                        "polling_interval": duration_schema(),
                        "min": int(0, 10_000),
                        "max": int(1, 10_000),
                        "scale_down_stabilization": duration_schema(),
                    },
                    "required": ["policy"],
                    "additionalProperties": false,
                },
                {
                    "type": "object",
                    "properties": {
                        "policy": policy("lambda"),
                        "maximum_concurrency": int(2, LAMBDA_CONCURRENCY_CEILING),
                    },
                    "required": ["policy"],
                    "additionalProperties": false,
                },
            ]
        })
    }
}
