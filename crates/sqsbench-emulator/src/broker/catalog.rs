//! The broker's catalog: queues created, checked, listed and deleted; their attributes,
//! permissions and tags; and the moves between queues that dead-letter redrive makes. What
//! happens to messages is `mod.rs`'s.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use super::{Broker, QueueCell, QueueState, now_micros};
use crate::error::{ErrorCode, SqsError, SqsResult};
use crate::model::policy::{self, Grant};
use crate::model::{Message, Micros, Queue, Settings};
use crate::quota::{Action, QueueQuota};
use crate::splitmix::{Mix, seed_for};
use crate::stats::{QueueFaults, QueueStats};

impl Broker {
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
}

fn check_queue_name(name: &str, attributes: &BTreeMap<String, String>) -> SqsResult<()> {
    if !crate::names::is_queue_name(name) {
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
