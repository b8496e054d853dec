//! shard.json: what `merge` checks before it adds shards together (the same run, the same
//! scenario, compatible histograms) and the start each shard planned and really made. The
//! order judgement's receipts are in the shard's ledger journal, which it names.

use std::time::SystemTime;

use aws_smithy_types::date_time::Format;
use serde::{Deserialize, Serialize};

use crate::measure::latency::{HIGHEST_US, SIGNIFICANT_DIGITS};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    pub schema_version: u32,
    /// `--run-id`, as every shard was given it.
    pub run_id: String,
    /// The numeric id in every message's payload, derived from the run id.
    pub payload_run_id: String,
    pub shard: Place,
    /// SHA-256 of the resolved scenario (scenario.toml).
    pub scenario_sha256: String,
    pub histograms: HistogramSettings,
    /// `--start-at` (RFC 3339).
    pub start_at: Option<String>,
    /// When this shard really began sending: the start, or later within the grace.
    pub started_sending_at: String,
    /// The ledger journal, with FIFO first-delivery receipts (SQS timestamps).
    pub ledger: String,
    /// With `--out s3://`: how often each streamed file's new part was uploaded. A shard that
    /// never finished stopped within two of these after its last segment (`merge`'s window of
    /// unknown receives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments_every_seconds: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub index: u32,
    pub count: u32,
}

/// How histogram values were recorded: shards merge only with the same settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistogramSettings {
    pub unit: String,
    pub lowest: u64,
    pub highest: u64,
    pub significant_digits: u8,
}

impl HistogramSettings {
    /// This build's settings.
    pub fn ours() -> Self {
        HistogramSettings {
            unit: "us".into(),
            lowest: 1,
            highest: HIGHEST_US,
            significant_digits: SIGNIFICANT_DIGITS,
        }
    }
}

impl ShardFile {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a shard file always serializes") + "\n"
    }
}
/// `--start-at`: when every shard starts sending, in RFC 3339 (`2026-12-01T10:00:00Z`, or with
/// an offset such as `+01:00`).
pub fn parse_start_at(text: &str) -> Result<SystemTime, String> {
    let bad = |why: String| {
        format!("--start-at {text:?}: {why}; expected RFC 3339, e.g. 2026-12-01T10:00:00Z")
    };
    let parsed = aws_smithy_types::DateTime::from_str(text, Format::DateTimeWithOffset)
        .map_err(|e| bad(e.to_string()))?;
    SystemTime::try_from(parsed).map_err(|e| bad(e.to_string()))
}
