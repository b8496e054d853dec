//! A capacity search's report: one row per step (offered, achieved, throttled calls per API,
//! p50/p99, backlog, verdict) as search.csv, Markdown and a terminal table, and the search's
//! report.html with its charts.

use std::path::Path;

use super::{SearchResult, StepRow};
use crate::report::chart::kind::Chart;
use crate::report::results_dir::File;
use crate::report::wording::escape;

const HEADERS: [&str; 13] = [
    "step",
    "offered/s",
    "sent/s",
    "received/s",
    "throttled send",
    "throttled receive",
    "throttled delete",
    "errors",
    "e2e p50 ms",
    "e2e p99 ms",
    "backlog",
    "result",
    "why",
];

fn cells(r: &StepRow) -> Vec<String> {
    vec![
        r.step.to_string(),
        format!("{:.1}", r.offered_per_sec),
        format!("{:.1}", r.sent_per_sec),
        format!("{:.1}", r.received_per_sec),
        r.throttled_send.to_string(),
        r.throttled_receive.to_string(),
        r.throttled_delete.to_string(),
        r.errors.to_string(),
        format!("{:.2}", r.e2e_p50_ms),
        format!("{:.2}", r.e2e_p99_ms),
        r.backlog.to_string(),
        if r.passed { "pass" } else { "FAIL" }.to_string(),
        r.reason.clone(),
    ]
}

pub fn csv(rows: &[StepRow]) -> String {
    let header = [
        "step",
        "offered_per_sec",
        "sent_per_sec",
        "received_per_sec",
        "calls",
        "throttled_send",
        "throttled_receive",
        "throttled_delete",
        "errors",
        "e2e_p50_ms",
        "e2e_p99_ms",
        "backlog",
        "passed",
        "reason",
        "dir",
    ];
    let rows = rows.iter().map(|r| {
        [
            r.step.to_string(),
            format!("{:.1}", r.offered_per_sec),
            format!("{:.1}", r.sent_per_sec),
            format!("{:.1}", r.received_per_sec),
            r.calls.to_string(),
            r.throttled_send.to_string(),
            r.throttled_receive.to_string(),
            r.throttled_delete.to_string(),
            r.errors.to_string(),
            format!("{:.2}", r.e2e_p50_ms),
            format!("{:.2}", r.e2e_p99_ms),
            r.backlog.to_string(),
            r.passed.to_string(),
            r.reason.clone(),
            r.dir.clone(),
        ]
    });
    crate::report::files::csv_text(&header, rows)
}

pub fn headline(r: &SearchResult) -> String {
    match (r.sustainable_per_sec, r.failing_per_sec) {
        (Some(ok), Some(bad)) => format!(
            "highest sustainable rate: {ok:.1} msg/s (fails at {bad:.1} msg/s: {})",
            r.limited_by.as_deref().unwrap_or("unknown")
        ),
        (Some(ok), None) => {
            format!("highest sustainable rate: at least {ok:.1} msg/s (the upper bound passed)")
        }
        (None, _) => format!(
            "no rate passed: even the lowest step failed ({})",
            r.limited_by.as_deref().unwrap_or("unknown")
        ),
    }
}

pub fn markdown(r: &SearchResult) -> String {
    let mut o = format!(
        "### sqsbench capacity search: {}\n\n**{}**\n\n| {} |\n|{}\n",
        r.scenario,
        headline(r),
        HEADERS.join(" | "),
        HEADERS
            .iter()
            .enumerate()
            .map(|(i, _)| if i >= 11 { "---|" } else { "---:|" })
            .collect::<String>()
    );
    for row in &r.steps {
        o += &format!("| {} |\n", cells(row).join(" | "));
    }
    o
}

pub fn terminal(r: &SearchResult) -> String {
    let table: Vec<Vec<String>> = std::iter::once(HEADERS.iter().map(|h| h.to_string()).collect())
        .chain(r.steps.iter().map(cells))
        .collect();
    crate::report::wording::aligned(&table, |i| i >= 11) + &headline(r) + "\n"
}

/// The search's page: the answer, the chart, the table, links to every step's report.
pub fn page(r: &SearchResult, charts_dir: &Path) -> String {
    let passed = r.steps.iter().filter(|s| s.passed).count();
    let (class, said) = match r.sustainable_per_sec {
        Some(rate) => ("ok", format!("FOUND: {rate:.1} msg/s sustainable")),
        None => ("bad", "NO RATE PASSED".to_string()),
    };
    let mut body = format!(
        "<h1>{} — capacity search</h1><div class=\"verdict {class}\"><b>{said}</b><ul><li>{}</li><li>{passed} of {} steps passed; the failed ones are where the limit lies</li></ul></div><h2>Chart</h2>",
        escape(&r.scenario),
        escape(&headline(r)),
        r.steps.len()
    );
    body += &crate::report::html::charts(charts_dir, &Chart::SEARCH);
    body += "<h2>Steps</h2><div class=\"wide\"><table><tr>";
    for h in HEADERS {
        body.push_str(&format!("<th>{}</th>", escape(h)));
    }
    body += "<th>report</th></tr>";
    for row in &r.steps {
        body += "<tr>";
        for c in cells(row) {
            body.push_str(&format!("<td>{}</td>", escape(&c)));
        }
        body.push_str(&format!(
            "<td><a href=\"{}/{}\">step {}</a></td></tr>",
            escape(&row.dir),
            File::Report.name(),
            row.step
        ));
    }
    body += "</table></div>";
    crate::report::html::page(&format!("sqsbench search: {}", r.scenario), &body)
}
