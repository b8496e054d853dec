//! A merged run's shards: what each added, what was missing, and the clocks.

use crate::measure::clock_offset;
use crate::measure::summary::{RunSummary, Shards};
use crate::report::wording::escape;

/// A merged result's shards: each one's own figures and start, and what is missing.
pub(super) fn shards(s: &RunSummary, sh: &Shards) -> String {
    let mut o = format!(
        "<h2>Shards</h2><p>Merged from {} of {} shards of run <code>{}</code>.</p>",
        sh.merged.len(),
        sh.count,
        escape(&s.run_id)
    );
    if sh.partial {
        let missing: Vec<String> = sh.missing.iter().map(|i| i.to_string()).collect();
        o += &format!(
            "<p class=\"fail\">Partial result: missing shard(s) [{}]; shards marked unfinished add only what their journals held. Losses and counts cover only what was merged.</p>",
            missing.join(", ")
        );
    }
    o += &clocks(sh);
    o += "<table><tr><th>shard</th><th>finished</th><th>sent</th><th>received</th><th>errors</th><th>planned start</th><th>started sending</th><th>clock − queue's</th><th>floor from send stamps</th></tr>";
    for t in &sh.merged {
        o += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            t.index,
            if t.finished {
                "yes"
            } else {
                "<span class=\"fail\">no</span>"
            },
            t.sent,
            t.received,
            t.errors,
            escape(t.start_at.as_deref().unwrap_or("-")),
            escape(&t.started_sending_at),
            t.clock_offset
                .map_or("-".to_string(), |c| escape(&c.describe())),
            t.sends_floor_ms
                .map_or("-".to_string(), |f| format!("{f:+.2} ms"))
        );
    }
    o + "</table>"
}

/// The shards' clocks: the correction (or what is uncorrected), skew, and failed checks.
fn clocks(sh: &Shards) -> String {
    let mut o = String::new();
    let offsets = sh
        .merged
        .iter()
        .filter_map(|t| Some((t.index, t.clock_offset.as_ref()?)));
    match (&sh.clock_correction, clock_offset::worst(offsets)) {
        (Some(c), _) => {
            let class = if c.below_zero > 0 {
                " class=\"fail\""
            } else {
                ""
            };
            o += &format!(
                "<p{class}>{}.</p>",
                escape(crate::report::wording::corrected_line(c).trim_end())
            );
        }
        (None, Some((shard, worst))) => {
            o += &format!(
                "<p>End-to-end latencies compare a sender's clock with a receiver's: they may be off by up to {worst:.2} ms (shard {shard}'s clock against the queue's), not corrected (<code>merge --correct-clock-offset</code> corrects them).</p>"
            );
        }
        (None, None) => {}
    }
    for t in sh
        .merged
        .iter()
        .filter(|t| t.clock_offset.is_some_and(|c| c.skewed()))
    {
        o += &format!(
            "<p class=\"fail\">Clock skew: shard {}'s clock is {} from the queue's; latencies between it and other shards {}.</p>",
            t.index,
            t.clock_offset.map(|c| c.describe()).unwrap_or_default(),
            if sh.clock_correction.is_some() {
                "were corrected by its offset"
            } else {
                "are off by about that much"
            }
        );
    }
    for t in &sh.merged {
        if let (Some(c), Some(floor)) = (t.clock_offset, t.sends_floor_ms)
            && !c.allows(floor)
        {
            o += &format!(
                "<p class=\"fail\">Clock check failed: shard {}'s messages were stamped by SQS as if its clock were at least {floor:+.2} ms from the queue's, beyond its measured {}.</p>",
                t.index,
                escape(&c.describe())
            );
        }
    }
    o
}
