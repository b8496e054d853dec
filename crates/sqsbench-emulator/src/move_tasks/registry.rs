//! The move tasks the broker remembers, and the rules that need no queue: one active task per
//! source queue, ten remembered per source, statuses, handles, and the pacing of
//! MaxNumberOfMessagesPerSecond. Depends only on the error table and the clock.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use tokio::sync::Notify;

use crate::error::{SqsError, SqsResult};

/// SQS's ceiling on MaxNumberOfMessagesPerSecond.
pub(crate) const MAX_RATE: u32 = 500;
/// Tasks remembered per source queue: ListMessageMoveTasks shows at most ten.
const KEPT_PER_SOURCE: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Running,
    Completed,
    Cancelling,
    Cancelled,
    Failed,
}

impl Status {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Completed => "COMPLETED",
            Status::Cancelling => "CANCELLING",
            Status::Cancelled => "CANCELLED",
            Status::Failed => "FAILED",
        }
    }

    fn active(self) -> bool {
        matches!(self, Status::Running | Status::Cancelling)
    }
}

/// What StartMessageMoveTask asked for.
pub(crate) struct Request {
    pub source_arn: String,
    pub destination_arn: Option<String>,
    pub rate: Option<u32>,
}

/// One task as ListMessageMoveTasks reports it.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    /// Only while it runs, as SQS gives it.
    pub handle: Option<String>,
    pub status: Status,
    pub source_arn: String,
    pub destination_arn: Option<String>,
    pub rate: Option<u32>,
    pub moved: u64,
    pub to_move: u64,
    pub failure: Option<String>,
    pub started_ms: u64,
}

pub(super) struct Progress {
    pub(super) status: Status,
    pub(super) failure: Option<String>,
}

pub(super) struct MoveTask {
    pub(super) id: u64,
    pub(super) handle: String,
    pub(super) request: Request,
    pub(super) started_ms: u64,
    pub(super) to_move: u64,
    pub(super) moved: AtomicU64,
    pub(super) progress: Mutex<Progress>,
    pub(super) cancel_requested: AtomicBool,
    /// `notify_one` keeps a permit, so a cancel between the check and the wait is not missed.
    pub(super) cancel: Notify,
}

impl MoveTask {
    pub(super) fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn report(&self) -> Report {
        let progress = self.progress();
        Report {
            handle: (progress.status == Status::Running).then(|| self.handle.clone()),
            status: progress.status,
            source_arn: self.request.source_arn.clone(),
            destination_arn: self.request.destination_arn.clone(),
            rate: self.request.rate,
            moved: self.moved.load(Ordering::Relaxed),
            to_move: self.to_move,
            failure: progress.failure.clone(),
            started_ms: self.started_ms,
        }
    }

    pub(super) fn end(&self, status: Status, failure: Option<String>) {
        let mut progress = self.progress();
        progress.status = status;
        progress.failure = failure;
    }
}

/// Every task the broker has run, newest last, a few per source queue.
#[derive(Default)]
pub(crate) struct MoveTasks {
    next_id: AtomicU64,
    tasks: Mutex<Vec<Arc<MoveTask>>>,
}

impl MoveTasks {
    fn tasks(&self) -> std::sync::MutexGuard<'_, Vec<Arc<MoveTask>>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Newest first, at most `max`.
    pub(crate) fn list(&self, source_arn: &str, max: usize) -> Vec<Report> {
        self.tasks()
            .iter()
            .rev()
            .filter(|t| t.request.source_arn == source_arn)
            .take(max)
            .map(|t| t.report())
            .collect()
    }

    /// Registers a task unless one is still active for its source; forgets the oldest
    /// finished ones beyond what a list can show.
    pub(super) fn register(&self, request: Request, to_move: u64) -> SqsResult<Arc<MoveTask>> {
        let mut tasks = self.tasks();
        let source = request.source_arn.clone();
        if tasks
            .iter()
            .any(|t| t.request.source_arn == source && t.progress().status.active())
        {
            return Err(SqsError::invalid_parameter(
                "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
            ));
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let task = Arc::new(MoveTask {
            id,
            handle: encode_handle(id, &source),
            request,
            started_ms: unix_millis(),
            to_move,
            moved: AtomicU64::new(0),
            progress: Mutex::new(Progress {
                status: Status::Running,
                failure: None,
            }),
            cancel_requested: AtomicBool::new(false),
            cancel: Notify::new(),
        });
        tasks.push(task.clone());
        let mut same_source = tasks
            .iter()
            .filter(|t| t.request.source_arn == source)
            .count();
        tasks.retain(|t| {
            let drop = same_source > KEPT_PER_SOURCE && t.request.source_arn == source;
            same_source -= usize::from(drop);
            !drop
        });
        Ok(task)
    }

    pub(super) fn find(&self, id: u64) -> Option<Arc<MoveTask>> {
        self.tasks().iter().find(|t| t.id == id).cloned()
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The opaque handle: base64 of the task id and its source queue, as SQS's handles carry both.
fn encode_handle(id: u64, source_arn: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{source_arn}"))
}

pub(super) fn decode_handle(handle: &str) -> Option<u64> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(handle)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, arn) = text.split_once(':')?;
    arn.starts_with("arn:").then_some(())?;
    id.parse().ok()
}

/// How many messages a task moving `rate` per second may have moved `elapsed` after it
/// started: one at the start, then one every 1/rate seconds. Unpaced, no limit.
pub(crate) fn allowance(elapsed: Duration, rate: Option<u32>) -> u64 {
    match rate {
        None => u64::MAX,
        Some(rate) => (elapsed.as_micros() * rate as u128 / 1_000_000) as u64 + 1,
    }
}

/// When, after the start, message number `moved` (from zero) may move.
pub(super) fn slot(moved: u64, rate: u32) -> Duration {
    Duration::from_micros((moved as u128 * 1_000_000 / rate as u128) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paced_task_moves_one_at_the_start_then_one_per_interval() {
        let at = |ms| allowance(Duration::from_millis(ms), Some(4));
        assert_eq!(at(0), 1);
        assert_eq!(at(249), 1);
        assert_eq!(at(250), 2);
        assert_eq!(at(1000), 5);
        assert_eq!(slot(4, 4), Duration::from_secs(1));
        assert_eq!(
            allowance(Duration::from_secs(3600), Some(MAX_RATE)),
            1_800_001
        );
        assert_eq!(allowance(Duration::ZERO, None), u64::MAX);
    }

    #[test]
    fn handles_carry_the_task_and_refuse_garbage() {
        let handle = encode_handle(7, "arn:aws:sqs:us-east-1:000000000000:dlq");
        assert_eq!(decode_handle(&handle), Some(7));
        assert_eq!(decode_handle("not a handle"), None);
        assert_eq!(
            decode_handle(&base64::engine::general_purpose::STANDARD.encode("7")),
            None
        );
    }

    #[test]
    fn one_active_task_per_source_and_ten_remembered() {
        let tasks = MoveTasks::default();
        let request = |source: &str| Request {
            source_arn: source.into(),
            destination_arn: None,
            rate: None,
        };
        let first = tasks.register(request("arn:a"), 0).unwrap();
        assert!(tasks.register(request("arn:a"), 0).is_err());
        assert!(tasks.register(request("arn:b"), 0).is_ok());
        first.end(Status::Completed, None);
        for _ in 0..12 {
            let t = tasks.register(request("arn:a"), 0).unwrap();
            t.end(Status::Cancelled, None);
        }
        let listed = tasks.list("arn:a", 100);
        assert_eq!(listed.len(), KEPT_PER_SOURCE);
        assert!(
            listed
                .iter()
                .all(|r| r.status == Status::Cancelled && r.handle.is_none())
        );
        assert_eq!(tasks.list("arn:b", 10)[0].status, Status::Running);
        assert!(tasks.list("arn:b", 10)[0].handle.is_some());
    }
}
