//! A run of many queues on the page: every queue's row, the worst end-to-end p99 first, with its
//! accounting and what the emulator injected on it; the worst queues' p99 over time is a chart
//! of its own (`Chart::LatencyByQueue`).

use super::build::{Cell, Html};
use crate::measure::queues::worst;
use crate::measure::summary::RunSummary;
use crate::report::queues::totals_line;
use crate::report::wording::ms;

const HEAD: [&str; 13] = [
    "queue",
    "sent",
    "received",
    "missing",
    "duplicates",
    "order",
    "dead-lettered",
    "identity",
    "received/s",
    "e2e p50",
    "e2e p99",
    "e2e max",
    "injected (lost, dup, reordered)",
];

/// The page's section: one row per queue, worst p99 first.
pub(crate) fn queues(s: &RunSummary) -> String {
    if s.queues.is_empty() {
        return String::new();
    }
    let mut o = Html::new();
    o.h3(&format!("Queues ({})", s.queues.len()));
    o.p(totals_line(&s.queues).trim_end());
    let rows: Vec<Vec<Cell>> = worst(&s.queues, s.queues.len())
        .into_iter()
        .map(|q| {
            let identity = match q.identity_holds {
                true => Cell::classed("holds", "pass"),
                false => Cell::classed("broken", "fail"),
            };
            let counts = [
                q.sent,
                q.unique_received,
                q.missing,
                q.duplicates,
                q.order_violations,
                q.dead_lettered,
            ];
            let e2e = &q.end_to_end_us;
            let injected = q.emulator_injected.map_or("-".to_string(), |i| {
                format!("{}, {}, {}", i.lost, i.duplicates, i.reordered)
            });
            [Cell::code(q.name.clone())]
                .into_iter()
                .chain(counts.map(|n| Cell::from(n.to_string())))
                .chain([identity, format!("{:.0}", q.received_per_sec).into()])
                .chain([e2e.p50, e2e.p99, e2e.max].map(|v| ms(v).into()))
                .chain([Cell::from(injected)])
                .collect()
        })
        .collect();
    o.div("wide", &Html::new().table(&HEAD, &rows).finish());
    o.p(
        "Per queue: sent = received + dead-lettered + missing, judged by the queue's own ledger. \
Percentiles per queue keep 2 significant digits.",
    );
    o.finish()
}
