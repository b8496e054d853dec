//! Delivery order of a FIFO queue: per-group lines in send order, a group deliverable only from
//! its oldest message (so it is locked while that one is in flight, and receivable again as
//! soon as it is visible again, as SQS does, even while later ones are still in flight), the
//! 5-minute deduplication window and receive-attempt replays.
//! Pure data structures; the queue decides which messages are ready and passes time in.

use std::collections::VecDeque;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::message::{MessageId, Micros, State};

pub(crate) const DEDUP_WINDOW: Micros = 300 * 1_000_000;

#[derive(Debug, Default)]
struct Group {
    /// Every stored message of the group, in send order.
    keys: VecDeque<u64>,
    in_flight: u32,
    /// Whether the group is on the `available` line (so it is never listed twice).
    listed: bool,
}

#[derive(Debug, Default)]
pub(crate) struct FifoOrder {
    groups: FxHashMap<Arc<str>, Group>,
    /// Groups that may have a deliverable head, in the order they became so.
    available: VecDeque<Arc<str>>,
    pub dedup: DedupWindow,
    pub attempts: AttemptCache,
    next_sequence: u128,
}

impl FifoOrder {
    pub(crate) fn new() -> Self {
        FifoOrder {
            // Real sequence numbers are 20-digit decimals; start in that range.
            next_sequence: 18_000_000_000_000_000_000,
            ..Default::default()
        }
    }

    pub(crate) fn next_sequence(&mut self) -> u128 {
        self.next_sequence += 1;
        self.next_sequence
    }

    /// Appends a newly stored message to its group.
    pub(crate) fn append(&mut self, group: &Arc<str>, key: u64) {
        let g = self.groups.entry(group.clone()).or_default();
        g.keys.push_back(key);
        // With messages in flight the head is one of them, or was re-listed when it came back.
        if g.in_flight == 0 {
            Self::list(&mut self.available, group, g);
        }
    }

    /// A message of the group became ready (delay over, or visibility expired).
    pub(crate) fn on_ready(&mut self, group: &Arc<str>, was_in_flight: bool) {
        if let Some(g) = self.groups.get_mut(group) {
            if was_in_flight {
                g.in_flight = g.in_flight.saturating_sub(1);
            }
            Self::list(&mut self.available, group, g);
        }
    }

    /// A message left the queue (deleted, expired, dead-lettered, purged).
    pub(crate) fn remove(&mut self, group: &Arc<str>, key: u64, was_in_flight: bool) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        if let Some(pos) = g.keys.iter().position(|k| *k == key) {
            g.keys.remove(pos);
        }
        if was_in_flight {
            g.in_flight = g.in_flight.saturating_sub(1);
        }
        if g.keys.is_empty() && g.in_flight == 0 {
            if !g.listed {
                self.groups.remove(group);
            }
        } else {
            Self::list(&mut self.available, group, g);
        }
    }

    /// Puts the group on the line to be looked at; `take` decides whether its head is ready.
    fn list(available: &mut VecDeque<Arc<str>>, name: &Arc<str>, g: &mut Group) {
        if !g.listed && !g.keys.is_empty() {
            g.listed = true;
            available.push_back(name.clone());
        }
    }

    /// Takes up to `max` deliverable keys: the first available group's ready head first, then
    /// other groups, keeping send order inside each group: a group gives its ready messages from
    /// its oldest on, up to the first that is in flight or delayed.
    pub(crate) fn take(&mut self, max: usize, state_of: impl Fn(u64) -> Option<State>) -> Vec<u64> {
        let mut out = Vec::new();
        let mut passed = 0;
        let candidates = self.available.len();
        while out.len() < max && passed < candidates {
            let Some(name) = self.available.pop_front() else {
                break;
            };
            passed += 1;
            let Some(g) = self.groups.get_mut(&name) else {
                continue;
            };
            g.listed = false;
            let mut i = 0;
            while out.len() < max && i < g.keys.len() {
                match state_of(g.keys[i]) {
                    None => {
                        g.keys.remove(i);
                    }
                    Some(State::Ready) => {
                        out.push(g.keys[i]);
                        g.in_flight += 1;
                        i += 1;
                    }
                    // An in-flight or delayed message blocks the rest of its group until it
                    // becomes ready (then the group is listed again) or leaves.
                    Some(_) => break,
                }
            }
            if g.keys.is_empty() && g.in_flight == 0 {
                self.groups.remove(&name);
            }
        }
        out
    }

    /// PurgeQueue: every message, and with them the deduplication ids and receive attempts.
    pub(crate) fn clear(&mut self) {
        self.groups.clear();
        self.available.clear();
        self.dedup = DedupWindow::default();
        self.attempts = AttemptCache::default();
    }
}

/// What a deduplication id resolved to the first time it was sent.
#[derive(Debug, Clone)]
pub(crate) struct Original {
    pub message_id: MessageId,
    pub sequence_number: u128,
    expires_at: Micros,
}

/// Deduplication ids seen in the last five minutes, expired in arrival order.
#[derive(Debug, Default)]
pub(crate) struct DedupWindow {
    seen: FxHashMap<String, Original>,
    order: VecDeque<(Micros, String)>,
}

impl DedupWindow {
    pub(crate) fn expire(&mut self, now: Micros) {
        while let Some((at, _)) = self.order.front() {
            if *at > now {
                break;
            }
            let (at, key) = self.order.pop_front().expect("front exists");
            if self.seen.get(&key).is_some_and(|o| o.expires_at == at) {
                self.seen.remove(&key);
            }
        }
    }

    pub(crate) fn lookup(&self, key: &str) -> Option<&Original> {
        self.seen.get(key)
    }

    pub(crate) fn record(
        &mut self,
        now: Micros,
        key: String,
        message_id: MessageId,
        sequence_number: u128,
    ) {
        let expires_at = now + DEDUP_WINDOW;
        self.order.push_back((expires_at, key.clone()));
        self.seen.insert(
            key,
            Original {
                message_id,
                sequence_number,
                expires_at,
            },
        );
    }
}

/// A receive made with a ReceiveRequestAttemptId: which messages (and receive generations) it
/// returned, so that a retry inside five minutes gets the same messages and receipt handles.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub deliveries: Vec<(u64, u32, Micros)>,
    pub made_at: Micros,
}

#[derive(Debug, Default)]
pub(crate) struct AttemptCache {
    attempts: FxHashMap<String, Attempt>,
    order: VecDeque<(Micros, String)>,
}

impl AttemptCache {
    pub(crate) fn expire(&mut self, now: Micros) {
        while let Some((at, _)) = self.order.front() {
            if at + DEDUP_WINDOW > now {
                break;
            }
            let (at, id) = self.order.pop_front().expect("front exists");
            if self.attempts.get(&id).is_some_and(|a| a.made_at == at) {
                self.attempts.remove(&id);
            }
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Attempt> {
        self.attempts.get(id)
    }

    pub(crate) fn record(&mut self, id: String, attempt: Attempt) {
        self.order.push_back((attempt.made_at, id.clone()));
        self.attempts.insert(id, attempt);
    }

    pub(crate) fn forget(&mut self, id: &str) {
        self.attempts.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(_: u64) -> Option<State> {
        Some(State::Ready)
    }

    #[test]
    fn a_group_is_locked_while_in_flight() {
        let mut f = FifoOrder::new();
        let a: Arc<str> = "a".into();
        let b: Arc<str> = "b".into();
        f.append(&a, 1);
        f.append(&a, 2);
        f.append(&b, 3);
        assert_eq!(f.take(1, ready), vec![1]);
        // Group a is locked: the next receive can only come from b.
        assert_eq!(f.take(10, ready), vec![3]);
        assert!(f.take(10, ready).is_empty());
        f.remove(&a, 1, true);
        assert_eq!(f.take(10, ready), vec![2]);
    }

    #[test]
    fn dedup_window_expires_after_five_minutes() {
        let mut w = DedupWindow::default();
        w.record(0, "d".into(), MessageId::from_bits(7), 1);
        w.expire(DEDUP_WINDOW - 1);
        assert!(w.lookup("d").is_some());
        w.expire(DEDUP_WINDOW);
        assert!(w.lookup("d").is_none());
    }
}
