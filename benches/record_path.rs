//! The per-message record path of a consumer: decode the payload, record end-to-end latency
//! from the intended and the actual send time, count it, and add it to the delivery ledger.
//! Goal: ≤ 1 µs per message. Run: `cargo bench --bench record_path`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqsbench::measure::latency::Latency;
use sqsbench::measure::ledger::{Delivery, Ledger};
use sqsbench::measure::recorder::Recorder;
use sqsbench::workload::payload::Payload;

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
                        deliveries.push(Delivery {
                            producer: p.producer,
                            sequence: p.sequence,
                            group: p.group,
                            receive_count: 1,
                            intended_us: p.intended_us,
                            sent_us: p.sent_us,
                            received_us: now_us,
                            message_id: "5fea7756-0ea4-451a-a703-a558b933e274".into(),
                        });
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
