//! Snapshots of report.html as users read it, one of each kind of page, and the verdict each
//! page opens with.

use super::{fixed, integrity};
use crate::measure::summary::RunSummary;
use crate::report as super_report;

/// A page as a snapshot: its body, a tag per line (the style sheet left out: it is one constant).
pub(super) fn page_snapshot(name: &str, page: &str) {
    let body = page.split("</head>").nth(1).unwrap_or(page);
    let body = body.replace(env!("CARGO_PKG_VERSION"), "VERSION");
    insta::assert_snapshot!(name, body.replace("><", ">\n<"));
}

/// A run's page with every part a queue run can show: integrity with its examples, Lambda-style
/// batches, faults the emulator injected, repeats' spread, and its scenario file.
#[test]
fn a_run_page_with_every_part() {
    use crate::measure::counts::{Batches, Bucket};
    use crate::measure::recorder::ByCause;
    use crate::measure::spread::{Repeats, Spread};
    let dir = std::env::temp_dir().join(format!("sqsbench-full-page-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("integrity.json"),
        super_report::files::integrity_json(&integrity()),
    )
    .unwrap();
    std::fs::write(dir.join("scenario.toml"), "name = \"a<b\"\n").unwrap();
    let mut s = fixed();
    let by = |n| ByCause {
        failed: n,
        collateral: 1,
        behind_group_failure: 0,
    };
    s.batches = Some(Batches {
        invocations: 12,
        messages: 100,
        mean_size: 8.3,
        gather_us_total: 1_200,
        mean_gather_ms: 0.1,
        size_distribution: vec![Bucket {
            up_to: 10,
            count: 12,
        }],
        gather_ms_distribution: vec![Bucket {
            up_to: 1,
            count: 12,
        }],
        left: by(3),
        redelivered: by(2),
        dead_lettered: by(1),
        lambda: Some(crate::measure::counts::LambdaBill {
            invocations: 12,
            gb_seconds: 0.6,
            usd: 0.000012,
        }),
    });
    page_snapshot("page_of_a_run", &super_report::html::run_page(&s, &dir));
    let spread = |x: f64| Spread {
        min: x,
        mean: x,
        max: x,
        stddev: 0.0,
    };
    s.repeats = Some(Repeats {
        count: 3,
        headline_run: 2,
        spread: [("cost.usd".to_string(), spread(0.5))].into(),
    });
    page_snapshot(
        "page_of_repeats",
        &super_report::html::repeats_page(&s, &dir, "repeat-2"),
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// report.html opens with a verdict: red on a failed `[expect]` or broken accounting, amber on
/// throttles or errors alone (marked ⚠), green otherwise; and it prints cleanly.
#[test]
fn the_page_opens_with_its_verdict() {
    let dir = std::env::temp_dir().join(format!("sqsbench-verdict-page-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let verdict = |s: &RunSummary| {
        let page = super_report::html::run_page(s, &dir);
        assert!(page.contains("@media print"), "a print stylesheet");
        let at = page.find("<div class=\"verdict").expect("a verdict");
        assert!(at < page.find("<h2>").unwrap(), "before every section");
        page[at..].split("</div>").next().unwrap().to_string()
    };
    let mut s = fixed();
    for r in s.requests.values_mut() {
        (r.throttled, r.errors, r.timeouts, r.connect_failed) = (0, 0, 0, 0);
    }
    for e in &mut s.expectations {
        e.passed = true;
    }
    s.messages.sent = s.messages.unique_received + s.messages.dead_lettered + s.messages.lost;
    let green = verdict(&s);
    assert!(green.contains("verdict ok\"><b>PASS</b>"), "{green}");
    assert!(green.contains("✓ every one of"), "{green}");
    if let Some(r) = s.requests.values_mut().next() {
        r.throttled = 3;
    }
    let amber = verdict(&s);
    assert!(amber.contains("verdict warn"), "{amber}");
    assert!(
        amber.contains("⚠ 3 throttled and 0 failed calls"),
        "{amber}"
    );
    s.expectations[0].passed = false;
    let red = verdict(&s);
    assert!(red.contains("verdict bad\"><b>FAIL</b>"), "{red}");
    assert!(
        red.contains("✗ 1 of 1 <code>[expect]</code> checks failed"),
        "{red}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A sweep's page opens with a verdict over its variants, naming the ones that failed.
#[test]
fn a_sweep_page_names_the_variants_that_failed() {
    let dir = std::env::temp_dir().join(format!("sqsbench-sweep-verdict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut good = fixed();
    for r in good.requests.values_mut() {
        (r.throttled, r.errors, r.timeouts, r.connect_failed) = (0, 0, 0, 0);
    }
    let m = &mut good.messages;
    m.sent = m.unique_received + m.dead_lettered + m.lost;
    let mut bad = good.clone();
    bad.expectations[0].passed = false;
    let summaries = [good, bad];
    let labels = ["producers.batch_size=1", "producers.batch_size=10"];
    let rows: Vec<_> = summaries
        .iter()
        .zip(labels)
        .map(|(s, l)| super_report::comparison::Row::of(l, s))
        .collect();
    let links: Vec<(String, String)> = labels
        .iter()
        .map(|l| (l.to_string(), format!("{l}/report.html")))
        .collect();
    let page = super_report::html::sweep_page("sweep", &rows, &summaries, &links, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    page_snapshot("page_of_a_sweep", &page);
    let at = page.find("<div class=\"verdict").expect("a verdict");
    assert!(at < page.find("<h2>").unwrap(), "before every section");
    let verdict = page[at..].split("</div>").next().unwrap();
    assert!(verdict.contains("verdict bad\"><b>FAIL</b>"), "{verdict}");
    assert!(
        verdict.contains("✗ <code>[expect]</code> failed in producers.batch_size=10</li>"),
        "{verdict}"
    );
    assert!(verdict.contains("✓ every message accounted for in every variant"));
}
