//! report.html: one self-contained page per run, per set of repeats and per sweep — inline CSS,
//! the charts inlined as SVG, no script, no external asset of any kind, so it opens offline and
//! can be attached to a CI job as is. Built from the summary and the files already written.

mod backlog;
pub(crate) mod build;
mod figures;
mod queues;
mod run;
mod shards;
mod shell;
mod subscriptions;
mod verdict;

use std::path::Path;

use build::{Html, Phrase};
use figures::expectations;
pub(crate) use run::run_page;
pub(crate) use shell::{charts, page};
use verdict::sweep_verdict;

use super::chart::kind::Chart;
use super::comparison::Row;
use super::results_dir::File;
use crate::measure::summary::RunSummary;

/// The page of a repeated run: the median run's page with every headline metric's spread.
pub(crate) fn repeats_page(s: &RunSummary, headline_dir: &Path, headline_rel: &str) -> String {
    let mut spread = Html::new();
    if let Some(r) = &s.repeats {
        let link = format!("{headline_rel}/{}", File::Report.name());
        spread
            .h2(&format!("Spread over {} runs", r.count))
            .p(Phrase::new()
                .t("Figures above are from the median run by received throughput (")
                .link(headline_rel, &link)
                .t(")."));
        let rows: Vec<Vec<String>> = SPREAD_KEYS
            .iter()
            .filter_map(|key| r.spread.get(*key).map(|v| (key, v)))
            .map(|(key, v)| {
                let figures = [v.min, v.mean, v.max, v.stddev].map(|x| format!("{x:.1}"));
                std::iter::once(key.to_string()).chain(figures).collect()
            })
            .collect();
        spread.table(&["metric", "min", "mean", "max", "std dev"], &rows);
    }
    run::run_page_with(s, headline_dir, &spread.finish())
}

const SPREAD_KEYS: &[&str] = &[
    "throughput.sent_per_sec",
    "throughput.received_per_sec",
    "latency_us.end_to_end.p50",
    "latency_us.end_to_end.p99",
    "latency_us.end_to_end.max",
    "messages.duplicates",
    "messages.lost",
    "cost.usd",
];

/// The page of a sweep: the comparison, its charts, each variant's expectations and a link to
/// each variant's own page.
pub(crate) fn sweep_page(
    name: &str,
    rows: &[Row],
    summaries: &[RunSummary],
    links: &[(String, String)],
    charts_dir: &Path,
) -> String {
    let labels: Vec<String> = links.iter().map(|(label, _)| label.clone()).collect();
    let mut o = Html::new();
    o.h1(&format!("{name} — sweep of {} variants", rows.len()))
        .markup(&sweep_verdict(summaries, &labels))
        .h2("Comparison")
        .div("wide", &comparison_table(rows))
        .h2("Charts")
        .markup(&charts(charts_dir, &Chart::SWEEP))
        .h2("Expectations");
    for (s, (label, _)) in summaries.iter().zip(links) {
        o.h3(label).markup(&expectations(s));
    }
    o.h2("Variants").links(links);
    page(&format!("sqsbench sweep: {name}"), &o.finish())
}

/// The comparison as an HTML table, from its Markdown table (one source of truth for both).
fn comparison_table(rows: &[Row]) -> String {
    let md = super::comparison::markdown("", rows);
    let mut lines = md.lines().filter(|l| l.starts_with('|'));
    let cells = |line: &str| -> Vec<String> {
        line.trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().replace("\\|", "|"))
            .collect()
    };
    let head = lines.next().map(cells).unwrap_or_default();
    let body: Vec<Vec<String>> = lines.skip(1).map(cells).collect();
    Html::new().table(&head, &body).finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::wording::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&"),
            "&lt;a href=&quot;x&quot;&gt;&amp;"
        );
    }

    #[test]
    fn a_page_references_nothing_outside_itself() {
        let dir = std::env::temp_dir().join(format!("sqsbench-html-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("charts"));
        std::fs::write(
            dir.join("charts/throughput.svg"),
            "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"5\" xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>",
        )
        .unwrap();
        let mut s = RunSummary::default();
        s.scenario.name = "x<y".into();
        let html = run_page(&s, &dir);
        assert!(html.contains("<svg viewBox=\"0 0 10 5\" width=\"10\""));
        assert!(html.contains("x&lt;y"));
        for forbidden in ["<script", "<link", "src=", "@import", "url("] {
            assert!(!html.contains(forbidden), "{forbidden} in the page");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
