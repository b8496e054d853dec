//! Reading a results directory back: summary.json, timeseries.csv and the histogram interval
//! log, merged into whole-run histograms. What `sqsbench report DIR` re-renders from, so a
//! report never depends on the run that made it.

use std::path::Path;

use anyhow::Context;
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};

use crate::measure::latency::{Latencies, Latency};
use crate::measure::summary::RunSummary;
use crate::measure::timeline::TimelineRow;

pub struct Saved {
    pub summary: RunSummary,
    pub timeline: Vec<TimelineRow>,
    pub latencies: Latencies,
}

pub fn read_summary(dir: &Path) -> anyhow::Result<RunSummary> {
    let summary_path = dir.join("summary.json");
    let text = std::fs::read_to_string(&summary_path)
        .with_context(|| format!("reading {}", summary_path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a sqsbench summary", summary_path.display()))
}

pub fn read(dir: &Path) -> anyhow::Result<Saved> {
    let summary = read_summary(dir)?;
    let mut reader =
        csv::Reader::from_path(dir.join("timeseries.csv")).context("reading timeseries.csv")?;
    let timeline = reader
        .deserialize()
        .collect::<Result<Vec<TimelineRow>, _>>()
        .context("timeseries.csv has a malformed row")?;
    let log = std::fs::read(dir.join("histograms.hlog")).context("reading histograms.hlog")?;
    let mut latencies = Latencies::default();
    let mut deserializer = Deserializer::new();
    for entry in IntervalLogIterator::new(&log) {
        let Ok(LogEntry::Interval(interval)) = entry else {
            continue;
        };
        let Some(which) = interval
            .tag()
            .and_then(|t| Latency::ALL.into_iter().find(|l| l.key() == t.as_str()))
        else {
            continue;
        };
        let bytes = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            interval.encoded_histogram(),
        )
        .context("histograms.hlog: bad base64")?;
        let h: hdrhistogram::Histogram<u64> = deserializer
            .deserialize(&mut bytes.as_slice())
            .context("histograms.hlog: bad histogram")?;
        latencies.add(which, &h);
    }
    Ok(Saved {
        summary,
        timeline,
        latencies,
    })
}
