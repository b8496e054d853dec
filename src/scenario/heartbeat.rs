//! A poller fleet's visibility heartbeat, `visibility_heartbeat = { every = "20s", extend_by =
//! "30s" }`: its value and codec. Must not depend on anything outside `scenario`.

use std::time::Duration;

use serde_json::{Value, json};
use sqsbench_keys::codec::duration_schema;
use sqsbench_keys::document::Field;

use super::keys::Codec;
use super::units::{format_duration, parse_duration};

/// SQS's ceiling on a message's visibility: 12 hours from the receive that started it.
pub const VISIBILITY_CEILING: Duration = Duration::from_secs(43_200);

/// While a batch is processed, every `every` its messages' visibility is set to `extend_by`
/// from now (ChangeMessageVisibilityBatch), as Spring Cloud AWS, the JMS client and
/// hand-written workers do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    pub every: Duration,
    pub extend_by: Duration,
}

/// `{ every = "20s", extend_by = "30s" }`.
pub(crate) struct Heartbeats;

impl Codec for Heartbeats {
    type Value = Heartbeat;

    fn read(&self, f: &Field<'_>) -> Option<Heartbeat> {
        let t = f.table()?;
        let part = |key: &str| {
            let Some(v) = t.get(key) else {
                f.problem(format!(
                    "needs {key}, e.g. {{ every = \"20s\", extend_by = \"30s\" }}"
                ));
                return None;
            };
            v.parsed(parse_duration).filter(|d| {
                let fits = *d >= Duration::from_secs(1) && *d <= VISIBILITY_CEILING;
                if !fits {
                    v.problem("must be from 1s to 12h (SQS's visibility range)");
                }
                fits
            })
        };
        let (every, extend_by) = (part("every"), part("extend_by"));
        t.finish(&["every", "extend_by"]);
        let beat = Heartbeat {
            every: every?,
            extend_by: extend_by?,
        };
        if beat.extend_by.subsec_nanos() != 0 {
            f.problem("extend_by is whole seconds (ChangeMessageVisibility's VisibilityTimeout)");
            return None;
        }
        if beat.every >= beat.extend_by {
            f.problem(format!(
                "every ({}) must be shorter than extend_by ({}), or the visibility lapses between heartbeats",
                format_duration(beat.every),
                format_duration(beat.extend_by)
            ));
            return None;
        }
        Some(beat)
    }

    fn write(&self, value: &Heartbeat) -> Option<toml::Value> {
        let mut t = toml::Table::new();
        t.insert("every".into(), format_duration(value.every).into());
        t.insert("extend_by".into(), format_duration(value.extend_by).into());
        Some(toml::Value::Table(t))
    }

    fn accepts(&self) -> String {
        "{ every = DURATION, extend_by = DURATION }, every shorter than extend_by".to_string()
    }

    fn schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {"every": duration_schema(), "extend_by": duration_schema()},
            "required": ["every", "extend_by"],
            "additionalProperties": false,
        })
    }
}
