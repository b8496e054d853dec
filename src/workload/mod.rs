//! Producer and consumer fleets against one queue, many (`[[queues]]`), or a topic fanning out to queues: open-loop schedules, the self-identifying
//! payload, and the phases of a run (warmup, measured, drain). Main entry: `engine::run`.
//! Records into `measure`; must not depend on `report` or `cli`.

pub mod attributes;
pub(crate) mod backlog;
pub(crate) mod backoff;
pub(crate) mod clock;
pub(crate) mod consumer;
pub(crate) mod crashes;
pub(crate) mod drain;
pub(crate) mod drain_rules;
pub mod engine;
pub(crate) mod fleet_size;
pub(crate) mod heartbeat;
pub mod lambda;
pub(crate) mod lambda_consumer;
pub(crate) mod ledgers;
pub mod outcome;
pub(crate) mod poller;
pub(crate) mod producer;
pub(crate) mod publish;
pub(crate) mod scaler;
pub mod scaling;
pub(crate) mod schedule;
pub(crate) mod settle;
pub mod shard;
pub(crate) mod subscriber;
pub(crate) mod targets;
