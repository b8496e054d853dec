//! Deltas, rules, noise, and snapshots of the terminal and Markdown tables.

use super::*;
use crate::measure::latency::LatencyStats;
use crate::measure::metrics::{Repeats, Spread};

fn summary(p99: u64, received: f64, duplicates: u64) -> RunSummary {
    let mut s = RunSummary::default();
    s.throughput.sent_per_sec = 1000.0;
    s.throughput.received_per_sec = received;
    s.messages.sent = 10_000;
    s.messages.duplicates = duplicates;
    s.latency_us.insert(
        "end_to_end".into(),
        LatencyStats {
            count: 10_000,
            p50: 5_000,
            p99,
            max: p99 * 2,
            ..Default::default()
        },
    );
    s.cost.usd = 0.0012;
    s
}

#[test]
fn the_same_run_compares_clean() {
    let s = summary(20_000, 1000.0, 0);
    let rules = [
        Rule::parse("latency_us.end_to_end.p99:+0%").unwrap(),
        Rule::parse("messages.duplicates:>0").unwrap(),
    ];
    let c = compare(&s, &s, &rules).unwrap();
    assert!(!c.failed());
    assert!(c.rows.iter().all(|r| r.change_pct == 0.0));
}

#[test]
fn broken_rules_fail_and_say_by_how_much() {
    let base = summary(20_000, 1000.0, 0);
    let cand = summary(25_000, 900.0, 3);
    let rules = [
        Rule::parse("latency_us.end_to_end.p99:+10%").unwrap(),
        Rule::parse("throughput.received_per_sec:-5%").unwrap(),
        Rule::parse("messages.duplicates:+50%").unwrap(),
        Rule::parse("cost.usd:>1").unwrap(),
    ];
    let c = compare(&base, &cand, &rules).unwrap();
    let broken: Vec<_> = c
        .verdicts
        .iter()
        .map(|v| (v.broken, v.detail.as_str()))
        .collect();
    assert_eq!(
        broken,
        [
            (true, "+25.0% (limit +10%)"),
            (true, "-10.0% (limit -5%)"),
            (true, "+∞% (limit +50%)"),
            (false, "0.0012 (limit > 1)"),
        ]
    );
    insta::assert_snapshot!("compare_terminal", terminal(&c));
    insta::assert_snapshot!("compare_markdown", markdown(&c, "base", "cand"));
}

#[test]
fn a_rule_naming_no_metric_is_an_error_with_a_hint() {
    let s = summary(1, 1.0, 0);
    let e = compare(
        &s,
        &s,
        &[Rule::parse("latency_us.end_to_ends.p99:+5%").unwrap()],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("\"latency_us.end_to_ends.p99\"")
            && e.contains("did you mean \"latency_us.end_to_end.p99\""),
        "{e}"
    );
}

#[test]
fn a_delta_inside_the_measured_spread_is_noise_not_failure() {
    let base = summary(20_000, 1000.0, 0);
    let mut cand = summary(22_000, 1000.0, 0);
    let mut spread = std::collections::BTreeMap::new();
    spread.insert(
        "latency_us.end_to_end.p99".to_string(),
        Spread {
            min: 19_000.0,
            max: 23_000.0,
            mean: 21_000.0,
            stddev: 1_500.0,
        },
    );
    cand.repeats = Some(Repeats {
        count: 5,
        headline_run: 3,
        spread,
    });
    let rule = Rule::parse("latency_us.end_to_end.p99:+5%").unwrap();
    let c = compare(&base, &cand, std::slice::from_ref(&rule)).unwrap();
    assert!(!c.failed());
    assert!(c.verdicts[0].within_noise);
    assert!(c.verdicts[0].detail.contains("within the measured noise"));
    // Outside the spread, the same rule fails.
    cand.latency_us.get_mut("end_to_end").unwrap().p99 = 30_000;
    assert!(compare(&base, &cand, &[rule]).unwrap().failed());
}

#[test]
fn sides_made_by_different_clients_are_warned_about() {
    use crate::scenario::ClientKind;
    let mut a = summary(1000, 100.0, 0);
    let mut b = summary(1000, 100.0, 0);
    a.target.client = ClientKind::Sdk;
    b.target.client = ClientKind::Sdk;
    assert!(warnings(&a, &b).is_empty());
    b.target.client = ClientKind::Lean;
    let w = warnings(&a, &b);
    assert_eq!(w.len(), 1);
    assert!(
        w[0].contains("the sdk client") && w[0].contains("the lean client"),
        "{w:?}"
    );
}

#[test]
fn sides_run_on_different_thread_counts_are_warned_about() {
    let mut a = summary(1000, 100.0, 0);
    let mut b = summary(1000, 100.0, 0);
    a.target.worker_threads = Some(2);
    b.target.worker_threads = None;
    assert!(
        warnings(&a, &b).is_empty(),
        "an old summary without the count"
    );
    b.target.worker_threads = Some(2);
    assert!(warnings(&a, &b).is_empty());
    b.target.worker_threads = Some(1);
    let w = warnings(&a, &b);
    assert_eq!(w.len(), 1);
    assert!(
        w[0].contains("on 2 worker threads and the candidate on 1"),
        "{w:?}"
    );
}
