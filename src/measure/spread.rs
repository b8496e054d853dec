//! How each metric varied over repeated runs (summary.json `repeats`); `metrics` computes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How one metric varied across repeated runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub stddev: f64,
}

impl Spread {
    pub fn range(&self) -> f64 {
        self.max - self.min
    }
}

/// `repeat = N`: how many runs, which one the headline figures come from, and every metric's
/// spread across them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Repeats {
    pub count: u32,
    /// 1-based: the run with the median received throughput.
    pub headline_run: u32,
    pub spread: BTreeMap<String, Spread>,
}
