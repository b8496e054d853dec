//! report.html: one self-contained page per run, per set of repeats and per sweep — inline CSS,
//! the charts inlined as SVG, no script, no external asset of any kind, so it opens offline and
//! can be attached to a CI job as is. Built from the summary and the files already written.

mod figures;
mod run;
mod shards;
mod shell;
mod verdict;

use std::path::Path;

use figures::expectations;
pub(crate) use run::run_page;
pub(crate) use shell::{charts, page};
use verdict::sweep_verdict;

use super::comparison::Row;
use super::results_dir::{Chart, File};
use super::wording::escape;
use crate::measure::summary::RunSummary;

/// The page of a repeated run: the median run's page with every headline metric's spread.
pub(crate) fn repeats_page(s: &RunSummary, headline_dir: &Path, headline_rel: &str) -> String {
    let mut spread = String::new();
    if let Some(r) = &s.repeats {
        spread.push_str(&format!("<h2>Spread over {} runs</h2><p>Figures above are from the median run by received throughput (<a href=\"{}/{}\">{}</a>).</p>\
<table><tr><th>metric</th><th>min</th><th>mean</th><th>max</th><th>std dev</th></tr>",
            r.count,
            escape(headline_rel),
            File::Report.name(),
            escape(headline_rel)));
        for key in SPREAD_KEYS {
            if let Some(v) = r.spread.get(*key) {
                spread.push_str(&format!(
                    "<tr><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td></tr>",
                    key, v.min, v.mean, v.max, v.stddev
                ));
            }
        }
        spread += "</table>";
    }
    let page_text = run_page(s, headline_dir);
    page_text.replacen(
        "<h2>Expectations</h2>",
        &format!("{spread}<h2>Expectations</h2>"),
        1,
    )
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
    let table = super::comparison::markdown("", rows);
    let labels: Vec<String> = links.iter().map(|(label, _)| label.clone()).collect();
    let mut o = format!(
        "<h1>{} — sweep of {} variants</h1>{}<h2>Comparison</h2><div class=\"wide\">{}</div>",
        escape(name),
        rows.len(),
        sweep_verdict(summaries, &labels),
        markdown_table_to_html(&table)
    );
    o += "<h2>Charts</h2>";
    o += &charts(charts_dir, &Chart::SWEEP);
    o += "<h2>Expectations</h2>";
    for (s, (label, _)) in summaries.iter().zip(links) {
        o.push_str(&format!("<h3>{}</h3>{}", escape(label), expectations(s)));
    }
    o += "<h2>Variants</h2><ul>";
    for (label, href) in links {
        o.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            escape(href),
            escape(label)
        ));
    }
    o += "</ul>";
    page(&format!("sqsbench sweep: {name}"), &o)
}

/// The comparison's Markdown table as an HTML table (one source of truth for both).
fn markdown_table_to_html(md: &str) -> String {
    let mut o = String::from("<table>");
    let lines: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    for (i, line) in lines.iter().enumerate() {
        if i == 1 {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let tag = if i == 0 { "th" } else { "td" };
        o += "<tr>";
        for c in cells {
            o.push_str(&format!(
                "<{tag}>{}</{tag}>",
                escape(&c.replace("\\|", "|"))
            ));
        }
        o += "</tr>";
    }
    o + "</table>"
}

#[cfg(test)]
mod tests {
    use super::*;

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
