//! Durations as people write them: `250ms`, `30s`, `5m` (humantime) in, the shortest exact text
//! out. One grammar for the emulator's settings and the harness's scenarios. A leaf.

use std::time::Duration;

/// The shortest exact text for a duration: `0s`, `30s`, `250ms`, `1500us`.
pub fn format_duration(d: Duration) -> String {
    if d.is_zero() {
        return "0s".into();
    }
    if d.subsec_nanos() == 0 {
        return format!("{}s", d.as_secs());
    }
    if d.subsec_nanos().is_multiple_of(1_000_000) {
        return format!("{}ms", d.as_millis());
    }
    if d.subsec_nanos().is_multiple_of(1_000) {
        return format!("{}us", d.as_micros());
    }
    format!("{}ns", d.as_nanos())
}

/// Durations everywhere in sqsbench: `250ms`, `30s`, `5m` (humantime), or a bare `0`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if trimmed == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(trimmed)
        .map_err(|_| format!("{text:?} is not a duration (write e.g. \"250ms\", \"30s\", \"5m\")"))
}
