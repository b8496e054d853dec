//! The shards' seconds added up: timeline counts summed per aligned second (shards count their
//! seconds from the same `--start-at`), and each second's percentiles recomputed from that
//! second's histograms added over every shard. The logs are read in step, one second at a
//! time, so memory holds one second's histograms and the run's totals, however long the run.

use std::collections::BTreeMap;
use std::iter::Peekable;
use std::time::SystemTime;

use hdrhistogram::Histogram;
use hdrhistogram::serialization::V2DeflateSerializer;

use super::clock_correction::{Admitted, Correction};
use super::inputs::ShardDir;
use crate::measure::fleets::FleetMap;
use crate::measure::latency::Latency;
use crate::measure::timeline::{FleetRow, TimelineRow};
use crate::report::load::{self, Interval, Logged};
use crate::report::results::{self, fleet_tag};
use crate::report::results_dir::File;

pub(super) struct Merged {
    pub(super) rows: Vec<TimelineRow>,
    pub(super) fleet_rows: Vec<FleetRow>,
    /// histograms.hlog of the merged run: one interval per second and tag.
    pub(super) hlog: Vec<u8>,
    /// Every interval added: the run's histograms.
    pub(super) totals: Logged,
}

type Intervals<'a> = Box<dyn Iterator<Item = anyhow::Result<Interval>> + 'a>;

/// A log whose next interval is damaged stops the merge, naming the file.
fn first_damage(logs: &mut [(&ShardDir, Peekable<Intervals<'_>>)]) -> anyhow::Result<()> {
    for (shard, log) in logs {
        if let Some(Err(_)) = log.peek() {
            let e = log.next().expect("peeked").err().expect("an error");
            anyhow::bail!(
                "{} is damaged: {e:#}",
                shard.dir.join(File::Histograms.name()).display()
            );
        }
    }
    Ok(())
}

/// Each fleet's row of one merged second: the shards' counts added, latency from the added
/// histograms.
fn fleet_rows(
    second: u64,
    fleets: &FleetMap,
    counts: &BTreeMap<(u64, String), (u64, u64)>,
    this: &Logged,
) -> Vec<FleetRow> {
    fleets
        .fleets
        .iter()
        .map(|fleet| {
            let counted = counts.get(&(second, fleet.name.clone()));
            let e2e = this.fleet_end_to_end.get(&fleet.name);
            FleetRow {
                second,
                fleet: fleet.name.clone(),
                role: fleet.role,
                sent: counted.map_or(0, |c| c.0),
                received: counted.map_or(0, |c| c.1),
                e2e_p50_us: quantile(e2e, 0.5),
                e2e_p99_us: quantile(e2e, 0.99),
                e2e_max_us: e2e.filter(|h| !h.is_empty()).map_or(0, |h| h.max()),
            }
        })
        .collect()
}

/// Adds the shards' seconds; with a `correction`, each shard's end-to-end histograms are
/// its parts by sender, shifted by the two clocks' offsets.
pub(super) fn merge(
    shards: &[ShardDir],
    start: SystemTime,
    fleets: &FleetMap,
    mut correction: Option<&mut Correction>,
) -> anyhow::Result<Merged> {
    let mut logs = Vec::with_capacity(shards.len());
    for s in shards {
        let log: Intervals<'_> = Box::new(load::intervals(&s.hlog).map_err(|e| {
            anyhow::anyhow!(
                "{} is damaged: {e:#}",
                s.dir.join(File::Histograms.name()).display()
            )
        })?);
        logs.push((s, log.peekable()));
    }
    let counts = summed_rows(shards);
    let fleet_counts = summed_fleet_rows(shards);
    let mut seconds: Vec<u64> = counts.keys().copied().collect();
    let mut hlog = Vec::new();
    let mut serializer = V2DeflateSerializer::new();
    results::begin_hlog(&mut hlog, &mut serializer, start)?;
    let mut merged = Merged {
        rows: Vec::new(),
        fleet_rows: Vec::new(),
        hlog: Vec::new(),
        totals: Logged::empty(),
    };
    loop {
        first_damage(&mut logs)?;
        let next_logged = logs
            .iter_mut()
            .filter_map(|(_, log)| log.peek().and_then(|i| i.as_ref().ok()).map(|i| i.second))
            .min();
        let next_counted = seconds.first().copied();
        let Some(second) = next_logged.into_iter().chain(next_counted).min() else {
            break;
        };
        seconds.retain(|s| *s != second);
        let mut this = Logged::empty();
        for (shard, log) in &mut logs {
            let receiver = shard.record.shard.index;
            let correcting = correction.as_deref_mut();
            take_second(log, second, &mut this, receiver, correcting).map_err(|e| {
                anyhow::anyhow!(
                    "{} is damaged: {e:#}",
                    shard.dir.join(File::Histograms.name()).display()
                )
            })?;
        }
        let row = counts.get(&second).cloned().unwrap_or(TimelineRow {
            second,
            ..TimelineRow::default()
        });
        merged.rows.push(with_percentiles(row, &this));
        merged
            .fleet_rows
            .extend(fleet_rows(second, fleets, &fleet_counts, &this));
        let latencies = Latency::ALL
            .iter()
            .map(|l| (l.key().to_string(), Some(this.latencies.get(*l))));
        let fleet_histograms = this
            .fleet_end_to_end
            .iter()
            .map(|(name, h)| (fleet_tag(name), Some(h)));
        results::write_second(
            &mut hlog,
            &mut serializer,
            second,
            latencies.chain(fleet_histograms),
        )?;
        add_into(&mut merged.totals, &this)?;
    }
    merged.hlog = hlog;
    Ok(merged)
}

/// Adds every interval of `second` from the front of shard `receiver`'s log into `into`: as
/// logged, or, when correcting, the end-to-end ones rebuilt from their shifted parts.
fn take_second(
    log: &mut Peekable<Intervals<'_>>,
    second: u64,
    into: &mut Logged,
    receiver: u32,
    mut correction: Option<&mut Correction>,
) -> anyhow::Result<()> {
    while let Some(next) = log.peek() {
        match next {
            Ok(i) if i.second != second => return Ok(()),
            _ => {}
        }
        let interval = log.next().expect("peeked")?;
        let admitted = match correction.as_deref_mut() {
            Some(c) => c.admit(receiver, &interval)?,
            None => Admitted::Whole,
        };
        match admitted {
            Admitted::Whole => into.add(&interval)?,
            Admitted::Shifted(tagged, h) => into.add_as(&tagged, &h)?,
            Admitted::Nothing => {}
        }
    }
    Ok(())
}

fn add_into(totals: &mut Logged, second: &Logged) -> anyhow::Result<()> {
    for which in Latency::ALL {
        totals
            .latencies
            .add(which, second.latencies.get(which))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    for (fleet, h) in &second.fleet_end_to_end {
        totals
            .fleet_end_to_end
            .entry(fleet.clone())
            .or_insert_with(crate::measure::latency::new_histogram)
            .add(h)
            .map_err(|e| anyhow::anyhow!("fleet {fleet}: {e:?}"))?;
    }
    Ok(())
}

fn quantile(h: Option<&Histogram<u64>>, q: f64) -> u64 {
    h.filter(|h| !h.is_empty())
        .map_or(0, |h| h.value_at_quantile(q))
}

fn with_percentiles(row: TimelineRow, second: &Logged) -> TimelineRow {
    let l = |which| Some(second.latencies.get(which));
    TimelineRow {
        e2e_p50_us: quantile(l(Latency::EndToEnd), 0.5),
        e2e_p99_us: quantile(l(Latency::EndToEnd), 0.99),
        e2e_max_us: l(Latency::EndToEnd)
            .filter(|h| !h.is_empty())
            .map_or(0, |h| h.max()),
        send_p99_us: quantile(l(Latency::Send), 0.99),
        schedule_lag_p99_us: quantile(l(Latency::ScheduleLag), 0.99),
        ..row
    }
}

/// Every shard's counts added per second (the queue's readings: the highest). `in_flight` is each shard's own running balance, so
/// a shard with no row for a second (it started late, or ended) adds its last known one.
fn summed_rows(shards: &[ShardDir]) -> BTreeMap<u64, TimelineRow> {
    let mut out: BTreeMap<u64, TimelineRow> = BTreeMap::new();
    for s in shards {
        for r in &s.timeline {
            let t = out.entry(r.second).or_insert_with(|| TimelineRow {
                second: r.second,
                ..TimelineRow::default()
            });
            t.sent += r.sent;
            t.received += r.received;
            t.deleted += r.deleted;
            t.errors += r.errors;
            t.throttled += r.throttled;
            t.throttled_send += r.throttled_send;
            t.throttled_receive += r.throttled_receive;
            t.throttled_delete += r.throttled_delete;
            t.consumers += r.consumers;
            // Every shard reads the same queues: the highest reading of the second stands.
            t.queue_visible = t.queue_visible.max(r.queue_visible);
            t.queue_in_flight = t.queue_in_flight.max(r.queue_in_flight);
            t.queue_delayed = t.queue_delayed.max(r.queue_delayed);
        }
    }
    let seconds: Vec<u64> = out.keys().copied().collect();
    for s in shards {
        let mut last = 0;
        let mut own = s.timeline.iter().peekable();
        for second in &seconds {
            while let Some(r) = own.next_if(|r| r.second <= *second) {
                last = r.in_flight;
            }
            out.get_mut(second).expect("a listed second").in_flight += last;
        }
    }
    out
}

/// Per (second, fleet): sent and received, added over shards.
fn summed_fleet_rows(shards: &[ShardDir]) -> BTreeMap<(u64, String), (u64, u64)> {
    let mut out: BTreeMap<(u64, String), (u64, u64)> = BTreeMap::new();
    for r in shards.iter().flat_map(|s| &s.fleet_rows) {
        let c = out.entry((r.second, r.fleet.clone())).or_default();
        c.0 += r.sent;
        c.1 += r.received;
    }
    out
}
