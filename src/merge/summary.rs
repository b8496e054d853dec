//! The merged run's summary.json: the shards' counters added, the histograms' figures from
//! the added histograms (never averaged percentiles), the ledger's verdict from the union of
//! the shards' journals, and a `shards` section saying what was added.

use crate::measure::latency::{Latency, LatencyStats};
use crate::measure::ledger::Tally;
use crate::measure::ledger::order::Judged;
use crate::measure::summary::{
    Interruption, Requests, ResultsKind, RunSummary, ShardTotals, Shards,
};
use crate::report::load::Logged;
use crate::round::per_second;

use super::inputs::ShardDir;

/// What the merge concluded, beside the shards.
pub(super) struct Verdict<'a> {
    pub(super) tally: &'a Tally,
    pub(super) order: &'a Judged,
    pub(super) totals: &'a Logged,
    pub(super) missing: &'a [u32],
}

/// The merged summary, `head` (the first finished shard's) giving what every shard shares.
pub(super) fn merged(head: &RunSummary, shards: &[ShardDir], v: &Verdict<'_>) -> RunSummary {
    let finished: Vec<&RunSummary> = shards.iter().filter_map(|s| s.summary.as_ref()).collect();
    let mut s = RunSummary {
        kind: Some(ResultsKind::Merged),
        shard: None,
        emulator: None,
        repeats: None,
        expectations: Vec::new(),
        started_at: finished
            .iter()
            .map(|f| f.started_at.clone())
            .min()
            .unwrap_or_default(),
        measured_seconds: finished
            .iter()
            .map(|f| f.measured_seconds)
            .fold(0.0, f64::max),
        interrupted: finished
            .iter()
            .map(|f| f.interrupted)
            .max_by_key(|i| match i {
                Interruption::None => 0,
                Interruption::Signal => 1,
                Interruption::Forced => 2,
            })
            .unwrap_or_default(),
        incomplete: finished.iter().find_map(|f| f.incomplete.clone()),
        drained: finished.iter().all(|f| f.drained) && finished.len() == shards.len(),
        ..head.clone()
    };
    add_counters(&mut s, &finished, shards);
    s.judged(v.tally);
    s.messages.order_violations = v.order.violations;
    s.messages.order_undecided = v.order.undecided;
    if s.interrupted.happened() {
        // As in one run: not yet received at the signal may still be on the queue.
        s.messages.undelivered_at_interrupt = s.messages.lost;
        s.messages.lost = 0;
    }
    s.throughput.received_per_sec = per_second(s.messages.unique_received, s.measured_seconds);
    s.latency_us = Latency::ALL
        .iter()
        .map(|l| {
            (
                l.key().to_string(),
                LatencyStats::of(v.totals.latencies.get(*l)),
            )
        })
        .collect();
    for fleet in &mut s.fleets {
        fleet.end_to_end_us = v
            .totals
            .fleet_end_to_end
            .get(&fleet.name)
            .map(LatencyStats::of)
            .unwrap_or_default();
    }
    // Each shard measured its own clock: they are in `shards.merged`, not one for the merge.
    s.clock_offset = None;
    s.sender_clock_floors_ms = Vec::new();
    let mut merged: Vec<ShardTotals> = shards.iter().map(totals).collect();
    for t in &mut merged {
        t.sends_floor_ms = sends_floor(shards, t.index);
    }
    s.shards = Some(Shards {
        count: shards[0].record.shard.count,
        partial: !v.missing.is_empty() || finished.len() < shards.len(),
        missing: v.missing.to_vec(),
        merged,
        clock_correction: None,
        unknown_windows: Vec::new(),
    });
    s
}

/// Counters are sums. A shard that did not finish wrote no counters: what its journal holds
/// (measured messages acknowledged, delivered, deleted) stands in for its message counts.
fn add_counters(s: &mut RunSummary, finished: &[&RunSummary], shards: &[ShardDir]) {
    let mut m = crate::measure::summary::Messages::default();
    s.throughput.sent_per_sec = 0.0;
    s.requests.clear();
    for fleet in &mut s.fleets {
        fleet.sent = fleet.sent.map(|_| 0);
        fleet.send_failed = fleet.send_failed.map(|_| 0);
        fleet.received = 0;
    }
    s.cost.billed_requests = 0;
    let mut usd = 0.0;
    s.batches = finished
        .iter()
        .any(|f| f.batches.is_some())
        .then(Default::default);
    s.consumers = finished
        .iter()
        .any(|f| f.consumers.is_some())
        .then(Default::default);
    for f in finished {
        if let (Some(ours), Some(theirs)) = (&mut s.batches, &f.batches) {
            ours.add(theirs);
        }
        if let (Some(ours), Some(theirs)) = (&mut s.consumers, &f.consumers) {
            ours.add(theirs);
        }
        m.add_counts(&f.messages);
        s.throughput.sent_per_sec += f.throughput.sent_per_sec;
        for (api, r) in &f.requests {
            s.requests.entry(api.clone()).or_default().add(r);
        }
        for (ours, theirs) in s.fleets.iter_mut().zip(&f.fleets) {
            ours.add_counts(theirs);
        }
        s.cost.add_counted(&f.cost, &mut usd);
    }
    for t in shards.iter().filter_map(|sh| sh.journal.tally.as_ref()) {
        m.sent += t.acknowledged;
        m.sent_including_warmup += t.acknowledged;
        m.received += t.deliveries;
        m.deleted += t.deleted;
    }
    s.throughput.sent_per_sec = crate::round::tenths(s.throughput.sent_per_sec);
    let sent_all = m.sent_including_warmup;
    s.messages = m;
    (s.cost.usd, s.cost.usd_per_million_messages) = crate::price::stated(usd, sent_all);
}

/// The highest floor any shard's receives put under shard `index`'s clock offset.
/// The highest floor any shard's receives put under shard `index`'s clock offset.
pub(super) fn sends_floor(shards: &[ShardDir], index: u32) -> Option<f64> {
    shards
        .iter()
        .filter_map(|sh| {
            sh.summary
                .as_ref()?
                .sender_clock_floors_ms
                .get(index as usize)
                .copied()?
        })
        .max_by(f64::total_cmp)
}

fn totals(sh: &ShardDir) -> ShardTotals {
    let (sent, received, errors) = match &sh.summary {
        Some(f) => (
            f.messages.sent,
            f.messages.received,
            f.requests.values().map(Requests::failed).sum(),
        ),
        None => {
            let t = sh.journal.tally.clone().unwrap_or_default();
            (
                t.acknowledged,
                t.deliveries,
                sh.timeline.iter().map(|r| r.errors).sum(),
            )
        }
    };
    ShardTotals {
        index: sh.record.shard.index,
        finished: sh.summary.is_some(),
        sent,
        received,
        errors,
        start_at: sh.record.start_at.clone(),
        started_sending_at: sh.record.started_sending_at.clone(),
        ledger_frames: sh.journal.frames,
        ledger_cut_bytes: sh.journal.cut_bytes,
        clock_offset: sh.summary.as_ref().and_then(|f| f.clock_offset),
        sends_floor_ms: None,
    }
}
