//! A run's live metrics: its cumulative counts, latency buckets and gauges, brought up to date
//! once a second from the merged interval (`absorb`) and encoded when scraped (`run_exposition`).
//! The labels every
//! series carries (`run_id`, `scenario`, `queue`, `shard`) are the registry's; `fleet`, `api`,
//! `outcome` and `phase` are the series' own.

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
    pub queue: String,
    /// `I/N` when sharded.
    pub shard: Option<String>,
}

impl RunLabels {
    fn pairs(&self) -> Vec<(Cow<'static, str>, Cow<'static, str>)> {
        let mut pairs = vec![
            ("run_id".into(), self.run_id.clone().into()),
            ("scenario".into(), self.scenario.clone().into()),
            ("queue".into(), self.queue.clone().into()),
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

/// Everything a scrape encodes; cloned out of the lock, so a slow scrape never holds it.
#[derive(Debug, Clone, Default)]
pub(super) struct RunState {
    pub(super) labels: RunLabels,
    pub(super) fleets: Vec<FleetTotals>,
    pub(super) offers: Vec<Option<Offer>>,
    pub(super) sending: Duration,
    pub(super) deleted: u64,
    pub(super) duplicates: u64,
    pub(super) apis: BTreeMap<Api, ApiCounts>,
    pub(super) end_to_end: Buckets,
    pub(super) end_to_end_uncorrected: Buckets,
    pub(super) in_flight: i64,
    pub(super) schedule_lag_p99_us: u64,
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
            queue: queue_url
                .rsplit('/')
                .next()
                .unwrap_or(queue_url)
                .to_string(),
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
        let Some((state, emulator)) = self.lock().clone() else {
            return Registry::default();
        };
        let mut registry = Registry::default();
        let labels = state.labels.pairs().into_iter();
        registry
            .sub_registry_with_labels(labels)
            .register_collector(Box::new(state));
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
