//! Every chart sqsbench draws, each owning its file name, its title and the function that
//! draws it; the writers, the HTML page and the tests go through `Chart` and nothing else.
//!
//! Depends on the chart families (`run`, `fleets`, `comparison`, `search`,
//! `latency_throughput`) and `frame`; none of them depends on this file.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::comparison::Sweep;
use super::frame::{SIZE, both, register_font};
use super::run::RunData;
use super::search::SearchData;
use super::{backlog, comparison, fleets, latency_throughput, run, search};

/// Every chart a results directory's `charts/` may hold, each as `<name>.png` and `<name>.svg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    Throughput,
    LatencyOverTime,
    LatencyDistribution,
    /// With more than one fleet of a role.
    ThroughputByFleet,
    LatencyByFleet,
    /// A run of many queues: the worst queues' p99 over time.
    LatencyByQueue,
    /// The queue's backlog as it reported it, and the consumers running.
    Backlog,
    /// A sweep's comparison of its variants.
    ComparisonThroughput,
    ComparisonLatency,
    ComparisonLatencyThroughput,
    ComparisonRequests,
    /// A capacity search's steps.
    Search,
    SearchLatencyThroughput,
}

/// What a family of charts is drawn from.
pub enum Data<'a> {
    Run(&'a RunData<'a>),
    Sweep(&'a Sweep<'a>),
    Search(&'a SearchData<'a>),
}

impl Data<'_> {
    /// The scenario's name, which every chart's heading starts with.
    fn title(&self) -> &str {
        match self {
            Data::Run(d) => d.title,
            Data::Sweep(s) => s.title,
            Data::Search(s) => &s.result.scenario,
        }
    }
}

type Drew = Result<bool, Box<dyn std::error::Error>>;

impl Chart {
    /// A run's charts, in the order its page shows them.
    pub const RUN: [Chart; 7] = [
        Chart::Throughput,
        Chart::Backlog,
        Chart::LatencyOverTime,
        Chart::LatencyDistribution,
        Chart::ThroughputByFleet,
        Chart::LatencyByFleet,
        Chart::LatencyByQueue,
    ];
    /// A sweep's charts, in the order its page shows them.
    pub const SWEEP: [Chart; 4] = [
        Chart::ComparisonLatencyThroughput,
        Chart::ComparisonThroughput,
        Chart::ComparisonLatency,
        Chart::ComparisonRequests,
    ];
    pub const SEARCH: [Chart; 2] = [Chart::Search, Chart::SearchLatencyThroughput];

    /// The chart's file name, without `.png` or `.svg`.
    pub const fn name(self) -> &'static str {
        match self {
            Chart::Throughput => "throughput",
            Chart::LatencyOverTime => "latency-over-time",
            Chart::LatencyDistribution => "latency-distribution",
            Chart::ThroughputByFleet => "throughput-by-fleet",
            Chart::LatencyByFleet => "latency-by-fleet",
            Chart::LatencyByQueue => "latency-by-queue",
            Chart::Backlog => "backlog",
            Chart::ComparisonThroughput => "comparison-throughput",
            Chart::ComparisonLatency => "comparison-latency",
            Chart::ComparisonLatencyThroughput => "comparison-latency-throughput",
            Chart::ComparisonRequests => "comparison-requests",
            Chart::Search => "search",
            Chart::SearchLatencyThroughput => "search-latency-throughput",
        }
    }

    /// What the chart shows; its heading is the scenario's name, a colon, and this.
    pub const fn title(self) -> &'static str {
        match self {
            Chart::Throughput => "throughput",
            Chart::LatencyOverTime => "end-to-end latency over time",
            Chart::LatencyDistribution => "latency distribution",
            Chart::ThroughputByFleet => "throughput by fleet",
            Chart::LatencyByFleet => "end-to-end p99 by fleet",
            Chart::LatencyByQueue => "end-to-end p99 of the worst queues",
            Chart::Backlog => "backlog and consumers",
            Chart::ComparisonThroughput => "throughput by variant",
            Chart::ComparisonLatency => "end-to-end latency by variant",
            Chart::ComparisonRequests => "requests per million messages",
            Chart::ComparisonLatencyThroughput | Chart::SearchLatencyThroughput => {
                "latency against throughput"
            }
            Chart::Search => "capacity search",
        }
    }

    /// The chart's PNG and SVG in the charts folder `dir`.
    pub fn files(self, dir: &Path) -> (PathBuf, PathBuf) {
        let name = self.name();
        (
            dir.join(format!("{name}.png")),
            dir.join(format!("{name}.svg")),
        )
    }

    /// Draws the chart from `data` into the charts folder `dir`, as a PNG and an SVG each
    /// written whole. False, and no files, when it has nothing to show: a run of one fleet per
    /// role has no per-fleet charts, and a sweep or search without consumers no latency.
    pub fn draw(self, dir: &Path, data: &Data) -> Drew {
        register_font();
        std::fs::create_dir_all(dir)?;
        let caption = &format!("{}: {}", data.title(), self.title());
        let name = self.name();
        match (self, data) {
            (Chart::Throughput, Data::Run(d)) => {
                both!(dir, name, |a| run::throughput(a, caption, d))
            }
            (Chart::LatencyOverTime, Data::Run(d)) => {
                both!(dir, name, |a| run::latency_over_time(a, caption, d))
            }
            (Chart::LatencyDistribution, Data::Run(d)) => {
                both!(dir, name, |a| run::distribution(a, caption, d))
            }
            (Chart::ThroughputByFleet, Data::Run(d)) => match &d.fleets {
                Some(f) => both!(dir, name, |a| fleets::throughput(a, caption, f, d.phases)),
                None => return Ok(false),
            },
            (Chart::LatencyByFleet, Data::Run(d)) => match &d.fleets {
                Some(f) => both!(dir, name, |a| fleets::latency(a, caption, f, d.phases)),
                None => return Ok(false),
            },
            (Chart::LatencyByQueue, Data::Run(d)) => match &d.queues {
                Some(q) => both!(dir, name, |a| fleets::latency(a, caption, q, d.phases)),
                None => return Ok(false),
            },
            (Chart::Backlog, Data::Run(d)) => match backlog::has_readings(d.timeline) {
                true => both!(dir, name, |a| backlog::draw(a, caption, d)),
                false => return Ok(false),
            },
            (Chart::ComparisonThroughput, Data::Sweep(s)) => {
                both!(dir, name, |a| comparison::throughput(a, caption, s))
            }
            (Chart::ComparisonLatency, Data::Sweep(s)) => {
                both!(dir, name, |a| comparison::latency(a, caption, s))
            }
            (Chart::ComparisonRequests, Data::Sweep(s)) => {
                both!(dir, name, |a| comparison::requests(a, caption, s))
            }
            (Chart::ComparisonLatencyThroughput, Data::Sweep(s)) => match &s.against_rate {
                Some(p) => both!(dir, name, |a| latency_throughput::draw(a, caption, p)),
                None => return Ok(false),
            },
            (Chart::Search, Data::Search(s)) => both!(dir, name, |a| search::draw(a, caption, s)),
            (Chart::SearchLatencyThroughput, Data::Search(s)) => match &s.against_rate {
                Some(p) => both!(dir, name, |a| latency_throughput::draw(a, caption, p)),
                None => return Ok(false),
            },
            (chart, _) => {
                return Err(
                    format!("the {} chart is not drawn from this data", chart.name()).into(),
                );
            }
        }
        Ok(true)
    }

    /// Draws each of `charts` from `data`, stopping at the first that fails.
    pub fn draw_all(
        charts: &[Chart],
        dir: &Path,
        data: &Data,
    ) -> Result<(), Box<dyn std::error::Error>> {
        for chart in charts {
            chart.draw(dir, data)?;
        }
        Ok(())
    }
}
