//! A fan-out run's routes as users read them: one row per subscription or rule in the terminal
//! (what should have arrived, what did, what was missing or leaked through the filter or
//! pattern, duplicates, order, dead letters, whether the accounting holds, throughput and
//! latency), and the topic's or bus's line.

use crate::measure::fanout::RouteSummary;
use crate::measure::summary::RunSummary;

use super::wording::{aligned, ms};

/// The header line of a fan-out run: the topic and where it fans out to.
pub(crate) fn headline(s: &RunSummary) -> Option<String> {
    if let Some(bus) = &s.event_bus {
        return Some(format!(
            "\n{} — event bus {} → {} rule queues on {} ({})\n",
            s.scenario.name,
            bus.name,
            s.rules.len(),
            s.target.kind,
            s.target.endpoint
        ));
    }
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
    let settle = match (&s.topic, &s.event_bus) {
        (Some(t), _) => t.settle.as_ref(),
        (None, Some(b)) => b.settle.as_ref(),
        (None, None) => None,
    };
    let Some(settle) = settle else {
        return String::new();
    };
    let verdict = if settle.settled && s.event_bus.is_some() {
        "every rule behaved".to_string()
    } else if settle.settled {
        "every filter behaved".to_string()
    } else {
        format!("NOT settled ({})", settle.last_problem)
    };
    format!(
        "settle: {verdict} after {} round(s), {:.1} s; {} probes published, {} received (not counted below)\n",
        settle.rounds, settle.seconds, settle.probes_published, settle.probes_received
    )
}

/// One row per subscription or rule (`word`), and the identity each must satisfy.
pub(crate) fn table(subscriptions: &[RouteSummary], word: &str) -> String {
    let rules = word == "rule";
    let mut rows = vec![
        [
            word,
            if rules { "input" } else { "filter" },
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
            match (
                rules,
                s.input_transformer.is_some(),
                s.filter_policy.is_some(),
            ) {
                (true, true, _) => "transformed",
                (true, false, _) => "event",
                (false, _, true) => "yes",
                (false, _, false) => "none",
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
    o += if rules {
        "per rule: expected = received + dead + missing; expected is what its pattern matches, leaked what it does not\n"
    } else {
        "per subscription: expected = received + dead + missing; expected is what its filter lets through, leaked what it should have stopped\n"
    };
    for s in subscriptions.iter().filter(|s| !s.replayed.is_empty()) {
        let by: Vec<String> = s
            .replayed
            .iter()
            .map(|(name, n)| format!("{n} by {name}"))
            .collect();
        o += &format!(
            "replayed into {} (counted apart): {}\n",
            s.name,
            by.join(", ")
        );
    }
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
