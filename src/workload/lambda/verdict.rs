//! What an invoked batch's outcome does to each of its messages, by AWS's rules for SQS event
//! source mappings:
//! - with `ReportBatchItemFailures`, only the reported items stay on the queue (to reappear
//!   after the visibility timeout); the rest are deleted;
//! - without it, any failure leaves the whole batch: the messages that did not fail come back
//!   too, as collateral redeliveries;
//! - on a FIFO queue, processing stops at a group's first failure, so that message and every
//!   later one of its group in the batch are reported as failures.

/// Whether the function fails on one delivery: a draw from the run's seed, the message and
/// which receive this is, so the same seed fails the same deliveries however the messages were
/// batched (the tests predict redeliveries exactly from it).
pub fn fails(seed: u64, producer: u32, sequence: u64, receive_count: u32, rate: f64) -> bool {
    if rate <= 0.0 {
        return false;
    }
    let mix = crate::emulator::splitmix::finalize(
        seed ^ (u64::from(producer) << 40)
            ^ sequence.rotate_left(17)
            ^ u64::from(receive_count) << 56,
    );
    let mix = crate::emulator::splitmix::finalize(mix ^ 0x1a3b_da55);
    ((mix >> 11) as f64 / (1u64 << 53) as f64) < rate
}

/// One message of a batch, in the order the batch holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Item {
    /// The message's FIFO group (its index in the run), when it has one.
    pub group: Option<u32>,
    /// The function failed on this message (drawn from `failure_rate`).
    pub fails: bool,
}

/// What becomes of one message, and why it is redelivered when it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Fate {
    Deleted,
    /// The function failed on it.
    Failed,
    /// It succeeded, but its batch failed as a whole (no `ReportBatchItemFailures`).
    Collateral,
    /// FIFO: an earlier message of its group in the batch failed, so it was not processed.
    BehindGroupFailure,
}

impl Fate {
    pub(crate) fn deleted(self) -> bool {
        self == Fate::Deleted
    }
}

/// Each item's fate, in the batch's order.
pub(crate) fn fates(items: &[Item], report_item_failures: bool, fifo: bool) -> Vec<Fate> {
    let mut failed_groups: Vec<u32> = Vec::new();
    let mut out: Vec<Fate> = items
        .iter()
        .map(|item| {
            let group = item.group.filter(|_| fifo);
            if let Some(g) = group
                && failed_groups.contains(&g)
            {
                return Fate::BehindGroupFailure;
            }
            if item.fails {
                failed_groups.extend(group);
                Fate::Failed
            } else {
                Fate::Deleted
            }
        })
        .collect();
    let any_failure = out.iter().any(|f| !f.deleted());
    if !report_item_failures && any_failure {
        for fate in &mut out {
            if fate.deleted() {
                *fate = Fate::Collateral;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Fate::*;

    /// Groups named by digits: "g1" is group 1.
    fn items(spec: &[(&str, bool)]) -> Vec<Item> {
        spec.iter()
            .map(|&(group, fails)| Item {
                group: Some(group.bytes().map(|b| b as u32).sum()),
                fails,
            })
            .collect()
    }

    #[test]
    fn partial_batch_responses_retry_only_the_failed_items() {
        let batch = items(&[("a", false), ("b", true), ("c", false)]);
        assert_eq!(fates(&batch, true, false), [Deleted, Failed, Deleted]);
    }

    #[test]
    fn without_them_one_failure_returns_the_whole_batch() {
        let batch = items(&[("a", false), ("b", true), ("c", false)]);
        assert_eq!(
            fates(&batch, false, false),
            [Collateral, Failed, Collateral]
        );
        let clean = items(&[("a", false), ("b", false)]);
        assert_eq!(fates(&clean, false, false), [Deleted, Deleted]);
    }

    #[test]
    fn on_fifo_a_failure_blocks_the_rest_of_its_group_only() {
        let batch = items(&[
            ("g1", false),
            ("g1", true),
            ("g2", false),
            ("g1", false),
            ("g2", true),
            ("g2", false),
            ("g1", true),
        ]);
        assert_eq!(
            fates(&batch, true, true),
            [
                Deleted,
                Failed,
                Deleted,
                BehindGroupFailure,
                Failed,
                BehindGroupFailure,
                BehindGroupFailure
            ]
        );
        // Whole-batch retry on FIFO: the group rule still names who was never processed.
        assert_eq!(
            fates(&batch[..4], false, true),
            [Collateral, Failed, Collateral, BehindGroupFailure]
        );
    }

    #[test]
    fn groups_do_not_block_on_a_standard_queue() {
        let batch = items(&[("g", true), ("g", false)]);
        assert_eq!(fates(&batch, true, false), [Failed, Deleted]);
    }

    proptest::proptest! {
        /// The rules hold for any batch: per group, nothing behind a failure is processed and
        /// nothing before it is blocked; with partial responses only failures stay; without
        /// them a batch is deleted whole or not at all.
        #[test]
        fn the_rules_hold_for_any_batch(
            spec in proptest::collection::vec((0u8..4, proptest::bool::weighted(0.2)), 0..40),
            report in proptest::bool::ANY,
            fifo in proptest::bool::ANY,
        ) {
            let batch: Vec<Item> = spec
                .iter()
                .map(|&(g, fails)| Item { group: Some(u32::from(g)), fails })
                .collect();
            let out = fates(&batch, report, fifo);
            proptest::prop_assert_eq!(out.len(), batch.len());
            let mut blocked: Vec<u32> = Vec::new();
            for (item, fate) in batch.iter().zip(&out) {
                let g = item.group.unwrap();
                let behind = fifo && blocked.contains(&g);
                proptest::prop_assert_eq!(*fate == BehindGroupFailure, behind);
                if !behind {
                    proptest::prop_assert_eq!(*fate == Failed, item.fails);
                    if item.fails && fifo {
                        blocked.push(g);
                    }
                }
            }
            let any_failure = out.iter().any(|f| matches!(f, Failed | BehindGroupFailure));
            if report {
                proptest::prop_assert!(!out.contains(&Collateral));
            } else if any_failure {
                proptest::prop_assert!(!out.contains(&Deleted));
            } else {
                proptest::prop_assert!(out.iter().all(|f| *f == Deleted));
            }
        }
    }
}
