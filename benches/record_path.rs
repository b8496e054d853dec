//! The per-message record path of a consumer: decode the payload, record end-to-end latency
//! from the intended and the actual send time, count it, and add it to the delivery ledger;
//! then the same with per-fleet recording (the delivery credited to its consumer fleet and to
//! the producer fleet that sent it), so the two are compared in one run.
//! Goal: ≤ 1 µs per message. Run: `cargo bench --bench record_path`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqsbench::measure::fleets::FleetMap;
use sqsbench::measure::latency::Latency;
use sqsbench::measure::ledger::{Delivery, Ledger};
use sqsbench::measure::recorder::Recorder;
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
    group.finish();
}

criterion_group!(benches, record_path);
criterion_main!(benches);
