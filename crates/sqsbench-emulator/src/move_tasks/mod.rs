//! DLQ redrive as SQS offers it: StartMessageMoveTask, ListMessageMoveTasks and
//! CancelMessageMoveTask. A task moves the messages visible in a dead-letter queue when it
//! starts (ApproximateNumberOfMessagesToMove, an upper bound on what it moves) to a destination
//! queue or back to each message's original source, paced by MaxNumberOfMessagesPerSecond, and
//! reports RUNNING → COMPLETED / CANCELLING → CANCELLED / FAILED. The task loop and the checks
//! that look at queues live here, the registry and pacing in `registry`; taking a message out
//! of one queue and into another is the queue model's. Depends on the broker and tokio time;
//! knows nothing of HTTP or JSON.

pub(crate) mod registry;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::time::Instant;

use crate::broker::{Broker, QueueCell};
use crate::error::{ErrorCode, SqsError, SqsResult};
use registry::{MAX_RATE, MoveTask, allowance, decode_handle, slot};
pub(crate) use registry::{Report, Request, Status};

/// Messages moved per step of an unpaced task before it yields to request handling.
const UNPACED_STEP: usize = 100;

/// StartMessageMoveTask: checks the request, registers the task and starts it; its handle.
pub(crate) fn start(broker: &Arc<Broker>, request: Request) -> SqsResult<String> {
    let source = existing(broker, &request.source_arn, "SourceArn")?;
    if !broker.is_dead_letter_target(&request.source_arn) {
        return Err(SqsError::invalid_parameter(
            "Source queue must be configured as a Dead Letter Queue.",
        ));
    }
    if let Some(destination_arn) = &request.destination_arn {
        let destination = existing(broker, destination_arn, "DestinationArn")?;
        if destination.name == source.name {
            return Err(SqsError::invalid_parameter(
                "The destination queue must be different from the source queue.",
            ));
        }
        if broker.is_fifo(&destination) != broker.is_fifo(&source) {
            return Err(SqsError::invalid_parameter(
                "The destination queue must be the same type of queue as the source queue.",
            ));
        }
    }
    if let Some(rate) = request.rate
        && !(1..=MAX_RATE).contains(&rate)
    {
        return Err(SqsError::invalid_parameter(format!(
            "Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and {MAX_RATE}."
        )));
    }
    let to_move = broker.visible_count(&source);
    let task = broker.move_tasks.register(request, to_move)?;
    let handle = task.handle.clone();
    tokio::spawn(run(broker.clone(), task));
    Ok(handle)
}

/// CancelMessageMoveTask: asks a running task to stop; what it has moved so far.
pub(crate) fn cancel(broker: &Broker, handle: &str) -> SqsResult<u64> {
    let id = decode_handle(handle)
        .ok_or_else(|| SqsError::invalid_parameter("Value for parameter TaskHandle is invalid."))?;
    let task = broker.move_tasks.find(id).ok_or_else(no_task)?;
    {
        let mut progress = task.progress();
        // SQS cancels only a task that is running.
        if progress.status != Status::Running {
            return Err(no_task());
        }
        progress.status = Status::Cancelling;
    }
    task.cancel_requested.store(true, Ordering::Relaxed);
    task.cancel.notify_one();
    Ok(task.moved.load(Ordering::Relaxed))
}

fn no_task() -> SqsError {
    SqsError::new(ErrorCode::ResourceNotFound, "Task does not exist.")
}

/// The queue an ARN parameter names, or SQS's errors for a malformed or unknown one.
pub(crate) fn existing(broker: &Broker, arn: &str, parameter: &str) -> SqsResult<Arc<QueueCell>> {
    if arn.split(':').count() < 6 || !arn.starts_with("arn:") {
        return Err(SqsError::invalid_parameter(format!(
            "You must use this format to specify the {parameter}: arn:<partition>:<service>:<region>:<account-id>:<resource-id>"
        )));
    }
    broker.queue_by_arn(arn).ok_or_else(|| {
        SqsError::new(
            ErrorCode::ResourceNotFound,
            format!("The resource that you specified for the {parameter} parameter doesn't exist."),
        )
    })
}

async fn run(broker: Arc<Broker>, task: Arc<MoveTask>) {
    let started = Instant::now();
    loop {
        if task.cancel_requested.load(Ordering::Relaxed) {
            return task.end(Status::Cancelled, None);
        }
        let moved = task.moved.load(Ordering::Relaxed);
        let allowed = allowance(started.elapsed(), task.request.rate).min(task.to_move);
        if moved >= task.to_move {
            return task.end(Status::Completed, None);
        }
        if let (true, Some(rate)) = (moved >= allowed, task.request.rate) {
            tokio::select! {
                _ = tokio::time::sleep_until(started + slot(moved, rate)) => {}
                _ = task.cancel.notified() => {}
            }
            continue;
        }
        let step = (allowed - moved).min(UNPACED_STEP as u64) as usize;
        match move_some(&broker, &task.request, step) {
            Ok(0) => return task.end(Status::Completed, None),
            Ok(n) => {
                task.moved.fetch_add(n, Ordering::Relaxed);
            }
            Err(reason) => return task.end(Status::Failed, Some(reason)),
        }
        if task.request.rate.is_none() {
            tokio::task::yield_now().await;
        }
    }
}

/// Moves up to `max` messages; how many moved, or why the task fails. A message whose
/// destination is gone goes back to the dead-letter queue.
fn move_some(broker: &Broker, request: &Request, max: usize) -> Result<u64, String> {
    let gone = || "AWS.SimpleQueueService.NonExistentQueue".to_string();
    let source = broker.queue_by_arn(&request.source_arn).ok_or_else(gone)?;
    let destination = match &request.destination_arn {
        Some(arn) => Some(broker.queue_by_arn(arn).ok_or_else(gone)?),
        None => None,
    };
    let mut moved = 0;
    let mut failure = None;
    for message in broker.take_for_move(&source, max) {
        let target = match (&destination, &message.dead_letter_source_arn) {
            (Some(d), _) => Some(d.clone()),
            (None, Some(arn)) => broker.queue_by_arn(arn),
            (None, None) => None,
        };
        match target.filter(|_| failure.is_none()) {
            Some(target) => {
                broker.accept_moved(&target, message);
                moved += 1;
            }
            None => {
                failure.get_or_insert_with(gone);
                broker.return_dead_letter(&source, message);
            }
        }
    }
    match failure {
        Some(reason) => Err(reason),
        None => Ok(moved),
    }
}

#[cfg(test)]
mod tests;
