//! The run's backlog and its drain, judged from the per-second timeline: the queue's visible +
//! in-flight messages at their peak and when, the time to drain after the producers' last
//! peak rate (the first second after it when the backlog is at most max(10, 1 % of the peak)
//! and stays there for 5 s, or until the run's last reading), and the consumer-seconds the
//! fleets ran. Pure: rows and the schedule in, figures out. Must not depend on clients or
//! workloads.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::timeline::TimelineRow;
use crate::scenario::ProducerFleet;

/// How long the backlog must stay at or below the threshold to count as drained.
pub const DRAIN_HOLD_SECONDS: u64 = 5;
/// The drained threshold: max(`DRAIN_FLOOR`, 1 % of the peak).
pub const DRAIN_FLOOR: u64 = 10;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BacklogSummary {
    /// The largest visible + in-flight the queue reported, and the second it was read in.
    pub peak: u64,
    pub peak_second: u64,
    /// When the producers' last stretch at their highest offered rate ended (seconds since the
    /// run's start; a closed loop's: the end of sending).
    pub last_peak_end_second: u64,
    /// The backlog counted as drained at or below this: max(10, 1 % of the peak).
    pub drained_at_most: u64,
    /// Seconds from `last_peak_end_second` until the backlog was drained; absent when it was
    /// not drained by the run's last reading.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub drain_seconds: Option<u64>,
    /// Consumer tasks running, added over every second of the run.
    pub consumer_seconds: u64,
    /// The most consumers that ran at once.
    pub max_consumers: u32,
    /// The second of the last reading.
    pub last_second: u64,
}

/// visible + in flight in a row, if the queue was read.
fn backlog_of(row: &TimelineRow) -> Option<u64> {
    Some(row.queue_visible? + row.queue_in_flight?)
}

/// The backlog's figures, or none when the queue was never read.
pub fn judge(rows: &[TimelineRow], last_peak_end: Duration) -> Option<BacklogSummary> {
    let read: Vec<(u64, u64)> = rows
        .iter()
        .filter_map(|r| Some((r.second, backlog_of(r)?)))
        .collect();
    let (peak_second, peak) = read
        .iter()
        .copied()
        .max_by_key(|(second, backlog)| (*backlog, std::cmp::Reverse(*second)))?;
    let threshold = DRAIN_FLOOR.max(peak / 100);
    let from = last_peak_end.as_secs_f64().ceil() as u64;
    let after: Vec<(u64, u64)> = read.into_iter().filter(|(s, _)| *s >= from).collect();
    let drained = after.iter().enumerate().find_map(|(i, (second, _))| {
        let held = after[i..]
            .iter()
            .take_while(|(s, _)| *s < second + DRAIN_HOLD_SECONDS)
            .all(|(_, b)| *b <= threshold);
        held.then_some(*second)
    });
    Some(BacklogSummary {
        peak,
        peak_second,
        last_peak_end_second: from,
        drained_at_most: threshold,
        drain_seconds: drained.map(|s| s.saturating_sub(from)),
        consumer_seconds: rows.iter().map(|r| u64::from(r.consumers)).sum(),
        max_consumers: rows.iter().map(|r| r.consumers).max().unwrap_or(0),
        last_second: after.last().map_or(peak_second, |(s, _)| *s),
    })
}

/// When the producers' last stretch at their highest total offered rate ends, within the send
/// window; the window's end when a fleet runs a closed loop (it has no offered rate).
pub fn last_peak_end(producers: &[ProducerFleet], send_window: Duration) -> Duration {
    let seconds = send_window.as_secs();
    let mut totals = Vec::with_capacity(seconds as usize);
    for s in 0..seconds {
        let middle = Duration::from_secs(s) + Duration::from_millis(500);
        let mut total = 0.0;
        for p in producers {
            match p.rate.at(middle) {
                Some(r) => total += r,
                None => return send_window,
            }
        }
        totals.push(total);
    }
    let peak = totals.iter().copied().fold(0.0, f64::max);
    match totals.iter().rposition(|t| *t >= peak * (1.0 - 1e-9)) {
        Some(last) => Duration::from_secs(last as u64 + 1),
        None => send_window,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::RateSpec;

    fn rows(backlog: &[u64], consumers: u32) -> Vec<TimelineRow> {
        backlog
            .iter()
            .enumerate()
            .map(|(i, b)| TimelineRow {
                second: i as u64 + 1,
                queue_visible: Some(b * 3 / 4),
                queue_in_flight: Some(b - b * 3 / 4),
                queue_delayed: Some(0),
                consumers,
                ..TimelineRow::default()
            })
            .collect()
    }

    #[test]
    fn the_drain_is_the_first_second_the_backlog_stays_low_for_five() {
        // Peak 2,000 at second 4: drained at most max(10, 20) = 20. The producers' peak ended
        // at second 3. Second 6 dips to 15 but second 7 is back at 40; from second 8 it stays.
        let b = [100, 1_000, 1_800, 2_000, 900, 15, 40, 20, 5, 0, 0, 0, 0];
        let s = judge(&rows(&b, 4), Duration::from_secs(3)).unwrap();
        assert_eq!((s.peak, s.peak_second), (2_000, 4));
        assert_eq!(s.drained_at_most, 20);
        assert_eq!(s.last_peak_end_second, 3);
        assert_eq!(s.drain_seconds, Some(8 - 3));
        assert_eq!(s.consumer_seconds, 4 * 13);
        assert_eq!(s.max_consumers, 4);
    }

    #[test]
    fn a_backlog_still_high_at_the_end_is_not_drained() {
        let s = judge(&rows(&[10, 500, 800], 1), Duration::from_secs(1)).unwrap();
        assert_eq!(s.drain_seconds, None);
    }

    #[test]
    fn a_run_that_ends_while_low_counts_as_drained_up_to_its_last_reading() {
        // The run stops itself once the queue is empty: fewer than 5 low seconds remain.
        let s = judge(&rows(&[300, 300, 2, 0], 1), Duration::from_secs(2)).unwrap();
        assert_eq!(s.drain_seconds, Some(1));
    }

    #[test]
    fn no_reading_no_backlog() {
        let mut r = rows(&[1, 2], 1);
        for row in &mut r {
            row.queue_visible = None;
        }
        assert_eq!(judge(&r, Duration::ZERO), None);
    }

    fn fleet(rate: RateSpec) -> ProducerFleet {
        let text = "name = \"x\"\n[[producers]]\nrate = \"10/s\"\n";
        let mut s = crate::scenario::validate::scenario_from_text(text, &[]).unwrap();
        let mut f = s.producers.remove(0);
        f.rate = rate;
        f
    }

    #[test]
    fn the_last_peak_ends_with_the_burst_not_the_run() {
        let burst = RateSpec::Steps(vec![
            (100.0, Duration::from_secs(60)),
            (1_000.0, Duration::from_secs(60)),
            (100.0, Duration::from_secs(60)),
        ]);
        let window = Duration::from_secs(180);
        assert_eq!(
            last_peak_end(&[fleet(burst)], window),
            Duration::from_secs(120)
        );
        assert_eq!(
            last_peak_end(&[fleet(RateSpec::Constant(50.0))], window),
            window,
            "a steady rate peaks until sending ends"
        );
        assert_eq!(last_peak_end(&[fleet(RateSpec::Max)], window), window);
    }
}
