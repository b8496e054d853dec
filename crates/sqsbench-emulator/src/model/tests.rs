//! Queue model tests with injected time: every rule that depends on time is checked at the
//! instants around its boundary, without sleeping. The property test runs random operation
//! sequences against a deliberately naive reference model.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

use super::message::{MICROS_PER_SEC, Micros, NewMessage};
use super::queue::Queue;
use super::queue::receive::ReceiveRequest;
use super::queue::send::SendFate;
use super::settings::{Redrive, Settings};

const T0: Micros = 1_700_000_000 * MICROS_PER_SEC;
const S: Micros = MICROS_PER_SEC;

fn standard() -> Queue {
    Queue::new(
        "q",
        "arn:aws:sqs:us-east-1:000000000000:q",
        Settings::new(false),
        T0,
        1,
    )
}

fn fifo() -> Queue {
    let mut settings = Settings::new(true);
    settings.content_based_deduplication = true;
    Queue::new(
        "q.fifo",
        "arn:aws:sqs:us-east-1:000000000000:q.fifo",
        settings,
        T0,
        1,
    )
}

fn msg(body: &str) -> NewMessage {
    NewMessage {
        body: body.into(),
        ..Default::default()
    }
}

fn grouped(body: &str, group: &str) -> NewMessage {
    NewMessage {
        body: body.into(),
        group_id: Some(group.into()),
        ..Default::default()
    }
}

fn receive(q: &mut Queue, now: Micros, max: usize) -> Vec<(String, String)> {
    let request = ReceiveRequest {
        max,
        ..Default::default()
    };
    q.receive(now, &request)
        .unwrap()
        .delivered
        .into_iter()
        .map(|d| (d.message.body.to_string(), d.receipt_handle.to_string()))
        .collect()
}

fn bodies(v: &[(String, String)]) -> Vec<&str> {
    v.iter().map(|(b, _)| b.as_str()).collect()
}

#[test]
fn visibility_expires_exactly_at_the_timeout() {
    let mut q = standard();
    q.send(T0, msg("m"), SendFate::Keep, false).unwrap();
    assert_eq!(receive(&mut q, T0, 1).len(), 1);
    assert!(receive(&mut q, T0 + 30 * S - 1, 1).is_empty());
    let again = q
        .receive(
            T0 + 30 * S,
            &ReceiveRequest {
                max: 1,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(again.delivered[0].message.receive_count, 2);
}

#[test]
fn per_receive_visibility_and_stale_handles() {
    let mut q = standard();
    q.send(T0, msg("m"), SendFate::Keep, false).unwrap();
    let short = ReceiveRequest {
        max: 1,
        visibility_timeout: Some(5),
        ..Default::default()
    };
    let first = q
        .receive(T0, &short)
        .unwrap()
        .delivered
        .remove(0)
        .receipt_handle;
    let second = q
        .receive(T0 + 5 * S, &short)
        .unwrap()
        .delivered
        .remove(0)
        .receipt_handle;
    assert_ne!(first, second);
    // On a standard queue a visibility change through the older handle applies to the
    // message's current receive, as SQS does.
    q.change_visibility(T0 + 6 * S, &first, 0).unwrap();
    assert_eq!(bodies(&receive(&mut q, T0 + 6 * S, 1)), vec!["m"]);
}

#[test]
fn delays_hold_messages_back() {
    let mut q = standard();
    q.send(
        T0,
        NewMessage {
            delay_seconds: Some(10),
            ..msg("late")
        },
        SendFate::Keep,
        false,
    )
    .unwrap();
    assert_eq!(q.counts().delayed, 1);
    assert!(receive(&mut q, T0 + 10 * S - 1, 1).is_empty());
    assert_eq!(bodies(&receive(&mut q, T0 + 10 * S, 1)), vec!["late"]);
    assert_eq!(
        q.next_due(),
        Some(T0 + 40 * S),
        "next event: its visibility timeout"
    );
}

#[test]
fn queue_delay_applies_to_fifo_groups_in_order() {
    let mut q = fifo();
    q.settings.delay_seconds = 5;
    q.send(T0, grouped("a", "g"), SendFate::Keep, false)
        .unwrap();
    q.send(T0 + S, grouped("b", "g"), SendFate::Keep, false)
        .unwrap();
    assert!(receive(&mut q, T0 + 4 * S, 10).is_empty());
    assert_eq!(bodies(&receive(&mut q, T0 + 5 * S, 10)), vec!["a"]);
}

#[test]
fn fifo_group_unlocks_when_visibility_expires_and_keeps_order() {
    let mut q = fifo();
    for b in ["a1", "a2", "a3"] {
        q.send(T0, grouped(b, "a"), SendFate::Keep, false).unwrap();
    }
    q.send(T0, grouped("b1", "b"), SendFate::Keep, false)
        .unwrap();
    let got = receive(&mut q, T0, 2);
    assert_eq!(bodies(&got), vec!["a1", "a2"]);
    q.delete(T0 + S, &got[0].1, false).unwrap();
    assert_eq!(bodies(&receive(&mut q, T0 + S, 10)), vec!["b1"]);
    assert!(
        receive(&mut q, T0 + 29 * S, 10).is_empty(),
        "a2 in flight still locks group a"
    );
    // a2's visibility expires: the group unlocks and a2 comes back before a3.
    assert_eq!(bodies(&receive(&mut q, T0 + 30 * S, 10)), vec!["a2", "a3"]);
}

/// AWS's sequence: a group whose oldest message becomes visible again is receivable at once,
/// though a later message of it is still in flight.
#[test]
fn a_fifo_group_is_receivable_again_when_its_oldest_message_is_visible() {
    let mut q = fifo();
    for (b, g) in [("g1-m1", "g1"), ("g1-m2", "g1"), ("g2-m1", "g2")] {
        q.send(T0, grouped(b, g), SendFate::Keep, false).unwrap();
    }
    let got = receive(&mut q, T0, 2);
    assert_eq!(bodies(&got), vec!["g1-m1", "g1-m2"]);
    q.change_visibility(T0 + S, &got[0].1, 0).unwrap();
    let again = receive(&mut q, T0 + S, 3);
    let mut again = bodies(&again);
    again.sort();
    assert_eq!(again, vec!["g1-m1", "g2-m1"], "g1-m2 stays in flight");
    // A later message made visible while the oldest is in flight does not jump it.
    let mut q = fifo();
    for b in ["a1", "a2"] {
        q.send(T0, grouped(b, "a"), SendFate::Keep, false).unwrap();
    }
    let got = receive(&mut q, T0, 2);
    q.change_visibility(T0 + S, &got[1].1, 0).unwrap();
    assert!(
        receive(&mut q, T0 + S, 10).is_empty(),
        "a1 in flight holds a2 back"
    );
}

/// AWS's sequence: a message whose visibility expired comes back ahead of one sent after it.
#[test]
fn an_expired_message_returns_ahead_of_later_sends() {
    let mut q = standard();
    q.send(T0, msg("test1"), SendFate::Keep, false).unwrap();
    let request = ReceiveRequest {
        max: 1,
        visibility_timeout: Some(3),
        ..Default::default()
    };
    assert_eq!(q.receive(T0, &request).unwrap().delivered.len(), 1);
    q.send(T0 + S + S / 2, msg("test2"), SendFate::Keep, false)
        .unwrap();
    assert_eq!(
        bodies(&receive(&mut q, T0 + 4 * S + S / 2, 1)),
        vec!["test1"]
    );
}

/// Standard, as SQS (and LocalStack's AWS-validated tests) answer: a visibility change of a
/// message no longer in flight succeeds and changes nothing; an older receipt of a message
/// received again changes its current receive.
#[test]
fn standard_visibility_changes_after_expiry_and_with_older_receipts() {
    let mut q = standard();
    q.send(T0, msg("m"), SendFate::Keep, false).unwrap();
    let first = receive(&mut q, T0, 1);
    let expired = T0 + 31 * S;
    q.change_visibility(expired, &first[0].1, 60).unwrap();
    let second = receive(&mut q, expired, 10);
    assert_eq!(bodies(&second), vec!["m"], "still visible");
    q.change_visibility(expired, &first[0].1, 0).unwrap();
    assert_eq!(
        bodies(&receive(&mut q, expired, 10)),
        vec!["m"],
        "the older receipt released the second receive"
    );
}

#[test]
fn dedup_window_is_five_minutes() {
    let mut q = fifo();
    let first = q
        .send(T0, grouped("same", "g"), SendFate::Keep, false)
        .unwrap();
    let inside = q
        .send(
            T0 + 300 * S - 1,
            grouped("same", "g"),
            SendFate::Keep,
            false,
        )
        .unwrap();
    assert!(inside.deduplicated);
    assert_eq!(inside.message_id, first.message_id);
    let after = q
        .send(T0 + 300 * S, grouped("same", "g"), SendFate::Keep, false)
        .unwrap();
    assert!(!after.deduplicated);
    assert_ne!(after.message_id, first.message_id);
    assert!(after.sequence_number > first.sequence_number);
}

#[test]
fn redrive_happens_on_the_receive_past_max_receive_count() {
    let mut q = standard();
    q.settings.redrive = Some(Redrive {
        target_arn: "arn:dlq".into(),
        max_receive_count: 2,
    });
    q.send(T0, msg("poison"), SendFate::Keep, false).unwrap();
    assert_eq!(receive(&mut q, T0, 1).len(), 1);
    assert_eq!(receive(&mut q, T0 + 30 * S, 1).len(), 1);
    let third = q
        .receive(
            T0 + 60 * S,
            &ReceiveRequest {
                max: 1,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(third.delivered.is_empty());
    assert_eq!(third.dead_lettered.len(), 1);
    assert_eq!(third.dead_lettered[0].receive_count, 2);
    assert_eq!(q.message_count(), 0);

    let mut dlq = standard();
    dlq.accept_dead_letter(T0 + 60 * S, third.dead_lettered[0].clone(), "arn:src");
    let moved = dlq
        .receive(
            T0 + 60 * S,
            &ReceiveRequest {
                max: 1,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        moved.delivered[0].message.dead_letter_source_arn.as_deref(),
        Some("arn:src")
    );
}

#[test]
fn a_move_takes_only_visible_messages_and_the_destination_starts_them_afresh() {
    let mut dlq = fifo();
    for (body, group) in [("a1", "a"), ("a2", "a"), ("b1", "b")] {
        dlq.send(T0, grouped(body, group), SendFate::Keep, false)
            .unwrap();
    }
    // a1 in flight: group a is locked, so only b1 may move.
    assert_eq!(bodies(&receive(&mut dlq, T0, 1)), ["a1"]);
    assert_eq!(dlq.visible_count(T0), 2);
    let first: Vec<String> = dlq
        .take_for_move(T0, 10)
        .iter()
        .map(|m| m.body.to_string())
        .collect();
    assert_eq!(first, ["b1"]);
    // Once a1's visibility lapses, group a moves in order.
    let later = dlq.take_for_move(T0 + 30 * S, 10);
    let bodies_later: Vec<&str> = later.iter().map(|m| &*m.body).collect();
    assert_eq!(bodies_later, ["a1", "a2"]);
    assert_eq!(later[0].receive_count, 1);
    assert_eq!(dlq.message_count(), 0);

    let mut source = fifo();
    let id = later[0].id;
    for m in later {
        source.accept_moved(T0 + 30 * S, m);
    }
    let out = source
        .receive(
            T0 + 30 * S,
            &ReceiveRequest {
                max: 10,
                ..Default::default()
            },
        )
        .unwrap();
    let got: Vec<(&str, u32)> = out
        .delivered
        .iter()
        .map(|d| (&*d.message.body, d.message.receive_count))
        .collect();
    // In group order, counted from zero again, the id kept.
    assert_eq!(got, [("a1", 1), ("a2", 1)]);
    assert_eq!(out.delivered[0].message.id, id);
    assert!(out.delivered[0].message.dead_letter_source_arn.is_none());
}

#[test]
fn retention_expires_messages_even_in_flight() {
    let mut q = standard();
    q.settings.retention_seconds = 60;
    q.send(T0, msg("old"), SendFate::Keep, false).unwrap();
    q.send(T0 + 30 * S, msg("young"), SendFate::Keep, false)
        .unwrap();
    receive(&mut q, T0 + 40 * S, 1);
    q.tick(T0 + 60 * S);
    assert_eq!(q.message_count(), 1);
    assert_eq!(q.counts().in_flight, 0);
    assert_eq!(bodies(&receive(&mut q, T0 + 60 * S, 10)), vec!["young"]);
}

#[test]
fn visibility_cannot_pass_twelve_hours_from_the_receive() {
    let mut q = standard();
    q.send(T0, msg("m"), SendFate::Keep, false).unwrap();
    let long = ReceiveRequest {
        max: 1,
        visibility_timeout: Some(7200),
        ..Default::default()
    };
    let handle = q
        .receive(T0, &long)
        .unwrap()
        .delivered
        .remove(0)
        .receipt_handle;
    q.change_visibility(T0 + 3600 * S, &handle, 39_600).unwrap();
    assert!(q.change_visibility(T0 + 3600 * S, &handle, 39_601).is_err());
}

#[test]
fn receive_attempts_expire_after_five_minutes() {
    let mut q = fifo();
    q.send(T0, grouped("a", "g"), SendFate::Keep, false)
        .unwrap();
    let request = ReceiveRequest {
        max: 1,
        attempt_id: Some("x".into()),
        visibility_timeout: Some(600),
        ..Default::default()
    };
    let first = q.receive(T0, &request).unwrap().delivered[0].receipt_handle;
    let replay = q.receive(T0 + 299 * S, &request).unwrap();
    assert_eq!(replay.delivered[0].receipt_handle, first);
    assert!(
        q.receive(T0 + 300 * S, &request)
            .unwrap()
            .delivered
            .is_empty(),
        "expired attempt: group still locked"
    );
}

#[test]
fn ghosts_are_counted_when_delivered() {
    let mut q = standard();
    q.send(T0, msg("m"), SendFate::Keep, false).unwrap();
    let handle = receive(&mut q, T0, 1).remove(0).1;
    q.delete(T0, &handle, true).unwrap();
    let later = T0 + 5_000;
    let again = q
        .receive(
            later,
            &ReceiveRequest {
                max: 1,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(again.ghost_deliveries, 1);
    assert_eq!(
        again.delivered[0].message.receive_count, 1,
        "a ghost arrives as a first receive, like a copy from another replica"
    );
    assert_eq!(
        again.delivered[0].message.first_received_at,
        Some(later),
        "and its first receive is this one, not the original's"
    );
    q.delete(T0, &again.delivered[0].receipt_handle, false)
        .unwrap();
    assert_eq!(q.message_count(), 0);
}

#[test]
fn dropped_messages_are_acknowledged_but_not_stored() {
    let mut q = standard();
    let r = q.send(T0, msg("gone"), SendFate::Drop, false).unwrap();
    assert!(!r.stored);
    assert_eq!(r.message_id.text().as_str().len(), 36);
    assert!(receive(&mut q, T0, 10).is_empty());
}

// ---- property test against a naive reference ----

#[derive(Debug, Clone)]
enum Op {
    Send {
        group: u8,
    },
    Receive {
        max: usize,
        visibility: u32,
    },
    Delete {
        pick: usize,
    },
    Release {
        pick: usize,
    },
    Advance {
        seconds: u64,
    },
    /// A move task taking messages out.
    Move {
        max: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..3).prop_map(|group| Op::Send { group }),
        3 => (1usize..=10, 0u32..40).prop_map(|(max, visibility)| Op::Receive { max, visibility }),
        2 => any::<usize>().prop_map(|pick| Op::Delete { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Release { pick }),
        2 => (0u64..50).prop_map(|seconds| Op::Advance { seconds }),
        1 => (1usize..=5).prop_map(|max| Op::Move { max }),
    ]
}

/// What the reference knows about a message: when it was sent, whether it is gone, and the
/// latest handle with its visibility deadline.
#[derive(Debug, Clone)]
struct Known {
    group: u8,
    sent_at: Micros,
    gone: bool,
    receives: u32,
    handle: Option<String>,
    deadline: Micros,
}

fn check_sequence(fifo_queue: bool, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut q = if fifo_queue { fifo() } else { standard() };
    q.settings.retention_seconds = 300;
    q.settings.redrive = Some(Redrive {
        target_arn: "arn:dlq".into(),
        max_receive_count: 3,
    });
    let mut now = T0;
    let mut known: BTreeMap<String, Known> = BTreeMap::new();
    let mut held: Vec<(String, String)> = Vec::new();
    let mut n = 0;
    let retention = 300 * S;
    let alive = |k: &Known, now: Micros| !k.gone && k.sent_at + retention > now;
    for op in ops {
        match op {
            Op::Send { group } => {
                n += 1;
                let body = format!("m{n}");
                let new = NewMessage {
                    body: body.as_str().into(),
                    group_id: Some(format!("g{group}")),
                    ..Default::default()
                };
                let r = q.send(now, new, SendFate::Keep, false).unwrap();
                prop_assert!(r.stored);
                known.insert(
                    body,
                    Known {
                        group,
                        sent_at: now,
                        gone: false,
                        receives: 0,
                        handle: None,
                        deadline: 0,
                    },
                );
            }
            Op::Receive { max, visibility } => {
                let request = ReceiveRequest {
                    max,
                    visibility_timeout: Some(visibility),
                    ..Default::default()
                };
                let out = q.receive(now, &request).unwrap();
                for m in &out.dead_lettered {
                    let k = known
                        .get_mut(&*m.body)
                        .expect("dead-lettered message was sent");
                    prop_assert!(
                        alive(k, now) && k.deadline <= now,
                        "only visible messages move"
                    );
                    prop_assert_eq!(k.receives, 3);
                    k.gone = true;
                }
                let mut per_group: HashMap<u8, Vec<u64>> = HashMap::new();
                for d in &out.delivered {
                    let body = d.message.body.to_string();
                    let k = known.get_mut(&body).expect("never invented");
                    prop_assert!(alive(k, now), "delivered {} after it was gone", body);
                    prop_assert!(k.deadline <= now, "delivered {} while in flight", body);
                    k.receives += 1;
                    k.handle = Some(d.receipt_handle.to_string());
                    k.deadline = now + visibility as Micros * S;
                    per_group
                        .entry(k.group)
                        .or_default()
                        .push(body[1..].parse().unwrap());
                    held.push((body, d.receipt_handle.to_string()));
                }
                if fifo_queue {
                    for (group, got) in per_group {
                        // Delivered in send order, and they are the group's oldest live messages.
                        prop_assert!(got.windows(2).all(|w| w[0] < w[1]));
                        let oldest: Vec<u64> = known
                            .iter()
                            .filter(|(_, k)| k.group == group && alive(k, now))
                            .map(|(b, _)| b[1..].parse::<u64>().unwrap())
                            .collect::<std::collections::BTreeSet<_>>()
                            .into_iter()
                            .take(got.len())
                            .collect();
                        prop_assert_eq!(&got, &oldest, "group {} out of order", group);
                    }
                }
            }
            Op::Delete { pick } if !held.is_empty() => {
                let (body, handle) = held.remove(pick % held.len());
                let k = known.get_mut(&body).unwrap();
                let current = k.handle.as_deref() == Some(handle.as_str()) && k.deadline > now;
                let result = q.delete(now, &handle, false);
                if fifo_queue && alive(k, now) && !current {
                    prop_assert!(result.is_err(), "expired FIFO handle must fail");
                } else {
                    prop_assert!(result.is_ok());
                    if alive(k, now) {
                        k.gone = true;
                    }
                }
            }
            Op::Release { pick } if !held.is_empty() => {
                let (body, handle) = held[pick % held.len()].clone();
                let k = known.get_mut(&body).unwrap();
                if alive(k, now) && k.handle.as_deref() == Some(handle.as_str()) && k.deadline > now
                {
                    q.change_visibility(now, &handle, 0).unwrap();
                    k.deadline = now;
                }
            }
            Op::Advance { seconds } => now += seconds * S,
            Op::Move { max } => {
                let taken = q.take_for_move(now, max);
                prop_assert!(taken.len() <= max);
                let mut per_group: HashMap<u8, Vec<u64>> = HashMap::new();
                for m in &taken {
                    let k = known.get_mut(&*m.body).expect("never invented");
                    prop_assert!(alive(k, now), "moved {} after it was gone", &*m.body);
                    prop_assert!(k.deadline <= now, "moved {} while in flight", &*m.body);
                    k.gone = true;
                    per_group
                        .entry(k.group)
                        .or_default()
                        .push(m.body[1..].parse().unwrap());
                }
                if fifo_queue {
                    for got in per_group.values() {
                        prop_assert!(got.windows(2).all(|w| w[0] < w[1]), "moved out of order");
                    }
                }
            }
            _ => {}
        }
    }
    // Drain: once every visibility has lapsed, exactly the live messages (minus those that
    // move to the DLQ on this last receive) are receivable — nothing lost, nothing invented.
    now += 100 * S;
    let mut drained = std::collections::BTreeSet::new();
    let mut moved = std::collections::BTreeSet::new();
    for _ in 0..10_000 {
        let out = q
            .receive(
                now,
                &ReceiveRequest {
                    max: 10,
                    ..Default::default()
                },
            )
            .unwrap();
        moved.extend(out.dead_lettered.iter().map(|m| m.body.to_string()));
        if out.delivered.is_empty() && out.dead_lettered.is_empty() {
            break;
        }
        for d in out.delivered {
            prop_assert!(drained.insert(d.message.body.to_string()), "drained twice");
            q.delete(now, &d.receipt_handle, false).unwrap();
        }
    }
    let expected: std::collections::BTreeSet<String> = known
        .iter()
        .filter(|(_, k)| alive(k, now))
        .map(|(b, _)| b.clone())
        .collect();
    let got: std::collections::BTreeSet<String> = drained.union(&moved).cloned().collect();
    prop_assert_eq!(got, expected);
    prop_assert_eq!(q.message_count(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn standard_queue_matches_reference(ops in proptest::collection::vec(op(), 1..120)) {
        check_sequence(false, ops)?;
    }

    #[test]
    fn fifo_queue_matches_reference(ops in proptest::collection::vec(op(), 1..120)) {
        check_sequence(true, ops)?;
    }
}

/// A queue that is its own dead-letter target takes the message back with its receive count
/// reset, so the next receive delivers it instead of dead-lettering it again.
#[test]
fn a_queue_that_is_its_own_dead_letter_target_takes_the_message_back_afresh() {
    let mut q = standard();
    let own = q.arn.clone();
    q.settings.redrive = Some(Redrive {
        target_arn: own.clone(),
        max_receive_count: 1,
    });
    q.send(T0, msg("poison"), SendFate::Keep, false).unwrap();
    assert_eq!(receive(&mut q, T0, 1).len(), 1);
    let request = ReceiveRequest {
        max: 1,
        ..Default::default()
    };
    let second = q.receive(T0 + 30 * S, &request).unwrap();
    assert_eq!(second.dead_lettered.len(), 1);
    for message in second.dead_lettered {
        q.accept_dead_letter(T0 + 30 * S, message, &own);
    }
    assert_eq!(q.message_count(), 1, "nothing lost");
    let third = q.receive(T0 + 30 * S, &request).unwrap();
    assert_eq!(third.delivered.len(), 1);
    assert_eq!(
        third.delivered[0].message.receive_count, 1,
        "counted afresh"
    );
    assert!(third.dead_lettered.is_empty());
}
