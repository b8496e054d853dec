//! A fan-out run's subscriptions on the page: the settle probes, one row per subscription with
//! its filter and accounting, and what SNS cost.

use super::build::{Cell, Html};
use crate::measure::summary::RunSummary;
use crate::report::subscriptions::settle_line;
use crate::report::wording::ms;

const HEAD: [&str; 14] = [
    "subscription",
    "filter policy",
    "raw",
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

/// The page's section: the topic, the settle probes, one row per subscription with its filter.
pub(crate) fn subscriptions(s: &RunSummary) -> String {
    if s.topic.is_none() {
        return String::new();
    }
    let mut o = Html::new();
    o.h3("Subscriptions");
    let settle = settle_line(s);
    if !settle.is_empty() {
        o.p(settle.trim_end());
    }
    let rows: Vec<Vec<Cell>> = s
        .subscriptions
        .iter()
        .map(|sub| {
            let policy = sub
                .filter_policy
                .as_ref()
                .map_or("none: everything".to_string(), |p| p.to_string());
            let identity = match sub.identity_holds {
                true => Cell::classed("holds", "pass"),
                false => Cell::classed("broken", "fail"),
            };
            let raw = if sub.raw_message_delivery {
                "yes"
            } else {
                "no"
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
        })
        .collect();
    o.div("wide", &Html::new().table(&HEAD, &rows).finish());
    o.p(
        "Per subscription: expected (what its filter lets through, judged by sqsbench on the \
attributes it published) = received + dead-lettered + missing. Leaked: received although the \
filter should have stopped it.",
    );
    if let Some(sns) = &s.cost.sns {
        o.p(format!(
            "SNS: {} billed publishes, ${:.6} (included in the cost). Not counted: {}.",
            sns.billed_publishes,
            sns.usd,
            sns.not_counted.join("; ")
        ));
    }
    o.finish()
}
