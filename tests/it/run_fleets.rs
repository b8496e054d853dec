//! Per-fleet recording on a whole embedded run: every fleet's figures in summary.json,
//! timeseries-fleets.csv and the hlog's `end_to_end@<fleet>` tags add up to the run's totals,
//! and `report` refuses a summary whose fleet figures do not match the log.

use sqsbench::measure::fleets::Role;
use sqsbench::measure::timeline::{FleetRow, TimelineRow};
use sqsbench::report::load;

use crate::run_embedded::{run_text, temp_dir};

const TWO_BY_TWO: &str = r#"
name = "fleets"
[run]
warmup = "500ms"
duration = "2s"
drain_timeout = "10s"
[[producers]]
name = "small"
count = 2
rate = "600/s"
batch_size = 10
message_size = "100B"
[[producers]]
name = "large"
rate = "200/s"
message_size = "8KiB"
[[consumers]]
name = "fast"
count = 2
wait_time = "1s"
[[consumers]]
name = "slow"
wait_time = "1s"
processing_time = "2ms"
"#;

fn csv_rows<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Vec<T> {
    csv::Reader::from_path(path)
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fleet_has_its_figures_and_they_add_up_to_the_run() {
    let dir = temp_dir("fleets");
    let outcome = run_text(TWO_BY_TWO, &dir).await;
    let s = &outcome.summary;
    assert_eq!(s.messages.sent, 1600, "(600 + 200)/s for 2 s");
    assert_eq!((s.messages.lost, s.messages.not_sent), (0, 0));
    let names: Vec<(&str, Role)> = s.fleets.iter().map(|f| (f.name.as_str(), f.role)).collect();
    assert_eq!(
        names,
        [
            ("small", Role::Producer),
            ("large", Role::Producer),
            ("fast", Role::Consumer),
            ("slow", Role::Consumer)
        ]
    );
    let (producers, consumers): (Vec<_>, Vec<_>) =
        s.fleets.iter().partition(|f| f.role == Role::Producer);
    assert_eq!(
        producers
            .iter()
            .map(|f| f.sent.unwrap())
            .collect::<Vec<_>>(),
        [1200, 400]
    );
    assert!(consumers.iter().all(|f| f.sent.is_none()));
    let e2e = s.latency_us["end_to_end"].count;
    for role in [&producers, &consumers] {
        let received: u64 = role.iter().map(|f| f.received).sum();
        let samples: u64 = role.iter().map(|f| f.end_to_end_us.count).sum();
        assert_eq!(received, s.messages.received, "{role:?}");
        assert_eq!(samples, e2e, "{role:?}");
        assert!(
            role.iter()
                .all(|f| f.end_to_end_us.max <= s.latency_us["end_to_end"].max)
        );
    }
    assert!(
        consumers.iter().all(|f| f.received > 0),
        "both consumer fleets polled"
    );

    // timeseries-fleets.csv: one row per fleet per second of timeseries.csv, adding up to it.
    let totals: Vec<TimelineRow> = csv_rows(&dir.join("timeseries.csv"));
    let fleets: Vec<FleetRow> = csv_rows(&dir.join("timeseries-fleets.csv"));
    assert_eq!(fleets.len(), totals.len() * 4);
    for total in &totals {
        let second: Vec<&FleetRow> = fleets.iter().filter(|r| r.second == total.second).collect();
        let sum = |role: Role, f: fn(&FleetRow) -> u64| -> u64 {
            second.iter().filter(|r| r.role == role).map(|r| f(r)).sum()
        };
        assert_eq!(
            sum(Role::Producer, |r| r.sent),
            total.sent,
            "second {}",
            total.second
        );
        assert_eq!(sum(Role::Consumer, |r| r.received), total.received);
        assert_eq!(sum(Role::Producer, |r| r.received), total.received);
        assert_eq!(sum(Role::Consumer, |r| r.sent), 0);
    }

    // The hlog's fleet tags hold each fleet's histogram, as `report` reads them back.
    let saved = load::read(&dir).expect("the results directory reads back");
    for fleet in &s.fleets {
        let logged = saved
            .fleet_end_to_end
            .get(&fleet.name)
            .map_or(0, |h| h.len());
        assert_eq!(logged, fleet.end_to_end_us.count, "{}", fleet.name);
    }
    assert_eq!(
        saved
            .latencies
            .get(sqsbench::measure::latency::Latency::EndToEnd)
            .len(),
        e2e
    );

    // Several fleets: a throughput and a p99 chart by fleet, each fleet in its legend, on the
    // page beside the run's own charts.
    let svg = |name: &str| std::fs::read_to_string(dir.join("charts").join(name)).unwrap();
    let by_fleet = svg("throughput-by-fleet.svg");
    for label in ["small sent", "large sent", "fast received", "slow received"] {
        assert!(by_fleet.contains(label), "{label} in the legend");
    }
    assert!(svg("latency-by-fleet.svg").contains("slow (consumer)"));
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(page.contains("throughput by fleet") && page.contains("end-to-end p99 by fleet"));

    // A summary whose fleet figures the log does not hold is refused, naming the tag.
    let path = dir.join("summary.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json["fleets"][3]["end_to_end_us"]["count"] = serde_json::json!(1);
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    let refused = load::read(&dir)
        .err()
        .expect("a mismatched fleet is refused");
    assert!(
        format!("{refused:#}").contains("end_to_end@slow"),
        "{refused:#}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
