//! A fan-out run's subscriptions as users read them: one row each in the terminal (what should
//! have arrived, what did, what was missing or leaked through the filter, duplicates, order,
//! dead letters, whether the accounting holds, throughput and latency), and the topic's line.

use crate::measure::fanout::SubscriptionSummary;
use crate::measure::summary::RunSummary;

use super::wording::{aligned, ms};

/// The header line of a fan-out run: the topic and where it fans out to.
pub(crate) fn headline(s: &RunSummary) -> Option<String> {
    let topic = s.topic.as_ref()?;
    Some(format!(
        "\n{} — {} topic {} → {} subscription queues on {} ({})\n",
        s.scenario.name,
        topic.kind,
        topic.name,
        s.subscriptions.len(),
        s.target.kind,
        s.target.endpoint
    ))
}

/// The settle probes' line, when they ran.
pub(crate) fn settle_line(s: &RunSummary) -> String {
    let Some(settle) = s.topic.as_ref().and_then(|t| t.settle.as_ref()) else {
        return String::new();
    };
    let verdict = if settle.settled {
        "every filter behaved".to_string()
    } else {
        format!("NOT settled ({})", settle.last_problem)
    };
    format!(
        "settle: {verdict} after {} round(s), {:.1} s; {} probes published, {} received (not counted below)\n",
        settle.rounds, settle.seconds, settle.probes_published, settle.probes_received
    )
}

/// One row per subscription, and the identity each must satisfy.
pub(crate) fn table(subscriptions: &[SubscriptionSummary]) -> String {
    let mut rows = vec![
        [
            "subscription",
            "filter",
            "expected",
            "received",
            "missing",
            "leaked",
            "dup",
            "order",
            "dead",
            "identity",
            "recv/s",
            "e2e p50",
            "e2e p99",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for s in subscriptions {
        rows.push(vec![
            s.name.clone(),
            if s.filter_policy.is_some() {
                "yes"
            } else {
                "none"
            }
            .into(),
            s.expected.to_string(),
            s.unique_received.to_string(),
            s.missing.to_string(),
            s.leaked.to_string(),
            s.duplicates.to_string(),
            s.order_violations.to_string(),
            s.dead_lettered.to_string(),
            if s.identity_holds { "holds" } else { "BROKEN" }.into(),
            format!("{:.0}", s.received_per_sec),
            ms(s.end_to_end_us.p50),
            ms(s.end_to_end_us.p99),
        ]);
    }
    let mut o = aligned(&rows, |column| column < 2);
    o += "per subscription: expected = received + dead + missing; expected is what its filter lets through, leaked what it should have stopped\n";
    for s in subscriptions {
        if let Some(i) = s.emulator_injected {
            o += &format!(
                "emulator injected on {}: lost {}, duplicates {}, reordered {}\n",
                s.queue, i.lost, i.duplicates, i.reordered
            );
        }
    }
    o
}
