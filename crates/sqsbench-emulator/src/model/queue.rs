//! One queue's state and every operation on it, synchronous and with `now` passed in: sending
//! (validation, FIFO deduplication), receiving (visibility, group locks, redrive), deleting,
//! visibility changes, retention and purge. Fault decisions arrive as arguments, never drawn here.

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

/// What the fault layer decided for one accepted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendFate {
    Keep,
    /// Accept with 200 and store nothing: the loss fault.
    Drop,
    /// Store it this many places ahead of its send position: the reorder fault.
    Ahead(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct SendReceipt {
    pub message_id: MessageId,
    pub body_md5: [u8; 16],
    pub attributes_md5: Option<[u8; 16]>,
    pub trace_md5: Option<[u8; 16]>,
    pub sequence_number: Option<u128>,
    /// A FIFO resend inside the deduplication window: accepted, nothing stored.
    pub deduplicated: bool,
    pub stored: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ReceiveRequest {
    pub max: usize,
    pub visibility_timeout: Option<u32>,
    pub attempt_id: Option<String>,
    pub long_poll: bool,
    /// FIFO self-test fault: deliver a group's messages in the wrong order.
    pub break_order: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub message: Message,
    pub receipt_handle: ReceiptText,
}

#[derive(Debug, Default)]
pub(crate) struct ReceiveOutcome {
    pub delivered: Vec<Delivery>,
    /// Messages past maxReceiveCount, removed here, for the broker to hand to the DLQ.
    pub dead_lettered: Vec<Message>,
    /// Deliveries of ghosts left by the duplicate fault (injected duplicates, counted on arrival).
    pub ghost_deliveries: u64,
    pub reordered: u64,
}

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

    /// Checks and stores one message. `batched` applies the batch rule that a lowered
    /// MaximumMessageSize is ignored (the 1 MiB batch total is checked by the caller).
    pub(crate) fn send(
        &mut self,
        now: Micros,
        new: NewMessage,
        fate: SendFate,
        batched: bool,
    ) -> SqsResult<SendReceipt> {
        self.tick(now);
        self.check_message(&new, batched)?;
        let body_md5 = new.body_md5.unwrap_or_else(|| md5_of(new.body.as_bytes()));
        let attributes_md5 = attributes_md5(&new.attributes);
        let trace_md5 = new.trace_header.as_ref().map(|t| trace_header_md5(t));
        let mut receipt = SendReceipt {
            message_id: MessageId::default(),
            body_md5,
            attributes_md5,
            trace_md5,
            sequence_number: None,
            deduplicated: false,
            stored: false,
        };
        let group: Option<Arc<str>> = new.group_id.as_deref().map(Arc::from);
        let mut dedup_key = None;
        if let Order::Fifo(f) = &mut self.order {
            let dedup_id = match (
                &new.deduplication_id,
                self.settings.content_based_deduplication,
            ) {
                (Some(id), _) => id.clone(),
                (None, true) => hex(&sha256(new.body.as_bytes())),
                (None, false) => {
                    return Err(SqsError::invalid_parameter(
                        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                    ));
                }
            };
            let key = match self.settings.deduplication_scope {
                DeduplicationScope::Queue => dedup_id.clone(),
                DeduplicationScope::MessageGroup => {
                    format!("{}\u{0}{}", group.as_deref().unwrap_or(""), dedup_id)
                }
            };
            if let Some(original) = f.dedup.lookup(&key) {
                receipt.message_id = original.message_id;
                receipt.sequence_number = Some(original.sequence_number);
                receipt.deduplicated = true;
                return Ok(receipt);
            }
            receipt.sequence_number = Some(f.next_sequence());
            dedup_key = Some((key, dedup_id));
        }
        receipt.message_id = MessageId::from_bits(self.ids.next_u128());
        if let (Order::Fifo(f), Some((key, _))) = (&mut self.order, &dedup_key) {
            f.dedup.record(
                now,
                key.clone(),
                receipt.message_id,
                receipt.sequence_number.unwrap_or(0),
            );
        }
        if fate == SendFate::Drop {
            return Ok(receipt);
        }
        // On a FIFO queue the only per-message delay allowed, 0, means the queue's delay.
        let delay = match new.delay_seconds {
            Some(d) if !self.is_fifo() => d as Micros,
            _ => self.settings.delay_seconds as Micros,
        } * MICROS_PER_SEC;
        let mut attributes = new.attributes;
        attributes.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let key = self.next_key;
        self.next_key += 1;
        let message = Message {
            key,
            id: receipt.message_id,
            body: new.body,
            body_md5,
            attributes: if attributes.is_empty() {
                no_attributes()
            } else {
                Arc::from(attributes)
            },
            attributes_md5,
            trace_header: new.trace_header.map(Arc::from),
            group_id: group,
            deduplication_id: dedup_key.map(|(_, id)| Arc::from(id)),
            sequence_number: receipt.sequence_number,
            dead_letter_source_arn: None,
            sent_at: now,
            visible_at: now + delay,
            receive_count: 0,
            first_received_at: None,
            generation: 0,
            deadline_ceiling: 0,
            state: State::Ready,
        };
        self.store(now, message, fate);
        receipt.stored = true;
        Ok(receipt)
    }

    fn store(&mut self, now: Micros, mut message: Message, fate: SendFate) {
        let key = message.key;
        let ready = message.visible_at <= now;
        if ready {
            message.state = State::Ready;
            self.counts.ready += 1;
        } else {
            message.state = State::Delayed;
            self.counts.delayed += 1;
            self.delayed.push(Reverse((message.visible_at, key)));
        }
        let group = message.group_id.clone();
        self.messages.insert(key, message);
        match (&mut self.order, fate) {
            // A FIFO group keeps send order whether or not its head is delayed.
            (Order::Fifo(f), _) => {
                if let Some(g) = group {
                    f.append(&g, key);
                }
            }
            (Order::Standard(_), _) if !ready => {}
            (Order::Standard(s), SendFate::Ahead(n)) => s.push_ahead(key, n),
            (Order::Standard(s), _) => s.push(key),
        }
    }

    fn check_message(&self, new: &NewMessage, batched: bool) -> SqsResult<()> {
        if new.body.is_empty() {
            return Err(SqsError::missing("MessageBody"));
        }
        if !valid_characters(&new.body) {
            return Err(SqsError::new(
                ErrorCode::InvalidMessageContents,
                "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
            ));
        }
        check_attributes(&new.attributes)?;
        let limit = if batched {
            MAX_BATCH_BYTES
        } else {
            self.settings.maximum_message_size as usize
        };
        let size = new.body.len() + attributes_size(&new.attributes);
        if size > limit {
            return Err(SqsError::invalid_parameter(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than {limit} bytes."
            )));
        }
        if let Some(d) = new.delay_seconds {
            if !(0..=900).contains(&d) {
                return Err(SqsError::invalid_parameter(format!(
                    "Value {d} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
                )));
            }
            if self.is_fifo() && d != 0 {
                return Err(SqsError::invalid_parameter(format!(
                    "Value {d} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
                )));
            }
        }
        if let Some(g) = &new.group_id {
            check_token("MessageGroupId", g)?;
        }
        if self.is_fifo() {
            if new.group_id.is_none() {
                return Err(SqsError::new(
                    ErrorCode::MissingParameter,
                    "The request must contain the parameter MessageGroupId.",
                ));
            }
            if let Some(d) = &new.deduplication_id {
                check_token("MessageDeduplicationId", d)?;
            }
        } else if new.deduplication_id.is_some() {
            return Err(SqsError::invalid_parameter(
                "Value for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.",
            ));
        }
        Ok(())
    }

    /// What a FIFO queue refuses of a whole batch before sending any of it, as SQS does: an
    /// entry without MessageGroupId, or without MessageDeduplicationId when the queue does not
    /// deduplicate by content.
    pub(crate) fn check_fifo_batch<'m>(
        &self,
        messages: impl IntoIterator<Item = &'m NewMessage>,
    ) -> SqsResult<()> {
        if !self.is_fifo() {
            return Ok(());
        }
        for m in messages {
            if m.group_id.is_none() {
                return Err(SqsError::invalid_parameter(
                    "The request must contain the parameter MessageGroupId.",
                ));
            }
            if m.deduplication_id.is_none() && !self.settings.content_based_deduplication {
                return Err(SqsError::invalid_parameter(
                    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                ));
            }
        }
        Ok(())
    }

    /// Delivers up to `max` messages, making them invisible for the visibility timeout.
    /// Messages already received maxReceiveCount times are removed into `dead_lettered` instead.
    pub(crate) fn receive(
        &mut self,
        now: Micros,
        request: &ReceiveRequest,
    ) -> SqsResult<ReceiveOutcome> {
        self.tick(now);
        let mut outcome = ReceiveOutcome::default();
        if let (Order::Fifo(f), Some(id)) = (&mut self.order, &request.attempt_id)
            && let Some(attempt) = f.attempts.get(id).cloned()
        {
            if let Some(replayed) = self.replay(now, &attempt, request) {
                outcome.delivered = replayed;
                return Ok(outcome);
            }
            if let Order::Fifo(f) = &mut self.order {
                f.attempts.forget(id);
            }
        }
        if !self.is_fifo() && self.counts.in_flight >= STANDARD_IN_FLIGHT_LIMIT {
            if request.long_poll {
                return Ok(outcome);
            }
            return Err(SqsError::new(
                ErrorCode::OverLimit,
                "Too many messages in flight for this queue.",
            ));
        }
        let max = request.max.clamp(1, 10);
        let visibility = request
            .visibility_timeout
            .unwrap_or(self.settings.visibility_timeout) as Micros
            * MICROS_PER_SEC;
        let max_receives = self.settings.redrive.as_ref().map(|r| r.max_receive_count);
        while outcome.delivered.len() < max {
            let wanted = max - outcome.delivered.len();
            let keys = self.take(wanted);
            if keys.is_empty() {
                break;
            }
            // Once, for the whole receive: growing one push at a time reallocated three times.
            outcome.delivered.reserve_exact(wanted);
            for key in keys {
                // A ghost is the copy another replica still holds: it never saw this message's
                // receives, so it arrives as a first receive and is never redriven.
                let ghost = self.ghosts.remove(&key);
                let receive_count = self
                    .messages
                    .get(&key)
                    .expect("taken key is stored")
                    .receive_count;
                if !ghost && max_receives.is_some_and(|limit| receive_count >= limit) {
                    let m = self.remove_taken(key);
                    outcome.dead_lettered.push(m);
                    continue;
                }
                let m = self.messages.get_mut(&key).expect("taken key is stored");
                if ghost {
                    outcome.ghost_deliveries += 1;
                    m.receive_count = 0;
                    // Its first receive is this one: a stamp from the earlier call would put
                    // the instant outside the call that got it (clients bound clocks by it).
                    m.first_received_at = None;
                }
                m.receive_count += 1;
                m.generation += 1;
                m.first_received_at.get_or_insert(now);
                m.deadline_ceiling = now + TWELVE_HOURS;
                let deadline = now + visibility;
                m.state = State::InFlight {
                    generation: m.generation,
                    deadline,
                };
                self.counts.ready -= 1;
                self.counts.in_flight += 1;
                self.in_flight.push(Reverse((deadline, key, m.generation)));
                let receipt_handle = Receipt {
                    queue_tag: self.tag,
                    key,
                    generation: m.generation,
                }
                .encode();
                outcome.delivered.push(Delivery {
                    message: m.clone(),
                    receipt_handle,
                });
            }
        }
        if request.break_order && self.is_fifo() {
            outcome.reordered += break_group_order(&mut outcome.delivered);
        }
        if let (Order::Fifo(f), Some(id)) = (&mut self.order, &request.attempt_id) {
            let deliveries = outcome
                .delivered
                .iter()
                .map(|d| match d.message.state {
                    State::InFlight {
                        generation,
                        deadline,
                    } => (d.message.key, generation, deadline),
                    _ => (d.message.key, 0, 0),
                })
                .collect();
            f.attempts.record(
                id.clone(),
                Attempt {
                    deliveries,
                    made_at: now,
                },
            );
        }
        Ok(outcome)
    }

    /// Pops the next deliverable keys without changing their state (FIFO marks groups locked).
    fn take(&mut self, wanted: usize) -> Vec<u64> {
        match &mut self.order {
            Order::Standard(s) => {
                let mut keys = Vec::with_capacity(wanted);
                while keys.len() < wanted {
                    let Some(key) = s.pop() else { break };
                    if self
                        .messages
                        .get(&key)
                        .is_some_and(|m| m.state == State::Ready)
                    {
                        keys.push(key);
                    }
                }
                keys
            }
            Order::Fifo(f) => {
                let messages = &self.messages;
                f.take(wanted, |k| messages.get(&k).map(|m| m.state))
            }
        }
    }

    /// Removes a message that `take` handed out but that is being dead-lettered or moved instead.
    fn remove_taken(&mut self, key: u64) -> Message {
        let m = self.messages.remove(&key).expect("taken key is stored");
        self.ghosts.remove(&key);
        self.counts.ready -= 1;
        if let (Order::Fifo(f), Some(g)) = (&mut self.order, &m.group_id) {
            // `take` counted it in flight for its group.
            f.remove(g, key, true);
        }
        m
    }

    fn replay(
        &mut self,
        now: Micros,
        attempt: &Attempt,
        request: &ReceiveRequest,
    ) -> Option<Vec<Delivery>> {
        let still_held = attempt
            .deliveries
            .iter()
            .all(|(key, generation, deadline)| {
                self.messages.get(key).is_some_and(|m| {
                    m.state
                        == State::InFlight {
                            generation: *generation,
                            deadline: *deadline,
                        }
                        && *deadline > now
                })
            });
        if !still_held || attempt.deliveries.is_empty() {
            return None;
        }
        let visibility = request
            .visibility_timeout
            .unwrap_or(self.settings.visibility_timeout) as Micros
            * MICROS_PER_SEC;
        let mut out = Vec::new();
        for (key, generation, _) in &attempt.deliveries {
            let m = self.messages.get_mut(key).expect("checked above");
            let deadline = now + visibility;
            m.state = State::InFlight {
                generation: *generation,
                deadline,
            };
            self.in_flight.push(Reverse((deadline, *key, *generation)));
            out.push(Delivery {
                message: m.clone(),
                receipt_handle: Receipt {
                    queue_tag: self.tag,
                    key: *key,
                    generation: *generation,
                }
                .encode(),
            });
        }
        let renewed = out
            .iter()
            .map(|d| match d.message.state {
                State::InFlight {
                    generation,
                    deadline,
                } => (d.message.key, generation, deadline),
                _ => (d.message.key, 0, 0),
            })
            .collect();
        if let (Order::Fifo(f), Some(id)) = (&mut self.order, &request.attempt_id) {
            f.attempts.record(
                id.clone(),
                Attempt {
                    deliveries: renewed,
                    made_at: attempt.made_at,
                },
            );
        }
        Some(out)
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

    /// Takes in a message moved from a source queue past its maxReceiveCount.
    /// Stores a message the queue's source dead-lettered: it keeps its receive count and
    /// remembers where it came from, for a move task that takes it back.
    pub(crate) fn accept_dead_letter(
        &mut self,
        now: Micros,
        mut message: Message,
        source_arn: &str,
    ) {
        // A queue that is its own dead-letter target (SQS accepts such a RedrivePolicy) takes
        // the message back with its receive count reset: kept, its next receive would
        // dead-letter it again, for ever. Our reading; real SQS's behaviour was not observed.
        if source_arn == &*self.arn {
            message.receive_count = 0;
            message.first_received_at = None;
        }
        self.admit(now, message, Some(Arc::from(source_arn)));
    }

    /// Stores a message a move task took out of another queue: a fresh start here, its receive
    /// count cleared (kept, the first receive would dead-letter it again), its id kept.
    pub(crate) fn accept_moved(&mut self, now: Micros, mut message: Message) {
        message.receive_count = 0;
        message.first_received_at = None;
        self.admit(now, message, None);
    }

    /// A message arriving from another queue: visible now, in this queue's order.
    fn admit(&mut self, now: Micros, mut message: Message, source_arn: Option<Arc<str>>) {
        self.tick(now);
        message.key = self.next_key;
        self.next_key += 1;
        let dead_lettered = source_arn.is_some();
        message.dead_letter_source_arn = source_arn;
        message.visible_at = now;
        message.generation = 0;
        if let Order::Fifo(f) = &mut self.order {
            message.sequence_number = Some(f.next_sequence());
            // SQS gives a dead-lettered FIFO message its id as deduplication id; a moved one
            // keeps its own.
            if dead_lettered || message.deduplication_id.is_none() {
                message.deduplication_id = Some(Arc::from(message.id.text().as_str()));
            }
            if message.group_id.is_none() {
                message.group_id = Some(Arc::from("dead-letter"));
            }
        }
        self.store(now, message, SendFate::Keep);
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

/// The FIFO-breaking self-test fault: swap the first two deliveries of one group.
fn break_group_order(delivered: &mut [Delivery]) -> u64 {
    for i in 0..delivered.len().saturating_sub(1) {
        if delivered[i].message.group_id == delivered[i + 1].message.group_id {
            delivered.swap(i, i + 1);
            return 1;
        }
    }
    0
}

/// MD5OfMessageSystemAttributes for the one sendable system attribute, AWSTraceHeader.
fn trace_header_md5(value: &str) -> [u8; 16] {
    use super::message::{AttributeValue, MessageAttribute};
    attributes_md5(&[(
        "AWSTraceHeader".to_string(),
        MessageAttribute {
            data_type: "String".into(),
            value: AttributeValue::Text(value.to_string()),
        },
    )])
    .expect("one attribute")
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).into()
}

/// A visibility change past 12 hours from the message's receive.
fn beyond_ceiling() -> SqsError {
    SqsError::invalid_parameter(
        "Value for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
    )
}
