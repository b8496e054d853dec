//! The end-of-run files as pure functions of the summary and the histograms: summary.json,
//! summary.csv and latency.hgrm. Snapshot-tested, since users and CI scripts read them.

use hdrhistogram::Histogram;

use crate::measure::latency::{Latencies, Latency};
use crate::measure::summary::RunSummary;
use crate::scenario::{QueueType, TargetKind};

pub(crate) fn summary_json(summary: &RunSummary) -> String {
    serde_json::to_string_pretty(summary).expect("a summary always serializes") + "\n"
}

pub(crate) fn integrity_json(integrity: &crate::measure::ledger::Integrity) -> String {
    serde_json::to_string_pretty(integrity).expect("integrity always serializes") + "\n"
}

/// One row of summary.csv: the headline numbers of one run. The field names are the columns.
#[derive(serde::Serialize)]
struct SummaryRow<'s> {
    scenario: &'s str,
    run_id: &'s str,
    target: TargetKind,
    queue_type: QueueType,
    #[serde(serialize_with = "display")]
    measured_seconds: f64,
    sent: u64,
    send_failed: u64,
    received: u64,
    unique_received: u64,
    deleted: u64,
    duplicates: u64,
    duplicates_redelivery: u64,
    duplicates_crash: u64,
    duplicates_producer: u64,
    duplicates_unexplained: u64,
    lost: u64,
    order_violations: u64,
    dead_lettered: u64,
    foreign: u64,
    #[serde(serialize_with = "display")]
    sent_per_sec: f64,
    #[serde(serialize_with = "display")]
    received_per_sec: f64,
    e2e_p50_us: u64,
    e2e_p90_us: u64,
    e2e_p99_us: u64,
    e2e_p999_us: u64,
    e2e_max_us: u64,
    e2e_uncorrected_p99_us: u64,
    send_p99_us: u64,
    receive_p99_us: u64,
    delete_p99_us: u64,
    schedule_lag_p99_us: u64,
    requests: u64,
    errors: u64,
    throttled: u64,
    billed_requests: u64,
    #[serde(serialize_with = "display")]
    cost_usd: f64,
    #[serde(serialize_with = "display_or_empty")]
    estimated_cost_usd: Option<f64>,
}

/// Numbers as Rust prints them (`2`, `0.5`), as summary.csv always had them; the csv crate's
/// own float format would write `2.0`.
fn display<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn display_or_empty<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_str(""),
    }
}

impl<'s> SummaryRow<'s> {
    fn of(s: &'s RunSummary) -> SummaryRow<'s> {
        let p99 = |which: Latency| s.latency(which).p99;
        let e2e = s.latency(Latency::EndToEnd);
        let m = &s.messages;
        let total = |f: fn(&crate::measure::summary::Requests) -> u64| -> u64 {
            s.requests.values().map(f).sum()
        };
        SummaryRow {
            scenario: &s.scenario.name,
            run_id: &s.run_id,
            target: s.target.kind,
            queue_type: s.queue.kind,
            measured_seconds: s.measured_seconds,
            sent: m.sent,
            send_failed: m.send_failed,
            received: m.received,
            unique_received: m.unique_received,
            deleted: m.deleted,
            duplicates: m.duplicates,
            duplicates_redelivery: m.duplicate_causes.redelivery,
            duplicates_crash: m.duplicate_causes.crash,
            duplicates_producer: m.duplicate_causes.producer,
            duplicates_unexplained: m.duplicate_causes.unexplained,
            lost: m.lost,
            order_violations: m.order_violations,
            dead_lettered: m.dead_lettered,
            foreign: m.foreign,
            sent_per_sec: s.throughput.sent_per_sec,
            received_per_sec: s.throughput.received_per_sec,
            e2e_p50_us: e2e.p50,
            e2e_p90_us: e2e.p90,
            e2e_p99_us: e2e.p99,
            e2e_p999_us: e2e.p999,
            e2e_max_us: e2e.max,
            e2e_uncorrected_p99_us: p99(Latency::EndToEndUncorrected),
            send_p99_us: p99(Latency::Send),
            receive_p99_us: p99(Latency::Receive),
            delete_p99_us: p99(Latency::Delete),
            schedule_lag_p99_us: p99(Latency::ScheduleLag),
            requests: total(|r| r.count),
            errors: total(|r| r.failed()),
            throttled: total(|r| r.throttled),
            billed_requests: s.cost.billed_requests,
            cost_usd: s.cost.usd,
            estimated_cost_usd: s.cost.estimated_usd,
        }
    }
}

/// CSV text of a header and rows, in memory. The csv writer fails only when its writer does,
/// and writing to memory does not.
pub(crate) fn csv_text<R, F>(header: &[&str], rows: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)
        .expect("writing to memory cannot fail");
    for row in rows {
        w.write_record(row).expect("writing to memory cannot fail");
    }
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the csv crate writes the UTF-8 it is given")
}

/// summary.csv: a header (from `SummaryRow`'s fields) and one row per run.
pub(crate) fn summary_csv(summaries: &[RunSummary]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for s in summaries {
        w.serialize(SummaryRow::of(s))
            .expect("a row of numbers and strings always serializes");
    }
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the csv crate writes the UTF-8 it is given")
}

/// HdrHistogram's percentile-distribution text (values in milliseconds), one block per latency.
pub(crate) fn hgrm(latencies: &Latencies) -> String {
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
