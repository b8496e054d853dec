//! The per-message record path of a consumer: decode the payload, record end-to-end latency
//! from the intended and the actual send time, count it, and add it to the delivery ledger;
//! then the same with per-fleet recording (the delivery credited to its consumer fleet and to
//! the producer fleet that sent it), so the two are compared in one run; then that path through
//! a run's `Registry` while a collector takes the recorders ten times a second, without and with
//! live metrics fed from the collection and scraped (goal: within +10 % of without).
//! Goal: ≤ 1 µs per message. Run: `cargo bench --bench record_path`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqsbench::live::LiveRun;
use sqsbench::measure::by_sender::Part;
use sqsbench::measure::fleets::FleetMap;
use sqsbench::measure::latency::Latency;
use sqsbench::measure::ledger::{Delivery, Ledger};
use sqsbench::measure::payload::Payload;
use sqsbench::measure::recorder::{Recorder, Registry};
use sqsbench::measure::timeline::TimelineRow;

fn delivery(p: &Payload, now_us: u64) -> Delivery {
    Delivery {
        producer: p.producer,
        sequence: p.sequence,
        group: p.group,
        receive_count: 1,
        intended_us: p.intended_us,
        sent_us: p.sent_us,
        received_us: now_us,
        message_id: "5fea7756-0ea4-451a-a703-a558b933e274".into(),
        ..Delivery::default()
    }
}

/// 10,000 payloads of 1 KiB from 16 producers.
fn bodies(run: u64) -> Vec<String> {
    (0..10_000u64)
        .map(|i| {
            Payload {
                run,
                producer: (i % 16) as u32,
                sequence: i / 16,
                group: 0,
                intended_us: 1_000_000 + i * 100,
                sent_us: 1_000_500 + i * 100,
            }
            .encode(1024)
        })
        .collect()
}

/// Two producer fleets of eight tasks and a consumer fleet.
fn scenario() -> sqsbench::scenario::Scenario {
    sqsbench::scenario::validate::scenario_from_text(
        "name = \"b\"\n[[producers]]\ncount = 8\nrate = \"1/s\"\n[[producers]]\ncount = 8\nrate = \"1/s\"\n[[consumers]]\n",
        &[],
    )
    .expect("a valid scenario")
}

fn record_path(c: &mut Criterion) {
    let run = 0xfeed;
    let bodies = bodies(run);
    let mut group = c.benchmark_group("record_path");
    group.throughput(Throughput::Elements(bodies.len() as u64));
    group.bench_function(
        "decode + 2 latencies + counters + ledger, per 10,000 messages",
        |b| {
            let mut recorder = Recorder::default();
            let mut ledger = Ledger::new(false);
            let mut deliveries = Vec::with_capacity(10);
            let now_us = 3_000_000;
            b.iter(|| {
                for chunk in bodies.chunks(10) {
                    for body in chunk {
                        let p = Payload::decode(body, run).expect("ours");
                        recorder.counters.received += 1;
                        recorder.latency(Latency::EndToEnd, now_us - p.intended_us);
                        recorder.latency(Latency::EndToEndUncorrected, now_us - p.sent_us);
                        deliveries.push(delivery(&p, now_us));
                    }
                    for d in deliveries.drain(..) {
                        ledger.record_received(d);
                    }
                }
            });
        },
    );
    let scenario = scenario();
    let fleets = FleetMap::of(&scenario);
    let consumer = fleets.consumer(0);
    group.bench_function(
        "the same + per-fleet (consumer and producer fleet), per 10,000 messages",
        |b| {
            let mut recorder = Recorder::default();
            let mut ledger = Ledger::new(false);
            let mut deliveries = Vec::with_capacity(10);
            b.iter(|| {
                for chunk in bodies.chunks(10) {
                    record_chunk(
                        &mut recorder,
                        chunk,
                        run,
                        &fleets,
                        consumer,
                        &mut deliveries,
                        None,
                    );
                    for d in deliveries.drain(..) {
                        ledger.record_received(d);
                    }
                }
            });
        },
    );
    group.bench_function(
        "the same + a shard's split by sender shard (4 shards), per 10,000 messages",
        |b| {
            let mut recorder = Recorder::default();
            let mut ledger = Ledger::new(false);
            let mut deliveries = Vec::with_capacity(10);
            b.iter(|| {
                for chunk in bodies.chunks(10) {
                    record_chunk(
                        &mut recorder,
                        chunk,
                        run,
                        &fleets,
                        consumer,
                        &mut deliveries,
                        Some(4),
                    );
                    for d in deliveries.drain(..) {
                        ledger.record_received(d);
                    }
                }
            });
        },
    );
    group.finish();
}

/// Live metrics on the hot path: the per-fleet record path through a run's `Registry` (each
/// thread's own recorder), while a collector thread takes every recorder ten times a second —
/// ten times a real run's rate — and, in alternate rounds, also feeds `LiveRun` from what it
/// took and encodes the exposition as a scrape would. One collector, one registry, the rounds
/// interleaved (ABBA) so outside load on this shared machine lands on both; the medians compared.
fn live_metrics_overhead(_: &mut Criterion) {
    let run = 0xfeed;
    let bodies = bodies(run);
    let scenario = scenario();
    let fleets = FleetMap::of(&scenario);
    let consumer = fleets.consumer(0);
    let registry = Registry::default();
    let collector = Collector::start(registry.clone(), live(&scenario));
    let mut ledger = Ledger::new(false);
    let mut deliveries = Vec::with_capacity(10);
    let mut round = |metrics: bool| {
        collector.metrics.store(metrics, Ordering::Relaxed);
        let started = Instant::now();
        for _ in 0..ITERATIONS_PER_ROUND {
            for chunk in bodies.chunks(10) {
                registry.with(|recorder| {
                    record_chunk(
                        recorder,
                        chunk,
                        run,
                        &fleets,
                        consumer,
                        &mut deliveries,
                        None,
                    )
                });
                for d in deliveries.drain(..) {
                    ledger.record_received(d);
                }
            }
        }
        started.elapsed().as_secs_f64() * 1e9 / (ITERATIONS_PER_ROUND as f64 * bodies.len() as f64)
    };
    round(false);
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for r in 0..ROUNDS {
        let order = if r % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for metrics in order {
            let ns = round(metrics);
            if metrics {
                with.push(ns)
            } else {
                without.push(ns)
            }
        }
    }
    let scrapes = collector.stop();
    let (a, b) = (median(&mut without), median(&mut with));
    println!(
        "record_path via Registry, collected 10x/s: {a:.1} ns/msg without live metrics, {b:.1} ns/msg with them fed and scraped 10x/s ({scrapes} scrapes); {:+.1} % (goal: within +10 %), medians of {ROUNDS} interleaved rounds of {ITERATIONS_PER_ROUND}x{} messages",
        (b / a - 1.0) * 100.0,
        bodies.len()
    );
}

const ROUNDS: usize = 40;
const ITERATIONS_PER_ROUND: usize = 20;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One received batch, recorded as a consumer does: both fleets credited, the deliveries kept
/// for the ledger.
fn record_chunk(
    recorder: &mut Recorder,
    chunk: &[String],
    run: u64,
    fleets: &FleetMap,
    consumer: sqsbench::measure::fleets::FleetIndex,
    deliveries: &mut Vec<Delivery>,
    shards: Option<u32>,
) {
    let now_us = 3_000_000;
    recorder.fleets.get_mut(consumer).counters.received_all += chunk.len() as u64;
    for body in chunk {
        let p = Payload::decode(body, run).expect("ours");
        let sender = fleets.of_producer(p.producer);
        if let Some(sender) = sender {
            recorder.fleets.get_mut(sender).counters.received_all += 1;
        }
        let end_to_end = now_us - p.intended_us;
        recorder.counters.received += 1;
        recorder.latency(Latency::EndToEnd, end_to_end);
        recorder.latency(Latency::EndToEndUncorrected, now_us - p.sent_us);
        for fleet in std::iter::once(consumer).chain(sender) {
            let fleet = recorder.fleets.get_mut(fleet);
            fleet.counters.received += 1;
            fleet.end_to_end(end_to_end);
        }
        if let Some(shards) = shards {
            let from = p.producer % shards;
            let split = &mut recorder.by_sender;
            split.record(from, Part::Latency(Latency::EndToEnd), end_to_end as i64);
            let uncorrected = now_us as i64 - p.sent_us as i64;
            split.record(
                from,
                Part::Latency(Latency::EndToEndUncorrected),
                uncorrected,
            );
            for fleet in std::iter::once(consumer).chain(sender) {
                split.record(from, Part::Fleet(fleet), end_to_end as i64);
            }
        }
        deliveries.push(delivery(&p, now_us));
    }
}

/// Live metrics for the benchmark's scenario, as `sqsbench run --metrics` would begin them.
fn live(scenario: &sqsbench::scenario::Scenario) -> LiveRun {
    let live = LiveRun::default();
    live.begin_run(
        scenario,
        sqsbench::workload::shard::Shard::ALL,
        "bench",
        "q",
    );
    live
}

/// The run's once-a-second collection, ten times as often: every thread's recorder taken and,
/// while `metrics` is set, absorbed into the live metrics and the exposition encoded.
struct Collector {
    metrics: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl Collector {
    fn start(registry: Registry, live: LiveRun) -> Collector {
        let stop = Arc::new(AtomicBool::new(false));
        let metrics = Arc::new(AtomicBool::new(false));
        let (stopped, metered) = (stop.clone(), metrics.clone());
        let thread = std::thread::spawn(move || {
            let (mut second, mut scrapes) = (0, 0);
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let interval = registry.collect();
                second += 1;
                if metered.load(Ordering::Relaxed) {
                    live.absorb(&TimelineRow::from_interval(second, &interval, 0), &interval);
                    let mut text = String::new();
                    prometheus_client::encoding::text::encode(&mut text, &live.registry())
                        .expect("encodes");
                    std::hint::black_box(text);
                    scrapes += 1;
                }
            }
            scrapes
        });
        Collector {
            metrics,
            stop,
            thread,
        }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

criterion_group!(benches, record_path, live_metrics_overhead);
criterion_main!(benches);
