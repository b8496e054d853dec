//! `sqsbench compare`: metric-by-metric deltas of two runs (results directories or sweep
//! variants) as a terminal table and GitHub-flavoured Markdown, and `--fail-if` verdicts. When
//! either side was repeated (`repeat = N`), a delta inside the measured spread is marked as
//! within noise instead of failing a relative rule. Depends on `measure`, and on `report` for
//! table layout.

pub(crate) mod rules;

use std::collections::BTreeMap;

use crate::measure::metrics::flatten;
use crate::measure::summary::RunSummary;
pub(crate) use rules::Rule;
use rules::{percent, relative};

/// The metrics every comparison shows; rules add theirs.
pub(crate) const HEADLINE: &[&str] = &[
    "throughput.sent_per_sec",
    "throughput.received_per_sec",
    "latency_us.end_to_end.p50",
    "latency_us.end_to_end.p90",
    "latency_us.end_to_end.p99",
    "latency_us.end_to_end.max",
    "latency_us.send.p99",
    "messages.sent",
    "messages.duplicates",
    "messages.lost",
    "messages.order_violations",
    "messages.dead_lettered",
    "cost.billed_requests",
    "cost.usd",
    "cost.usd_per_million_messages",
];

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MetricRow {
    pub path: String,
    pub baseline: f64,
    pub candidate: f64,
    pub change_pct: f64,
    /// The larger of the two sides' spread (max − min) over repeats, when measured.
    pub noise: Option<f64>,
    pub within_noise: bool,
    /// "ok" / "FAILED" and the rule, for metrics a rule names.
    pub verdict: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    pub rule: String,
    pub broken: bool,
    pub within_noise: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison {
    pub rows: Vec<MetricRow>,
    pub verdicts: Vec<Verdict>,
}

impl Comparison {
    pub(crate) fn failed(&self) -> bool {
        self.verdicts.iter().any(|v| v.broken)
    }
}

fn noise(s: &RunSummary, path: &str) -> Option<f64> {
    s.repeats
        .as_ref()
        .and_then(|r| r.spread.get(path))
        .map(|s| s.range())
}

/// A rule naming a metric neither summary has is an error, with the closest name.
fn check_paths(
    rules: &[Rule],
    b: &BTreeMap<String, f64>,
    c: &BTreeMap<String, f64>,
) -> anyhow::Result<()> {
    for r in rules {
        // A metric one side lacks (an API the other never called) counts as 0 there.
        if !b.contains_key(&r.path) && !c.contains_key(&r.path) {
            let hint = closest(&r.path, b.keys().chain(c.keys()));
            anyhow::bail!(
                "--fail-if {:?}: no metric {:?} in either summary{hint}",
                r.text,
                r.path
            );
        }
    }
    Ok(())
}

/// What makes two runs less comparable than their figures suggest: the two sides' hot calls
/// made by different clients (`[target] client`) or on different numbers of worker threads
/// (`[run] threads`), whose own cost shows in latency and rate.
pub(crate) fn warnings(baseline: &RunSummary, candidate: &RunSummary) -> Vec<String> {
    let mut out = Vec::new();
    let (b, c) = (baseline.target.client, candidate.target.client);
    if b != c {
        out.push(format!(
            "the baseline's hot calls used the {b} client and the candidate's the {c} client: \
             latencies and rates differ by client too, not only by what changed"
        ));
    }
    if let (Some(b), Some(c)) = (
        baseline.target.worker_threads,
        candidate.target.worker_threads,
    ) && b != c
    {
        out.push(format!(
            "the baseline ran on {b} worker threads and the candidate on {c}: latencies and \
             rates differ by thread count too, not only by what changed"
        ));
    }
    out
}

/// Compares two summaries under the rules; a rule naming a metric neither has is an error.
/// A metric only one side has (requests of an API the other never called) is 0 on the other.
pub(crate) fn compare(
    baseline: &RunSummary,
    candidate: &RunSummary,
    rules: &[Rule],
) -> anyhow::Result<Comparison> {
    let b = flatten(baseline);
    let c = flatten(candidate);
    check_paths(rules, &b, &c)?;
    let mut paths: Vec<String> = HEADLINE
        .iter()
        .map(|p| p.to_string())
        .filter(|p| b.contains_key(p) || c.contains_key(p))
        .collect();
    for r in rules {
        if !paths.contains(&r.path) {
            paths.push(r.path.clone());
        }
    }
    let mut verdicts = Vec::new();
    let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let row = |path: &str| {
        let (bv, cv) = (
            b.get(path).copied().unwrap_or(0.0),
            c.get(path).copied().unwrap_or(0.0),
        );
        let noise = match (noise(baseline, path), noise(candidate, path)) {
            (None, None) => None,
            (x, y) => Some(x.unwrap_or(0.0).max(y.unwrap_or(0.0))),
        };
        let within = noise.is_some_and(|n| n > 0.0 && (cv - bv).abs() <= n);
        (bv, cv, noise, within)
    };
    for r in rules {
        let (bv, cv, _, within) = row(&r.path);
        let (broken, detail) = r.check(bv, cv);
        let forgiven = broken && within && r.is_relative();
        verdicts.push(Verdict {
            rule: r.text.clone(),
            broken: broken && !forgiven,
            within_noise: forgiven,
            detail: if forgiven {
                format!("{detail}, but within the measured noise: not failed")
            } else {
                detail
            },
        });
        let v = verdicts.last().expect("just pushed");
        let said = if v.broken {
            "FAILED"
        } else if v.within_noise {
            "noise"
        } else {
            "ok"
        };
        let limit = r.text.rsplit_once(':').map_or("", |(_, l)| l);
        by_path
            .entry(r.path.clone())
            .or_default()
            .push(format!("{said} {limit}"));
    }
    let rows = paths
        .iter()
        .map(|p| {
            let (bv, cv, noise, within) = row(p);
            MetricRow {
                path: p.clone(),
                baseline: bv,
                candidate: cv,
                change_pct: relative(bv, cv),
                noise,
                within_noise: within,
                verdict: by_path.get(p).map(|v| v.join(", ")),
            }
        })
        .collect();
    Ok(Comparison { rows, verdicts })
}

fn closest<'a>(path: &str, known: impl Iterator<Item = &'a String>) -> String {
    sqsbench_keys::did_you_mean::closest(path, known.map(String::as_str))
        .map(|k| format!("; did you mean {k:?}?"))
        .unwrap_or_default()
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

fn cells(r: &MetricRow) -> [String; 6] {
    let status = match (&r.verdict, r.within_noise) {
        (Some(v), _) => v.clone(),
        (None, true) => "within noise".into(),
        (None, false) => String::new(),
    };
    [
        r.path.clone(),
        number(r.baseline),
        number(r.candidate),
        number(r.candidate - r.baseline),
        percent(r.change_pct),
        match (r.noise, status.is_empty()) {
            (Some(n), true) => format!("±{}", number(n)),
            (Some(n), false) => format!("{status} (±{})", number(n)),
            (None, _) => status,
        },
    ]
}

const HEADERS: [&str; 6] = [
    "metric",
    "baseline",
    "candidate",
    "delta",
    "change",
    "status",
];

pub(crate) fn terminal(c: &Comparison) -> String {
    let table: Vec<Vec<String>> = std::iter::once(HEADERS.map(String::from).to_vec())
        .chain(c.rows.iter().map(|r| cells(r).to_vec()))
        .collect();
    crate::report::wording::aligned(&table, |i| i == 0 || i == 5) + &verdict_lines(c, "")
}

fn verdict_lines(c: &Comparison, bullet: &str) -> String {
    let mut o = String::new();
    for v in &c.verdicts {
        o += &format!(
            "{bullet}{} {}: {}\n",
            if v.broken { "FAILED" } else { "passed" },
            v.rule,
            v.detail
        );
    }
    o
}

pub(crate) fn markdown(c: &Comparison, baseline: &str, candidate: &str) -> String {
    let mut o = format!(
        "### sqsbench compare\n\nbaseline `{baseline}` → candidate `{candidate}`\n\n| {} |\n|---|---:|---:|---:|---:|---|\n",
        HEADERS.join(" | ")
    );
    for r in &c.rows {
        let cells = cells(r);
        o += &format!(
            "| `{}` | {} |\n",
            cells[0],
            cells[1..]
                .iter()
                .map(|c| c.replace('|', "\\|"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    if !c.verdicts.is_empty() {
        o += "\n";
        o += &verdict_lines(c, "- ");
        o += if c.failed() {
            "\n**Result: a `--fail-if` rule is broken.**\n"
        } else {
            "\n**Result: every `--fail-if` rule holds.**\n"
        };
    }
    o
}

#[cfg(test)]
mod tests;
