//! Sending to a queue: a message checked (body, attributes, size, delay, FIFO ids), FIFO
//! deduplication, and storing it where the fault layer's fate says; messages arriving from
//! another queue (dead letters, moves back) stored the same way. Part of `Queue`.

use super::*;

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

impl Queue {
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
        let dedup_key = self.deduplication(&new, group.as_deref())?;
        if let (Order::Fifo(f), Some((key, _))) = (&mut self.order, &dedup_key) {
            if let Some(original) = f.dedup.lookup(key) {
                receipt.message_id = original.message_id;
                receipt.sequence_number = Some(original.sequence_number);
                receipt.deduplicated = true;
                return Ok(receipt);
            }
            receipt.sequence_number = Some(f.next_sequence());
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
        let dedup_id = dedup_key.map(|(_, id)| id);
        let message = self.message_of(now, new, &receipt, group, dedup_id);
        self.store(now, message, fate);
        receipt.stored = true;
        Ok(receipt)
    }

    /// A FIFO message's deduplication: the key its window is looked up by (per queue or per
    /// group) and its MessageDeduplicationId. None on a standard queue.
    fn deduplication(
        &self,
        new: &NewMessage,
        group: Option<&str>,
    ) -> SqsResult<Option<(String, String)>> {
        if !self.is_fifo() {
            return Ok(None);
        }
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
                format!("{}\u{0}{}", group.unwrap_or(""), dedup_id)
            }
        };
        Ok(Some((key, dedup_id)))
    }

    /// The stored form of a message accepted by `send`: its key, delay, sorted attributes and
    /// the digests and ids the receipt already holds.
    fn message_of(
        &mut self,
        now: Micros,
        new: NewMessage,
        receipt: &SendReceipt,
        group: Option<Arc<str>>,
        dedup_id: Option<String>,
    ) -> Message {
        // On a FIFO queue the only per-message delay allowed, 0, means the queue's delay.
        let delay = match new.delay_seconds {
            Some(d) if !self.is_fifo() => d as Micros,
            _ => self.settings.delay_seconds as Micros,
        } * MICROS_PER_SEC;
        let mut attributes = new.attributes;
        attributes.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let key = self.next_key;
        self.next_key += 1;
        Message {
            key,
            id: receipt.message_id,
            body: new.body,
            body_md5: receipt.body_md5,
            attributes: if attributes.is_empty() {
                no_attributes()
            } else {
                Arc::from(attributes)
            },
            attributes_md5: receipt.attributes_md5,
            trace_header: new.trace_header.map(Arc::from),
            group_id: group,
            deduplication_id: dedup_id.map(Arc::from),
            sequence_number: receipt.sequence_number,
            dead_letter_source_arn: None,
            sent_at: now,
            visible_at: now + delay,
            receive_count: 0,
            first_received_at: None,
            generation: 0,
            deadline_ceiling: 0,
            state: State::Ready,
        }
    }

    pub(super) fn store(&mut self, now: Micros, mut message: Message, fate: SendFate) {
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
}

/// MD5OfMessageSystemAttributes for the one sendable system attribute, AWSTraceHeader.
fn trace_header_md5(value: &str) -> [u8; 16] {
    use crate::model::message::{AttributeValue, MessageAttribute};
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
