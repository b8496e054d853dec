//! The per-message record path of a consumer: decode the payload, record end-to-end latency
//! from the intended and the actual send time, count it, and add it to the delivery ledger;
//! then the same with per-fleet recording (the delivery credited to its consumer fleet and to
//! the producer fleet that sent it), so the two are compared in one run; then that path through
//! a run's `Registry` while a collector takes the recorders ten times a second, without and with
//! live metrics fed from the collection and scraped (goal: within +10 % of without).
//! Goal: ≤ 1 µs per message. Run: `cargo bench --bench record_path`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqsbench::live::LiveRun;
use sqsbench::measure::fleets::FleetMap;
use sqsbench::measure::latency::Latency;
use sqsbench::measure::ledger::{Delivery, Ledger};
use sqsbench::measure::recorder::{Recorder, Registry};
use sqsbench::measure::timeline::TimelineRow;
use sqsbench::workload::payload::Payload;

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

fn record_path(c: &mut Criterion) {
    let run = 0xfeed;
    let bodies: Vec<String> = (0..10_000u64)
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
        .collect();
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
    let scenario = sqsbench::scenario::validate::scenario_from_text(
        "name = \"b\"\n[[producers]]\ncount = 8\nrate = \"1/s\"\n[[producers]]\ncount = 8\nrate = \"1/s\"\n[[consumers]]\n",
        &[],
    )
    .expect("a valid scenario");
    let fleets = FleetMap::of(&scenario);
    let consumer = fleets.consumer(0);
    group.bench_function(
        "the same + per-fleet (consumer and producer fleet), per 10,000 messages",
        |b| {
            let mut recorder = Recorder::default();
            let mut ledger = Ledger::new(false);
            let mut deliveries = Vec::with_capacity(10);
            let now_us = 3_000_000;
            b.iter(|| {
                for chunk in bodies.chunks(10) {
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
                        deliveries.push(delivery(&p, now_us));
                    }
                    for d in deliveries.drain(..) {
                        ledger.record_received(d);
                    }
                }
            });
        },
    );
    for metrics in [false, true] {
        let name = if metrics {
            "the same through the run's Registry, collected 10x/s, with live metrics fed and scraped 10x/s, per 10,000 messages"
        } else {
            "the same through the run's Registry, collected 10x/s, without live metrics, per 10,000 messages"
        };
        let registry = Registry::default();
        let collector = Collector::start(registry.clone(), metrics.then(|| live(&scenario)));
        group.bench_function(name, |b| {
            let mut ledger = Ledger::new(false);
            let mut deliveries = Vec::with_capacity(10);
            let now_us = 3_000_000;
            b.iter(|| {
                for chunk in bodies.chunks(10) {
                    registry.with(|recorder| {
                        recorder.fleets.get_mut(consumer).counters.received_all +=
                            chunk.len() as u64;
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
                            deliveries.push(delivery(&p, now_us));
                        }
                    });
                    for d in deliveries.drain(..) {
                        ledger.record_received(d);
                    }
                }
            });
        });
        collector.stop();
    }
    group.finish();
}

/// Live metrics for the benchmark's scenario, as `sqsbench run --metrics` would begin them.
fn live(scenario: &sqsbench::scenario::Scenario) -> LiveRun {
    let live = LiveRun::default();
    live.begin_run(scenario, sqsbench::shard::Shard::ALL, "bench", "q");
    live
}

/// The run's once-a-second collection, ten times as often: every thread's recorder taken and,
/// with live metrics, absorbed into them and the exposition encoded as a scrape would.
struct Collector {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Collector {
    fn start(registry: Registry, live: Option<LiveRun>) -> Collector {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut second = 0;
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let interval = registry.collect();
                second += 1;
                if let Some(live) = &live {
                    live.absorb(&TimelineRow::from_interval(second, &interval, 0), &interval);
                    let mut text = String::new();
                    prometheus_client::encoding::text::encode(&mut text, &live.registry())
                        .expect("encodes");
                    std::hint::black_box(text);
                }
            }
        });
        Collector { stop, thread }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

criterion_group!(benches, record_path);
criterion_main!(benches);
