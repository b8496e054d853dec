//! Reading a results directory back: summary.json, timeseries.csv and the histogram interval
//! log, merged into whole-run histograms. What `sqsbench report DIR` re-renders from, so a
//! report never depends on the run that made it.

use std::path::Path;

use anyhow::Context;
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::results_dir::File;
use crate::measure::latency::{Latencies, Latency, new_histogram};
use crate::measure::summary::{ResultsKind, RunSummary};
use crate::measure::timeline::TimelineRow;
use crate::report::results::{SENDER_TAG_PREFIX, fleet_tag};

pub struct Saved {
    pub summary: RunSummary,
    pub timeline: Vec<TimelineRow>,
    pub latencies: Latencies,
    /// Each fleet's end-to-end histogram (`end_to_end@<fleet>` tags; none in older logs).
    pub fleet_end_to_end: BTreeMap<String, Histogram<u64>>,
}

/// A histogram log's intervals merged: per latency, and each fleet's end-to-end share.
pub struct Logged {
    pub latencies: Latencies,
    pub fleet_end_to_end: BTreeMap<String, Histogram<u64>>,
}

pub fn read_summary(dir: &Path) -> anyhow::Result<RunSummary> {
    let summary_path = dir.join(File::Summary.name());
    let text = std::fs::read_to_string(&summary_path)
        .with_context(|| format!("reading {}", summary_path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a sqsbench summary", summary_path.display()))
}

/// What filled the directory `dir`, from the `kind` its index file holds: summary.json for a
/// run, repeats or a merge (older summaries tell it by their sections), series.json for a
/// sweep, search.json for a search. The one place that decides which kind a directory is.
pub fn kind_of(dir: &Path) -> anyhow::Result<ResultsKind> {
    #[derive(serde::Deserialize)]
    struct Index {
        kind: ResultsKind,
    }
    for (file, kind) in [
        (File::Series, ResultsKind::Sweep),
        (File::Search, ResultsKind::Search),
    ] {
        let path = dir.join(file.name());
        if path.is_file() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            // Written before `kind` was: the file itself says which.
            return Ok(serde_json::from_str::<Index>(&text).map_or(kind, |i| i.kind));
        }
    }
    Ok(read_summary(dir)?.kind())
}

pub fn read(dir: &Path) -> anyhow::Result<Saved> {
    let summary = read_summary(dir)?;
    let timeseries = dir.join(File::Timeseries.name());
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
    let hlog = dir.join(File::Histograms.name());
    let log = std::fs::read(&hlog).with_context(|| format!("reading {}", hlog.display()))?;
    let logged = read_hlog(&log).with_context(|| format!("{} is damaged", hlog.display()))?;
    check_counts(&summary, &logged).with_context(|| {
        format!(
            "{} does not match {}",
            dir.join(File::Summary.name()).display(),
            hlog.display()
        )
    })?;
    Ok(Saved {
        summary,
        timeline,
        latencies: logged.latencies,
        fleet_end_to_end: logged.fleet_end_to_end,
    })
}

/// What an interval's tag says it holds.
#[derive(Clone)]
pub(crate) enum Tagged {
    Latency(Latency),
    /// One fleet's end-to-end share.
    Fleet(String),
    /// One queue's end-to-end share (a `[[queues]]` run, 2 significant digits): summary.json
    /// has its figures, so reading a log back adds nothing from it.
    Queue,
    /// A shard's part of an end-to-end histogram that one sender shard's messages made
    /// (`from<k>:<tag>`; `from<k>-:<tag>` its values below zero, negated): only a merge that
    /// corrects clocks reads it; it repeats part of its whole.
    FromSender {
        sender: u32,
        below_zero: bool,
        of: Box<Tagged>,
    },
}

/// One decoded interval of a histogram log.
pub(crate) struct Interval {
    /// The run's second it closes (as in timeseries.csv): its start offset plus one.
    pub second: u64,
    pub tagged: Tagged,
    pub histogram: Histogram<u64>,
}

/// A histogram log's intervals, decoded one by one, in the file's order. Anything that does
/// not parse is an error: a partial log would silently re-render smaller histograms.
pub(crate) fn intervals(
    log: &[u8],
) -> anyhow::Result<impl Iterator<Item = anyhow::Result<Interval>> + '_> {
    if !log.starts_with(b"#[Histogram log format version") {
        anyhow::bail!("it does not start with a histogram log header (empty or overwritten)");
    }
    if !log.ends_with(b"\n") {
        anyhow::bail!("its last line is cut short (truncated)");
    }
    let mut deserializer = Deserializer::new();
    Ok(IntervalLogIterator::new(log)
        .enumerate()
        .filter_map(move |(i, entry)| match entry {
            Ok(LogEntry::Interval(interval)) => Some(decode(i + 1, &interval, &mut deserializer)),
            Ok(_) => None,
            Err(e) => Some(Err(anyhow::anyhow!(
                "entry {} does not parse: {e:?}",
                i + 1
            ))),
        }))
}

fn decode(
    entry: usize,
    interval: &hdrhistogram::serialization::interval_log::IntervalLogHistogram<'_>,
    deserializer: &mut Deserializer,
) -> anyhow::Result<Interval> {
    let tag = interval.tag().map(|t| t.as_str()).unwrap_or("");
    let Some(tagged) = tagged(tag) else {
        anyhow::bail!("entry {entry} has an unknown tag {tag:?}");
    };
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        interval.encoded_histogram(),
    )
    .with_context(|| format!("entry {entry} ({tag}): bad base64"))?;
    let ours = match tagged {
        Tagged::Queue => crate::measure::queues::new_queue_histogram(),
        _ => crate::measure::latency::new_histogram(),
    };
    check_declared_size(&bytes, &ours)
        .with_context(|| format!("entry {entry} ({tag}): bad histogram"))?;
    let histogram: Histogram<u64> = deserializer
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| anyhow::anyhow!("entry {entry} ({tag}): bad histogram: {e:?}"))?;
    // Only sqsbench's own settings: adding a histogram of a wider range or more digits grows
    // the sum to fit it, and a crafted log made of such entries took gigabytes (found by the
    // `hlog` fuzz target).
    if histogram.high() > ours.high()
        || histogram.low() < ours.low()
        || histogram.sigfig() != ours.sigfig()
    {
        anyhow::bail!(
            "entry {entry} ({tag}): histogram settings (lowest {}, highest {}, {} significant digits) are not sqsbench's ({}, {}, {})",
            histogram.low(),
            histogram.high(),
            histogram.sigfig(),
            ours.low(),
            ours.high(),
            ours.sigfig()
        );
    }
    Ok(Interval {
        second: interval.start_timestamp().as_secs_f64().round() as u64 + 1,
        tagged,
        histogram,
    })
}

/// What a tag names: a latency, a fleet's share (`end_to_end@<fleet>`), or either's part from
/// one sender shard (`from<k>:…`).
fn tagged(tag: &str) -> Option<Tagged> {
    if let Some((sender, of)) = tag
        .strip_prefix(SENDER_TAG_PREFIX)
        .and_then(|rest| rest.split_once(':'))
    {
        let (sender, below_zero) = match sender.strip_suffix('-') {
            Some(k) => (k, true),
            None => (sender, false),
        };
        let of = tagged(of).filter(|t| !matches!(t, Tagged::FromSender { .. }))?;
        return Some(Tagged::FromSender {
            sender: sender.parse().ok()?,
            below_zero,
            of: Box::new(of),
        });
    }
    if let Some(which) = Latency::ALL.into_iter().find(|l| l.key() == tag) {
        return Some(Tagged::Latency(which));
    }
    let rest = tag.strip_prefix(Latency::EndToEnd.key())?;
    if rest
        .strip_prefix('#')
        .is_some_and(|queue| !queue.is_empty())
    {
        return Some(Tagged::Queue);
    }
    rest.strip_prefix('@')
        .filter(|fleet| !fleet.is_empty())
        .map(|fleet| Tagged::Fleet(fleet.to_string()))
}

impl Logged {
    pub(crate) fn empty() -> Logged {
        Logged {
            latencies: Latencies::default(),
            fleet_end_to_end: BTreeMap::new(),
        }
    }

    /// Adds one interval: into its latency, or its fleet's end-to-end histogram. A part from
    /// one sender is already in its whole, so it adds nothing here.
    pub(crate) fn add(&mut self, interval: &Interval) -> anyhow::Result<()> {
        self.add_as(&interval.tagged, &interval.histogram)
    }

    /// Adds `histogram` as what `tagged` names.
    pub(crate) fn add_as(
        &mut self,
        tagged: &Tagged,
        histogram: &Histogram<u64>,
    ) -> anyhow::Result<()> {
        match tagged {
            Tagged::Latency(which) => self
                .latencies
                .add(*which, histogram)
                .map_err(|e| anyhow::anyhow!("{e}")),
            Tagged::Fleet(fleet) => self
                .fleet_end_to_end
                .entry(fleet.clone())
                .or_insert_with(new_histogram)
                .add(histogram)
                .map_err(|e| anyhow::anyhow!("fleet {fleet}: {e:?}")),
            Tagged::FromSender { .. } | Tagged::Queue => Ok(()),
        }
    }
}

/// The deserializer sizes its buffer by the payload length a compressed histogram's inner
/// header declares, and its counts by the header's range, before reading either: a crafted
/// entry declaring 4 GiB took that much memory (found by the `hlog` fuzz target). So the inner
/// header is read first, and only sqsbench's own settings and a payload that fits them pass.
fn check_declared_size(bytes: &[u8], ours: &Histogram<u64>) -> anyhow::Result<()> {
    use std::io::Read;
    const COMPRESSED_V2: [u8; 4] = 0x1c84_9314u32.to_be_bytes();
    if bytes.get(0..4) != Some(&COMPRESSED_V2[..]) || bytes.len() < 8 {
        return Ok(());
    }
    let mut header = [0u8; 32];
    flate2::read::ZlibDecoder::new(&bytes[8..])
        .read_exact(&mut header)
        .context("its compressed header cannot be read")?;
    let field = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    let wide = |at: usize| u64::from_be_bytes(header[at..at + 8].try_into().expect("8 bytes"));
    let (payload, digits, low, high) = (field(4) as usize, field(12), wide(16), wide(24));
    if high > ours.high() || low < ours.low() || digits != u32::from(ours.sigfig()) {
        anyhow::bail!(
            "settings (lowest {low}, highest {high}, {digits} significant digits) are not sqsbench's ({}, {}, {})",
            ours.low(),
            ours.high(),
            ours.sigfig()
        );
    }
    // A count takes at most 9 bytes in the encoding.
    let most = ours.distinct_values() * 9;
    if payload > most {
        anyhow::bail!(
            "its header declares {payload} bytes of counts; sqsbench's settings need at most {most}"
        );
    }
    Ok(())
}

/// Every interval of a histogram log, merged per latency and per fleet.
pub fn read_hlog(log: &[u8]) -> anyhow::Result<Logged> {
    let mut logged = Logged::empty();
    for interval in intervals(log)? {
        logged.add(&interval?)?;
    }
    Ok(logged)
}

/// The summary's latency counts are the log's: a mismatch means one of them is from another
/// run or was cut short. A forced exit's summary (`incomplete`) never had its counts filled.
fn check_counts(summary: &RunSummary, logged: &Logged) -> anyhow::Result<()> {
    if summary.incomplete.is_some() || summary.repeats.is_some() {
        return Ok(());
    }
    let totals = Latency::ALL.iter().map(|l| {
        let in_log = logged.latencies.get(*l).len();
        (l.key().to_string(), summary.latency(*l).count, in_log)
    });
    let fleets = summary.fleets.iter().map(|f| {
        let in_log = logged.fleet_end_to_end.get(&f.name).map_or(0, |h| h.len());
        (fleet_tag(&f.name), f.end_to_end_us.count, in_log)
    });
    for (tag, in_summary, in_log) in totals.chain(fleets) {
        if in_summary != in_log {
            anyhow::bail!("{tag}: {in_summary} samples in the summary, {in_log} in the log");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::measure::fleets::FleetMap;
    use crate::measure::latency::{HIGHEST_US, new_histogram};
    use crate::measure::recorder::Recorder;
    use crate::measure::timeline::{IntervalSink, TimelineRow};
    use crate::report::results::Stream;

    /// One shard's histograms.hlog, written by the run's own writer: `seconds[s]` are the
    /// end-to-end samples of second s + 1.
    fn shard_hlog(seconds: &[Vec<u64>], name: &str) -> Vec<u8> {
        let dir = std::env::temp_dir().join(format!("sqsbench-hlog-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut stream =
            Stream::open(&dir, 1_764_590_400.0, FleetMap::default(), Vec::new()).unwrap();
        for (s, samples) in seconds.iter().enumerate() {
            let mut recorded = Recorder::default();
            for us in samples {
                recorded.latency(Latency::EndToEnd, *us);
            }
            let row = TimelineRow {
                second: s as u64 + 1,
                ..TimelineRow::default()
            };
            stream.interval(&row, &recorded);
        }
        drop(stream);
        let log = std::fs::read(dir.join("histograms.hlog")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        log
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Latencies split at random over N shards, each written as its own hlog, read back and
        /// added, give exactly the histogram of the whole stream: nothing averaged, nothing lost.
        #[test]
        fn shard_hlogs_added_equal_the_whole_stream(
            samples in prop::collection::vec((1u64..=HIGHEST_US, 0usize..8, 0usize..4), 1..400),
            shards in 1usize..6,
        ) {
            let mut whole = new_histogram();
            let mut per_shard = vec![vec![Vec::new(); 4]; shards];
            for (us, shard, second) in &samples {
                whole.record(*us).unwrap();
                per_shard[shard % shards][*second].push(*us);
            }
            let mut merged = Latencies::default();
            for (i, seconds) in per_shard.iter().enumerate() {
                let logged = read_hlog(&shard_hlog(seconds, &i.to_string())).unwrap();
                merged.merge(&logged.latencies);
            }
            prop_assert_eq!(merged.get(Latency::EndToEnd), &whole);
        }
    }
}

#[cfg(test)]
mod fuzz_regressions {
    //! Inputs the fuzz targets (fuzz/) found, kept as regression tests.

    #[test]
    fn a_crafted_log_that_took_gigabytes_is_refused() {
        let log = include_bytes!("../../tests/fuzz-regressions/hlog-oom.bin");
        let e = super::read_hlog(log).err().expect("refused");
        assert!(
            format!("{e:#}").starts_with("entry 3 (send): bad histogram"),
            "{e:#}"
        );
    }

    #[test]
    fn a_sweep_value_toml_cannot_write_back_is_a_problem_not_a_panic() {
        let input = include_bytes!("../../tests/fuzz-regressions/scenario-sweep-value.bin");
        let text = String::from_utf8_lossy(input);
        let mut parts = text.split('\0');
        let toml = parts.next().unwrap_or("");
        let sets: Vec<String> = parts.map(str::to_string).collect();
        assert!(crate::scenario::validate::scenario_from_text(toml, &sets).is_err());
    }
}
