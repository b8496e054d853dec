//! What an EventBridge scenario's `[[event_publishers]]` draw for `source`, `detail_type` and
//! `detail`, the field each event carries its body in, and a rule's name on the bus. (A rule's
//! event pattern and input transformer are `pattern`'s.) Must not depend on anything outside
//! `scenario` and the emulator's pure parts.

use super::fanout::{AttributeSpec, Values, listed};
use sqsbench_keys::document::Field;

pub use super::pattern::{BODY_FIELD, DRAWN_FIELDS};

/// EventBridge's largest PutEvents request (all entries together), and each entry's.
pub(crate) const MAX_PUT_EVENTS_BYTES: u64 = 262_144;
/// The prefix of a drawn detail field's name among a publisher's attributes.
pub const DETAIL_PREFIX: &str = "detail.";

/// `source` or `detail_type`: a string, or `{ values = [...], weights = [...] }` of strings.
pub(crate) fn drawn_text(name: &str, f: &Field<'_>) -> Option<AttributeSpec> {
    let values = if f.is_str() {
        let text = f.str()?;
        if text.is_empty() || text.len() > 256 {
            f.problem("expected 1 to 256 characters");
            return None;
        }
        Values::Strings {
            values: vec![text.to_string()],
            weights: vec![1.0],
        }
    } else {
        let t = f.table()?;
        let values = t.get("values");
        let weights = t.get("weights");
        t.finish(&["values", "weights"]);
        let Some(values) = values else {
            f.problem("expected a string or { values = [...] } (with optional weights)");
            return None;
        };
        match listed(&values, weights.as_ref())? {
            v @ Values::Strings { .. } => v,
            _ => {
                values.problem("expected strings");
                return None;
            }
        }
    };
    Some(AttributeSpec {
        name: name.to_string(),
        values,
    })
}

/// The longest JSON text a publisher's drawn fields can take in an entry, beside the body: what
/// bounds `message_size` under PutEvents' 256 KiB.
pub(crate) fn drawn_bytes(specs: &[AttributeSpec]) -> u64 {
    specs
        .iter()
        .map(|s| {
            let longest = match &s.values {
                Values::Strings { values, .. } => {
                    values.iter().map(String::len).max().unwrap_or(0) as u64
                }
                Values::Numbers { .. } | Values::Range { .. } => 24,
            };
            s.name.len() as u64 + longest + 8
        })
        .sum::<u64>()
        + BODY_FIELD.len() as u64
        + 16
}

/// A rule's name on the bus: its queue's name without `.fifo` (so a run's rules, like its
/// queues, do not collide with another scenario's on a shared bus such as `default`).
pub fn rule_name(queue_name: &str) -> String {
    queue_name
        .strip_suffix(crate::emulator::names::FIFO_SUFFIX)
        .unwrap_or(queue_name)
        .to_string()
}
