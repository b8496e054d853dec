//! Delivery order of a standard queue: one ready line in rough send order. Keys of messages
//! deleted or expired elsewhere stay behind and are skipped when popped (lazy removal keeps
//! every operation O(1) however deep the queue is).

use std::collections::VecDeque;

#[derive(Debug, Default)]
pub(crate) struct StandardOrder {
    ready: VecDeque<u64>,
}

impl StandardOrder {
    pub(crate) fn push(&mut self, key: u64) {
        self.ready.push_back(key);
    }

    /// A message visible again (its visibility expired or was set to 0) comes back ahead of
    /// messages sent after it, as SQS returns it: at the front of the line.
    pub(crate) fn push_returned(&mut self, key: u64) {
        self.ready.push_front(key);
    }

    /// Places a message `back` positions ahead of the tail: the reorder fault.
    pub(crate) fn push_ahead(&mut self, key: u64, back: usize) {
        let at = self.ready.len().saturating_sub(back);
        self.ready.insert(at, key);
    }

    pub(crate) fn pop(&mut self) -> Option<u64> {
        self.ready.pop_front()
    }

    pub(crate) fn clear(&mut self) {
        self.ready.clear();
    }
}
