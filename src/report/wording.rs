//! The words and numbers the terminal summary and report.html share, so the two never say a
//! thing differently: how a rate, a latency and a cost are written, the sentences both print
//! (clock corrections, Lambda batches' causes, distributions), and the two text helpers both
//! need (aligned columns, HTML escaping).
//!
//! A leaf of `report`: it depends on the summary types only, and nothing in `report` is below it.

use crate::measure::clock_offset;
use crate::measure::summary::{Batches, Bucket, ClockCorrection, RunSummary, Shards};

/// A latency in µs as people read it: `0.85 ms`, `12 ms`, `1500 ms`.
pub(crate) fn ms(us: u64) -> String {
    if us >= 10_000 {
        format!("{:.0} ms", us as f64 / 1000.0)
    } else {
        format!("{:.2} ms", us as f64 / 1000.0)
    }
}

/// A rate per second as people read it: whole messages at 100/s and above (`1000/s`), one
/// decimal below (`2.5/s`).
pub(crate) fn per_sec(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}/s")
    } else {
        format!("{v:.1}/s")
    }
}

/// Dollars, to the millionth a request's price needs: `$0.002416`.
pub(crate) fn usd(v: f64) -> String {
    format!("${v:.6}")
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a merged result's end-to-end latencies, which compare two machines' clocks, may be off
/// by: the worst shard's offset (not corrected), or what is left after correcting (`± 1.10 ms
/// clocks corrected`). None for a single run's.
pub(crate) fn cross_machine_note(s: &RunSummary) -> Option<String> {
    let shards = s.shards.as_ref()?;
    if let Some(c) = &shards.clock_correction {
        return Some(format!("± {:.2} ms, clocks corrected", c.within_ms));
    }
    let offsets = shards
        .merged
        .iter()
        .filter_map(|t| Some((t.index, t.clock_offset.as_ref()?)));
    let (_, worst) = clock_offset::worst(offsets)?;
    Some(format!("± {worst:.2} ms, clocks not corrected"))
}

/// What `merge --correct-clock-offset` did to the end-to-end latencies.
pub(crate) fn corrected_line(c: &ClockCorrection) -> String {
    let used: Vec<String> = c
        .offsets
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some(format!("shard {i} {}", o.as_ref()?.describe())))
        .collect();
    let mut o = format!(
        "end-to-end latencies corrected by each shard's clock offset against the queue's (merge --correct-clock-offset; by {}, the first receives' bounds narrowed by the send stamps' floors): a latency between two shards is still off by up to {:.2} ms",
        used.join(", "),
        c.within_ms
    );
    if c.below_zero > 0 {
        o += &format!(
            "; {} samples fell below zero after the shift (kept as 1 µs): some shard's estimate is off",
            c.below_zero
        );
    }
    o + "\n"
}

/// A distribution's non-empty buckets: `≤10: 12 · ≤100: 3`.
/// The accounting identity with the run's figures: `sent 100 = unique received 97 +
/// dead-lettered 1 + lost 2`. After an interrupt, what was still in flight is undelivered, not
/// lost. A fan-out's identity is over deliveries: `expected` is every subscription's expected
/// messages, summed.
pub(crate) fn accounting(s: &RunSummary) -> String {
    let m = &s.messages;
    let mut left = if m.undelivered_at_interrupt > 0 {
        format!(
            "undelivered at the interrupt {}",
            m.undelivered_at_interrupt
        )
    } else {
        format!("lost {}", m.lost)
    };
    if m.unknown > 0 {
        left += &format!(" + unknown {}", m.unknown);
    }
    let whole = match s.router() {
        Some((_, word)) => format!(
            "expected deliveries (all {word}s) {}",
            s.routes().iter().map(|x| x.expected).sum::<u64>()
        ),
        None => format!("sent {}", m.sent),
    };
    format!(
        "{whole} = unique received {} + dead-lettered {} + {left}",
        m.unique_received, m.dead_lettered
    )
}

/// A merge's shards that stopped unseen (`shards.unknown_windows`), and what their windows
/// leave unknown; none when every shard's journal is whole.
pub(crate) fn unknown_windows(s: &RunSummary, shards: &Shards) -> Option<String> {
    if shards.unknown_windows.is_empty() {
        return None;
    }
    let each: Vec<String> = shards
        .unknown_windows
        .iter()
        .map(|w| {
            format!(
                "shard {}'s uploaded journal ends at second {} and it had stopped by second {}",
                w.shard, w.from_second, w.to_second
            )
        })
        .collect();
    let end = shards.unknown_windows.iter().map(|w| w.to_second).max()?;
    Some(format!(
        "{}; what it received in between is unknown: {} message(s) no shard received, sent before second {end}, are counted as unknown, not lost",
        each.join("; "),
        s.messages.unknown
    ))
}

pub(crate) fn distribution(buckets: &[Bucket]) -> String {
    let shown: Vec<String> = buckets
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| format!("≤{}: {}", b.up_to, b.count))
        .collect();
    if shown.is_empty() {
        "none".into()
    } else {
        shown.join(" · ")
    }
}

/// Each cause of a message coming back: (name, left, redelivered, dead-lettered).
pub(crate) fn batch_causes(b: &Batches) -> [(&'static str, u64, u64, u64); 3] {
    [
        (
            "failed item",
            b.left.failed,
            b.redelivered.failed,
            b.dead_lettered.failed,
        ),
        (
            "collateral (whole-batch retry)",
            b.left.collateral,
            b.redelivered.collateral,
            b.dead_lettered.collateral,
        ),
        (
            "behind a FIFO group failure",
            b.left.behind_group_failure,
            b.redelivered.behind_group_failure,
            b.dead_lettered.behind_group_failure,
        ),
    ]
}

/// Rows of cells as an aligned table, two spaces between columns: columns for which `left`
/// is true are left-aligned (text), the others right-aligned (numbers).
pub(crate) fn aligned(rows: &[Vec<String>], left: impl Fn(usize) -> bool) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut o = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if left(i) {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect();
        o += line.join("  ").trim_end();
        o += "\n";
    }
    o
}
