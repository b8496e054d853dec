//! Every number in a summary by its dotted path (`latency_us.end_to_end.p99`,
//! `requests.SendMessageBatch.count`), the names `--fail-if` rules and comparisons use, and the
//! spread of each across repeated runs.

use std::collections::BTreeMap;

pub(crate) use super::spread::{Repeats, Spread};
use super::summary::RunSummary;

/// Paths that describe a run rather than measure it: never compared.
const NOT_METRICS: &[&str] = &["schema_version", "repeats"];

/// The numeric leaves of a summary, by dotted path.
pub(crate) fn flatten(summary: &RunSummary) -> BTreeMap<String, f64> {
    let value = serde_json::to_value(summary).expect("a summary always serializes");
    let mut out = BTreeMap::new();
    walk(&value, String::new(), &mut out);
    out
}

fn walk(value: &serde_json::Value, path: String, out: &mut BTreeMap<String, f64>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if path.is_empty() && NOT_METRICS.contains(&k.as_str()) {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(v, p, out);
            }
        }
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64() {
                out.insert(path, f);
            }
        }
        serde_json::Value::Bool(b) => {
            out.insert(path, *b as u8 as f64);
        }
        _ => {}
    }
}

/// The spread of every metric over the runs, and the index of the median run by received
/// throughput (the headline).
pub(crate) fn repeats(runs: &[RunSummary]) -> Repeats {
    let flat: Vec<BTreeMap<String, f64>> = runs.iter().map(flatten).collect();
    let mut spread = BTreeMap::new();
    if let Some(first) = flat.first() {
        for key in first.keys() {
            let values: Vec<f64> = flat.iter().filter_map(|f| f.get(key).copied()).collect();
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            spread.insert(
                key.clone(),
                Spread {
                    min: values.iter().copied().fold(f64::INFINITY, f64::min),
                    max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    mean,
                    stddev: var.sqrt(),
                },
            );
        }
    }
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|a, b| {
        runs[*a]
            .throughput
            .received_per_sec
            .total_cmp(&runs[*b].throughput.received_per_sec)
    });
    let headline = order
        .get(runs.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0);
    Repeats {
        count: runs.len() as u32,
        headline_run: headline as u32 + 1,
        spread,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_to_dotted_paths() {
        let mut s = RunSummary::default();
        s.messages.duplicates = 3;
        s.requests.insert(
            "SendMessageBatch".into(),
            super::super::summary::Requests {
                count: 7,
                ..Default::default()
            },
        );
        let f = flatten(&s);
        assert_eq!(f["messages.duplicates"], 3.0);
        assert_eq!(f["requests.SendMessageBatch.count"], 7.0);
        assert!(!f.contains_key("schema_version"));
    }

    #[test]
    fn spread_and_median_headline() {
        let runs: Vec<RunSummary> = [10.0, 30.0, 20.0]
            .iter()
            .map(|r| {
                let mut s = RunSummary::default();
                s.throughput.received_per_sec = *r;
                s
            })
            .collect();
        let r = repeats(&runs);
        assert_eq!((r.count, r.headline_run), (3, 3));
        let s = r.spread["throughput.received_per_sec"];
        assert_eq!((s.min, s.max, s.mean), (10.0, 30.0, 20.0));
        assert!((s.stddev - 8.1649).abs() < 1e-3);
    }
}
