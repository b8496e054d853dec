//! The once-a-second collection, and what each second is checked against (the budget).

use std::sync::Arc;
use std::time::Duration;

use super::{Phase, Progress};
use crate::measure::recorder::{Recorder, Registry};
use crate::measure::timeline::{IntervalSink, TimelineRow};
use crate::workload::backlog::Backlog;
use crate::workload::clock::RunClock;
use crate::workload::fleet_size::Running;
use crate::workload::ledgers::Ledgers;

/// The once-a-second collection: every task's recorder swapped out into the second's timeline
/// row, the streamed files and the run's totals.
pub(super) struct Seconds<'s> {
    pub(super) registry: &'s Registry,
    pub(super) sink: &'s mut dyn IntervalSink,
    pub(super) total: Recorder,
    pub(super) in_flight: i64,
    /// The queues' latest readings, and each consumer fleet's running count.
    pub(super) backlog: Arc<Backlog>,
    pub(super) running: Vec<Running>,
    pub(super) second: u64,
}

impl Seconds<'_> {
    pub(super) fn collect(&mut self) -> TimelineRow {
        self.second += 1;
        let mut interval = self.registry.collect();
        self.in_flight += interval.counters.sent_all as i64 - interval.counters.deleted_all as i64;
        let mut row = TimelineRow::from_interval(self.second, &interval, self.in_flight);
        if let Some(r) = self.backlog.total() {
            row.queue_visible = Some(r.visible);
            row.queue_in_flight = Some(r.in_flight);
            row.queue_delayed = Some(r.delayed);
        }
        row.consumers = self.running.iter().map(Running::now).sum();
        self.sink.interval(&row, &interval);
        // The split by sender is only ever read back from the streamed log (by a merge).
        interval.by_sender = Default::default();
        self.total.merge(&interval);
        row
    }
}

/// What each second is checked against: the budget, and when warmup ends (for the display).
pub(super) struct SecondRules {
    pub(super) usd: Option<f64>,
    pub(super) price_per_million: f64,
    pub(super) warmup: Duration,
}

impl SecondRules {
    /// One second: collected, the budget checked, the progress display told.
    pub(super) fn second(
        &self,
        clock: &RunClock,
        seconds: &mut Seconds<'_>,
        draining: bool,
        ledgers: &Ledgers,
        progress: &mut dyn FnMut(&Progress),
    ) -> Option<Stop> {
        let row = seconds.collect();
        if over_budget(self.usd, self.price_per_million, &seconds.total) {
            return Some(Stop::Budget);
        }
        let elapsed = clock.elapsed();
        let phase = if draining {
            Phase::Drain
        } else if elapsed < self.warmup {
            Phase::Warmup
        } else {
            Phase::Measured
        };
        progress(
            &Progress::of(&seconds.total, elapsed, phase, row.sent, row.received)
                .with_duplicates(ledgers.duplicates()),
        );
        None
    }
}

/// Why the run's loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    Interrupted,
    /// `[run] budget_usd` was reached.
    Budget,
    /// Everything acknowledged was deleted, or the queue was seen empty, or no consumers.
    Drained,
    /// The drain timeout passed, or the ledger stopped and nothing can say it drained.
    DrainTimedOut,
}

/// Whether the run's counted cost reached `[run] budget_usd` (target `aws` only).
fn over_budget(budget_usd: Option<f64>, price_per_million: f64, total: &Recorder) -> bool {
    budget_usd.is_some_and(|budget| {
        let calls: u64 = total.apis.values().map(|a| a.count).sum();
        crate::price::usd(calls as f64, price_per_million) >= budget
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::recorder::{Api, ApiCounts};

    fn calls(n: u64) -> Recorder {
        let mut total = Recorder::default();
        total.apis.insert(
            Api::SendMessageBatch,
            ApiCounts {
                count: n,
                ..ApiCounts::default()
            },
        );
        total
    }

    #[test]
    fn the_budget_stops_the_run_when_the_counted_cost_reaches_it() {
        // $0.40 per million calls: a $1 budget is 2.5 million calls.
        assert!(!over_budget(Some(1.0), 0.40, &calls(2_499_999)));
        assert!(over_budget(Some(1.0), 0.40, &calls(2_500_000)));
        assert!(
            !over_budget(None, 0.40, &calls(u64::MAX / 2)),
            "no budget, no stop"
        );
    }
}
