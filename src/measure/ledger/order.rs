//! FIFO order judged over every shard's first deliveries by SQS's own clock: the
//! ApproximateFirstReceiveTimestamp (ms) of each message, one clock for all shards. A group's
//! first deliveries are serialized by its lock, so within a (producer, group) their sequences
//! must rise with that clock. Within one millisecond, deliveries of one receive call keep their
//! order in the response, and calls of one shard the order their responses arrived in (the
//! next call of a group can only return after this one's message was deleted). Two shards'
//! calls in the same millisecond cannot be ordered: a first delivery that would be out of order
//! if the other shard's came first is `undecided`, never a violation.

use super::book::Receipt;
use super::integrity::{Example, LIMIT};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Judged {
    pub violations: u64,
    pub undecided: u64,
    pub examples: Vec<Example>,
}

/// A first delivery and the shard whose consumer received it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardReceipt {
    pub shard: u32,
    pub receipt: Receipt,
}

impl ShardReceipt {
    /// Where it falls on SQS's clock, then in its shard's calls.
    fn when(&self) -> (u64, u32, u64, u32) {
        let r = &self.receipt;
        (r.first_receive_ms, self.shard, r.call, r.position)
    }
}

pub fn judge(mut receipts: Vec<ShardReceipt>) -> Judged {
    // A message delivered first in two shards (a duplicate) is judged once, at its earliest.
    receipts.sort_unstable_by_key(|s| (s.receipt.producer, s.receipt.sequence, s.when()));
    receipts.dedup_by_key(|s| (s.receipt.producer, s.receipt.sequence));
    receipts.sort_unstable_by_key(|s| (s.receipt.producer, s.receipt.group, s.when()));
    let mut judged = Judged::default();
    for group in receipts.chunk_by(|a, b| {
        (a.receipt.producer, a.receipt.group) == (b.receipt.producer, b.receipt.group)
    }) {
        judge_group(group, &mut judged);
    }
    judged
}

/// One (producer, group)'s first deliveries, in `when` order.
fn judge_group(group: &[ShardReceipt], judged: &mut Judged) {
    let mut before = None::<u64>;
    for same_ms in group.chunk_by(|a, b| a.receipt.first_receive_ms == b.receipt.first_receive_ms) {
        for (i, r) in same_ms.iter().enumerate() {
            let sequence = r.receipt.sequence;
            let earlier_in_shard = same_ms[..i]
                .iter()
                .filter(|e| e.shard == r.shard)
                .map(|e| e.receipt.sequence)
                .max();
            let later = before.max(earlier_in_shard).filter(|l| *l > sequence);
            if let Some(later) = later {
                judged.violations += 1;
                if judged.examples.len() < LIMIT {
                    judged.examples.push(Example {
                        producer: r.receipt.producer,
                        sequence,
                        group: r.receipt.group,
                        delivered_after_sequence: Some(later),
                        ..Example::default()
                    });
                }
            } else if same_ms
                .iter()
                .any(|o| o.shard != r.shard && o.receipt.sequence > sequence)
            {
                judged.undecided += 1;
            }
        }
        before = before.max(same_ms.iter().map(|r| r.receipt.sequence).max());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(shard: u32, sequence: u64, ms: u64, call: u64, position: u32) -> ShardReceipt {
        ShardReceipt {
            shard,
            receipt: Receipt {
                producer: 0,
                group: 0,
                sequence,
                first_receive_ms: ms,
                call,
                position,
            },
        }
    }

    #[test]
    fn rising_sequences_across_shards_are_in_order() {
        let j = judge(vec![
            r(1, 2, 11, 0, 0),
            r(0, 1, 10, 0, 0),
            r(2, 3, 12, 5, 0),
        ]);
        assert_eq!(j, Judged::default());
    }

    #[test]
    fn a_later_message_first_received_earlier_is_a_violation_whichever_shard() {
        let j = judge(vec![r(0, 1, 20, 0, 0), r(1, 2, 10, 0, 0)]);
        assert_eq!((j.violations, j.undecided), (1, 0));
        assert_eq!(j.examples[0].sequence, 1);
        assert_eq!(j.examples[0].delivered_after_sequence, Some(2));
    }

    #[test]
    fn within_one_response_its_order_decides() {
        let j = judge(vec![r(0, 2, 10, 7, 0), r(0, 1, 10, 7, 1)]);
        assert_eq!((j.violations, j.undecided), (1, 0));
        let fine = judge(vec![r(0, 1, 10, 7, 0), r(0, 2, 10, 7, 1)]);
        assert_eq!(fine, Judged::default());
    }

    #[test]
    fn one_shards_calls_in_one_millisecond_keep_their_arrival_order() {
        let j = judge(vec![r(0, 2, 10, 3, 0), r(0, 1, 10, 4, 0)]);
        assert_eq!((j.violations, j.undecided), (1, 0));
    }

    #[test]
    fn two_shards_in_one_millisecond_are_undecided_not_violations() {
        let j = judge(vec![r(0, 2, 10, 0, 0), r(1, 1, 10, 0, 0)]);
        assert_eq!((j.violations, j.undecided), (0, 1));
        let rising = judge(vec![r(0, 1, 10, 0, 0), r(1, 2, 10, 0, 0)]);
        assert_eq!(
            (rising.violations, rising.undecided),
            (0, 1),
            "2 may have come first: 1 is undecided whichever shard sorts first"
        );
    }

    #[test]
    fn a_message_received_first_in_two_shards_is_judged_once_at_its_earliest() {
        let j = judge(vec![
            r(0, 1, 10, 0, 0),
            r(1, 1, 10, 0, 0),
            r(1, 2, 11, 1, 0),
        ]);
        assert_eq!(j, Judged::default());
    }

    #[test]
    fn groups_and_producers_are_judged_apart() {
        let mut other_group = r(0, 1, 20, 0, 0);
        other_group.receipt.group = 1;
        let mut other_producer = r(0, 1, 30, 0, 0);
        other_producer.receipt.producer = 1;
        let j = judge(vec![r(0, 5, 10, 0, 0), other_group, other_producer]);
        assert_eq!(j, Judged::default());
    }
}
