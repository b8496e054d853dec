//! A distributed run's parts of the summary: a shard's place, and what a merge added up.

use serde::{Deserialize, Serialize};

use super::clock_offset::ClockOffset;

/// What a merged result was made from (summary.json `shards`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shards {
    pub count: u32,
    /// A shard is missing or did not finish (`merge --allow-missing`): the figures cover only
    /// what the shards there wrote.
    pub partial: bool,
    /// Indexes with no results directory given.
    pub missing: Vec<u32>,
    pub merged: Vec<ShardTotals>,
    /// `merge --correct-clock-offset`: the end-to-end latencies were corrected by each shard's
    /// measured clock offset (absent: they were not).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub clock_correction: Option<ClockCorrection>,
    /// Shards that stopped without finishing after uploading their journal in segments
    /// (`--out s3://`): what they received after their last segment is unknown.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unknown_windows: Vec<UnknownWindow>,
}

/// A stopped shard's seconds (counted from the run's start) whose receives no journal shows:
/// from the first second its journal lacks to two upload intervals later, by when a live shard
/// would have uploaded another segment. Acknowledged messages no shard received that were
/// sent before `to_second` are counted as `messages.unknown`, not lost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnknownWindow {
    pub shard: u32,
    pub from_second: u64,
    pub to_second: u64,
}

/// What correcting the end-to-end latencies by each shard's clock offset did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClockCorrection {
    /// How far a corrected latency between two shards may still be off, either way: the two
    /// widest bounds of the shards' offsets, added.
    pub within_ms: f64,
    /// Samples the correction took below zero (kept as 1 µs): some estimate is off.
    pub below_zero: u64,
    /// The offsets corrected by, by shard index: each shard's own, its lower end raised to the
    /// floor its messages' SentTimestamp put under it where that is tighter.
    pub offsets: Vec<Option<ClockOffset>>,
}

/// One merged shard's own figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardTotals {
    pub index: u32,
    /// It wrote its summary.json; a shard killed mid-run did not, and adds only what its
    /// ledger journal, timeline and histogram log held.
    pub finished: bool,
    pub sent: u64,
    pub received: u64,
    pub errors: u64,
    pub start_at: Option<String>,
    pub started_sending_at: String,
    /// Seconds of ledger journal added, and the bytes of a last second cut short (ignored).
    pub ledger_frames: u64,
    pub ledger_cut_bytes: u64,
    /// The shard's clock minus the queue's, as it measured it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub clock_offset: Option<ClockOffset>,
    /// The floor under that offset from SQS's SentTimestamp of its messages, wherever they
    /// were received: a measured offset below it is wrong.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sends_floor_ms: Option<f64>,
}

/// A shard's place in its distributed run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub index: u32,
    pub count: u32,
    /// The agreed start (`--start-at`, RFC 3339), and when this shard really began sending.
    pub start_at: Option<String>,
    pub started_sending_at: String,
}
