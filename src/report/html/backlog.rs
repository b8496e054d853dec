//! The queue's backlog on the page: its peak, the drain after the producers' last peak and the
//! consumer-seconds, beside the `backlog` chart that draws them over time.

use super::build::Html;
use crate::measure::summary::RunSummary;

/// The page's section, or nothing when the queue was not read.
pub(crate) fn backlog(s: &RunSummary) -> String {
    let Some(b) = &s.backlog else {
        return String::new();
    };
    let drain = match b.drain_seconds {
        Some(d) => format!("{d} s"),
        None => format!(
            "not drained by second {} ({} s after the last peak)",
            b.last_second,
            b.last_second.saturating_sub(b.last_peak_end_second)
        ),
    };
    let rows: Vec<Vec<String>> = [
        (
            "peak backlog (visible + in flight)".to_string(),
            format!("{} at second {}", b.peak, b.peak_second),
        ),
        (
            "the producers' last peak rate ended".to_string(),
            format!("second {}", b.last_peak_end_second),
        ),
        (
            format!("drain time (to ≤ {} for 5 s)", b.drained_at_most),
            drain,
        ),
        (
            "consumer-seconds (most consumers at once)".to_string(),
            format!("{} ({})", b.consumer_seconds, b.max_consumers),
        ),
    ]
    .map(|(what, value)| vec![what, value])
    .into();
    let mut o = Html::new();
    o.h3("Backlog and drain").table(&["", "value"], &rows);
    o.finish()
}
