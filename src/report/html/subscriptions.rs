//! A fan-out run's routes on the page: the settle probes, one row per subscription or rule with
//! its filter policy or event pattern and accounting, and what SNS or EventBridge cost.

use super::build::{Cell, Html};
use crate::measure::summary::RunSummary;
use crate::report::subscriptions::settle_line;
use crate::report::wording::ms;

/// The columns after a route's name, filter (or pattern) and what its queue gets.
const FIGURES: [&str; 11] = [
    "expected",
    "received",
    "missing",
    "leaked",
    "duplicates",
    "order",
    "dead-lettered",
    "identity",
    "received/s",
    "e2e p50",
    "e2e p99",
];

/// A subscription's columns, or (a bus's rules) the pattern and the target's input in the
/// filter's place.
fn head(rules: bool) -> Vec<&'static str> {
    let first = match rules {
        true => ["rule", "event pattern", "input"],
        false => ["subscription", "filter policy", "raw"],
    };
    first.into_iter().chain(FIGURES).collect()
}

/// The page's section: the topic or bus, the settle probes, one row per subscription with its
/// filter or per rule with its pattern.
pub(crate) fn subscriptions(s: &RunSummary) -> String {
    let Some((_, word)) = s.router() else {
        return String::new();
    };
    let rules = word == "rule";
    let mut o = Html::new();
    o.h3(if rules { "Rules" } else { "Subscriptions" });
    let settle = settle_line(s);
    if !settle.is_empty() {
        o.p(settle.trim_end());
    }
    let rows: Vec<Vec<Cell>> = s.routes().iter().map(route_row).collect();
    o.div("wide", &Html::new().table(&head(rules), &rows).finish());
    if rules {
        o.p(
            "Per rule: expected (the events its pattern matches, predicted by sqsbench with the \
emulator's own matcher on the fields it drew) = received + dead-lettered + missing. Leaked: \
received although the pattern does not match. Latency runs from the intended PutEvents time to \
receipt; each rule's consumers are the fleet of its name, drawn line by line in the chart \
\"end-to-end p99 by fleet\".",
        );
        o.markup(&replays(s));
    } else {
        o.p(
            "Per subscription: expected (what its filter lets through, judged by sqsbench on the \
attributes it published) = received + dead-lettered + missing. Leaked: received although the \
filter should have stopped it.",
        );
    }
    if let Some(sns) = &s.cost.sns {
        o.p(format!(
            "SNS: {} billed publishes, ${:.6} (included in the cost). Not counted: {}.",
            sns.billed_publishes,
            sns.usd,
            sns.not_counted.join("; ")
        ));
    }
    if let Some(eb) = &s.cost.eventbridge {
        o.p(format!(
            "EventBridge: {} billed events and {} SQS deliveries (${:.6}), ${:.6} in all (included in the cost). Not counted: {}.",
            eb.billed_events,
            eb.delivery_requests,
            eb.delivery_usd,
            eb.usd,
            eb.not_counted.join("; ")
        ));
    }
    o.finish()
}

/// One route's row: its name, filter or pattern, what its queue gets, and its figures.
fn route_row(sub: &crate::measure::fanout::RouteSummary) -> Vec<Cell> {
    let policy = sub
        .filter_policy
        .as_ref()
        .or(sub.event_pattern.as_ref())
        .map_or("none: everything".to_string(), |p| p.to_string());
    let identity = match sub.identity_holds {
        true => Cell::classed("holds", "pass"),
        false => Cell::classed("broken", "fail"),
    };
    let raw = match (sub.raw_message_delivery, &sub.input_transformer) {
        (Some(true), _) => "yes",
        (Some(false), _) => "no",
        (None, Some(_)) => "transformed",
        (None, None) => "event",
    };
    let counts = [
        sub.expected,
        sub.unique_received,
        sub.missing,
        sub.leaked,
        sub.duplicates,
        sub.order_violations,
        sub.dead_lettered,
    ];
    [sub.name.as_str().into(), Cell::code(policy), raw.into()]
        .into_iter()
        .chain(counts.map(|n| Cell::from(n.to_string())))
        .chain([identity, format!("{:.0}", sub.received_per_sec).into()])
        .chain([sub.end_to_end_us.p50, sub.end_to_end_us.p99].map(|v| ms(v).into()))
        .collect()
}

/// The replay the run started and what each rule got from it, counted apart.
fn replays(s: &RunSummary) -> String {
    let Some(replay) = s.event_bus.as_ref().and_then(|b| b.replay.as_ref()) else {
        return String::new();
    };
    let mut o = Html::new();
    match &replay.failed {
        Some(why) => {
            o.p(format!(
                "Replay at {:.1} s could not start: {why}",
                replay.at_seconds
            ));
        }
        None => {
            let got: Vec<String> = s
                .rules
                .iter()
                .map(|r| format!("{} {}", r.name, r.replayed.values().sum::<u64>()))
                .collect();
            o.p(format!(
                "Replay {} started at {:.1} s; replayed deliveries, counted apart from the figures above: {}.",
                replay.name,
                replay.at_seconds,
                got.join(", ")
            ));
        }
    }
    o.finish()
}
