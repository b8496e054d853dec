//! Where a queue keeps its messages: a sliding window indexed by the message key, which the
//! queue hands out in increasing order. Lookup is an index, not a hash; growth moves 8-byte
//! boxes, not whole messages (a hash map of inline messages spent most of a deep queue's CPU
//! copying and zeroing memory on resize); the front is always the oldest stored message.

use std::collections::VecDeque;

use super::message::Message;

#[derive(Debug, Default)]
pub(crate) struct MessageStore {
    /// Key of `slots[0]`.
    base: u64,
    slots: VecDeque<Option<Box<Message>>>,
    len: usize,
}

impl MessageStore {
    /// Stores a message under `key`, which must be at least every key stored before.
    pub(crate) fn insert(&mut self, key: u64, message: Message) {
        if self.slots.is_empty() {
            self.base = key;
        }
        debug_assert!(
            key >= self.base + self.slots.len() as u64,
            "keys are handed out in order"
        );
        while self.base + (self.slots.len() as u64) < key {
            self.slots.push_back(None);
        }
        self.slots.push_back(Some(Box::new(message)));
        self.len += 1;
    }

    fn index(&self, key: u64) -> Option<usize> {
        let i = key.checked_sub(self.base)? as usize;
        (i < self.slots.len()).then_some(i)
    }

    pub(crate) fn get(&self, key: &u64) -> Option<&Message> {
        self.index(*key).and_then(|i| self.slots[i].as_deref())
    }

    pub(crate) fn get_mut(&mut self, key: &u64) -> Option<&mut Message> {
        self.index(*key).and_then(|i| self.slots[i].as_deref_mut())
    }

    pub(crate) fn remove(&mut self, key: &u64) -> Option<Message> {
        let i = self.index(*key)?;
        let message = self.slots[i].take()?;
        self.len -= 1;
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
            self.base += 1;
        }
        Some(*message)
    }

    /// The oldest stored message.
    pub(crate) fn front(&self) -> Option<&Message> {
        self.slots.front().and_then(|s| s.as_deref())
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn message(key: u64) -> Message {
        Message {
            key,
            id: super::super::message::MessageId::default(),
            body: "b".into(),
            body_md5: [0; 16],
            attributes: std::sync::Arc::from(Vec::new()),
            attributes_md5: None,
            trace_header: None,
            group_id: None,
            deduplication_id: None,
            sequence_number: None,
            dead_letter_source_arn: None,
            sent_at: key,
            visible_at: 0,
            receive_count: 0,
            first_received_at: None,
            generation: 0,
            deadline_ceiling: 0,
            state: super::super::message::State::Ready,
        }
    }

    proptest! {
        /// The window behaves like an ordered map under any mix of inserts (with gaps) and removes.
        #[test]
        fn matches_a_map(ops in proptest::collection::vec((any::<bool>(), 0u64..4, any::<prop::sample::Index>()), 1..300)) {
            let mut store = MessageStore::default();
            let mut map = BTreeMap::new();
            let mut next = 0;
            for (insert, gap, pick) in ops {
                if insert || map.is_empty() {
                    next += gap;
                    store.insert(next, message(next));
                    map.insert(next, ());
                    next += 1;
                } else {
                    let keys: Vec<u64> = map.keys().copied().collect();
                    let key = keys[pick.index(keys.len())];
                    prop_assert!(store.remove(&key).is_some());
                    map.remove(&key);
                    prop_assert!(store.remove(&key).is_none());
                }
                prop_assert_eq!(store.len(), map.len());
                prop_assert_eq!(store.front().map(|m| m.key), map.keys().next().copied());
                for k in 0..next {
                    prop_assert_eq!(store.get(&k).is_some(), map.contains_key(&k));
                }
            }
        }
    }
}
