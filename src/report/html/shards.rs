//! A merged run's shards: what each added, what was missing, and the clocks.

use super::build::{Cell, Html, Phrase};
use crate::measure::clock_offset;
use crate::measure::summary::{RunSummary, Shards};

/// A merged result's shards: each one's own figures and start, and what is missing.
pub(super) fn shards(s: &RunSummary, sh: &Shards) -> String {
    let mut o = Html::new();
    o.h2("Shards").p(Phrase::new()
        .t(format!(
            "Merged from {} of {} shards of run ",
            sh.merged.len(),
            sh.count
        ))
        .code(&s.run_id)
        .t("."));
    if sh.partial {
        o.p_class("fail", partial_note(sh));
    }
    if let Some(said) = crate::report::wording::unknown_windows(s, sh) {
        o.p_class("fail", said);
    }
    o.markup(&clocks(sh));
    let rows: Vec<Vec<Cell>> = sh
        .merged
        .iter()
        .map(|t| {
            let finished = match t.finished {
                true => Cell::from("yes"),
                false => Cell::classed("no", "fail"),
            };
            let offset = t.clock_offset.map_or("-".to_string(), |c| c.describe());
            let floor = t
                .sends_floor_ms
                .map_or("-".to_string(), |f| format!("{f:+.2} ms"));
            let start = t.start_at.as_deref().unwrap_or("-");
            vec![
                t.index.to_string().into(),
                finished,
                t.sent.to_string().into(),
                t.received.to_string().into(),
                t.errors.to_string().into(),
                start.into(),
                t.started_sending_at.as_str().into(),
                offset.into(),
                floor.into(),
            ]
        })
        .collect();
    o.table(&HEAD, &rows).finish()
}

const HEAD: [&str; 9] = [
    "shard",
    "finished",
    "sent",
    "received",
    "errors",
    "planned start",
    "started sending",
    "clock − queue's",
    "floor from send stamps",
];

/// Why a merged result is partial: the shards that are missing, the ones that did not finish.
fn partial_note(sh: &Shards) -> String {
    let list = |indexes: Vec<String>| indexes.join(", ");
    let missing = list(sh.missing.iter().map(|i| i.to_string()).collect());
    let unfinished = list(
        sh.merged
            .iter()
            .filter(|t| !t.finished)
            .map(|t| t.index.to_string())
            .collect(),
    );
    let mut said = Vec::new();
    if !missing.is_empty() {
        said.push(format!("shard(s) {missing} missing"));
    }
    if !unfinished.is_empty() {
        said.push(format!(
            "shard(s) {unfinished} unfinished, adding only what their journals held"
        ));
    }
    format!(
        "Partial result: {}. Losses and counts cover only what was merged.",
        said.join("; ")
    )
}

/// The shards' clocks: the correction (or what is uncorrected), skew, and failed checks.
fn clocks(sh: &Shards) -> String {
    let mut o = Html::new();
    let offsets = sh
        .merged
        .iter()
        .filter_map(|t| Some((t.index, t.clock_offset.as_ref()?)));
    match (&sh.clock_correction, clock_offset::worst(offsets)) {
        (Some(c), _) => {
            let line = crate::report::wording::corrected_line(c);
            let said = format!("{}.", line.trim_end());
            match c.below_zero > 0 {
                true => o.p_class("fail", said),
                false => o.p(said),
            };
        }
        (None, Some((shard, worst))) => {
            o.p(Phrase::new()
                .t(format!("End-to-end latencies compare a sender's clock with a receiver's: they may be off by up to {worst:.2} ms (shard {shard}'s clock against the queue's), not corrected ("))
                .code("merge --correct-clock-offset")
                .t(" corrects them)."));
        }
        (None, None) => {}
    }
    for t in sh
        .merged
        .iter()
        .filter(|t| t.clock_offset.is_some_and(|c| c.skewed()))
    {
        let corrected = match sh.clock_correction {
            Some(_) => "were corrected by its offset",
            None => "are off by about that much",
        };
        o.p_class(
            "fail",
            format!(
                "Clock skew: shard {}'s clock is {} from the queue's; latencies between it and other shards {corrected}.",
                t.index,
                t.clock_offset.map(|c| c.describe()).unwrap_or_default(),
            ),
        );
    }
    for t in &sh.merged {
        if let (Some(c), Some(floor)) = (t.clock_offset, t.sends_floor_ms)
            && !c.allows(floor)
        {
            o.p_class(
                "fail",
                format!(
                    "Clock check failed: shard {}'s messages were stamped by SQS as if its clock were at least {floor:+.2} ms from the queue's, beyond its measured {}.",
                    t.index,
                    c.describe()
                ),
            );
        }
    }
    o.finish()
}
