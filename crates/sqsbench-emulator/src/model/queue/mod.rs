//! One queue's state and every operation on it, synchronous and with `now` passed in: sending
//! (`send`: validation, FIFO deduplication, messages arriving from other queues), receiving
//! (`receive`: visibility, group locks, redrive), and here deleting, visibility changes, moves
//! out, retention and purge. Fault decisions arrive as arguments, never drawn here. The files
//! below import from here, never the other way.

pub(crate) mod receive;
pub(crate) mod send;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;

use super::fifo::{Attempt, FifoOrder};
use super::message::{
    MICROS_PER_SEC, Message, MessageId, Micros, NewMessage, State, attributes_md5, attributes_size,
    check_attributes, check_token, hex, md5_of, no_attributes, valid_characters,
};
use super::receipt::{Receipt, ReceiptText};
use super::settings::{DeduplicationScope, Settings};
use super::standard::StandardOrder;
use super::store::MessageStore;
use crate::error::{ErrorCode, SqsError, SqsResult};
use crate::splitmix::Mix;

const TWELVE_HOURS: Micros = 43_200 * MICROS_PER_SEC;
/// SQS's in-flight ceiling for standard queues (short polls beyond it get OverLimit).
pub(crate) const STANDARD_IN_FLIGHT_LIMIT: u64 = 120_000;
pub(crate) const MAX_BATCH_BYTES: usize = 1_048_576;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub ready: u64,
    pub in_flight: u64,
    pub delayed: u64,
}

enum Order {
    Standard(StandardOrder),
    Fifo(FifoOrder),
}

pub(crate) struct Queue {
    pub name: String,
    pub arn: String,
    pub settings: Settings,
    pub tags: BTreeMap<String, String>,
    pub created_at: Micros,
    pub modified_at: Micros,
    tag: u32,
    messages: MessageStore,
    ghosts: rustc_hash::FxHashSet<u64>,
    next_key: u64,
    delayed: BinaryHeap<Reverse<(Micros, u64)>>,
    in_flight: BinaryHeap<Reverse<(Micros, u64, u32)>>,
    counts: Counts,
    order: Order,
    ids: Mix,
    last_purge: Option<Micros>,
}

impl Queue {
    pub(crate) fn new(name: &str, arn: &str, settings: Settings, now: Micros, seed: u64) -> Self {
        let mut ids = Mix::new(seed);
        let tag = ids.next_u64() as u32;
        Queue {
            name: name.to_string(),
            arn: arn.to_string(),
            order: if settings.fifo {
                Order::Fifo(FifoOrder::new())
            } else {
                Order::Standard(StandardOrder::default())
            },
            settings,
            tags: BTreeMap::new(),
            created_at: now,
            modified_at: now,
            tag,
            messages: MessageStore::default(),
            ghosts: Default::default(),
            next_key: 0,
            delayed: BinaryHeap::new(),
            in_flight: BinaryHeap::new(),
            counts: Counts::default(),
            ids,
            last_purge: None,
        }
    }

    pub(crate) fn is_fifo(&self) -> bool {
        self.settings.fifo
    }

    #[cfg(test)]
    pub(crate) fn counts(&self) -> Counts {
        self.counts
    }

    /// Applies everything that time alone changes: delays ending, visibility expiring,
    /// retention running out, dedup and attempt windows closing.
    pub(crate) fn tick(&mut self, now: Micros) {
        while let Some(Reverse((at, key))) = self.delayed.peek().copied() {
            if at > now {
                break;
            }
            self.delayed.pop();
            if let Some(m) = self.messages.get_mut(&key)
                && m.state == State::Delayed
            {
                m.state = State::Ready;
                self.counts.delayed -= 1;
                self.counts.ready += 1;
                let group = m.group_id.clone();
                self.make_ready(key, group, false);
            }
        }
        while let Some(Reverse((deadline, key, generation))) = self.in_flight.peek().copied() {
            if deadline > now {
                break;
            }
            self.in_flight.pop();
            if let Some(m) = self.messages.get_mut(&key)
                && m.state
                    == (State::InFlight {
                        generation,
                        deadline,
                    })
            {
                m.state = State::Ready;
                self.counts.in_flight -= 1;
                self.counts.ready += 1;
                let group = m.group_id.clone();
                self.make_ready(key, group, true);
            }
        }
        let retention = self.settings.retention_seconds as Micros * MICROS_PER_SEC;
        while let Some(oldest) = self.messages.front() {
            if oldest.sent_at + retention > now {
                break;
            }
            let key = oldest.key;
            self.remove(key);
        }
        if let Order::Fifo(f) = &mut self.order {
            f.dedup.expire(now);
            f.attempts.expire(now);
        }
    }

    fn make_ready(&mut self, key: u64, group: Option<Arc<str>>, was_in_flight: bool) {
        match &mut self.order {
            Order::Standard(s) if was_in_flight => s.push_returned(key),
            Order::Standard(s) => s.push(key),
            Order::Fifo(f) => {
                if let Some(g) = group {
                    f.on_ready(&g, was_in_flight);
                }
            }
        }
    }

    /// The earliest instant at which time alone will make a message deliverable.
    pub(crate) fn next_due(&self) -> Option<Micros> {
        let d = self.delayed.peek().map(|Reverse((at, _))| *at);
        let v = self.in_flight.peek().map(|Reverse((at, _, _))| *at);
        match (d, v) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Removes a message wherever it is; returns it.
    fn remove(&mut self, key: u64) -> Option<Message> {
        let m = self.messages.remove(&key)?;
        self.ghosts.remove(&key);
        let in_flight = matches!(m.state, State::InFlight { .. });
        match m.state {
            State::Delayed => self.counts.delayed -= 1,
            State::Ready => self.counts.ready -= 1,
            State::InFlight { .. } => self.counts.in_flight -= 1,
        }
        if let (Order::Fifo(f), Some(g)) = (&mut self.order, &m.group_id) {
            f.remove(g, key, in_flight);
        }
        Some(m)
    }

    fn resolve(&self, handle: &str) -> SqsResult<Receipt> {
        match Receipt::decode(handle) {
            Some(r) if r.queue_tag == self.tag => Ok(r),
            _ => Err(SqsError::new(
                ErrorCode::ReceiptHandleIsInvalid,
                format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
            )),
        }
    }

    fn expired_handle(handle: &str) -> SqsError {
        SqsError::invalid_parameter(format!(
            "Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
        ))
    }

    /// Deletes by receipt handle. On a standard queue, `leave_ghost` (the duplicate fault)
    /// answers success but keeps the message, which is delivered again later.
    pub(crate) fn delete(&mut self, now: Micros, handle: &str, leave_ghost: bool) -> SqsResult<()> {
        self.tick(now);
        let receipt = self.resolve(handle)?;
        let Some(m) = self.messages.get_mut(&receipt.key) else {
            return Ok(());
        };
        let current = matches!(m.state, State::InFlight { generation, .. } if generation == receipt.generation);
        if self.settings.fifo && !current {
            return Err(Self::expired_handle(handle));
        }
        if leave_ghost && !self.settings.fifo && current {
            m.state = State::Ready;
            self.counts.in_flight -= 1;
            self.counts.ready += 1;
            self.ghosts.insert(receipt.key);
            self.make_ready(receipt.key, None, true);
            return Ok(());
        }
        self.remove(receipt.key);
        Ok(())
    }

    pub(crate) fn change_visibility(
        &mut self,
        now: Micros,
        handle: &str,
        timeout: i64,
    ) -> SqsResult<()> {
        self.tick(now);
        if !(0..=43_200).contains(&timeout) {
            return Err(SqsError::invalid_parameter(format!(
                "Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."
            )));
        }
        let receipt = self.resolve(handle)?;
        let Some(m) = self.messages.get_mut(&receipt.key) else {
            return Err(SqsError::invalid_parameter(format!(
                "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
            )));
        };
        let current = match m.state {
            State::InFlight { generation, .. } => generation,
            _ if self.settings.fifo => return Err(Self::expired_handle(handle)),
            // Standard: a message no longer in flight (its visibility lapsed, or was set to 0)
            // takes the change as a success that changes nothing, as SQS answers it.
            _ => return Ok(()),
        };
        if current != receipt.generation && self.settings.fifo {
            return Err(Self::expired_handle(handle));
        }
        // Standard: an older receipt of the message changes its current receive, as in SQS.
        let generation = current;
        let deadline = now + timeout as Micros * MICROS_PER_SEC;
        if deadline > m.deadline_ceiling {
            return Err(beyond_ceiling());
        }
        if timeout == 0 {
            m.state = State::Ready;
            self.counts.in_flight -= 1;
            self.counts.ready += 1;
            let group = m.group_id.clone();
            self.make_ready(receipt.key, group, true);
        } else {
            m.state = State::InFlight {
                generation,
                deadline,
            };
            self.in_flight
                .push(Reverse((deadline, receipt.key, generation)));
        }
        Ok(())
    }

    /// Removes up to `max` deliverable messages, in delivery order, for a move task: what a
    /// receive would hand out, taken away instead (in-flight and delayed messages stay).
    pub(crate) fn take_for_move(&mut self, now: Micros, max: usize) -> Vec<Message> {
        self.tick(now);
        let keys = self.take(max);
        keys.into_iter().map(|key| self.remove_taken(key)).collect()
    }

    /// Messages a receive could have now: a move task's ApproximateNumberOfMessagesToMove.
    pub(crate) fn visible_count(&mut self, now: Micros) -> u64 {
        self.tick(now);
        self.counts.ready
    }

    pub(crate) fn purge(&mut self, now: Micros) -> SqsResult<()> {
        if self
            .last_purge
            .is_some_and(|t| now < t + 60 * MICROS_PER_SEC)
        {
            return Err(SqsError::new(
                ErrorCode::PurgeQueueInProgress,
                format!(
                    "Only one PurgeQueue operation on {} is allowed every 60 seconds.",
                    self.name
                ),
            ));
        }
        self.last_purge = Some(now);
        self.messages.clear();
        self.ghosts.clear();
        self.delayed.clear();
        self.in_flight.clear();
        self.counts = Counts::default();
        match &mut self.order {
            Order::Standard(s) => s.clear(),
            Order::Fifo(f) => f.clear(),
        }
        Ok(())
    }

    /// Visible, in-flight and delayed messages now (what the depth attributes report).
    pub(crate) fn depth(&mut self, now: Micros) -> Counts {
        self.tick(now);
        self.counts
    }

    /// The full attribute map: settable attributes plus the read-only counters and identity.
    pub(crate) fn attributes(&mut self, now: Micros) -> BTreeMap<String, String> {
        self.tick(now);
        let mut out = self.settings.render();
        out.insert(
            "ApproximateNumberOfMessages".into(),
            self.counts.ready.to_string(),
        );
        out.insert(
            "ApproximateNumberOfMessagesNotVisible".into(),
            self.counts.in_flight.to_string(),
        );
        out.insert(
            "ApproximateNumberOfMessagesDelayed".into(),
            self.counts.delayed.to_string(),
        );
        out.insert(
            "CreatedTimestamp".into(),
            (self.created_at / MICROS_PER_SEC).to_string(),
        );
        out.insert(
            "LastModifiedTimestamp".into(),
            (self.modified_at / MICROS_PER_SEC).to_string(),
        );
        out.insert("QueueArn".into(), self.arn.clone());
        out
    }

    #[cfg(test)]
    pub(crate) fn message_count(&self) -> usize {
        self.messages.len()
    }
}

/// A visibility change past 12 hours from the message's receive.
fn beyond_ceiling() -> SqsError {
    SqsError::invalid_parameter(
        "Value for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
    )
}
