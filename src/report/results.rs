//! The results directory: where it goes, refusing to mix a run into another's files, and the
//! files written as the run goes (timeseries.csv, histograms.hlog), flushed every second.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine;
use hdrhistogram::serialization::{Serializer, V2DeflateSerializer};

use crate::measure::latency::Latency;
use crate::measure::recorder::Recorder;
use crate::measure::timeline::{IntervalSink, TimelineRow};

/// `results/<name>-<UTC yyyymmddThhmmssZ>/`, or `--out DIR` (created; refused if not empty).
pub fn create_dir(out: Option<&Path>, name: &str, utc_stamp: &str) -> anyhow::Result<PathBuf> {
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
    fs::create_dir_all(dir.join("charts"))
        .with_context(|| format!("creating {}", dir.join("charts").display()))?;
    Ok(dir)
}

pub const TIMESERIES_HEADER: &str = "second,sent,received,deleted,errors,throttled,throttled_send,throttled_receive,throttled_delete,in_flight,e2e_p50_us,e2e_p99_us,e2e_max_us,send_p99_us,schedule_lag_p99_us";

pub fn timeseries_line(r: &TimelineRow) -> String {
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        r.second,
        r.sent,
        r.received,
        r.deleted,
        r.errors,
        r.throttled,
        r.throttled_send,
        r.throttled_receive,
        r.throttled_delete,
        r.in_flight,
        r.e2e_p50_us,
        r.e2e_p99_us,
        r.e2e_max_us,
        r.send_p99_us,
        r.schedule_lag_p99_us
    )
}

/// Streams every interval to disk as it closes.
pub struct Stream {
    dir: PathBuf,
    timeseries: BufWriter<File>,
    hlog: BufWriter<File>,
    serializer: V2DeflateSerializer,
    pub rows: Vec<TimelineRow>,
    pub write_errors: Vec<String>,
}

impl Stream {
    pub fn open(dir: &Path, start_epoch_secs: f64) -> anyhow::Result<Stream> {
        let create = |name: &str| {
            let path = dir.join(name);
            File::create(&path).with_context(|| format!("creating {}", path.display()))
        };
        let mut timeseries = BufWriter::new(create("timeseries.csv")?);
        writeln!(timeseries, "{TIMESERIES_HEADER}")?;
        timeseries.flush()?;
        let mut hlog = BufWriter::new(create("histograms.hlog")?);
        writeln!(hlog, "#[Histogram log format version 1.3]")?;
        writeln!(
            hlog,
            "#[StartTime: {start_epoch_secs:.3} (seconds since epoch)]"
        )?;
        writeln!(
            hlog,
            "#[BaseTime: {start_epoch_secs:.3} (seconds since epoch)]"
        )?;
        writeln!(
            hlog,
            "#[MaxValueDivisor: 1000.0] (values in µs; interval max in ms)"
        )?;
        writeln!(
            hlog,
            "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""
        )?;
        hlog.flush()?;
        Ok(Stream {
            dir: dir.to_path_buf(),
            timeseries,
            hlog,
            serializer: V2DeflateSerializer::new(),
            rows: Vec::new(),
            write_errors: Vec::new(),
        })
    }

    fn write_row(&mut self, row: &TimelineRow) -> std::io::Result<()> {
        writeln!(self.timeseries, "{}", timeseries_line(row))?;
        self.timeseries.flush()
    }

    fn write_histograms(&mut self, second: u64, recorded: &Recorder) -> std::io::Result<()> {
        let start = second.saturating_sub(1) as f64;
        for latency in Latency::ALL {
            let h = recorded.latencies.get(latency);
            if h.is_empty() {
                continue;
            }
            let mut bytes = Vec::new();
            self.serializer
                .serialize(h, &mut bytes)
                .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
            let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
            writeln!(
                self.hlog,
                "Tag={},{start:.3},1.000,{:.3},{encoded}",
                latency.key(),
                h.max() as f64 / 1000.0
            )?;
        }
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
            self.failed("timeseries.csv", e);
        }
        if let Err(e) = self.write_histograms(row.second, recorded) {
            self.failed("histograms.hlog", e);
        }
    }
}
