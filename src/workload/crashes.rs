//! Which measured messages a crashed poller task left on the queue, remembered until they are
//! delivered again, so that redelivery is charged to the crash (the duplicate cause `crash`)
//! rather than to a slow consumer. Present only in runs with a fleet that has `crash_rate`: one
//! lock per received batch, held for a few set operations. Per process: on a sharded run a
//! message left by one shard and received by another is not attributed.

use std::sync::Mutex;

use rustc_hash::FxHashSet;

/// A measured message: its producer and sequence.
pub(crate) type Key = (u32, u64);

#[derive(Default)]
pub(crate) struct CrashLedger {
    left: Mutex<FxHashSet<Key>>,
}

impl CrashLedger {
    /// A crashed batch's measured messages, left undeleted.
    pub(crate) fn crashed(&self, keys: impl IntoIterator<Item = Key>) {
        self.lock().extend(keys);
    }

    /// One receive's measured messages with their receive counts: how many are redeliveries of
    /// messages a crash left. Each is forgotten once delivered again.
    pub(crate) fn received(&self, items: impl IntoIterator<Item = (Key, u32)>) -> u64 {
        let mut left = self.lock();
        if left.is_empty() {
            return 0;
        }
        items
            .into_iter()
            .filter(|(key, receive_count)| left.remove(key) && *receive_count > 1)
            .count() as u64
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FxHashSet<Key>> {
        self.left.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redelivery_is_charged_to_the_crash_that_left_it_once() {
        let ledger = CrashLedger::default();
        assert_eq!(ledger.received([((0, 1), 1), ((0, 2), 1)]), 0);
        ledger.crashed([(0, 1), (0, 2)]);
        // (0, 3) was never left by a crash; (0, 1) comes back once.
        assert_eq!(ledger.received([((0, 1), 2), ((0, 3), 2)]), 1);
        assert_eq!(ledger.received([((0, 1), 3)]), 0, "charged once");
        assert_eq!(ledger.received([((0, 2), 2)]), 1);
    }
}
