//! Receiving from a queue: messages taken in order (standard or FIFO group locks), made
//! invisible, replayed for a FIFO receive attempt id, and moved out past maxReceiveCount.
//! Part of `Queue`.

use super::*;

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

impl Queue {
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
                self.deliver_taken(key, now, visibility, max_receives, &mut outcome);
            }
        }
        if request.break_order && self.is_fifo() {
            outcome.reordered += break_group_order(&mut outcome.delivered);
        }
        if let Some(id) = &request.attempt_id {
            self.record_attempt(id, &outcome.delivered, now);
        }
        Ok(outcome)
    }

    /// Delivers one taken message: out to the dead-letter list when it has been received
    /// maxReceiveCount times, else in flight until `now + visibility` under a new receipt.
    fn deliver_taken(
        &mut self,
        key: u64,
        now: Micros,
        visibility: Micros,
        max_receives: Option<u32>,
        outcome: &mut ReceiveOutcome,
    ) {
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
            return;
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

    /// Remembers a FIFO receive's deliveries under its ReceiveRequestAttemptId, so a retry of
    /// the same attempt gets them again.
    fn record_attempt(&mut self, id: &str, delivered: &[Delivery], now: Micros) {
        let Order::Fifo(f) = &mut self.order else {
            return;
        };
        let deliveries = delivered
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
            id.to_string(),
            Attempt {
                deliveries,
                made_at: now,
            },
        );
    }

    /// Pops the next deliverable keys without changing their state (FIFO marks groups locked).
    pub(super) fn take(&mut self, wanted: usize) -> Vec<u64> {
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
    pub(super) fn remove_taken(&mut self, key: u64) -> Message {
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
