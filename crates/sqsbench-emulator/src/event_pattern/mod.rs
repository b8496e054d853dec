//! EventBridge event patterns ("Custom Event Bus - Classic" rules), as AWS documents them:
//! exact values (strings, numbers, `true`, `false`, `null`, the empty string), `prefix` and
//! `suffix` (each also `{"equals-ignore-case": …}`), `equals-ignore-case`, `wildcard`,
//! `anything-but` (a value, a list, `prefix`, `suffix`, `wildcard`, `equals-ignore-case`),
//! `numeric` comparisons and ranges, `exists`, `cidr` (IPv4 and IPv6), `$or`, nested fields and
//! arrays; with the reason AWS gives for every pattern it refuses and the 2,048-character quota.
//!
//! A separate dialect from SNS filter policies (`filter_policy`): EventBridge has `wildcard`,
//! ignore-case variants and other number limits, and none of SNS's key and combination limits,
//! so SNS's corpus stays unchanged. One implementation for both sides of a run: the emulator
//! routes events with it and the harness predicts each rule's matches with it. Pure: depends on
//! `serde_json` only, never on the broker, the wire or a clock.

mod eval;
mod parse;
#[cfg(test)]
mod tests;
mod wildcard;

use serde_json::Value;

/// AWS's quota "Event pattern size: 2,048 characters"
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html>).
pub const MAX_PATTERN_CHARS: usize = 2048;

/// Why a pattern was refused: the reason after AWS's `Event pattern is not valid. Reason: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Event pattern is not valid. Reason: {0}")]
pub struct PatternError(pub String);

/// A checked event pattern, ready to match events.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPattern {
    root: parse::Node,
}

impl EventPattern {
    /// Parses and checks a pattern document (JSON text), within the size quota.
    pub fn parse(text: &str) -> Result<EventPattern, PatternError> {
        let chars = text.chars().count();
        if chars > MAX_PATTERN_CHARS {
            return Err(PatternError(format!(
                "Event pattern is {chars} characters long; the quota is {MAX_PATTERN_CHARS}."
            )));
        }
        let value: Value = serde_json::from_str(text)
            .map_err(|e| PatternError(format!("Filter is not valid JSON: {e}")))?;
        EventPattern::from_json(&value)
    }

    /// Checks a pattern already parsed as JSON (a scenario's inline table).
    pub fn from_json(value: &Value) -> Result<EventPattern, PatternError> {
        Ok(EventPattern {
            root: parse::pattern(value)?,
        })
    }

    /// Whether the event (the whole envelope: `source`, `detail-type`, `detail`, …) matches.
    pub fn matches(&self, event: &Value) -> bool {
        eval::node(&self.root, event)
    }
}
