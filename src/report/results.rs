//! The results directory: where it goes, refusing to mix a run into another's files, and the
//! files written as the run goes (timeseries.csv, histograms.hlog), flushed every second.

use std::fs::{self, File};
use std::io::{BufWriter, Write};

use std::path::{Path, PathBuf};

use std::time::{Duration, UNIX_EPOCH};

use anyhow::Context;
use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};

use super::chart::kind::{Chart, Data};
use super::chart::run::RunData;
use super::files;
use super::results_dir::{File as ResultsFile, ResultsDir};
use crate::measure::by_sender::{Part, Split};
use crate::measure::fleets::{FleetIndex, FleetMap};
use crate::measure::latency::Latencies;
use crate::measure::latency::Latency;
use crate::measure::queues::{QUEUE_TIMESERIES_HEADER, QueueRow};
use crate::measure::recorder::Recorder;
use crate::measure::summary::RunSummary;
use crate::measure::timeline::{FleetRow, IntervalSink, TimelineRow};

/// `results/<name>-<UTC yyyymmddThhmmssZ>/`, or `--out DIR` (created; refused if not empty).
pub(crate) fn create_dir(
    out: Option<&Path>,
    name: &str,
    utc_stamp: &str,
) -> anyhow::Result<PathBuf> {
    let dir = match out {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from("results").join(format!("{name}-{utc_stamp}")),
    };
    let listed = || fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()));
    if dir.exists() && listed()?.next().is_some() {
        anyhow::bail!(
            "{} exists and is not empty; choose another --out",
            dir.display()
        );
    }
    fs::create_dir_all(dir.join(ResultsFile::Charts.name())).with_context(|| {
        format!(
            "creating {}",
            dir.join(ResultsFile::Charts.name()).display()
        )
    })?;
    Ok(dir)
}

/// timeseries.csv's columns: `TimelineRow`'s fields, written at open so that a run stopped
/// before its first second still leaves a readable file (a test keeps the two in step).
pub(crate) const TIMESERIES_HEADER: &str = "second,sent,received,deleted,errors,throttled,throttled_send,throttled_receive,throttled_delete,in_flight,e2e_p50_us,e2e_p99_us,e2e_max_us,send_p99_us,schedule_lag_p99_us,queue_visible,queue_in_flight,queue_delayed,consumers";

/// timeseries-fleets.csv's columns: `FleetRow`'s fields.
pub(crate) const FLEET_TIMESERIES_HEADER: &str =
    "second,fleet,role,sent,received,e2e_p50_us,e2e_p99_us,e2e_max_us";

/// A fleet's end-to-end tag in histograms.hlog, beside the run's `end_to_end`: fleet names
/// are tag-safe (letters, digits, '-', '_', '.'), and no latency's key contains '@'.
pub(crate) fn fleet_tag(fleet: &str) -> String {
    format!("{}@{fleet}", Latency::EndToEnd.key())
}

/// A queue's end-to-end tag in histograms.hlog (a `[[queues]]` run): queue names are
/// tag-safe (letters, digits, '-', '_', '.'), and no fleet's or latency's tag contains '#'.
pub(crate) fn queue_tag(queue: &str) -> String {
    format!("{}#{queue}", Latency::EndToEnd.key())
}

/// A shard's histogram split by sender: `from<shard>:<tag>` (`from2:end_to_end`,
/// `from2:end_to_end@<fleet>`), and `from<shard>-:<tag>` for its values below zero, negated.
pub(crate) fn sender_tag(sender: u32, below_zero: bool, tag: &str) -> String {
    let sign = if below_zero { "-" } else { "" };
    format!("{SENDER_TAG_PREFIX}{sender}{sign}:{tag}")
}

pub(crate) const SENDER_TAG_PREFIX: &str = "from";

/// The tag of one histogram of a shard's split by sender.
fn split_tag(fleets: &FleetMap, s: &Split<'_>) -> Option<String> {
    let inner = match s.part {
        Part::Latency(l) => l.key().to_string(),
        Part::Fleet(f) => fleet_tag(&fleets.fleets.get(f as usize)?.name),
    };
    Some(sender_tag(s.sender, s.below_zero, &inner))
}

/// histograms.hlog's header: intervals count from `start`.
pub(crate) fn begin_hlog(
    out: &mut impl Write,
    serializer: &mut V2DeflateSerializer,
    start: std::time::SystemTime,
) -> std::io::Result<()> {
    IntervalLogWriterBuilder::new()
        .add_comment("[Histogram log format version 1.3]")
        .add_comment(
            "[sqsbench: values in microseconds; one interval per second, tagged by latency; end_to_end@<fleet> is one fleet's share, end_to_end#<queue> one queue's (2 significant digits); a shard's from<k>:<tag> is the part of <tag> that shard k sent, from<k>-:<tag> its values below zero, negated]",
        )
        .with_start_time(start)
        .with_base_time(start)
        .begin_log_with(out, serializer)?;
    Ok(())
}

/// One second's histograms, each under its tag (empty ones are left out), with the hdrhistogram
/// crate's interval-log writer; a builder with no headers writes nothing before the lines.
pub(crate) fn write_second<'h>(
    out: &mut impl Write,
    serializer: &mut V2DeflateSerializer,
    second: u64,
    tagged: impl Iterator<Item = (String, Option<&'h hdrhistogram::Histogram<u64>>)>,
) -> std::io::Result<()> {
    let start = Duration::from_secs(second.saturating_sub(1));
    let mut log = IntervalLogWriterBuilder::new().begin_log_with(out, serializer)?;
    for (tag, h) in tagged {
        if let Some(h) = h.filter(|h| !h.is_empty()) {
            let tag = Tag::new(&tag)
                .ok_or_else(|| std::io::Error::other(format!("{tag:?} is not a histogram tag")))?;
            log.write_histogram(h, start, Duration::from_secs(1), Some(tag))
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
    }
    Ok(())
}

/// Streams every interval to disk as it closes.
pub(crate) struct Stream {
    dir: PathBuf,
    fleets: FleetMap,
    timeseries: csv::Writer<File>,
    fleet_timeseries: csv::Writer<File>,
    /// A `[[queues]]` run: the queues' names by index, and timeseries-queues.csv.
    queues: Vec<String>,
    queue_timeseries: Option<csv::Writer<File>>,
    hlog: BufWriter<File>,
    serializer: V2DeflateSerializer,
    pub rows: Vec<TimelineRow>,
    pub write_errors: Vec<String>,
}

impl Stream {
    /// The streamed files; with `queues` named (a `[[queues]]` run), timeseries-queues.csv too.
    pub(crate) fn open(
        dir: &Path,
        start_epoch_secs: f64,
        fleets: FleetMap,
        queues: Vec<String>,
    ) -> anyhow::Result<Stream> {
        let create = |name: &str| {
            let path = dir.join(name);
            File::create(&path).with_context(|| format!("creating {}", path.display()))
        };
        let mut timeseries = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(create(ResultsFile::Timeseries.name())?);
        timeseries.write_record(TIMESERIES_HEADER.split(','))?;
        timeseries.flush()?;
        let mut fleet_timeseries = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(create(ResultsFile::TimeseriesFleets.name())?);
        fleet_timeseries.write_record(FLEET_TIMESERIES_HEADER.split(','))?;
        fleet_timeseries.flush()?;
        let queue_timeseries = match queues.is_empty() {
            true => None,
            false => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(create(ResultsFile::TimeseriesQueues.name())?);
                w.write_record(QUEUE_TIMESERIES_HEADER.split(','))?;
                w.flush()?;
                Some(w)
            }
        };
        let mut hlog = BufWriter::new(create(ResultsFile::Histograms.name())?);
        let mut serializer = V2DeflateSerializer::new();
        let start = UNIX_EPOCH + Duration::from_secs_f64(start_epoch_secs);
        begin_hlog(&mut hlog, &mut serializer, start)?;
        hlog.flush()?;
        Ok(Stream {
            dir: dir.to_path_buf(),
            fleets,
            timeseries,
            fleet_timeseries,
            queues,
            queue_timeseries,
            hlog,
            serializer,
            rows: Vec::new(),
            write_errors: Vec::new(),
        })
    }

    fn write_row(&mut self, row: &TimelineRow) -> std::io::Result<()> {
        self.timeseries.serialize(row)?;
        self.timeseries.flush()
    }

    fn write_fleet_rows(&mut self, second: u64, recorded: &Recorder) -> std::io::Result<()> {
        for row in FleetRow::from_interval(second, &self.fleets, recorded) {
            self.fleet_timeseries.serialize(row)?;
        }
        self.fleet_timeseries.flush()
    }

    fn write_queue_rows(&mut self, second: u64, recorded: &Recorder) -> std::io::Result<()> {
        let Some(w) = &mut self.queue_timeseries else {
            return Ok(());
        };
        for row in QueueRow::from_interval(second, &self.queues, &recorded.queues) {
            w.serialize(row)?;
        }
        w.flush()
    }

    fn write_histograms(&mut self, second: u64, recorded: &Recorder) -> std::io::Result<()> {
        let totals = Latency::ALL
            .iter()
            .map(|l| (l.key().to_string(), Some(recorded.latencies.get(*l))));
        let fleets = self.fleets.fleets.iter().enumerate().map(|(i, fleet)| {
            let record = recorded.fleets.get(i as FleetIndex);
            (fleet_tag(&fleet.name), record.end_to_end_histogram())
        });
        let names = &self.queues;
        let queues = recorded.queues.recorded().filter_map(|(i, record)| {
            let name = names.get(i as usize)?;
            Some((queue_tag(name), record.end_to_end_histogram()))
        });
        let fleet_map = &self.fleets;
        let by_sender = recorded
            .by_sender
            .iter()
            .filter_map(|s| Some((split_tag(fleet_map, &s)?, Some(s.histogram))));
        write_second(
            &mut self.hlog,
            &mut self.serializer,
            second,
            totals.chain(fleets).chain(queues).chain(by_sender),
        )?;
        self.hlog.flush()
    }

    /// Keeps the first failure of each file (later seconds fail the same way).
    fn failed(&mut self, name: &str, e: std::io::Error) {
        let path = self.dir.join(name);
        let said = format!("{} {}:", super::atomic::WRITE_FAILED, path.display());
        if !self.write_errors.iter().any(|w| w.starts_with(&said)) {
            self.write_errors.push(format!("{said} {e}"));
        }
    }
}

impl IntervalSink for Stream {
    fn interval(&mut self, row: &TimelineRow, recorded: &Recorder) {
        self.rows.push(row.clone());
        if let Err(e) = self.write_row(row) {
            self.failed(ResultsFile::Timeseries.name(), e);
        }
        if let Err(e) = self.write_fleet_rows(row.second, recorded) {
            self.failed(ResultsFile::TimeseriesFleets.name(), e);
        }
        if let Err(e) = self.write_queue_rows(row.second, recorded) {
            self.failed(ResultsFile::TimeseriesQueues.name(), e);
        }
        if let Err(e) = self.write_histograms(row.second, recorded) {
            self.failed(ResultsFile::Histograms.name(), e);
        }
    }
}

/// The files every run's directory ends with, single run or merged: the summary, the
/// latency percentiles, the charts, and last the page that inlines them (and integrity.json,
/// written before).
pub(crate) fn finish_run(
    out: &mut ResultsDir,
    summary: &RunSummary,
    latencies: &Latencies,
    rows: &[TimelineRow],
) {
    out.write(ResultsFile::Summary, files::summary_json(summary));
    render_run(out, summary, latencies, rows);
}

/// What is rendered from a run's saved data (all but the summary itself): what `report`
/// re-renders.
pub(crate) fn render_run(
    out: &mut ResultsDir,
    summary: &RunSummary,
    latencies: &Latencies,
    rows: &[TimelineRow],
) {
    out.write(
        ResultsFile::SummaryCsv,
        files::summary_csv(std::slice::from_ref(summary)),
    );
    out.write(ResultsFile::Latency, files::hgrm(latencies));
    let charts = out.path(ResultsFile::Charts);
    let data = RunData::new(&charts, rows, latencies, summary);
    if let Err(e) = Chart::draw_all(&Chart::RUN, &charts, &Data::Run(&data)) {
        out.failed(format!(
            "could not draw the charts in {}: {e}",
            charts.display()
        ));
    }
    let page = super::html::run_page(summary, out.root());
    out.write(ResultsFile::Report, page);
}
