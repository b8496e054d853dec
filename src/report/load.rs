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
    let timeseries = dir.join("timeseries.csv");
    if !timeseries.is_file() {
        anyhow::bail!(
            "{} is missing: the charts and report cannot be rebuilt without it",
            timeseries.display()
        );
    }
    let mut reader = csv::Reader::from_path(&timeseries)
        .with_context(|| format!("reading {}", timeseries.display()))?;
    let timeline = reader
        .deserialize()
        .collect::<Result<Vec<TimelineRow>, _>>()
        .with_context(|| format!("{} has a malformed row", timeseries.display()))?;
    let hlog = dir.join("histograms.hlog");
    let log = std::fs::read(&hlog).with_context(|| format!("reading {}", hlog.display()))?;
    let latencies = read_hlog(&log).with_context(|| format!("{} is damaged", hlog.display()))?;
    check_counts(&summary, &latencies).with_context(|| {
        format!(
            "{} does not match {}",
            dir.join("summary.json").display(),
            hlog.display()
        )
    })?;
    Ok(Saved {
        summary,
        timeline,
        latencies,
    })
}

/// Every interval of a histogram log, merged per latency. Anything that does not parse is an
/// error: a partial log would silently re-render smaller histograms.
pub fn read_hlog(log: &[u8]) -> anyhow::Result<Latencies> {
    if !log.starts_with(b"#[Histogram log format version") {
        anyhow::bail!("it does not start with a histogram log header (empty or overwritten)");
    }
    if !log.ends_with(b"\n") {
        anyhow::bail!("its last line is cut short (truncated)");
    }
    let mut latencies = Latencies::default();
    let mut deserializer = Deserializer::new();
    for (i, entry) in IntervalLogIterator::new(log).enumerate() {
        let interval = match entry {
            Ok(LogEntry::Interval(interval)) => interval,
            Ok(_) => continue,
            Err(e) => anyhow::bail!("entry {} does not parse: {e:?}", i + 1),
        };
        let tag = interval.tag().map(|t| t.as_str().to_string());
        let Some(which) = tag
            .as_deref()
            .and_then(|t| Latency::ALL.into_iter().find(|l| l.key() == t))
        else {
            anyhow::bail!("entry {} has an unknown tag {tag:?}", i + 1);
        };
        let bytes = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            interval.encoded_histogram(),
        )
        .with_context(|| format!("entry {} ({}): bad base64", i + 1, which.key()))?;
        let h: hdrhistogram::Histogram<u64> = deserializer
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| {
                anyhow::anyhow!("entry {} ({}): bad histogram: {e:?}", i + 1, which.key())
            })?;
        latencies
            .add(which, &h)
            .map_err(|e| anyhow::anyhow!("entry {}: {e}", i + 1))?;
    }
    Ok(latencies)
}

/// The summary's latency counts are the log's: a mismatch means one of them is from another
/// run or was cut short. A forced exit's summary (`incomplete`) never had its counts filled.
fn check_counts(summary: &RunSummary, latencies: &Latencies) -> anyhow::Result<()> {
    if summary.incomplete.is_some() || summary.repeats.is_some() {
        return Ok(());
    }
    for latency in Latency::ALL {
        let in_summary = summary.latency(latency).count;
        let in_log = latencies.get(latency).len();
        if in_summary != in_log {
            anyhow::bail!(
                "{}: {in_summary} samples in the summary, {in_log} in the log",
                latency.key()
            );
        }
    }
    Ok(())
}
