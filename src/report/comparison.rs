//! A sweep's comparison: one row per variant — throughput, end-to-end percentiles, requests and
//! cost per million messages, integrity counts — as comparison.csv, GitHub-flavoured Markdown
//! (comparison.md) and a terminal table.

use crate::measure::latency::Latency;
use crate::measure::summary::RunSummary;

/// One variant's figures, in the units the tables show.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub variant: String,
    pub sent_per_sec: f64,
    pub received_per_sec: f64,
    pub e2e_p50_ms: f64,
    pub e2e_p99_ms: f64,
    pub e2e_max_ms: f64,
    pub requests: u64,
    pub requests_per_million: f64,
    pub cost_usd: f64,
    pub usd_per_million: f64,
    pub duplicates: u64,
    pub lost: u64,
    pub order_violations: u64,
    pub dead_lettered: u64,
    pub throttled: u64,
    pub errors: u64,
    /// The queue's backlog, if it was read: its peak, the drain after the producers' last peak
    /// (none: not drained), and the consumer-seconds that ran.
    pub backlog: Option<(u64, Option<u64>, u64)>,
    /// Lambda-style fleets with `memory`: what Lambda would bill, USD.
    pub lambda_usd: Option<f64>,
    pub expectations_failed: usize,
}

impl Row {
    pub(crate) fn of(variant: &str, s: &RunSummary) -> Row {
        let e2e = s.latency(Latency::EndToEnd);
        let requests: u64 = s.requests.values().map(|r| r.count).sum();
        // Requests cover warmup messages too, so they are divided by every message sent.
        let messages = s.messages.sent_including_warmup.max(1) as f64;
        Row {
            variant: variant.to_string(),
            sent_per_sec: s.throughput.sent_per_sec,
            received_per_sec: s.throughput.received_per_sec,
            e2e_p50_ms: e2e.p50 as f64 / 1000.0,
            e2e_p99_ms: e2e.p99 as f64 / 1000.0,
            e2e_max_ms: e2e.max as f64 / 1000.0,
            requests,
            requests_per_million: crate::round::to_places(requests as f64 / messages * 1e6, 0),
            cost_usd: s.cost.usd,
            usd_per_million: s.cost.usd_per_million_messages,
            duplicates: s.messages.duplicates,
            lost: s.messages.lost,
            order_violations: s.messages.order_violations,
            dead_lettered: s.messages.dead_lettered,
            throttled: s.requests.values().map(|r| r.throttled).sum(),
            errors: s.requests.values().map(|r| r.failed()).sum(),
            backlog: s
                .backlog
                .as_ref()
                .map(|b| (b.peak, b.drain_seconds, b.consumer_seconds)),
            lambda_usd: s.batches.as_ref().and_then(|b| b.lambda).map(|l| l.usd),
            expectations_failed: s.expectations.iter().filter(|e| !e.passed).count(),
        }
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.variant.clone(),
            format!("{:.1}", self.sent_per_sec),
            format!("{:.1}", self.received_per_sec),
            format!("{:.2}", self.e2e_p50_ms),
            format!("{:.2}", self.e2e_p99_ms),
            format!("{:.2}", self.e2e_max_ms),
            self.requests.to_string(),
            format!("{:.0}", self.requests_per_million),
            format!("{:.6}", self.cost_usd),
            format!("{:.4}", self.usd_per_million),
            self.duplicates.to_string(),
            self.lost.to_string(),
            self.order_violations.to_string(),
            self.dead_lettered.to_string(),
            self.throttled.to_string(),
            self.errors.to_string(),
            self.backlog.map_or(String::new(), |b| b.0.to_string()),
            self.backlog.map_or(String::new(), |b| {
                b.1.map_or("not drained".to_string(), |d| d.to_string())
            }),
            self.backlog.map_or(String::new(), |b| b.2.to_string()),
            self.lambda_usd.map_or(String::new(), |u| format!("{u:.6}")),
            self.expectations_failed.to_string(),
        ]
    }
}

const HEADERS: [&str; 21] = [
    "variant",
    "sent/s",
    "received/s",
    "e2e p50 ms",
    "e2e p99 ms",
    "e2e max ms",
    "requests",
    "requests per 1M msgs",
    "cost USD",
    "USD per 1M msgs",
    "duplicates",
    "lost",
    "order violations",
    "dead-lettered",
    "throttled",
    "errors",
    "peak backlog",
    "drain s",
    "consumer-seconds",
    "Lambda USD",
    "expectations failed",
];

const CSV_HEADERS: [&str; 21] = [
    "variant",
    "sent_per_sec",
    "received_per_sec",
    "e2e_p50_ms",
    "e2e_p99_ms",
    "e2e_max_ms",
    "requests",
    "requests_per_million_messages",
    "cost_usd",
    "usd_per_million_messages",
    "duplicates",
    "lost",
    "order_violations",
    "dead_lettered",
    "throttled",
    "errors",
    "peak_backlog",
    "drain_seconds",
    "consumer_seconds",
    "lambda_usd",
    "expectations_failed",
];

pub(crate) fn csv(rows: &[Row]) -> String {
    super::files::csv_text(&CSV_HEADERS, rows.iter().map(Row::cells))
}

pub(crate) fn markdown(title: &str, rows: &[Row]) -> String {
    let mut o = format!("### {title}\n\n| {} |\n", HEADERS.join(" | "));
    o += &format!(
        "|{}\n",
        HEADERS
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { "---|" } else { "---:|" })
            .collect::<String>()
    );
    for r in rows {
        o += &format!(
            "| {} |\n",
            r.cells()
                .iter()
                .map(|c| c.replace('|', "\\|"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    o
}

/// The headline columns only, aligned for a terminal.
pub(crate) fn terminal(rows: &[Row]) -> String {
    let mut pick = vec![0usize, 2, 3, 4, 7, 9, 10, 11, 12, 14];
    if rows.iter().any(|r| r.backlog.is_some()) {
        // Peak backlog, drain time and consumer-seconds: what a scaling comparison is about.
        pick.extend([16, 17, 18]);
    }
    if rows.iter().any(|r| r.lambda_usd.is_some()) {
        pick.push(19);
    }
    let table: Vec<Vec<String>> =
        std::iter::once(pick.iter().map(|i| HEADERS[*i].to_string()).collect())
            .chain(rows.iter().map(|r| {
                let c = r.cells();
                pick.iter().map(|i| c[*i].clone()).collect()
            }))
            .collect();
    super::wording::aligned(&table, |i| i == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::summary::Requests;

    fn rows() -> Vec<Row> {
        [(1u64, 3000u64), (10, 300)]
            .iter()
            .map(|(batch, calls)| {
                let mut s = RunSummary::default();
                s.messages.sent = 3000;
                s.messages.sent_including_warmup = 3000;
                s.throughput.sent_per_sec = 1000.0;
                s.throughput.received_per_sec = 999.5;
                s.requests.insert(
                    "SendMessageBatch".into(),
                    Requests {
                        count: *calls,
                        ..Default::default()
                    },
                );
                s.cost.usd = *calls as f64 * 0.4 / 1e6;
                Row::of(&format!("producers.batch_size={batch}"), &s)
            })
            .collect()
    }

    #[test]
    fn a_sweep_that_read_its_queue_shows_the_backlog_columns() {
        let mut rows = rows();
        rows[0].backlog = Some((1_200, Some(14), 310));
        rows[1].backlog = Some((4_000, None, 95));
        rows[1].lambda_usd = Some(0.000412);
        insta::assert_snapshot!("comparison_terminal_backlog", terminal(&rows));
        let csv = csv(&rows);
        assert!(csv.contains(",1200,14,310,,"), "{csv}");
        assert!(csv.contains(",4000,not drained,95,0.000412,"), "{csv}");
    }

    #[test]
    fn comparison_tables() {
        insta::assert_snapshot!("comparison_csv", csv(&rows()));
        insta::assert_snapshot!("comparison_md", markdown("batch sizes", &rows()));
        insta::assert_snapshot!("comparison_terminal", terminal(&rows()));
    }
}
