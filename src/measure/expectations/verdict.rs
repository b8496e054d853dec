//! An `[expect]` check's verdict as summary.json holds it, in every version: named by its key,
//! with its unit. Older results named two checks by key and unit (`max_e2e_p99_us`,
//! `min_throughput_per_sec`); they are read under the key's name.
//!
//! A leaf: the summary holds these, and judging them lives beside, in `expectations`.

use serde::{Deserialize, Serialize};

/// What an expectation's limit and actual value count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Microseconds.
    Us,
    PerSec,
    #[default]
    Count,
    Usd,
    /// A share of calls, 0 to 1.
    Fraction,
    Seconds,
}

impl Unit {
    /// What follows a value in this unit when people read it.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Us => " µs",
            Unit::PerSec => "/s",
            Unit::Usd => " USD",
            Unit::Seconds => " s",
            Unit::Count | Unit::Fraction => "",
        }
    }
}

/// One `[expect]` check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Stored")]
pub struct Expectation {
    /// The `[expect]` key.
    pub name: String,
    pub unit: Unit,
    pub limit: f64,
    pub actual: f64,
    pub passed: bool,
}

/// An expectation as any version of summary.json holds it.
#[derive(Deserialize)]
struct Stored {
    name: String,
    #[serde(default)]
    unit: Option<Unit>,
    limit: f64,
    actual: f64,
    passed: bool,
}

impl From<Stored> for Expectation {
    fn from(s: Stored) -> Expectation {
        let name = match s.name.as_str() {
            "max_e2e_p99_us" => "max_e2e_p99".to_string(),
            "min_throughput_per_sec" => "min_throughput".to_string(),
            _ => s.name,
        };
        Expectation {
            unit: s.unit.unwrap_or_else(|| unit_of(&name)),
            name,
            limit: s.limit,
            actual: s.actual,
            passed: s.passed,
        }
    }
}

/// The unit of each `[expect]` key's check.
pub(super) fn unit_of(key: &str) -> Unit {
    match key {
        "max_e2e_p99" => Unit::Us,
        "min_throughput" => Unit::PerSec,
        "max_cost_usd" => Unit::Usd,
        "max_error_rate" => Unit::Fraction,
        "max_drain_time" => Unit::Seconds,
        _ => Unit::Count,
    }
}
