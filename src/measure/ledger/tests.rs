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
        // The original is a delivery with receive count 1 if there is one, else the first.
        let original = counts.iter().position(|rc| *rc <= 1).unwrap_or(0);
        let again: Vec<u32> = counts
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != original)
            .map(|(_, rc)| *rc)
            .collect();
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
    let (handle, task) = spawn(false, None);
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
    assert_eq!(
        handle.duplicates(),
        1,
        "the live count, as the tally will have it"
    );
    drop(handle);
    let t = task.await.unwrap().ledger.tally();
    assert_eq!(
        (t.acknowledged, t.unique_received, t.duplicates, t.lost),
        (3, 1, 1, 2)
    );
}

/// One event of a run, for feeding ledgers in parts.
#[derive(Debug, Clone)]
enum Event {
    Sent(u32, u64),
    Extra(u32, u64),
    Received(u32, u64, u32),
    Deleted(u32, u64),
    Dead(u32, u64),
}

fn apply(ledger: &mut Ledger, e: &Event) {
    match e {
        Event::Sent(p, s) => ledger.record_sent(*p, &[*s]),
        Event::Extra(p, s) => ledger.record_extra_sends(*p, &[*s]),
        Event::Received(p, s, rc) => {
            ledger.record_received(delivery(*p, *s, *rc));
        }
        Event::Deleted(p, s) => ledger.record_deleted(*p, *s),
        Event::Dead(p, s) => ledger.record_dead_lettered(delivery(*p, *s, 3)),
    }
}

fn event() -> impl Strategy<Value = Event> {
    let key = (0u32..4, 0u64..80);
    prop_oneof![
        4 => key.clone().prop_map(|(p, s)| Event::Sent(p, s)),
        1 => key.clone().prop_map(|(p, s)| Event::Extra(p, s)),
        5 => (key.clone(), 1u32..4).prop_map(|((p, s), rc)| Event::Received(p, s, rc)),
        3 => key.clone().prop_map(|(p, s)| Event::Deleted(p, s)),
        1 => key.prop_map(|(p, s)| Event::Dead(p, s)),
    ]
}

proptest! {
    /// A run's events dealt at random to N shards, each shard's ledger cut into seconds and
    /// written as a journal, the journals replayed and added: the same duplicates (and their
    /// causes), losses, dead letters and accounting as one ledger that saw every event.
    #[test]
    fn shard_journals_added_equal_one_ledger(
        events in proptest::collection::vec((event(), 0usize..4, any::<bool>()), 0..400),
        shards in 1usize..4,
    ) {
        let mut whole = Ledger::new(false);
        let mut journals = vec![journal::HEADER.to_vec(); shards];
        let mut seconds = vec![Ledger::keeping_receipts(false); shards];
        for (e, shard, second_ends) in &events {
            apply(&mut whole, e);
            let shard = shard % shards;
            apply(&mut seconds[shard], e);
            if *second_ends {
                let part = std::mem::replace(&mut seconds[shard], Ledger::keeping_receipts(false));
                journals[shard].extend(frame(&part));
            }
        }
        let mut merged = Ledger::new(false);
        for (journal, last) in journals.iter_mut().zip(&seconds) {
            journal.extend(frame(last));
            let replayed = journal::replay(journal, false).unwrap();
            prop_assert_eq!(replayed.torn_bytes, 0);
            merged.absorb(replayed.ledger);
        }
        merged.recount();
        prop_assert_eq!(merged.tally(), whole.tally());
        prop_assert_eq!(merged.settled(), whole.settled());
        prop_assert_eq!(merged.acknowledged(), whole.acknowledged());
    }

    /// Whatever a ledger holds, its bytes decode to it (the arrival-order FIFO state aside).
    #[test]
    fn the_codec_round_trips(
        events in proptest::collection::vec(event(), 0..200),
        fifo in any::<bool>(),
    ) {
        let mut ledger = Ledger::keeping_receipts(fifo);
        for e in &events {
            apply(&mut ledger, e);
        }
        let back = codec::decode(&codec::encode(&ledger)).unwrap();
        prop_assert_eq!(back.tally(), ledger.tally());
        prop_assert_eq!(back.receipts(), ledger.receipts());
        prop_assert_eq!(codec::encode(&back), codec::encode(&ledger));
    }

    /// Damaged bytes are an error or a ledger, never a panic.
    #[test]
    fn the_codec_refuses_damage_without_panicking(
        events in proptest::collection::vec(event(), 0..50),
        cut in any::<prop::sample::Index>(),
        flip in any::<(prop::sample::Index, u8)>(),
    ) {
        let mut ledger = Ledger::keeping_receipts(true);
        for e in &events {
            apply(&mut ledger, e);
        }
        let bytes = codec::encode(&ledger);
        prop_assert!(codec::decode(&bytes[..cut.index(bytes.len())]).is_err());
        let mut flipped = bytes.clone();
        let at = flip.0.index(flipped.len());
        flipped[at] ^= flip.1 | 1;
        let _ = codec::decode(&flipped);
    }
}

/// One journal frame of `part`, as `Journal::append` writes it.
fn frame(part: &Ledger) -> Vec<u8> {
    let path = std::env::temp_dir().join(format!(
        "sqsbench-frame-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let mut j = Journal::create(&path).unwrap();
    j.append(part).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    bytes[journal::HEADER.len()..].to_vec()
}

#[test]
fn a_journal_cut_inside_its_last_frame_keeps_every_whole_frame() {
    let mut first = Ledger::new(false);
    first.record_sent(0, &[0, 1]);
    let mut second = Ledger::new(false);
    second.record_sent(0, &[2]);
    let mut bytes = journal::HEADER.to_vec();
    bytes.extend(frame(&first));
    let whole = bytes.len();
    bytes.extend(frame(&second));
    for cut in whole..bytes.len() {
        let r = journal::replay(&bytes[..cut], false).unwrap();
        assert_eq!((r.frames, r.ledger.acknowledged()), (1, 2));
        assert_eq!(r.torn_bytes, (cut - whole) as u64);
    }
    let mut damaged = bytes.clone();
    *damaged.last_mut().unwrap() ^= 0xff;
    let e = journal::replay(&damaged, false).err().unwrap();
    assert!(e.contains("frame 2") && e.contains("checksum"), "{e}");
    assert!(journal::replay(b"not a journal", false).is_err());
}

#[tokio::test]
async fn the_owner_journals_each_checkpoint_and_the_rest_at_the_end() {
    let path = std::env::temp_dir().join(format!("sqsbench-owner-journal-{}", std::process::id()));
    let (handle, task) = spawn(true, Some(Journal::create(&path).unwrap()));
    handle.sent(0, vec![0, 1, 2]);
    handle.received(vec![Delivery {
        first_receive_ms: 7,
        ..delivery(0, 0, 1)
    }]);
    handle.checkpoint();
    handle.sync().await.unwrap();
    let after_one = journal::replay(&std::fs::read(&path).unwrap(), true).unwrap();
    assert_eq!((after_one.frames, after_one.ledger.acknowledged()), (1, 3));
    assert_eq!(after_one.ledger.receipts()[0].first_receive_ms, 7);
    handle.received(vec![delivery(0, 1, 1), delivery(0, 1, 1)]);
    handle.deleted(vec![(0, 0)]);
    drop(handle);
    let owned = task.await.unwrap();
    assert!(owned.journal_failed.is_none());
    let replayed = journal::replay(&std::fs::read(&path).unwrap(), true).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(replayed.frames, 2);
    assert_eq!(replayed.ledger.tally(), owned.ledger.tally());
    assert_eq!(replayed.ledger.receipts().len(), 2);
}

proptest! {
    /// A growing journal read at arbitrary moments (any byte count so far) and cut at
    /// `whole_frames_len` each time: every piece sent ends on a frame's boundary, and the pieces
    /// put back together replay to the whole journal's ledger.
    #[test]
    fn a_journal_uploaded_in_whole_frames_replays_whole(
        seconds in proptest::collection::vec(proptest::collection::vec(0u64..500, 0..20), 1..6),
        reads in proptest::collection::vec(any::<proptest::sample::Index>(), 0..8),
    ) {
        let mut bytes = journal::HEADER.to_vec();
        for sequences in &seconds {
            let mut part = Ledger::new(false);
            part.record_sent(0, sequences);
            bytes.extend(frame(&part));
        }
        let mut moments: Vec<usize> = reads.iter().map(|i| i.index(bytes.len() + 1)).collect();
        moments.sort_unstable();
        moments.push(bytes.len());
        let (mut sent, mut uploaded) = (0, Vec::new());
        for written in moments {
            let n = journal::whole_frames_len(&bytes[sent..written.max(sent)], sent == 0);
            uploaded.extend_from_slice(&bytes[sent..sent + n]);
            sent += n;
            let replayed = journal::replay(&uploaded, false);
            prop_assert!(replayed.as_ref().is_ok_and(|r| r.torn_bytes == 0) || uploaded.is_empty());
        }
        prop_assert_eq!(sent, bytes.len());
        let whole = journal::replay(&bytes, false).unwrap();
        let pieces = journal::replay(&uploaded, false).unwrap();
        prop_assert_eq!(pieces.ledger, whole.ledger);
        prop_assert_eq!(pieces.frames, seconds.len() as u64);
    }
}

#[test]
fn unreceived_messages_are_counted_up_to_each_producers_bound() {
    let mut l = Ledger::new(false);
    l.record_sent(0, &[0, 1, 2, 3, 4, 5]);
    l.record_sent(1, &[0, 1, 2]);
    l.record_received(delivery(0, 1, 1));
    l.record_received(delivery(0, 4, 1));
    assert_eq!(l.highest_sent().collect::<Vec<_>>(), [(0, 5), (1, 2)]);
    assert_eq!(l.tally().lost, 7);
    let bounds = std::collections::BTreeMap::from([(0, 3), (1, 0), (7, 9)]);
    // producer 0: 0, 2, 3 unreceived up to 3; producer 1: 0.
    assert_eq!(l.unreceived_up_to(&bounds), 4);
}
