//! Producer and consumer fleets against one queue: open-loop schedules, the self-identifying
//! payload, and the phases of a run (warmup, measured, drain). Main entry: `engine::run`.
//! Records into `measure`; must not depend on `report` or `cli`.

pub mod payload;
pub mod schedule;
