//! A capacity search's report: one row per step (offered, achieved, throttled calls per API,
//! p50/p99, backlog, verdict) as search.csv, Markdown and a terminal table, and the search's
//! report.html with its charts.

use std::path::Path;

use super::{SearchResult, StepRow};
use crate::report::chart::kind::Chart;
use crate::report::html::build::{Cell, Html};
use crate::report::results_dir::File;

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
    let steps = format!(
        "{passed} of {} steps passed; the failed ones are where the limit lies",
        r.steps.len()
    );
    let mut head: Vec<&str> = HEADERS.to_vec();
    head.push("report");
    let rows: Vec<Vec<Cell>> = r
        .steps
        .iter()
        .map(|row| {
            let link = format!("{}/{}", row.dir, File::Report.name());
            let mut cells: Vec<Cell> = cells(row).into_iter().map(Cell::from).collect();
            cells.push(Cell::link(format!("step {}", row.step), link));
            cells
        })
        .collect();
    let body = Html::new()
        .h1(&format!("{} — capacity search", r.scenario))
        .verdict(class, &said, &[headline(r).into(), steps.into()])
        .h2("Chart")
        .markup(&crate::report::html::charts(charts_dir, &Chart::SEARCH))
        .h2("Steps")
        .div("wide", &Html::new().table(&head, &rows).finish())
        .finish();
    crate::report::html::page(&format!("sqsbench search: {}", r.scenario), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The search's page as users read it, a tag per line; no charts drawn, so none inlined.
    #[test]
    fn the_page_of_a_search() {
        let step = |step: u32, rate: f64, passed: bool| StepRow {
            step,
            offered_per_sec: rate,
            sent_per_sec: rate,
            received_per_sec: rate * 0.9,
            passed,
            reason: if passed {
                String::new()
            } else {
                "p99 > 50 ms".into()
            },
            dir: format!("step-{step}"),
            ..StepRow::default()
        };
        let result = SearchResult {
            scenario: "a<b".into(),
            sustainable_per_sec: Some(200.0),
            failing_per_sec: Some(400.0),
            limited_by: Some("latency".into()),
            steps: vec![step(1, 200.0, true), step(2, 400.0, false)],
            ..SearchResult::default()
        };
        let dir = std::env::temp_dir().join(format!("sqsbench-search-page-{}", std::process::id()));
        let page = page(&result, &dir);
        let body = page.split("</head>").nth(1).unwrap();
        let body = body.replace(env!("CARGO_PKG_VERSION"), "VERSION");
        insta::assert_snapshot!(body.replace("><", ">\n<"));
    }
}
