//! A run of many queues as users read it: the title line, then the queues with the highest
//! end-to-end p99 (10 in the terminal), each with its accounting, and a line for all of them —
//! how many close their accounting, and the spread of p99 across queues.

use crate::measure::queues::{QueueSummary, worst};
use crate::measure::summary::RunSummary;

use super::wording::{aligned, ms};

/// Queues the terminal lists: the worst by end-to-end p99.
pub(crate) const TERMINAL_QUEUES: usize = 10;

/// The header line of a run of many queues.
pub(crate) fn headline(s: &RunSummary) -> Option<String> {
    let first = s.queues.first()?;
    Some(format!(
        "\n{} — {} {} queues ({} …) on {} ({})\n",
        s.scenario.name,
        s.queues.len(),
        s.queue.kind,
        first.name,
        s.target.kind,
        s.target.endpoint
    ))
}

/// The worst `n` queues by end-to-end p99, one row each, then the totals line.
pub(crate) fn table(queues: &[QueueSummary], n: usize) -> String {
    let mut rows = vec![
        [
            "queue", "sent", "received", "missing", "dup", "order", "dead", "identity", "recv/s",
            "e2e p50", "e2e p99", "e2e max",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for q in worst(queues, n) {
        let e2e = &q.end_to_end_us;
        rows.push(vec![
            q.name.clone(),
            q.sent.to_string(),
            q.unique_received.to_string(),
            q.missing.to_string(),
            q.duplicates.to_string(),
            q.order_violations.to_string(),
            q.dead_lettered.to_string(),
            identity(q).into(),
            format!("{:.0}", q.received_per_sec),
            ms(e2e.p50),
            ms(e2e.p99),
            ms(e2e.max),
        ]);
    }
    let shown = n.min(queues.len());
    let mut o = format!(
        "queues: the {shown} of {} with the highest e2e p99\n",
        queues.len()
    );
    o += &aligned(&rows, |column| column == 0);
    o += &totals_line(queues);
    for q in worst(queues, n) {
        if let Some(i) = q
            .emulator_injected
            .filter(|i| i.lost + i.duplicates + i.reordered > 0)
        {
            o += &format!(
                "emulator injected on {}: lost {}, duplicates {}, reordered {}; detected missing {}, unexplained duplicates {}\n",
                q.name, i.lost, i.duplicates, i.reordered, q.missing, q.unexplained_duplicates
            );
        }
    }
    o
}

fn identity(q: &QueueSummary) -> &'static str {
    if q.identity_holds { "holds" } else { "BROKEN" }
}

/// How many queues close their accounting, and the spread of their e2e p99.
pub(crate) fn totals_line(queues: &[QueueSummary]) -> String {
    let holding = queues.iter().filter(|q| q.identity_holds).count();
    let received: Vec<&QueueSummary> = queues
        .iter()
        .filter(|q| q.end_to_end_us.count > 0)
        .collect();
    let mut p99: Vec<u64> = received.iter().map(|q| q.end_to_end_us.p99).collect();
    p99.sort_unstable();
    let spread = match (p99.first(), p99.get(p99.len() / 2), p99.last()) {
        (Some(lo), Some(mid), Some(hi)) => format!(
            "; e2e p99 across the {} queues that received: lowest {}, median {}, highest {}",
            p99.len(),
            ms(*lo),
            ms(*mid),
            ms(*hi)
        ),
        _ => String::new(),
    };
    format!(
        "per queue: sent = received + dead + missing holds on {holding} of {}{spread}\n",
        queues.len()
    )
}
