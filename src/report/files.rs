//! The end-of-run files as pure functions of the summary and the histograms: summary.json,
//! summary.csv and latency.hgrm. Snapshot-tested, since users and CI scripts read them.

use hdrhistogram::Histogram;

use crate::measure::latency::{Latencies, Latency};
use crate::measure::summary::RunSummary;

pub fn summary_json(summary: &RunSummary) -> String {
    serde_json::to_string_pretty(summary).expect("a summary always serializes") + "\n"
}

pub fn integrity_json(integrity: &crate::measure::ledger::Integrity) -> String {
    serde_json::to_string_pretty(integrity).expect("integrity always serializes") + "\n"
}

const CSV_COLUMNS: &[&str] = &[
    "scenario",
    "run_id",
    "target",
    "queue_type",
    "measured_seconds",
    "sent",
    "send_failed",
    "received",
    "unique_received",
    "deleted",
    "duplicates",
    "duplicates_redelivery",
    "duplicates_producer",
    "duplicates_unexplained",
    "lost",
    "order_violations",
    "dead_lettered",
    "foreign",
    "sent_per_sec",
    "received_per_sec",
    "e2e_p50_us",
    "e2e_p90_us",
    "e2e_p99_us",
    "e2e_p999_us",
    "e2e_max_us",
    "e2e_uncorrected_p99_us",
    "send_p99_us",
    "receive_p99_us",
    "delete_p99_us",
    "schedule_lag_p99_us",
    "requests",
    "errors",
    "throttled",
    "billed_requests",
    "cost_usd",
    "estimated_cost_usd",
];

pub fn summary_csv(summaries: &[RunSummary]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_COLUMNS);
    for s in summaries {
        let l = |k: &str| s.latency_us.get(k).cloned().unwrap_or_default();
        let e2e = l("end_to_end");
        let m = &s.messages;
        let fields: Vec<String> = vec![
            s.scenario.name.clone(),
            s.run_id.clone(),
            s.target.kind.clone(),
            s.queue.kind.clone(),
            s.measured_seconds.to_string(),
            m.sent.to_string(),
            m.send_failed.to_string(),
            m.received.to_string(),
            m.unique_received.to_string(),
            m.deleted.to_string(),
            m.duplicates.to_string(),
            m.duplicate_causes.redelivery.to_string(),
            m.duplicate_causes.producer.to_string(),
            m.duplicate_causes.unexplained.to_string(),
            m.lost.to_string(),
            m.order_violations.to_string(),
            m.dead_lettered.to_string(),
            m.foreign.to_string(),
            s.throughput.sent_per_sec.to_string(),
            s.throughput.received_per_sec.to_string(),
            e2e.p50.to_string(),
            e2e.p90.to_string(),
            e2e.p99.to_string(),
            e2e.p999.to_string(),
            e2e.max.to_string(),
            l("end_to_end_uncorrected").p99.to_string(),
            l("send").p99.to_string(),
            l("receive").p99.to_string(),
            l("delete").p99.to_string(),
            l("schedule_lag").p99.to_string(),
            s.requests
                .values()
                .map(|r| r.count)
                .sum::<u64>()
                .to_string(),
            s.requests
                .values()
                .map(|r| r.failed())
                .sum::<u64>()
                .to_string(),
            s.requests
                .values()
                .map(|r| r.throttled)
                .sum::<u64>()
                .to_string(),
            s.cost.billed_requests.to_string(),
            s.cost.usd.to_string(),
            s.cost
                .estimated_usd
                .map(|u| u.to_string())
                .unwrap_or_default(),
        ];
        let _ = w.write_record(&fields);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// HdrHistogram's percentile-distribution text (values in milliseconds), one block per latency.
pub fn hgrm(latencies: &Latencies) -> String {
    let mut out = String::new();
    for which in Latency::ALL {
        out.push_str(&format!("# {} (milliseconds)\n", which.key()));
        out.push_str(&percentile_distribution(latencies.get(which)));
        out.push('\n');
    }
    out
}

fn percentile_distribution(h: &Histogram<u64>) -> String {
    let mut out = format!(
        "{:>12} {:>14} {:>10} {:>14}\n\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    );
    if h.is_empty() {
        out.push_str("#[Mean    =        0.000, StdDeviation   =        0.000]\n#[Max     =        0.000, Total count    =            0]\n");
        return out;
    }
    let mut total = 0;
    for v in h.iter_quantiles(5) {
        total += v.count_since_last_iteration();
        let q = v.quantile_iterated_to();
        let inverse = if q < 1.0 {
            format!("{:>14.2}", 1.0 / (1.0 - q))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{:>12.3} {:>2.12} {:>10} {inverse}\n",
            v.value_iterated_to() as f64 / 1000.0,
            q,
            total
        ));
    }
    out.push_str(&format!(
        "#[Mean    = {:>12.3}, StdDeviation   = {:>12.3}]\n#[Max     = {:>12.3}, Total count    = {:>12}]\n",
        h.mean() / 1000.0,
        h.stdev() / 1000.0,
        h.max() as f64 / 1000.0,
        h.len()
    ));
    out
}
