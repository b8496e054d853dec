//! The stateful core the wire layer calls: queues by name, each behind its own lock, with quotas
//! and faults applied around the pure model, long polls that wake the moment a message arrives,
//! and dead-letter moves between queues. Knows nothing of HTTP or JSON. The catalog (queues made,
//! listed and deleted, attributes, permissions, tags) is `catalog.rs`; messages are here.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustc_hash::FxHashMap;
use tokio::sync::Notify;

use crate::config::EmulatorConfig;
use crate::error::{ErrorCode, SqsError, SqsResult};
use crate::events::Events;
use crate::faults::{Faults, Injected};
use crate::model::md5_lanes::md5_many;
use crate::model::queue::MAX_BATCH_BYTES;
use crate::model::{Delivery, Micros, NewMessage, Queue, ReceiveRequest, SendReceipt};
use crate::move_tasks::registry::MoveTasks;
use crate::quota::{Action, QueueQuota};
use crate::splitmix::Mix;
use crate::stats::{DeliveryTally, QueueFaults, RequestTally};
use crate::topics::Topics;

mod catalog;

pub(crate) fn now_micros() -> Micros {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as Micros)
        .unwrap_or(0)
}

struct QueueState {
    queue: Queue,
    quota: QueueQuota,
    /// Calls the quota refused, by `quota::Action` (live metrics).
    throttled: [u64; 4],
    /// Messages moved into this queue as dead letters (live metrics).
    dead_letters_in: u64,
    faults: QueueFaults,
    /// This queue's fault stream: decisions made under the queue's lock, so a seed and the
    /// order of operations on the queue reproduce them.
    mix: Mix,
}

/// One queue and the waiters of its long polls.
pub(crate) struct QueueCell {
    pub name: String,
    state: Mutex<QueueState>,
    arrivals: Notify,
}

impl QueueCell {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        // A panic while holding the lock would be a bug in the model; keep serving the rest.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(crate) struct Broker {
    pub config: EmulatorConfig,
    pub faults: Faults,
    queues: RwLock<FxHashMap<String, Arc<QueueCell>>>,
    recently_deleted: Mutex<FxHashMap<String, Micros>>,
    pub move_tasks: MoveTasks,
    /// Requests by action and outcome, counted by the wire layer.
    pub requests: RequestTally,
    /// SNS topics and subscriptions; their deliveries come back here through `deliver`.
    pub topics: Topics,
    /// EventBridge buses and rules; their deliveries come back here through `deliver`.
    pub events: Events,
    pub deliveries: DeliveryTally,
}

/// One entry of a batch: its id and outcome.
pub(crate) type EntryResult<T> = (String, SqsResult<T>);

impl Broker {
    pub(crate) fn new(config: EmulatorConfig) -> Self {
        let faults = Faults::new(config.faults.clone(), config.seed);
        let topics = Topics::new(&config.region, &config.account, &config.quota, now_micros());
        let events = Events::new(&config.region, &config.account, &config.quota, now_micros());
        Broker {
            config,
            faults,
            queues: RwLock::new(FxHashMap::default()),
            recently_deleted: Mutex::new(FxHashMap::default()),
            move_tasks: MoveTasks::default(),
            requests: RequestTally::default(),
            topics,
            events,
            deliveries: DeliveryTally::default(),
        }
    }

    pub(crate) fn arn(&self, name: &str) -> String {
        format!(
            "arn:aws:sqs:{}:{}:{}",
            self.config.region, self.config.account, name
        )
    }

    pub(crate) fn queue(&self, name: &str) -> SqsResult<Arc<QueueCell>> {
        self.queues
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
            .ok_or_else(SqsError::no_queue)
    }

    /// Finds a queue from its URL (`.../<account>/<name>`) or a bare name; the host is ignored.
    pub(crate) fn queue_by_url(&self, url: &str) -> SqsResult<Arc<QueueCell>> {
        let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        self.queue(name)
    }

    pub(crate) fn queue_by_arn(&self, arn: &str) -> Option<Arc<QueueCell>> {
        let prefix = format!(
            "arn:aws:sqs:{}:{}:",
            self.config.region, self.config.account
        );
        arn.strip_prefix(&prefix)
            .and_then(|name| self.queue(name).ok())
    }

    fn throttled(&self, state: &mut QueueState, action: Action) -> SqsError {
        state.throttled[action as usize] += 1;
        Injected::add(&self.faults.injected.throttled, 1);
        let code = match self.config.throttle_style {
            super::config::ThrottleStyle::RequestThrottled => ErrorCode::RequestThrottled,
            super::config::ThrottleStyle::ThrottlingException => ErrorCode::ThrottlingException,
        };
        SqsError::new(code, "Rate exceeded")
    }

    /// Sends one message or a batch (a batch is one call against the quota). `batch` selects
    /// the batch size rules.
    pub(crate) fn send(
        &self,
        cell: &QueueCell,
        mut entries: Vec<(String, NewMessage)>,
        batch: bool,
    ) -> SqsResult<Vec<EntryResult<SendReceipt>>> {
        if batch {
            let total: usize = entries
                .iter()
                .map(|(_, m)| m.body.len() + super::model::message::attributes_size(&m.attributes))
                .sum();
            if total > MAX_BATCH_BYTES {
                return Err(SqsError::new(
                    ErrorCode::BatchRequestTooLong,
                    format!(
                        "Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {total} bytes."
                    ),
                ));
            }
        }
        hash_bodies(&mut entries);
        let now = now_micros();
        let mut results = Vec::with_capacity(entries.len());
        let mut stored = false;
        {
            let mut state = cell.lock();
            if !state.quota.admit(Action::Send, now) {
                return Err(self.throttled(&mut state, Action::Send));
            }
            if batch {
                state
                    .queue
                    .check_fifo_batch(entries.iter().map(|(_, m)| m))?;
            }
            let fifo = state.queue.is_fifo();
            for (id, message) in entries {
                let fate = self.faults.send_fate(&mut state.mix, fifo);
                let result = state.queue.send(now, message, fate, batch);
                if let Ok(r) = &result {
                    self.faults.record_send(fate, r, &mut state.faults);
                    stored |= r.stored;
                }
                results.push((id, result));
            }
        }
        if stored {
            cell.arrivals.notify_waiters();
        }
        Ok(results)
    }

    /// Puts an SNS delivery into the queue with this ARN: one message, with the faults a send
    /// gets but outside the queue's send quota (SNS retries a throttled delivery until the
    /// queue takes it). Counted as delivered when the queue took it.
    pub(crate) fn deliver(&self, queue_arn: &str, message: NewMessage) -> SqsResult<()> {
        self.send_delivery(queue_arn, message)?;
        self.deliveries.delivered();
        Ok(())
    }

    /// `deliver` without SNS's delivery count (EventBridge counts its own, per rule).
    pub(crate) fn send_delivery(&self, queue_arn: &str, message: NewMessage) -> SqsResult<()> {
        let cell = self
            .queue_by_arn(queue_arn)
            .ok_or_else(SqsError::no_queue)?;
        let now = now_micros();
        let stored = {
            let mut state = cell.lock();
            let fifo = state.queue.is_fifo();
            let fate = self.faults.send_fate(&mut state.mix, fifo);
            let receipt = state.queue.send(now, message, fate, false)?;
            self.faults.record_send(fate, &receipt, &mut state.faults);
            receipt.stored
        };
        if stored {
            cell.arrivals.notify_waiters();
        }
        Ok(())
    }

    pub(crate) fn count_undelivered(&self, dead_lettered: bool) {
        self.deliveries.undelivered(dead_lettered);
    }

    /// Receives, waiting up to `wait` for a message to arrive (long polling).
    pub(crate) async fn receive(
        &self,
        cell: &QueueCell,
        request: ReceiveRequest,
        wait: Duration,
    ) -> SqsResult<Vec<Delivery>> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut first = true;
        loop {
            let arrival = cell.arrivals.notified();
            tokio::pin!(arrival);
            arrival.as_mut().enable();
            let (delivered, next_due) = self.receive_once(cell, &request, first)?;
            first = false;
            if !delivered.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(delivered);
            }
            if self.queue(&cell.name).is_err() {
                return Ok(Vec::new());
            }
            let mut wake = deadline;
            if let Some(due) = next_due {
                let until = Duration::from_micros(due.saturating_sub(now_micros()));
                wake = wake.min(tokio::time::Instant::now() + until);
            }
            tokio::select! {
                _ = &mut arrival => {}
                _ = tokio::time::sleep_until(wake) => {}
            }
        }
    }

    fn receive_once(
        &self,
        cell: &QueueCell,
        request: &ReceiveRequest,
        charge: bool,
    ) -> SqsResult<(Vec<Delivery>, Option<Micros>)> {
        let now = now_micros();
        let (outcome, next_due, source_arn, target) = {
            let mut state = cell.lock();
            if charge && !state.quota.admit(Action::Receive, now) {
                return Err(self.throttled(&mut state, Action::Receive));
            }
            let fifo = state.queue.is_fifo();
            let mut request = request.clone();
            request.break_order = self.faults.break_fifo_order(&mut state.mix, fifo);
            let outcome = state.queue.receive(now, &request)?;
            state.faults.duplicates += outcome.ghost_deliveries;
            state.faults.reordered += outcome.reordered;
            let target = state
                .queue
                .settings
                .redrive
                .as_ref()
                .map(|r| r.target_arn.clone());
            (
                outcome,
                state.queue.next_due(),
                state.queue.arn.clone(),
                target,
            )
        };
        Injected::add(&self.faults.injected.duplicates, outcome.ghost_deliveries);
        Injected::add(&self.faults.injected.reordered, outcome.reordered);
        if !outcome.dead_lettered.is_empty()
            && let Some(dlq) = target.and_then(|arn| self.queue_by_arn(&arn))
        {
            {
                let mut state = dlq.lock();
                state.dead_letters_in += outcome.dead_lettered.len() as u64;
                for message in outcome.dead_lettered {
                    state.queue.accept_dead_letter(now, message, &source_arn);
                }
            }
            dlq.arrivals.notify_waiters();
        }
        Ok((outcome.delivered, next_due))
    }

    /// Deletes by receipt handle; one result per handle, in order.
    pub(crate) fn delete(
        &self,
        cell: &QueueCell,
        handles: &[&str],
    ) -> SqsResult<Vec<SqsResult<()>>> {
        let now = now_micros();
        let mut state = cell.lock();
        if !state.quota.admit(Action::Delete, now) {
            return Err(self.throttled(&mut state, Action::Delete));
        }
        let fifo = state.queue.is_fifo();
        let mut results = Vec::with_capacity(handles.len());
        let mut ghosts = false;
        for handle in handles {
            let ghost = self.faults.leave_ghost(&mut state.mix, fifo);
            ghosts |= ghost;
            results.push(state.queue.delete(now, handle, ghost));
        }
        drop(state);
        // A ghost is a message back on the queue; a FIFO delete may unlock its group.
        if ghosts || (fifo && results.iter().any(|r| r.is_ok())) {
            cell.arrivals.notify_waiters();
        }
        Ok(results)
    }

    /// Changes visibility timeouts by (receipt handle, seconds); one result per entry, in order.
    pub(crate) fn change_visibility(
        &self,
        cell: &QueueCell,
        entries: &[(&str, i64)],
    ) -> SqsResult<Vec<SqsResult<()>>> {
        let now = now_micros();
        let mut state = cell.lock();
        if !state.quota.admit(Action::ChangeVisibility, now) {
            return Err(self.throttled(&mut state, Action::ChangeVisibility));
        }
        let results = entries
            .iter()
            .map(|&(handle, timeout)| state.queue.change_visibility(now, handle, timeout))
            .collect();
        drop(state);
        cell.arrivals.notify_waiters();
        Ok(results)
    }
}

/// Hashes the bodies of a batch side by side (outside the queue lock) so the queue does not
/// hash them one at a time. A lone body (SendMessage) is left to the queue: there is nothing
/// to hash beside it.
fn hash_bodies(entries: &mut [(String, NewMessage)]) {
    if entries.len() < 2 {
        return;
    }
    let bodies: Vec<&[u8]> = entries.iter().map(|(_, m)| m.body.as_bytes()).collect();
    let mut digests = vec![[0u8; 16]; bodies.len()];
    md5_many(&bodies, &mut digests);
    for ((_, m), digest) in entries.iter_mut().zip(digests) {
        m.body_md5 = Some(digest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::message::NewMessage;
    use std::collections::BTreeMap;

    fn grouped(body: &str) -> (String, NewMessage) {
        let message = NewMessage {
            body: body.into(),
            group_id: Some("g".into()),
            ..Default::default()
        };
        (String::new(), message)
    }

    /// A FIFO delete unlocks its group, so a long poll waiting on that group gets the next
    /// message then, not at the end of its wait. Time is paused: a poll nobody woke runs to its
    /// 20 s deadline (time auto-advances) and fails the elapsed check, never passes by luck.
    #[tokio::test(start_paused = true)]
    async fn a_fifo_delete_wakes_a_long_poll_waiting_on_its_group() {
        let broker = Arc::new(Broker::new(crate::EmulatorConfig::default()));
        let attributes = BTreeMap::from([
            ("FifoQueue".to_string(), "true".to_string()),
            ("ContentBasedDeduplication".to_string(), "true".to_string()),
        ]);
        broker
            .create_queue("q.fifo", &attributes, &BTreeMap::new())
            .unwrap();
        let cell = broker.queue("q.fifo").unwrap();
        for body in ["m1", "m2"] {
            broker.send(&cell, vec![grouped(body)], false).unwrap();
        }
        let one = ReceiveRequest {
            max: 1,
            ..Default::default()
        };
        let first = broker.receive(&cell, one, Duration::ZERO).await.unwrap();
        assert_eq!(&*first[0].message.body, "m1");
        let waiting = tokio::spawn({
            let (broker, cell) = (broker.clone(), cell.clone());
            async move {
                let poll = ReceiveRequest {
                    max: 1,
                    long_poll: true,
                    ..Default::default()
                };
                broker.receive(&cell, poll, Duration::from_secs(20)).await
            }
        });
        // On this one-thread runtime the poll runs up to its wait before this task resumes.
        tokio::task::yield_now().await;
        let started = tokio::time::Instant::now();
        let handle: &str = &first[0].receipt_handle;
        broker.delete(&cell, &[handle]).unwrap()[0].clone().unwrap();
        let got = waiting.await.unwrap().unwrap();
        assert_eq!(got.len(), 1, "woken with the group's next message");
        assert_eq!(&*got[0].message.body, "m2");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "woken, not timed out"
        );
    }
}
