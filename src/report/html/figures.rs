//! A run's figures as HTML: the headline cards, expectations, latency, fleets, requests and
//! cost, integrity with its examples, Lambda-style batches.

use super::build::{Cell, Html, Phrase};
use crate::measure::by_sender::CROSSING;
use crate::measure::latency::Latency;
use crate::measure::ledger::{Example, Integrity};
use crate::measure::summary::RunSummary;
use crate::report::wording::{self, ms, per_sec, usd};

pub(super) fn headline(s: &RunSummary) -> String {
    let e2e = s.latency(Latency::EndToEnd);
    let m = &s.messages;
    let mut cards = vec![
        (per_sec(s.throughput.sent_per_sec), "sent"),
        (per_sec(s.throughput.received_per_sec), "received"),
        (ms(e2e.p50), "end-to-end p50"),
        (ms(e2e.p99), "end-to-end p99"),
        (ms(e2e.max), "end-to-end max"),
    ];
    // A shard's losses, order and duplicates are judged over every shard, not here.
    if s.shard.is_none() {
        cards.push((m.duplicates.to_string(), "duplicates"));
        cards.push((m.lost.to_string(), "lost"));
        if m.undelivered_at_interrupt > 0 {
            let n = m.undelivered_at_interrupt.to_string();
            cards.push((n, "undelivered at the interrupt"));
        }
        if m.unknown > 0 {
            let n = m.unknown.to_string();
            cards.push((n, "unknown (a shard stopped unseen)"));
        }
        if m.not_sent > 0 {
            let n = m.not_sent.to_string();
            cards.push((n, "not sent (e2e counted as a lower bound)"));
        }
        cards.push((m.order_violations.to_string(), "order violations"));
        cards.push((m.dead_lettered.to_string(), "dead-lettered"));
    }
    cards.push((usd(s.cost.usd), "cost"));
    Html::new().cards(&cards).finish()
}

pub(super) fn expectations(s: &RunSummary) -> String {
    if s.expectations.is_empty() {
        let none = Phrase::new()
            .t("No ")
            .code("[expect]")
            .t(" checks in this scenario.");
        return Html::new().p(none).finish();
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
    let c = &s.cost;
    let cost = Phrase::new()
        .t(format!(
            "Cost: {} billed requests (64 KiB chunks) at ${} per million, ",
            c.billed_requests, c.price_per_million
        ))
        .b(format!("${:.6}", c.usd))
        .t(format!(
            ", ${:.4} per million messages.",
            c.usd_per_million_messages
        ));
    let estimate = match (c.estimated_billed_requests, c.estimated_usd) {
        (Some(r), Some(usd)) => format!(" Estimated before the run: {r} requests, ${usd:.6}."),
        _ => " No estimate before the run (a closed-loop rate).".to_string(),
    };
    Html::new().table(&head, &rows).p(cost.t(estimate)).finish()
}

pub(super) fn examples(title: &str, list: &[Example]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|e| {
            let note = match (e.cause, e.delivered_after_sequence) {
                (Some(c), _) => format!("{c:?}").to_lowercase(),
                (_, Some(later)) => format!("delivered after sequence {later}"),
                _ => String::new(),
            };
            let figures = [u64::from(e.producer), e.sequence, u64::from(e.group)];
            std::iter::once(e.message_id.clone())
                .chain(figures.map(|n| n.to_string()))
                .chain([e.receive_count.to_string(), note])
                .collect()
        })
        .collect();
    let head = [
        "message id",
        "producer",
        "sequence",
        "group",
        "receive count",
        "note",
    ];
    Html::new().h3(title).table(&head, &rows).finish()
}

pub(super) fn integrity(s: &RunSummary, i: Option<&Integrity>) -> String {
    let m = &s.messages;
    let d = &m.duplicate_causes;
    let duplicates = format!(
        "{} ({} / {} / {})",
        m.duplicates, d.redelivery, d.producer, d.unexplained
    );
    let mut rows: Vec<Vec<String>> = [
        (
            "duplicates (redelivered / producer / unexplained)",
            duplicates,
        ),
        ("lost", m.lost.to_string()),
        ("order violations", m.order_violations.to_string()),
        ("dead-lettered", m.dead_lettered.to_string()),
        ("foreign", m.foreign.to_string()),
    ]
    .map(|(what, n)| vec![what.to_string(), n])
    .into();
    if let Some(c) = &s.consumers {
        rows.insert(
            1,
            vec![
                "redelivered after a crash (counted apart from redelivered)".to_string(),
                d.crash.to_string(),
            ],
        );
        rows.push(vec![
            "crashes (messages left)".to_string(),
            format!("{} ({})", c.crashes, c.crashed_messages),
        ]);
        rows.push(vec![
            "visibility heartbeats (messages extended)".to_string(),
            format!("{} ({})", c.heartbeats, c.extended),
        ]);
    }
    let mut o = Html::new();
    o.table(&["count", "value"], &rows)
        .p(format!("Accounting: {}.", wording::accounting(s)));
    if let Some(e) = &s.emulator {
        let x = e.injected;
        o.p(format!(
            "The emulator injected: duplicates {}, lost {}, reordered {}, errors {}, throttled {}.",
            x.duplicates, x.lost, x.reordered, x.errors, x.throttled
        ));
    }
    if let Some(i) = i {
        o.markup(&examples(
            "Duplicates — first examples",
            &i.duplicates.examples,
        ))
        .markup(&examples("Lost — first examples", &i.lost.examples))
        .markup(&examples(
            "Order violations — first examples",
            &i.order_violations.examples,
        ))
        .markup(&examples(
            "Dead-lettered — first examples",
            &i.dead_lettered.examples,
        ));
    }
    o.finish()
}

/// Each fleet's figures: a delivery counts for the fleet that sent it and the one that received it.
pub(super) fn fleets(s: &RunSummary) -> String {
    if s.fleets.is_empty() {
        return String::new();
    }
    let count = |n: Option<u64>| n.map_or("–".to_string(), |n| n.to_string());
    let rows: Vec<Vec<String>> = s
        .fleets
        .iter()
        .map(|f| {
            let e2e = &f.end_to_end_us;
            let figures = [count(f.sent), count(f.send_failed), f.received.to_string()];
            [f.name.clone(), f.role.name().to_string()]
                .into_iter()
                .chain(figures)
                .chain([e2e.p50, e2e.p99, e2e.max].map(ms))
                .collect()
        })
        .collect();
    let head = [
        "fleet",
        "role",
        "sent",
        "send failed",
        "received",
        "e2e p50",
        "e2e p99",
        "e2e max",
    ];
    let mut o = Html::new();
    o.h3("By fleet").table(&head, &rows);
    if let Some(note) = crate::report::wording::cross_machine_note(s) {
        o.p(format!("Fleets' end-to-end latencies: {note}."));
    }
    o.finish()
}

/// Lambda-style consumers' batches, and why messages came back.
pub(super) fn batches(s: &RunSummary) -> String {
    let Some(b) = &s.batches else {
        return String::new();
    };
    let rows: Vec<Vec<String>> = crate::report::wording::batch_causes(b)
        .into_iter()
        .map(|(cause, left, redelivered, dead)| {
            vec![
                cause.to_string(),
                left.to_string(),
                redelivered.to_string(),
                dead.to_string(),
            ]
        })
        .collect();
    let head = [
        "why a message came back",
        "left on the queue",
        "redelivered",
        "dead-lettered",
    ];
    let mut o = Html::new();
    o.h3("Batches (Lambda-style consumers)")
        .p(format!(
            "{} invocations of {} messages: mean batch {}, gathered in {} ms on average.",
            b.invocations, b.messages, b.mean_size, b.mean_gather_ms
        ))
        .table(&head, &rows);
    for (title, unit, dist) in [
        ("batch size", "messages", &b.size_distribution),
        ("gather time", "ms", &b.gather_ms_distribution),
    ] {
        let dist = crate::report::wording::distribution(dist);
        o.p(format!("By {title} ({unit}): {dist}"));
    }
    if let Some(l) = &b.lambda {
        o.p(format!(
            "Lambda bill (fleets with memory): {} invocations, {} GB-seconds, ${}.",
            l.invocations, l.gb_seconds, l.usd
        ));
    }
    o.finish()
}
