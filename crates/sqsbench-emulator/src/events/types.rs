//! The records behind EventBridge's API: buses, their rules and targets, archives and replays,
//! and what one delivery to a queue carries. Plain data: a leaf of `events`.

use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

use super::input::Shape;
use crate::event_pattern::EventPattern;
use crate::model::message::Micros;

pub(crate) struct Bus {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) description: Option<String>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) rules: BTreeMap<String, Rule>,
    pub(crate) created: Micros,
}

pub(crate) struct Rule {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) pattern_text: String,
    pub(crate) pattern: EventPattern,
    pub(crate) enabled: bool,
    pub(crate) description: Option<String>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) targets: Vec<Target>,
}

pub(crate) struct Target {
    pub(crate) id: String,
    pub(crate) arn: String,
    /// The target as PutTargets gave it, for ListTargetsByRule.
    pub(crate) given: Value,
    pub(crate) shape: Shape,
    pub(crate) group_id: Option<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) dead_letter_arn: Option<String>,
}

/// How long and how often a failed delivery is tried again (`RetryPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) max_age_secs: u32,
}

impl Default for RetryPolicy {
    /// "By default, EventBridge retries sending the event for 24 hours and up to 185 times"
    /// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html>).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 185,
            max_age_secs: 86_400,
        }
    }
}

pub(crate) struct Archive {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) source_arn: String,
    pub(crate) pattern_text: Option<String>,
    pub(crate) pattern: Option<EventPattern>,
    pub(crate) description: Option<String>,
    pub(crate) retention_days: u32,
    /// (ingestion time, envelope), in order of arrival.
    pub(crate) events: VecDeque<(Micros, Value)>,
    pub(crate) size_bytes: u64,
    /// Events let go past `replay::MAX_ARCHIVED_EVENTS`.
    pub(crate) expired: u64,
    pub(crate) created: Micros,
}

pub(crate) struct Replay {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) archive_arn: String,
    pub(crate) destination: Value,
    pub(crate) description: Option<String>,
    pub(crate) start: Micros,
    pub(crate) end: Micros,
    pub(crate) state: &'static str,
    pub(crate) started: Micros,
    pub(crate) ended: Micros,
    pub(crate) replayed: u64,
}

/// One event on its way to one queue.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Delivery {
    pub(crate) queue_arn: String,
    pub(crate) body: String,
    pub(crate) group_id: Option<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) dead_letter_arn: Option<String>,
    pub(crate) bus: String,
    pub(crate) rule: String,
}

/// What became of one delivery (or one retry of it), counted per bus and rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Matched,
    Delivered,
    Retried,
    DeadLettered,
    Dropped,
}
