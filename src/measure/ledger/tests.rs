//! The ledger against a naive reference that keeps every delivery in a map, and the owner task.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use super::*;

fn delivery(producer: u32, sequence: u64, receive_count: u32) -> Delivery {
    Delivery {
        producer,
        sequence,
        // A message's group never changes, as with real producers.
        group: (sequence % 3) as u32,
        receive_count,
        message_id: format!("m-{producer}-{sequence}").into(),
        ..Delivery::default()
    }
}

/// What the naive reference concludes from the same events.
fn naive(
    fifo: bool,
    sent: &[(u32, u64)],
    extra: &[(u32, u64)],
    received: &[(u32, u64, u32)],
    deleted: &[(u32, u64)],
    dead: &[(u32, u64)],
) -> Tally {
    let sent: HashSet<_> = sent.iter().copied().collect();
    let dead: HashSet<_> = dead.iter().copied().collect();
    let deleted: HashSet<_> = deleted.iter().copied().collect();
    let mut extra_count: HashMap<(u32, u64), u32> = HashMap::new();
    for k in extra {
        *extra_count.entry(*k).or_default() += 1;
    }
    let mut every: HashMap<(u32, u64), Vec<u32>> = HashMap::new();
    let mut in_group: HashMap<(u32, u32), Vec<u64>> = HashMap::new();
    let mut t = Tally {
        acknowledged: sent.len() as u64,
        deliveries: received.len() as u64,
        ..Tally::default()
    };
    for (p, s, rc) in received {
        let earlier = every.entry((*p, *s)).or_default();
        let first = earlier.is_empty();
        earlier.push(*rc);
        let group = in_group.entry((*p, (*s % 3) as u32)).or_default();
        if fifo && first && *rc <= 1 && group.iter().any(|g| g > s) {
            t.order_violations += 1;
        }
        group.push(*s);
    }
    for (key, counts) in &every {
        let again = &counts[1..];
        t.redeliveries += again.iter().filter(|rc| **rc > 1).count() as u64;
        let fresh = again.iter().filter(|rc| **rc <= 1).count() as u32;
        let explained = fresh.min(extra_count.get(key).copied().unwrap_or(0));
        t.producer_duplicates += explained as u64;
        t.unexplained_duplicates += (fresh - explained) as u64;
    }
    t.duplicates = t.redeliveries + t.producer_duplicates + t.unexplained_duplicates;
    for k in &sent {
        match (every.contains_key(k), dead.contains(k)) {
            (_, true) => t.dead_lettered += 1,
            (true, false) => {
                t.unique_received += 1;
                t.received_not_deleted += !deleted.contains(k) as u64;
            }
            (false, false) => t.lost += 1,
        }
        t.deleted += deleted.contains(k) as u64;
    }
    t.unacknowledged_received = every
        .keys()
        .chain(dead.iter())
        .collect::<HashSet<_>>()
        .into_iter()
        .filter(|k| !sent.contains(k))
        .count() as u64;
    t
}

proptest! {
    /// Random interleavings with duplicates (fresh and redelivered), reorders, losses, deletes
    /// and dead letters: the ledger and the reference agree on every count, and the accounting
    /// identity holds.
    #[test]
    fn matches_a_naive_reference(
        fifo in any::<bool>(),
        sent in proptest::collection::vec((0u32..3, 0u64..120), 0..200),
        extra in proptest::collection::vec((0u32..3, 0u64..120), 0..20),
        received in proptest::collection::vec((0u32..3, 0u64..130, 1u32..4), 0..300),
        deleted in proptest::collection::vec((0u32..3, 0u64..130), 0..150),
        dead in proptest::collection::vec((0u32..3, 0u64..130), 0..20),
    ) {
        let mut ledger = Ledger::new(fifo);
        // Sends and deliveries interleave in any order; the final counts must not depend on it.
        for (p, s) in &extra {
            ledger.record_extra_sends(*p, &[*s]);
        }
        for (i, (p, s, rc)) in received.iter().enumerate() {
            if let Some((sp, ss)) = sent.get(i) {
                ledger.record_sent(*sp, &[*ss]);
            }
            ledger.record_received(delivery(*p, *s, *rc));
        }
        for (p, s) in sent.iter().skip(received.len()) {
            ledger.record_sent(*p, &[*s]);
        }
        for (p, s) in &deleted {
            ledger.record_deleted(*p, *s);
        }
        for (p, s) in &dead {
            ledger.record_dead_lettered(delivery(*p, *s, 3));
        }
        let t = ledger.tally();
        prop_assert_eq!(&t, &naive(fifo, &sent, &extra, &received, &deleted, &dead));
        prop_assert_eq!(t.acknowledged, t.unique_received + t.dead_lettered + t.lost);
        let settled = sent.iter().collect::<HashSet<_>>().into_iter()
            .filter(|k| deleted.contains(k) || dead.contains(k)).count() as u64;
        prop_assert_eq!(ledger.settled(), settled);
    }
}

#[test]
fn a_fifo_group_delivered_out_of_order_is_a_violation_with_its_example() {
    let mut ledger = Ledger::new(true);
    ledger.record_sent(0, &[0, 3, 6]);
    for s in [0, 6, 3] {
        ledger.record_received(delivery(0, s, 1));
    }
    let t = ledger.tally();
    assert_eq!(t.order_violations, 1);
    let integrity = ledger.integrity(&|_, s| (s % 3) as u32);
    let example = &integrity.order_violations.examples[0];
    assert_eq!(
        (
            example.sequence,
            example.delivered_after_sequence,
            example.message_id.as_str()
        ),
        (3, Some(6), "m-0-3")
    );
}

#[test]
fn a_redelivery_of_an_earlier_message_is_not_a_violation() {
    let mut ledger = Ledger::new(true);
    ledger.record_sent(0, &[0, 3]);
    for (s, rc) in [(0, 1), (3, 1), (0, 2)] {
        ledger.record_received(delivery(0, s, rc));
    }
    let t = ledger.tally();
    assert_eq!(
        (t.order_violations, t.duplicates, t.redeliveries),
        (0, 1, 1)
    );
    let integrity = ledger.integrity(&|_, _| 0);
    assert_eq!(
        integrity.duplicates.examples[0].cause,
        Some(Cause::Redelivery)
    );
}

#[test]
fn standard_queues_have_no_order_to_violate() {
    let mut ledger = Ledger::new(false);
    for s in [6, 3, 0] {
        ledger.record_received(delivery(0, s, 1));
    }
    assert_eq!(ledger.tally().order_violations, 0);
}

#[test]
fn duplicates_are_classified_by_cause() {
    let mut ledger = Ledger::new(false);
    ledger.record_sent(0, &[1, 2, 3]);
    ledger.record_extra_sends(0, &[2]);
    for (s, rc) in [(1, 1), (1, 2), (2, 1), (2, 1), (3, 1), (3, 1)] {
        ledger.record_received(delivery(0, s, rc));
    }
    let t = ledger.tally();
    assert_eq!(
        (
            t.redeliveries,
            t.producer_duplicates,
            t.unexplained_duplicates,
            t.duplicates
        ),
        (1, 1, 1, 3)
    );
    let causes: Vec<_> = ledger
        .integrity(&|_, _| 0)
        .duplicates
        .examples
        .iter()
        .map(|e| (e.sequence, e.cause))
        .collect();
    assert_eq!(
        causes,
        [
            (1, Some(Cause::Redelivery)),
            (2, Some(Cause::Producer)),
            (3, Some(Cause::Unexplained))
        ]
    );
}

#[test]
fn the_accounting_partitions_every_acknowledged_message() {
    let mut ledger = Ledger::new(false);
    ledger.record_sent(0, &[0, 1, 2, 3]);
    ledger.record_received(delivery(0, 0, 1));
    ledger.record_deleted(0, 0);
    ledger.record_received(delivery(0, 1, 1));
    ledger.record_dead_lettered(delivery(0, 1, 3));
    ledger.record_dead_lettered(delivery(0, 2, 3));
    let integrity = ledger.integrity(&|_, s| s as u32);
    let a = &integrity.accounting;
    assert_eq!(
        (a.sent, a.unique_received, a.dead_lettered, a.lost, a.holds),
        (4, 1, 2, 1, true)
    );
    assert_eq!(integrity.lost.examples[0].sequence, 3);
    assert_eq!(integrity.lost.examples[0].group, 3);
    assert_eq!(ledger.settled(), 3);
}

#[tokio::test]
async fn owner_task_applies_batches_in_order() {
    let (handle, task) = spawn(false);
    handle.sent(1, vec![0, 1, 2]);
    handle.received(vec![delivery(1, 0, 1), delivery(1, 0, 1)]);
    handle.deleted(vec![(1, 0)]);
    let progress = handle.sync().await.expect("the ledger is running");
    assert_eq!(
        progress,
        Progress {
            acknowledged: 3,
            unique: 1,
            settled: 1
        }
    );
    drop(handle);
    let t = task.await.unwrap().tally();
    assert_eq!(
        (t.acknowledged, t.unique_received, t.duplicates, t.lost),
        (3, 1, 1, 2)
    );
}
