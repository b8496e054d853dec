//! What drawing a run's charts costs at the length users run soaks: all of them (PNG and SVG)
//! for a 1-hour run, 3,600 timeline rows, with full histograms behind the distribution. The
//! issue's goal is under 2 s together. Timed 5 times; the median and the spread are printed.
//!
//! Run: `cargo bench --bench charts` (`SQSBENCH_CHARTS_KEEP=1` keeps them to look at).

use std::time::Instant;

use sqsbench::measure::latency::{Latencies, Latency};
use sqsbench::measure::summary::RunSummary;
use sqsbench::measure::timeline::TimelineRow;
use sqsbench::report::chart::kind::{Chart, Data};
use sqsbench::report::chart::run::RunData;

const SECONDS: u64 = 3_600;
const ROUNDS: usize = 5;

/// A busy hour: 40,000 msg/s with a wobble, a few throttles, latencies that drift.
fn timeline() -> Vec<TimelineRow> {
    (1..=SECONDS)
        .map(|s| {
            let wobble = ((s as f64) / 37.0).sin();
            let rate = (40_000.0 + 3_000.0 * wobble) as u64;
            TimelineRow {
                second: s,
                sent: rate,
                received: rate - 50,
                deleted: rate - 80,
                throttled: s % 97,
                in_flight: 500,
                e2e_p50_us: (12_000.0 + 2_000.0 * wobble) as u64,
                e2e_p99_us: (45_000.0 + 9_000.0 * wobble) as u64,
                e2e_max_us: 120_000 + (s % 13) * 10_000,
                send_p99_us: 9_000,
                schedule_lag_p99_us: 2_000,
                ..TimelineRow::default()
            }
        })
        .collect()
}

fn latencies() -> Latencies {
    let mut l = Latencies::default();
    for i in 0..1_000_000u64 {
        let v = 1_000 + (i * 7_919) % 200_000;
        l.record(Latency::EndToEnd, v);
        l.record(Latency::EndToEndUncorrected, v / 2);
        l.record(Latency::Send, v / 10);
        l.record(Latency::Receive, v / 5);
    }
    l
}

fn main() {
    let dir = std::env::temp_dir().join(format!("sqsbench-charts-bench-{}", std::process::id()));
    let (rows, latencies) = (timeline(), latencies());
    let mut summary = RunSummary::default();
    summary.scenario.name = "one hour".into();
    summary.scenario.warmup_seconds = Some(60.0);
    summary.scenario.duration_seconds = Some(3_480.0);
    let mut took: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            let data = RunData::new(&dir, &rows, &latencies, &summary);
            Chart::draw_all(&Chart::RUN, &dir, &Data::Run(&data)).expect("the charts draw");
            started.elapsed().as_secs_f64()
        })
        .collect();
    took.sort_by(f64::total_cmp);
    let files = std::fs::read_dir(&dir).map_or(0, |d| d.count());
    println!(
        "all charts of a {SECONDS}-interval run ({files} files): median {:.3} s (min {:.3}, max {:.3}) over {ROUNDS} rounds; goal < 2 s: {}",
        took[ROUNDS / 2],
        took[0],
        took[ROUNDS - 1],
        if took[ROUNDS / 2] < 2.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    if std::env::var_os("SQSBENCH_CHARTS_KEEP").is_some() {
        println!("charts kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
