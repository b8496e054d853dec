//! What users read of a run of many queues: the terminal's worst queues and totals line, the
//! summary.json `queues[]` shape, and the page's per-queue table and heading.

use crate::measure::latency::LatencyStats;
use crate::measure::queues::QueueSummary;

/// Twelve queues, their p99 rising with their number, one that lost messages.
fn many() -> crate::measure::summary::RunSummary {
    let mut s = super::fixed();
    s.queues = (0..12u64)
        .map(|i| QueueSummary {
            name: format!("tenant-{i}"),
            sent: 100 * (12 - i),
            received: 100 * (12 - i) + u64::from(i == 3),
            unique_received: 100 * (12 - i) - 2 * u64::from(i == 5),
            missing: 2 * u64::from(i == 5),
            duplicates: u64::from(i == 3),
            unexplained_duplicates: u64::from(i == 3),
            order_violations: 0,
            dead_lettered: 0,
            identity_holds: true,
            received_per_sec: (100 * (12 - i)) as f64 / 10.0,
            end_to_end_us: LatencyStats {
                count: 100 * (12 - i),
                min: 900,
                mean: 4_000.0,
                p50: 3_000 + i,
                p90: 6_000,
                p99: 10_000 * (i + 1),
                p999: 10_000 * (i + 1),
                max: 20_000 * (i + 1),
            },
            emulator_injected: Some(crate::emulator::stats::QueueFaults {
                duplicates: u64::from(i == 3),
                lost: 2 * u64::from(i == 5),
                reordered: 0,
            }),
        })
        .collect();
    s
}

#[test]
fn a_run_of_many_queues_reads_per_queue() {
    let s = many();
    let terminal = super::super::terminal::summary(&s, "results/many");
    assert!(
        terminal.contains("— 12 standard queues (tenant-0 …)"),
        "{terminal}"
    );
    assert!(
        !terminal.contains("tenant-1 "),
        "the two best of 12 are left out"
    );
    insta::assert_snapshot!(terminal);
    let json: serde_json::Value =
        serde_json::from_str(&super::super::files::summary_json(&s)).unwrap();
    insta::assert_snapshot!(
        "many_queues_summary_json_queue",
        serde_json::to_string_pretty(&json["queues"][5]).unwrap()
    );
    let dir = std::env::temp_dir().join(format!("sqsbench-queues-page-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = super::super::html::run_page(&s, &dir);
    assert!(page.contains("12 standard queues (<code>tenant-0</code> …)"));
    let table = page
        .split("<h3>Queues (12)</h3>")
        .nth(1)
        .expect("the queues' section");
    let first_row = table.split("<code>").nth(1).unwrap_or("");
    assert!(
        first_row.starts_with("tenant-11<"),
        "worst p99 first: {first_row}"
    );
    super::pages::page_snapshot("page_of_many_queues", &page);
    std::fs::remove_dir_all(&dir).unwrap();
}
