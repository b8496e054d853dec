//! Why each message a Lambda-style batch left on the queue comes back: the cause of its latest
//! leave (failed, collateral, behind a failure of its FIFO group) remembered per measured
//! message until it is delivered again, deleted or found in the dead-letter queue. Shared by a
//! run's Lambda-style consumers and its dead-letter read; one lock per invoked batch (not per
//! message), held for a few map operations. Holds only messages currently left on the queue.
//! Per process: on a sharded run a message left by one shard and received by another is not
//! attributed.

use std::sync::Mutex;

use super::verdict::Fate;
use crate::measure::recorder::ByCause;
use rustc_hash::FxHashMap;

/// A measured message: its producer and sequence.
pub(crate) type Key = (u32, u64);

fn count(by: &mut ByCause, fate: Fate) {
    match fate {
        Fate::Deleted => {}
        Fate::Failed => by.failed += 1,
        Fate::Collateral => by.collateral += 1,
        Fate::BehindGroupFailure => by.behind_group_failure += 1,
    }
}

#[derive(Default)]
pub(crate) struct Causes {
    left: Mutex<FxHashMap<Key, Fate>>,
    dead_lettered: Mutex<ByCause>,
}

impl Causes {
    /// One invoked batch's measured messages, each with its receive count and fate. Returns
    /// the redeliveries among them, by the cause that left each one last.
    pub(crate) fn invoked(&self, items: impl IntoIterator<Item = (Key, u32, Fate)>) -> ByCause {
        let mut redelivered = ByCause::default();
        let mut left = self.left.lock().unwrap_or_else(|p| p.into_inner());
        for (key, receive_count, fate) in items {
            let before = left.remove(&key);
            if receive_count > 1
                && let Some(cause) = before
            {
                count(&mut redelivered, cause);
            }
            if !fate.deleted() {
                left.insert(key, fate);
            }
        }
        redelivered
    }

    /// Messages found in the dead-letter queue: counted by the cause that left them last.
    pub(crate) fn dead_lettered(&self, keys: impl IntoIterator<Item = Key>) {
        let mut left = self.left.lock().unwrap_or_else(|p| p.into_inner());
        let mut dead = self.dead_lettered.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            if let Some(cause) = left.remove(&key) {
                count(&mut dead, cause);
            }
        }
    }

    pub(crate) fn dead_lettered_total(&self) -> ByCause {
        *self.dead_lettered.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Fate::*;

    #[test]
    fn a_redelivery_and_a_dead_letter_are_charged_to_the_latest_leave() {
        let causes = Causes::default();
        let first = causes.invoked([
            ((0, 1), 1, Collateral),
            ((0, 2), 1, Failed),
            ((0, 3), 1, Deleted),
        ]);
        assert_eq!(
            first,
            ByCause::default(),
            "first deliveries are not redeliveries"
        );
        // (0,1) comes back and fails this time; (0,2) comes back and is deleted.
        let second = causes.invoked([((0, 1), 2, Failed), ((0, 2), 2, Deleted)]);
        assert_eq!((second.collateral, second.failed), (1, 1));
        causes.dead_lettered([(0, 1), (0, 2), (0, 9)]);
        let dead = causes.dead_lettered_total();
        assert_eq!(
            dead,
            ByCause {
                failed: 1,
                ..ByCause::default()
            }
        );
        assert_eq!(
            causes.left.lock().unwrap().len(),
            0,
            "nothing left is remembered"
        );
    }
}
