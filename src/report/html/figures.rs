//! A run's figures as HTML: the headline cards, expectations, latency, fleets, requests and
//! cost, integrity with its examples, Lambda-style batches.

use super::build::{Cell, Html};
use crate::measure::by_sender::CROSSING;
use crate::measure::latency::Latency;
use crate::measure::ledger::{Example, Integrity};
use crate::measure::summary::RunSummary;
use crate::report::wording::{escape, ms, per_sec, usd};

pub(super) fn card(o: &mut String, value: String, label: &str) {
    o.push_str(&format!(
        "<div class=\"card\"><b>{}</b><span>{}</span></div>",
        escape(&value),
        escape(label)
    ));
}

pub(super) fn headline(s: &RunSummary) -> String {
    let e2e = s.latency(Latency::EndToEnd);
    let m = &s.messages;
    let mut o = String::from("<div class=\"cards\">");
    card(&mut o, per_sec(s.throughput.sent_per_sec), "sent");
    card(&mut o, per_sec(s.throughput.received_per_sec), "received");
    card(&mut o, ms(e2e.p50), "end-to-end p50");
    card(&mut o, ms(e2e.p99), "end-to-end p99");
    card(&mut o, ms(e2e.max), "end-to-end max");
    if s.shard.is_some() {
        // A shard's losses, order and duplicates are judged over every shard, not here.
        card(&mut o, usd(s.cost.usd), "cost");
        return o + "</div>";
    }
    card(&mut o, m.duplicates.to_string(), "duplicates");
    card(&mut o, m.lost.to_string(), "lost");
    if m.undelivered_at_interrupt > 0 {
        card(
            &mut o,
            m.undelivered_at_interrupt.to_string(),
            "undelivered at the interrupt",
        );
    }
    if m.not_sent > 0 {
        card(
            &mut o,
            m.not_sent.to_string(),
            "not sent (e2e counted as a lower bound)",
        );
    }
    card(&mut o, m.order_violations.to_string(), "order violations");
    card(&mut o, m.dead_lettered.to_string(), "dead-lettered");
    card(&mut o, usd(s.cost.usd), "cost");
    o + "</div>"
}

pub(super) fn expectations(s: &RunSummary) -> String {
    if s.expectations.is_empty() {
        return "<p>No <code>[expect]</code> checks in this scenario.</p>".into();
    }
    let rows: Vec<Vec<Cell>> = s
        .expectations
        .iter()
        .map(|e| {
            let u = e.unit.suffix();
            let result = match e.passed {
                true => Cell::classed("passed", "pass"),
                false => Cell::classed("FAILED", "fail"),
            };
            vec![
                e.name.clone().into(),
                format!("{}{u}", e.limit).into(),
                format!("{}{u}", e.actual).into(),
                result,
            ]
        })
        .collect();
    let head = ["expectation", "limit", "actual", "result"];
    Html::new().table(&head, &rows).finish()
}

pub(super) fn latencies(s: &RunSummary) -> String {
    // A merged result's end-to-end rows compare two machines' clocks: what they may be off by.
    let clocks = crate::report::wording::cross_machine_note(s);
    let mut head = vec!["latency", "count", "p50", "p90", "p99", "p99.9", "max"];
    if clocks.is_some() {
        head.push("clocks");
    }
    let rows: Vec<Vec<String>> = s
        .latency_us
        .iter()
        .filter(|(_, l)| l.count > 0)
        .map(|(k, l)| {
            let mut row = vec![k.clone(), l.count.to_string()];
            row.extend([l.p50, l.p90, l.p99, l.p999, l.max].map(ms));
            if let Some(note) = &clocks {
                let crossing = CROSSING.iter().any(|c| c.key() == k);
                row.push(if crossing {
                    note.clone()
                } else {
                    String::new()
                });
            }
            row
        })
        .collect();
    Html::new().table(&head, &rows).finish()
}

pub(super) fn requests(s: &RunSummary) -> String {
    let head = [
        "API",
        "requests",
        "errors",
        "throttled",
        "timeouts",
        "failed entries",
        "retries",
    ];
    let rows: Vec<Vec<String>> = s
        .requests
        .iter()
        .map(|(api, r)| {
            let figures = [
                r.count,
                r.errors,
                r.throttled,
                r.timeouts,
                r.entries_failed,
                r.retries,
            ];
            std::iter::once(api.clone())
                .chain(figures.map(|n| n.to_string()))
                .collect()
        })
        .collect();
    let mut o = Html::new().table(&head, &rows).finish();
    o.push_str(&format!("<p>Cost: {} billed requests (64 KiB chunks) at ${} per million, <b>${:.6}</b>, ${:.4} per million messages.",
        s.cost.billed_requests,
        s.cost.price_per_million,
        s.cost.usd,
        s.cost.usd_per_million_messages));
    match (s.cost.estimated_billed_requests, s.cost.estimated_usd) {
        (Some(r), Some(usd)) => {
            o.push_str(&format!(
                " Estimated before the run: {r} requests, ${usd:.6}.</p>"
            ));
        }
        _ => o += " No estimate before the run (a closed-loop rate).</p>",
    }
    o
}

pub(super) fn examples(title: &str, list: &[Example]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut o = format!(
        "<h3>{}</h3><table><tr><th>message id</th><th>producer</th><th>sequence</th><th>group</th><th>receive count</th><th>note</th></tr>",
        escape(title)
    );
    for e in list {
        let note = match (e.cause, e.delivered_after_sequence) {
            (Some(c), _) => format!("{c:?}").to_lowercase(),
            (_, Some(later)) => format!("delivered after sequence {later}"),
            _ => String::new(),
        };
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&e.message_id),
            e.producer,
            e.sequence,
            e.group,
            e.receive_count,
            escape(&note)
        ));
    }
    o + "</table>"
}

pub(super) fn integrity(s: &RunSummary, i: Option<&Integrity>) -> String {
    let m = &s.messages;
    let d = &m.duplicate_causes;
    let mut o = format!(
        "<table><tr><th>count</th><th>value</th></tr>\
<tr><td>duplicates (redelivered / producer / unexplained)</td><td>{} ({} / {} / {})</td></tr>\
<tr><td>lost</td><td>{}</td></tr><tr><td>order violations</td><td>{}</td></tr>\
<tr><td>dead-lettered</td><td>{}</td></tr><tr><td>foreign</td><td>{}</td></tr></table>\
<p>Accounting: {} {} = unique received {} + dead-lettered {} + lost {}.</p>",
        m.duplicates,
        d.redelivery,
        d.producer,
        d.unexplained,
        m.lost,
        m.order_violations,
        m.dead_lettered,
        m.foreign,
        // A fan-out's identity is over deliveries: each subscription's expected messages.
        if s.topic.is_some() {
            "expected deliveries (all subscriptions)"
        } else {
            "sent"
        },
        if s.topic.is_some() {
            s.subscriptions.iter().map(|x| x.expected).sum()
        } else {
            m.sent
        },
        m.unique_received,
        m.dead_lettered,
        m.lost
    );
    if let Some(e) = &s.emulator {
        let x = e.injected;
        o.push_str(&format!("<p>The emulator injected: duplicates {}, lost {}, reordered {}, errors {}, throttled {}.</p>",
            x.duplicates, x.lost, x.reordered, x.errors, x.throttled));
    }
    if let Some(i) = i {
        o += &examples("Duplicates — first examples", &i.duplicates.examples);
        o += &examples("Lost — first examples", &i.lost.examples);
        o += &examples(
            "Order violations — first examples",
            &i.order_violations.examples,
        );
        o += &examples("Dead-lettered — first examples", &i.dead_lettered.examples);
    }
    o
}

/// The page of one run, from its directory (charts, integrity.json, scenario.toml).
/// Each fleet's figures: a delivery counts for the fleet that sent it and the one that received it.
pub(super) fn fleets(s: &RunSummary) -> String {
    if s.fleets.is_empty() {
        return String::new();
    }
    let mut o = String::from(
        "<h3>By fleet</h3><table><tr><th>fleet</th><th>role</th><th>sent</th><th>send failed</th><th>received</th><th>e2e p50</th><th>e2e p99</th><th>e2e max</th></tr>",
    );
    let count = |n: Option<u64>| n.map_or("–".to_string(), |n| n.to_string());
    for f in &s.fleets {
        let e2e = &f.end_to_end_us;
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.name),
            f.role.name(),
            count(f.sent),
            count(f.send_failed),
            f.received,
            ms(e2e.p50),
            ms(e2e.p99),
            ms(e2e.max)
        ));
    }
    o += "</table>";
    if let Some(note) = crate::report::wording::cross_machine_note(s) {
        o += &format!("<p>Fleets' end-to-end latencies: {}.</p>", escape(&note));
    }
    o
}

/// Lambda-style consumers' batches, and why messages came back.
pub(super) fn batches(s: &RunSummary) -> String {
    let Some(b) = &s.batches else {
        return String::new();
    };
    let mut o = format!(
        "<h3>Batches (Lambda-style consumers)</h3><p>{} invocations of {} messages: mean batch {}, gathered in {} ms on average.</p>\
         <table><tr><th>why a message came back</th><th>left on the queue</th><th>redelivered</th><th>dead-lettered</th></tr>",
        b.invocations, b.messages, b.mean_size, b.mean_gather_ms
    );
    for (cause, left, redelivered, dead) in crate::report::wording::batch_causes(b) {
        o.push_str(&format!(
            "<tr><td>{cause}</td><td>{left}</td><td>{redelivered}</td><td>{dead}</td></tr>"
        ));
    }
    o.push_str("</table>");
    for (title, unit, dist) in [
        ("batch size", "messages", &b.size_distribution),
        ("gather time", "ms", &b.gather_ms_distribution),
    ] {
        o.push_str(&format!(
            "<p>By {title} ({unit}): {}</p>",
            crate::report::wording::distribution(dist)
        ));
    }
    o
}
