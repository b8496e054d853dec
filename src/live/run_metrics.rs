//! A run's live metrics: its cumulative counts, latency buckets and gauges, brought up to date
//! once a second from the merged interval (`absorb`) and encoded when scraped (`run_exposition`).
//! The labels every
//! series carries (`run_id`, `scenario`, `queue`, `shard`) are the registry's; `fleet`, `api`,
//! `outcome` and `phase` are the series' own. A run of many queues has as its run-wide `queue` a
//! regular expression of its queues (`queue_pattern`), which matches itself and every queue of
//! the run, so a dashboard's `queue=~"$queue"` finds both the run's series and the emulator's
//! per-queue ones; its `sqsbench_queue_*` series carry each queue's own name instead, for the
//! first `LIVE_QUEUE_LABELS` queues, and `queue="other"` sums the rest, so a scrape stays
//! bounded whatever the queue count.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::registry::Registry;

use crate::emulator::StatsReader;
use crate::measure::buckets::Buckets;
use crate::measure::fleets::{FleetMap, Role};
use crate::measure::latency::Latency;
use crate::measure::recorder::{Api, ApiCounts, Recorder};
use crate::measure::timeline::TimelineRow;
use crate::scenario::{ProducerFleet, Scenario};
use crate::workload::shard::Shard;

/// The labels on every series of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunLabels {
    pub run_id: String,
    pub scenario: String,
    /// A run of many queues: a regular expression of its queues (`queue_pattern`; each
    /// `sqsbench_queue_*` series has its queue's own name instead).
    pub queue: String,
    /// `I/N` when sharded.
    pub shard: Option<String>,
}

impl RunLabels {
    fn pairs(&self) -> Vec<(Cow<'static, str>, Cow<'static, str>)> {
        let mut pairs = self.without_queue();
        pairs.insert(2, ("queue".into(), self.queue.clone().into()));
        pairs
    }

    /// The labels but `queue`: a per-queue series names its own.
    fn without_queue(&self) -> Vec<(Cow<'static, str>, Cow<'static, str>)> {
        let mut pairs = vec![
            ("run_id".into(), self.run_id.clone().into()),
            ("scenario".into(), self.scenario.clone().into()),
        ];
        if let Some(shard) = &self.shard {
            pairs.push(("shard".into(), shard.clone().into()));
        }
        pairs
    }
}

/// Where the run is, as the `sqsbench_phase` gauges say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Warmup,
    Measured,
    Drain,
}

impl Phase {
    pub(super) const ALL: [Phase; 3] = [Phase::Warmup, Phase::Measured, Phase::Drain];

    pub(super) fn name(self) -> &'static str {
        match self {
            Phase::Warmup => "warmup",
            Phase::Measured => "measured",
            Phase::Drain => "drain",
        }
    }
}

/// A producer fleet's offered load: its schedule, scaled to this process's share of its tasks.
#[derive(Debug, Clone)]
pub struct Offer {
    pub fleet: ProducerFleet,
    pub share: f64,
}

#[derive(Debug, Clone, Default)]
pub(super) struct FleetTotals {
    pub(super) name: String,
    pub(super) role: Option<Role>,
    pub(super) sent: u64,
    pub(super) send_failed: u64,
    pub(super) received: u64,
    /// Messages per second its schedule offered in the last second (`None`: closed loop).
    pub(super) offered: Option<f64>,
}

/// Queues of a `[[queues]]` run with series of their own; the rest are summed as `other`.
pub const LIVE_QUEUE_LABELS: usize = 100;

/// One queue's series (or `other`'s, the sum of the queues beyond `LIVE_QUEUE_LABELS`).
#[derive(Debug, Clone, Default)]
pub(super) struct QueueTotals {
    pub(super) name: String,
    pub(super) sent: u64,
    pub(super) received: u64,
    pub(super) end_to_end: Buckets,
}

/// A run of many queues: each labelled queue's series, registered apart from the run's, without
/// the run-wide `queue` label (a series may not name a label twice). Encoded by `run_exposition`.
#[derive(Debug)]
pub(super) struct QueueSeries(pub(super) Vec<QueueTotals>);

/// Everything a scrape encodes; cloned out of the lock, so a slow scrape never holds it.
#[derive(Debug, Clone, Default)]
pub(super) struct RunState {
    pub(super) labels: RunLabels,
    pub(super) fleets: Vec<FleetTotals>,
    /// A run of many queues: each labelled queue's series, then `other` (else empty).
    pub(super) queues: Vec<QueueTotals>,
    pub(super) offers: Vec<Option<Offer>>,
    pub(super) sending: Duration,
    pub(super) deleted: u64,
    pub(super) duplicates: u64,
    pub(super) apis: BTreeMap<Api, ApiCounts>,
    pub(super) end_to_end: Buckets,
    pub(super) end_to_end_uncorrected: Buckets,
    pub(super) in_flight: i64,
    pub(super) schedule_lag_p99_us: u64,
    /// Consumer tasks running, and the queue's own counts as last read (if read).
    pub(super) consumers: u32,
    pub(super) queue_counts: Option<[u64; 3]>,
    pub(super) phase: Option<Phase>,
}

/// The current run's metrics, shared by the run (once a second) and the server (per scrape).
/// Empty until a run begins; a sweep's next variant replaces the last one's. On the embedded
/// target the run's own emulator is scraped too (`sqsbench_emulator_*`, labelled as `serve`'s).
#[derive(Debug, Clone, Default)]
pub struct LiveRun(Arc<Mutex<Option<Current>>>);

/// The run being shown, and its embedded emulator if it has one.
type Current = (RunState, Option<Emulator>);

/// The embedded emulator of the current run.
#[derive(Clone)]
struct Emulator(StatsReader);

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Emulator")
    }
}

impl LiveRun {
    /// A run starts: counts from zero under its labels. `offers` is indexed like `fleets`
    /// (`None` for consumer fleets); `sending` is warmup + duration.
    pub fn begin(
        &self,
        labels: RunLabels,
        fleets: &FleetMap,
        offers: Vec<Option<Offer>>,
        sending: Duration,
    ) {
        let state = RunState {
            labels,
            fleets: fleets
                .fleets
                .iter()
                .map(|f| FleetTotals {
                    name: f.name.clone(),
                    role: Some(f.role),
                    ..FleetTotals::default()
                })
                .collect(),
            offers,
            sending,
            ..RunState::default()
        };
        *self.lock() = Some((state, None));
    }

    /// The run's embedded emulator, scraped beside the run until the next run begins.
    pub fn attach_emulator(&self, stats: StatsReader) {
        if let Some((_, emulator)) = self.lock().as_mut() {
            *emulator = Some(Emulator(stats));
        }
    }

    /// A run of `scenario` starts on `queue_url`: its labels, and each producer fleet's share
    /// of the offered load on this shard.
    pub fn begin_run(&self, scenario: &Scenario, shard: Shard, run_id: &str, queue_url: &str) {
        let labels = RunLabels {
            run_id: run_id.to_string(),
            scenario: scenario.name.clone(),
            queue: match scenario.queues.is_empty() {
                true => queue_url
                    .rsplit('/')
                    .next()
                    .unwrap_or(queue_url)
                    .to_string(),
                false => queue_pattern(&scenario.queues),
            },
            shard: (shard.count > 1).then(|| shard.index.to_string()),
        };
        let shares = crate::workload::shard::split(scenario, shard);
        let offers = shares
            .iter()
            .map(|share| {
                let fleet = scenario.producers.iter().find(|f| f.name == share.name);
                fleet.filter(|_| share.producer).map(|fleet| Offer {
                    fleet: fleet.clone(),
                    share: share.fraction(),
                })
            })
            .collect();
        self.begin(
            labels,
            &FleetMap::of(scenario),
            offers,
            scenario.run.warmup + scenario.run.duration,
        );
        if !scenario.queues.is_empty()
            && let Some((s, _)) = self.lock().as_mut()
        {
            s.queues = queue_series(scenario.lane_specs().into_iter().map(|q| q.name));
        }
    }

    /// One second's interval, merged from every task's recorder.
    pub fn absorb(&self, row: &TimelineRow, interval: &Recorder) {
        let mut slot = self.lock();
        let Some((s, _)) = slot.as_mut() else { return };
        for (i, fleet) in s.fleets.iter_mut().enumerate() {
            let c = &interval.fleets.get(i as u16).counters;
            fleet.sent += c.sent_all;
            fleet.send_failed += c.send_failed;
            fleet.received += c.received_all;
        }
        if !s.queues.is_empty() {
            let last = s.queues.len() - 1;
            for (i, record) in interval.queues.recorded() {
                let q = &mut s.queues[(i as usize).min(last)];
                q.sent += record.counters.sent_all;
                q.received += record.counters.received_all;
                if let Some(h) = record.end_to_end_histogram() {
                    q.end_to_end.add_histogram(h);
                }
            }
        }
        s.deleted += interval.counters.deleted_all;
        for (api, counts) in &interval.apis {
            s.apis.entry(*api).or_default().add(counts);
        }
        s.end_to_end
            .add_histogram(interval.latencies.get(Latency::EndToEnd));
        s.end_to_end_uncorrected
            .add_histogram(interval.latencies.get(Latency::EndToEndUncorrected));
        s.in_flight = row.in_flight;
        s.schedule_lag_p99_us = row.schedule_lag_p99_us;
        s.consumers = row.consumers;
        if let (Some(v), Some(f), Some(d)) =
            (row.queue_visible, row.queue_in_flight, row.queue_delayed)
        {
            s.queue_counts = Some([v, f, d]);
        }
        let second = row.second;
        let sending = s.sending;
        for (fleet, offer) in s.fleets.iter_mut().zip(&s.offers) {
            fleet.offered = offer.as_ref().and_then(|o| offered(o, second, sending));
        }
    }

    /// The phase the run is in, and the ledger's live duplicate count.
    pub fn progress(&self, phase: Phase, duplicates: u64) {
        if let Some((s, _)) = self.lock().as_mut() {
            s.phase = Some(phase);
            s.duplicates = duplicates;
        }
    }

    /// The run ended: its exact duplicate count, no phase, nothing offered.
    pub fn finish(&self, duplicates: u64) {
        if let Some((s, _)) = self.lock().as_mut() {
            s.phase = None;
            s.duplicates = duplicates;
            for fleet in &mut s.fleets {
                fleet.offered = fleet.offered.map(|_| 0.0);
            }
        }
    }

    /// Whether a run has begun (a run that could not start leaves nothing to linger for).
    pub fn began(&self) -> bool {
        self.lock().is_some()
    }

    /// A registry holding the current run's metrics under its labels (empty before a run).
    pub fn registry(&self) -> Registry {
        let Some((mut state, emulator)) = self.lock().clone() else {
            return Registry::default();
        };
        let mut registry = Registry::default();
        let queues = QueueSeries(std::mem::take(&mut state.queues));
        let (labels, but_queue) = (state.labels.pairs(), state.labels.without_queue());
        registry
            .sub_registry_with_labels(labels.into_iter())
            .register_collector(Box::new(state));
        if !queues.0.is_empty() {
            registry
                .sub_registry_with_labels(but_queue.into_iter())
                .register_collector(Box::new(queues));
        }
        // The emulator's series carry their own `queue` label, so not the run's labels: a
        // series may not name a label twice.
        if let Some(Emulator(stats)) = emulator {
            registry.register_collector(super::emulator_metrics::collector(stats.read()));
        }
        registry
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Current>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The queues of `[[queues]]` as one regular expression, `{i}` read as `.*`: sets first, so the
/// first alternative (a set's `.*`) also matches the whole expression's own text, and `.*` last
/// when there is no set. So `queue=~"<it>"` selects the run's series and each of its queues'.
/// Queue names have no other regex characters but `.` (in `.fifo`), which matches itself.
fn queue_pattern(decls: &[crate::scenario::QueueDecl]) -> String {
    let (sets, single): (Vec<_>, Vec<_>) = decls.iter().partition(|d| d.count.is_some());
    let mut parts: Vec<String> = (sets.iter().chain(&single))
        .map(|d| {
            d.spec
                .name
                .replace(crate::scenario::queue_sets::INDEX, ".*")
        })
        .collect();
    if sets.is_empty() {
        parts.push(".*".to_string());
    }
    parts.join("|")
}

/// A series per queue up to `LIVE_QUEUE_LABELS`, then one `other` for the rest.
fn queue_series(names: impl Iterator<Item = String>) -> Vec<QueueTotals> {
    let names: Vec<String> = names.collect();
    let labelled = names.len().min(LIVE_QUEUE_LABELS);
    let other = (names.len() > LIVE_QUEUE_LABELS).then(|| "other".to_string());
    (names.into_iter().take(labelled).chain(other))
        .map(|name| QueueTotals {
            name,
            ..QueueTotals::default()
        })
        .collect()
}

/// Messages the fleet's schedule offered in the second ending at `second`, per second.
fn offered(offer: &Offer, second: u64, sending: Duration) -> Option<f64> {
    let at = |s: u64| Duration::from_secs(s).min(sending);
    let now = offer.fleet.planned_messages(at(second))?;
    let before = offer.fleet.planned_messages(at(second.saturating_sub(1)))?;
    Some((now - before) * offer.share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::recorder::Outcome;

    fn scenario() -> Scenario {
        crate::scenario::validate::scenario_from_text(
            "name = \"live\"\n[run]\nwarmup = \"2s\"\nduration = \"3s\"\n[[producers]]\nname = \"orders\"\ncount = 2\nrate = \"100/s\"\n[[consumers]]\nname = \"workers\"\n",
            &[],
        )
        .expect("a valid scenario")
    }

    /// One second of a run: 100 sent and received, 98 deleted, a throttled receive.
    fn second(live: &LiveRun, second: u64) {
        let mut interval = Recorder::default();
        let fleets = FleetMap::of(&scenario());
        interval
            .fleets
            .get_mut(fleets.producer(0))
            .counters
            .sent_all = 100;
        interval
            .fleets
            .get_mut(fleets.consumer(0))
            .counters
            .received_all = 100;
        interval.counters.deleted_all = 98;
        for _ in 0..10 {
            interval.call_took(Api::SendMessageBatch, &Outcome::Ok, 4_000);
        }
        interval.call_took(Api::ReceiveMessage, &Outcome::Throttled, 30_000);
        for us in [5_000, 20_000, 400_000] {
            interval.latency(Latency::EndToEnd, us);
            interval.latency(Latency::EndToEndUncorrected, us / 2);
        }
        let row = TimelineRow {
            second,
            in_flight: 2 * second as i64,
            schedule_lag_p99_us: 1_500,
            ..TimelineRow::default()
        };
        live.absorb(&row, &interval);
    }

    fn exposition(live: &LiveRun) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &live.registry()).unwrap();
        text
    }

    #[test]
    fn the_exposition_of_a_run_reads_as_documented() {
        let live = LiveRun::default();
        assert_eq!(exposition(&live), "# EOF\n", "nothing before a run begins");
        live.begin_run(
            &scenario(),
            Shard { index: 1, count: 2 },
            "run-7",
            "http://127.0.0.1:9324/000000000000/sqsbench-live",
        );
        second(&live, 1);
        second(&live, 2);
        live.progress(Phase::Warmup, 3);
        insta::assert_snapshot!(exposition(&live));
    }

    #[test]
    fn counts_accumulate_the_offered_rate_follows_the_schedule_and_the_end_clears_the_phase() {
        let live = LiveRun::default();
        live.begin_run(&scenario(), Shard::ALL, "r", "q");
        for s in 1..=6 {
            second(&live, s);
        }
        let (state, _) = live.lock().clone().unwrap();
        assert_eq!(state.fleets[0].sent, 600);
        assert_eq!(state.fleets[1].received, 600);
        assert_eq!(state.deleted, 588);
        assert_eq!(state.end_to_end.count(), 18);
        assert_eq!(state.apis[&Api::ReceiveMessage].throttled, 6);
        // Sending lasts warmup + duration = 5 s: the sixth second offers nothing.
        assert_eq!(state.fleets[0].offered, Some(0.0));
        live.progress(Phase::Drain, 1);
        live.finish(4);
        let text = exposition(&live);
        assert!(text.contains(
            "sqsbench_messages_duplicates_total{run_id=\"r\",scenario=\"live\",queue=\"q\"} 4\n"
        ));
        assert!(!text.contains("shard="), "no shard label on a whole run");
        for phase in ["warmup", "measured", "drain"] {
            assert!(
                text.contains(&format!("phase=\"{phase}\"}} 0\n")),
                "{phase} off"
            );
        }
    }

    #[test]
    fn many_queues_have_a_series_each_up_to_the_bound_and_other_sums_the_rest() {
        let text = "name = \"many\"\n[[queues]]\nname = \"t-{i}\"\ncount = 150\n\
                    [[producers]]\nqueue = \"t-{i}\"\nrate = \"10/s\"\n";
        let scenario = crate::scenario::validate::scenario_from_text(text, &[]).unwrap();
        let live = LiveRun::default();
        live.begin_run(&scenario, Shard::ALL, "r", "http://h/1/t-0");
        let mut interval = Recorder::default();
        for q in [0, 99, 100, 149] {
            interval.queues.get_mut(q).counters.sent_all = 10 + u64::from(q);
            interval.queues.get_mut(q).end_to_end(2_000);
        }
        live.absorb(&TimelineRow::default(), &interval);
        let text = exposition(&live);
        let series = |name: &str| text.lines().filter(|l| l.starts_with(name)).count();
        assert_eq!(
            series("sqsbench_queue_messages_sent_total{"),
            LIVE_QUEUE_LABELS + 1
        );
        let sent = |queue: &str| {
            format!(
                "sqsbench_queue_messages_sent_total{{run_id=\"r\",scenario=\"many\",queue=\"{queue}\"}}"
            )
        };
        assert!(text.contains(&format!("{} 109\n", sent("t-99"))), "{text}");
        assert!(
            text.contains(&format!("{} 269\n", sent("other"))),
            "110 + 159"
        );
        assert!(text.contains("sqsbench_queue_end_to_end_latency_seconds_count{run_id=\"r\",scenario=\"many\",queue=\"other\"} 2\n"));
        assert!(
            !text.contains("queue=\"t-0\",queue"),
            "no series names queue twice"
        );
        assert!(
            text.contains(
                "sqsbench_messages_deleted_total{run_id=\"r\",scenario=\"many\",queue=\"t-.*\"} 0\n"
            ),
            "the run's series carry a pattern of its queues"
        );
    }

    #[test]
    fn the_run_wide_queue_pattern_matches_itself_and_every_queue() {
        let pattern = |queues: &str| {
            let text =
                format!("name = \"p\"\n{queues}[[producers]]\nqueue = \"a\"\nrate = \"1/s\"\n");
            let s = crate::scenario::validate::scenario_from_text(&text, &[]).unwrap();
            (queue_pattern(&s.queues), s.lane_specs())
        };
        let cases = [
            "[[queues]]\nname = \"a\"\n[[queues]]\nname = \"t-{i}\"\ncount = 3\n",
            "[[queues]]\nname = \"a\"\n[[queues]]\nname = \"b\"\n",
        ];
        for queues in cases {
            let (p, specs) = pattern(queues);
            // Prometheus anchors =~ at both ends; regex's own anchors do the same here.
            let re = regex::Regex::new(&format!("^(?:{p})$")).unwrap();
            assert!(re.is_match(&p), "{p} matches itself");
            for q in specs {
                assert!(re.is_match(&q.name), "{p} matches {}", q.name);
            }
        }
        assert_eq!(pattern(cases[0]).0, "t-.*|a");
    }

    #[test]
    fn a_shard_offers_its_share_of_each_fleet() {
        let live = LiveRun::default();
        live.begin_run(&scenario(), Shard { index: 0, count: 2 }, "r", "q");
        second(&live, 1);
        let (state, _) = live.lock().clone().unwrap();
        assert_eq!(
            state.fleets[0].offered,
            Some(50.0),
            "one of the fleet's two tasks"
        );
        assert_eq!(state.fleets[1].offered, None, "consumers offer nothing");
    }
}
