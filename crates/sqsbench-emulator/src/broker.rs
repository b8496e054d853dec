//! The stateful core the wire layer calls: queues by name, each behind its own lock, with quotas
//! and faults applied around the pure model, long polls that wake the moment a message arrives,
//! and dead-letter moves between queues. Knows nothing of HTTP or JSON.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustc_hash::FxHashMap;
use tokio::sync::Notify;

use super::config::EmulatorConfig;
use super::error::{ErrorCode, SqsError, SqsResult};
use super::faults::{Faults, Injected};
use super::model::md5_lanes::md5_many;
use super::model::policy::{self, Grant};
use super::model::queue::MAX_BATCH_BYTES;
use super::model::{
    Delivery, Message, Micros, NewMessage, Queue, ReceiveRequest, SendReceipt, Settings,
};
use super::move_tasks::registry::MoveTasks;
use super::quota::{Action, QueueQuota};
use super::splitmix::{Mix, seed_for};
use super::stats::{DeliveryTally, QueueFaults, QueueStats, RequestTally};
use super::topics::Topics;

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
    pub deliveries: DeliveryTally,
}

/// One entry of a batch: its id and outcome.
pub(crate) type EntryResult<T> = (String, SqsResult<T>);

impl Broker {
    pub(crate) fn new(config: EmulatorConfig) -> Self {
        let faults = Faults::new(config.faults.clone(), config.seed);
        let topics = Topics::new(&config.region, &config.account, &config.quota, now_micros());
        Broker {
            config,
            faults,
            queues: RwLock::new(FxHashMap::default()),
            recently_deleted: Mutex::new(FxHashMap::default()),
            move_tasks: MoveTasks::default(),
            requests: RequestTally::default(),
            topics,
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

    pub(crate) fn create_queue(
        &self,
        name: &str,
        attributes: &BTreeMap<String, String>,
        tags: &BTreeMap<String, String>,
    ) -> SqsResult<()> {
        check_queue_name(name, attributes)?;
        let now = now_micros();
        let fifo = name.ends_with(".fifo");
        let mut settings = Settings::new(fifo);
        settings.apply(attributes)?;
        self.check_redrive_target(&settings, &self.arn(name))?;
        check_tag_count(tags.len())?;
        let mut queues = self.queues.write().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = queues.get(name) {
            return if existing.lock().queue.settings.matches(attributes) {
                Ok(())
            } else {
                Err(SqsError::new(
                    ErrorCode::QueueNameExists,
                    format!(
                        "A queue already exists with the same name and a different value for attribute {}",
                        diff_names(&existing.lock().queue.settings, attributes)
                    ),
                ))
            };
        }
        let cooldown = self.config.deleted_name_cooldown.as_micros() as Micros;
        if let Some(at) = self
            .recently_deleted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            && now < at + cooldown
        {
            return Err(SqsError::new(
                ErrorCode::QueueDeletedRecently,
                "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
            ));
        }
        let seed = seed_for(self.config.seed, name);
        let quota = QueueQuota::for_queue(&self.config.quota, &settings, &self.config.region, now);
        let mut queue = Queue::new(name, &self.arn(name), settings, now, seed);
        queue.tags = tags.clone();
        queues.insert(
            name.to_string(),
            Arc::new(QueueCell {
                name: name.to_string(),
                state: Mutex::new(QueueState {
                    queue,
                    quota,
                    throttled: [0; 4],
                    dead_letters_in: 0,
                    faults: QueueFaults::default(),
                    mix: Mix::new(seed ^ 0xfa17),
                }),
                arrivals: Notify::new(),
            }),
        );
        Ok(())
    }

    fn check_redrive_target(&self, settings: &Settings, own_arn: &str) -> SqsResult<()> {
        let Some(redrive) = &settings.redrive else {
            return Ok(());
        };
        // SQS accepts a queue as its own dead-letter target (`Queue::accept_dead_letter` says
        // what then happens); it exists, and is of its own type, even before it is created.
        if redrive.target_arn == own_arn {
            return Ok(());
        }
        let Some(target) = self.queue_by_arn(&redrive.target_arn) else {
            return Err(SqsError::new(
                ErrorCode::InvalidParameterValue,
                format!(
                    "Value {{\"deadLetterTargetArn\":\"{}\"}} for parameter RedrivePolicy is invalid. Reason: Dead-letter target does not exist.",
                    redrive.target_arn
                ),
            ));
        };
        if target.lock().queue.is_fifo() != settings.fifo {
            return Err(SqsError::invalid_parameter(
                "Value for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.",
            ));
        }
        Ok(())
    }

    pub(crate) fn delete_queue(&self, name: &str) -> SqsResult<()> {
        let removed = self
            .queues
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
        let cell = removed.ok_or_else(SqsError::no_queue)?;
        self.recently_deleted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), now_micros());
        // Wake long polls so they return instead of waiting on a queue that is gone.
        cell.arrivals.notify_waiters();
        Ok(())
    }

    pub(crate) fn list_queues(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .queues
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .filter(|n| n.starts_with(prefix))
            .cloned()
            .collect();
        names.sort();
        names
    }

    /// Every queue as it is now, without holding the map's lock while each is looked at.
    fn cells(&self) -> Vec<Arc<QueueCell>> {
        self.queues
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Every queue's depth, throttles and dead letters received, by name: one queue's lock at a
    /// time, as a GetQueueAttributes would take it.
    pub(crate) fn queue_stats(&self) -> Vec<QueueStats> {
        let cells = self.cells();
        let now = now_micros();
        let mut stats: Vec<QueueStats> = cells
            .iter()
            .map(|cell| {
                let mut state = cell.lock();
                let depth = state.queue.depth(now);
                let t = state.throttled;
                QueueStats {
                    name: cell.name.clone(),
                    visible: depth.ready,
                    in_flight: depth.in_flight,
                    delayed: depth.delayed,
                    throttled: [
                        ("SendMessage", t[Action::Send as usize]),
                        ("ReceiveMessage", t[Action::Receive as usize]),
                        ("DeleteMessage", t[Action::Delete as usize]),
                        (
                            "ChangeMessageVisibility",
                            t[Action::ChangeVisibility as usize],
                        ),
                    ],
                    dead_letters_in: state.dead_letters_in,
                    faults: state.faults,
                }
            })
            .collect();
        stats.sort_by(|a, b| a.name.cmp(&b.name));
        stats
    }

    /// Queues whose RedrivePolicy targets this one.
    pub(crate) fn dead_letter_sources(&self, name: &str) -> Vec<String> {
        let arn = self.arn(name);
        let queues = self.cells();
        let mut out: Vec<String> = queues
            .iter()
            .filter(|c| {
                c.lock()
                    .queue
                    .settings
                    .redrive
                    .as_ref()
                    .is_some_and(|r| r.target_arn == arn)
            })
            .map(|c| c.name.clone())
            .collect();
        out.sort();
        out
    }

    pub(crate) fn attributes(&self, cell: &QueueCell) -> BTreeMap<String, String> {
        cell.lock().queue.attributes(now_micros())
    }

    pub(crate) fn set_attributes(
        &self,
        cell: &QueueCell,
        attributes: &BTreeMap<String, String>,
    ) -> SqsResult<()> {
        let now = now_micros();
        let mut settings = cell.lock().queue.settings.clone();
        settings.apply(attributes)?;
        self.check_redrive_target(&settings, &self.arn(&cell.name))?;
        let mut state = cell.lock();
        state.quota =
            QueueQuota::for_queue(&self.config.quota, &settings, &self.config.region, now);
        state.queue.settings = settings;
        state.queue.modified_at = now;
        drop(state);
        // A shorter delay or other change may make messages deliverable to waiting polls.
        cell.arrivals.notify_waiters();
        Ok(())
    }

    /// AddPermission: the grant's statement added to the queue's Policy; `is_action` says
    /// which action names SQS knows.
    pub(crate) fn add_permission(
        &self,
        cell: &QueueCell,
        grant: &Grant<'_>,
        is_action: impl Fn(&str) -> bool,
    ) -> SqsResult<()> {
        let mut state = cell.lock();
        let queue = &mut state.queue;
        let policy = policy::add(
            queue.settings.passthrough.get("Policy").map(String::as_str),
            &queue.arn,
            grant,
            is_action,
        )?;
        queue.settings.passthrough.insert("Policy".into(), policy);
        Ok(())
    }

    /// RemovePermission: the label's statement taken out; the Policy goes with the last one.
    pub(crate) fn remove_permission(&self, cell: &QueueCell, label: &str) -> SqsResult<()> {
        let mut state = cell.lock();
        let queue = &mut state.queue;
        let policy = queue.settings.passthrough.get("Policy").map(String::as_str);
        match policy::remove(policy, &queue.arn, label)? {
            Some(left) => queue.settings.passthrough.insert("Policy".into(), left),
            None => queue.settings.passthrough.remove("Policy"),
        };
        Ok(())
    }

    /// Whether some queue's RedrivePolicy names this ARN as its dead-letter queue.
    pub(crate) fn is_dead_letter_target(&self, arn: &str) -> bool {
        self.queue_by_arn(arn)
            .is_some_and(|cell| !self.dead_letter_sources(&cell.name).is_empty())
    }

    pub(crate) fn is_fifo(&self, cell: &QueueCell) -> bool {
        cell.lock().queue.is_fifo()
    }

    pub(crate) fn visible_count(&self, cell: &QueueCell) -> u64 {
        cell.lock().queue.visible_count(now_micros())
    }

    /// A move task's take: up to `max` deliverable messages removed from the queue.
    pub(crate) fn take_for_move(&self, cell: &QueueCell, max: usize) -> Vec<Message> {
        cell.lock().queue.take_for_move(now_micros(), max)
    }

    /// A moved message stored in its destination, waking the destination's long polls.
    pub(crate) fn accept_moved(&self, cell: &QueueCell, message: Message) {
        cell.lock().queue.accept_moved(now_micros(), message);
        cell.arrivals.notify_waiters();
    }

    /// A message a move task could not deliver, back in its dead-letter queue as it was.
    pub(crate) fn return_dead_letter(&self, cell: &QueueCell, message: Message) {
        let mut state = cell.lock();
        match message.dead_letter_source_arn.clone() {
            Some(source) => state
                .queue
                .accept_dead_letter(now_micros(), message, &source),
            None => state.queue.accept_moved(now_micros(), message),
        }
    }

    /// The queue's ReceiveMessageWaitTimeSeconds, for receives that do not set a wait.
    pub(crate) fn default_wait_seconds(&self, cell: &QueueCell) -> u64 {
        cell.lock().queue.settings.receive_wait_seconds as u64
    }

    pub(crate) fn purge(&self, cell: &QueueCell) -> SqsResult<()> {
        cell.lock().queue.purge(now_micros())
    }

    pub(crate) fn with_tags<T>(
        &self,
        cell: &QueueCell,
        f: impl FnOnce(&mut BTreeMap<String, String>) -> T,
    ) -> T {
        f(&mut cell.lock().queue.tags)
    }

    /// TagQueue: adds or replaces tags, refusing the whole call when the queue would hold more
    /// than SQS's 50.
    pub(crate) fn add_tags(
        &self,
        cell: &QueueCell,
        tags: BTreeMap<String, String>,
    ) -> SqsResult<()> {
        let mut state = cell.lock();
        let existing = &state.queue.tags;
        let after = existing.len() + tags.keys().filter(|k| !existing.contains_key(*k)).count();
        check_tag_count(after)?;
        state.queue.tags.extend(tags);
        Ok(())
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
        self.deliveries.delivered();
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

fn check_queue_name(name: &str, attributes: &BTreeMap<String, String>) -> SqsResult<()> {
    if !super::names::is_queue_name(name) {
        return Err(SqsError::invalid_parameter(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        ));
    }
    let fifo_requested = attributes
        .get("FifoQueue")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if fifo_requested != name.ends_with(".fifo") {
        return Err(SqsError::invalid_parameter(
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
        ));
    }
    Ok(())
}

fn diff_names(settings: &Settings, attributes: &BTreeMap<String, String>) -> String {
    let current = settings.render();
    attributes
        .iter()
        .filter(|(k, v)| current.get(*k) != Some(*v))
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQS allows at most this many tags on a queue.
pub(crate) const MAX_TAGS: usize = 50;

fn check_tag_count(n: usize) -> SqsResult<()> {
    if n > MAX_TAGS {
        return Err(SqsError::invalid_parameter(format!(
            "Too many tags: a queue can have at most {MAX_TAGS}, this call would leave it {n}."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::message::NewMessage;

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
