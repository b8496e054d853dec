//! Bytes the delivery ledger holds per tracked message at scale: 100,000,000 sequential messages
//! from 16 producers, each acknowledged, delivered and deleted, as in a long clean run. Live heap
//! is measured by a counting allocator, so the figure includes every map and bitmap, not an
//! estimate. Goal: ≤ 1 byte per message.
//!
//! `cargo bench --bench ledger_memory` (set `SQSBENCH_LEDGER_MESSAGES` for a smaller run).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use sqsbench::measure::ledger::{Delivery, Ledger};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                + (new_size - layout.size());
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let total: u64 = std::env::var("SQSBENCH_LEDGER_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000_000);
    let producers = 16u32;
    let per_producer = total / producers as u64;
    let groups = 64u32;
    let started = Instant::now();
    let before = LIVE.load(Ordering::Relaxed);
    let mut ledger = Ledger::new(true);
    // Producers advance together in batches of 10, as a fleet does; every message is then
    // delivered once and deleted.
    let mut batch = Vec::with_capacity(10);
    for base in (0..per_producer).step_by(10) {
        for p in 0..producers {
            batch.clear();
            batch.extend(base..(base + 10).min(per_producer));
            ledger.record_sent(p, &batch);
            for &s in &batch {
                ledger.record_received(Delivery {
                    producer: p,
                    sequence: s,
                    group: ((p as u64 + s) % groups as u64) as u32,
                    receive_count: 1,
                    ..Delivery::default()
                });
                ledger.record_deleted(p, s);
            }
        }
    }
    let elapsed = started.elapsed();
    let live = LIVE.load(Ordering::Relaxed) - before;
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let tracked = per_producer * producers as u64;
    let t = ledger.tally();
    assert_eq!(
        (t.acknowledged, t.unique_received, t.lost, t.duplicates),
        (tracked, tracked, 0, 0)
    );
    println!(
        "ledger: {tracked} messages from {producers} producers ({groups} FIFO groups each), sent + delivered + deleted"
    );
    println!(
        "  live heap {:.1} MB = {:.3} bytes/message (peak {:.1} MB = {:.3} bytes/message); goal ≤ 1 byte/message",
        live as f64 / 1e6,
        live as f64 / tracked as f64,
        peak as f64 / 1e6,
        peak as f64 / tracked as f64
    );
    println!(
        "  {:.1} s, {:.0} ns per message (record sent + received + deleted)",
        elapsed.as_secs_f64(),
        elapsed.as_nanos() as f64 / tracked as f64
    );
    assert!(
        live as f64 / (tracked as f64) <= 1.0,
        "over the goal of 1 byte per message"
    );
}
