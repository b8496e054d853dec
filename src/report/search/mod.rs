//! A capacity search's result, as search.json holds it: the answer and the steps that found
//! it. `page` renders it (search.csv, Markdown, the terminal table, report.html); the chart
//! family `report::chart::search` draws it. A leaf: depends on `measure::summary` only.

use serde::{Deserialize, Serialize};

use crate::measure::summary::ResultsKind;

pub mod page;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct StepRow {
    pub step: u32,
    pub offered_per_sec: f64,
    pub sent_per_sec: f64,
    pub received_per_sec: f64,
    pub calls: u64,
    /// The step's measured seconds (throttled calls per second = throttled / seconds).
    pub seconds: f64,
    pub throttled_send: u64,
    pub throttled_receive: u64,
    pub throttled_delete: u64,
    pub errors: u64,
    pub e2e_p50_ms: f64,
    pub e2e_p99_ms: f64,
    /// The most messages sent but not yet deleted at any second of the step.
    pub backlog: i64,
    pub passed: bool,
    /// Why a step failed: "throttled (SendMessage)", "p99 …", "producers fell behind", ….
    pub reason: String,
    pub dir: String,
}

fn search() -> ResultsKind {
    ResultsKind::Search
}

/// search.json: the answer and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SearchResult {
    /// Always `search` (absent in directories written before it was added).
    #[serde(default = "search")]
    pub kind: ResultsKind,
    pub scenario: String,
    /// The highest offered rate that passed (None when even the lowest failed).
    pub sustainable_per_sec: Option<f64>,
    /// The lowest offered rate that failed (None when the upper bound passed).
    pub failing_per_sec: Option<f64>,
    /// What stopped the first failing step above the answer: an API action, latency, errors or
    /// a fleet falling behind.
    pub limited_by: Option<String>,
    pub steps: Vec<StepRow>,
}
