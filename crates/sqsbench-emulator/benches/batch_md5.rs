//! MD5 of a SendMessageBatch's ten bodies: side by side in SIMD lanes (`md5_many`, what the
//! emulator uses) against one body at a time (`md5_of`), measured in one run. Bodies of 256 B
//! (the emulator benchmark's) and 1 KiB. Run: `cargo bench --bench batch_md5`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqsbench_emulator::digests::md5_many;
use sqsbench_emulator::digests::md5_of;
use std::hint::black_box;

fn batch_md5(c: &mut Criterion) {
    for size in [256usize, 1024] {
        let bodies: Vec<Vec<u8>> = (0..10u8).map(|i| vec![b'a' + i; size]).collect();
        let slices: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
        let mut group = c.benchmark_group(format!("md5 of 10 bodies of {size} B"));
        group.throughput(Throughput::Elements(10));
        group.bench_function("one at a time", |b| {
            b.iter(|| {
                let out: Vec<[u8; 16]> = slices.iter().map(|s| md5_of(black_box(s))).collect();
                out
            })
        });
        group.bench_function("side by side in lanes", |b| {
            b.iter(|| {
                let mut out = vec![[0u8; 16]; slices.len()];
                md5_many(black_box(&slices), &mut out);
                out
            })
        });
        group.finish();
    }
}

criterion_group!(benches, batch_md5);
criterion_main!(benches);
