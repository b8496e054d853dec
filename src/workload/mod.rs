//! Producer and consumer fleets against one queue: open-loop schedules, the self-identifying
//! payload, and the phases of a run (warmup, measured, drain). Main entry: `engine::run`.
//! Records into `measure`; must not depend on `report` or `cli`.

pub mod attempts;
pub mod clock;
pub mod consumer;
pub mod drain;
pub mod drain_rules;
pub mod engine;
pub mod outcome;
pub mod payload;
pub mod producer;
pub mod schedule;
