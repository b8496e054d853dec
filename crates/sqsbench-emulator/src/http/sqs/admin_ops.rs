//! The operations that manage a queue rather than carry its messages: AddPermission and
//! RemovePermission (the queue's Policy) and the DLQ redrive tasks (Start, Cancel and
//! ListMessageMoveTasks). Typed input → broker or move task → JSON output, like `ops`.

use std::sync::Arc;

use super::op::SqsAction;
use super::wire::*;
use crate::broker::Broker;
use crate::error::SqsError;
use crate::model::policy::Grant;
use crate::move_tasks::{self, Report};

pub(super) fn permission(broker: &Broker, add: bool, input: PermissionInput) -> Reply {
    let cell = broker.queue_by_url(&required(input.queue_url, "QueueUrl")?)?;
    let label = required(input.label, "Label")?;
    if add {
        let grant = Grant {
            label: &label,
            account_ids: &required(input.aws_account_ids, "AWSAccountIds")?,
            actions: &required(input.actions, "Actions")?,
        };
        broker.add_permission(&cell, &grant, |name| SqsAction::from_name(name).is_some())?;
    } else {
        broker.remove_permission(&cell, &label)?;
    }
    empty()
}

pub(super) fn start_move_task(broker: &Arc<Broker>, input: StartMoveTaskInput) -> Reply {
    let rate = match input.max_number_of_messages_per_second {
        None => None,
        Some(n) => Some(u32::try_from(n).map_err(|_| {
            SqsError::invalid_parameter(format!(
                "Value {n} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and {}.",
                move_tasks::registry::MAX_RATE
            ))
        })?),
    };
    let request = move_tasks::Request {
        source_arn: required(input.source_arn, "SourceArn")?,
        destination_arn: input.destination_arn.filter(|d| !d.is_empty()),
        rate,
    };
    json(&TaskHandleOutput {
        task_handle: move_tasks::start(broker, request)?,
    })
}

pub(super) fn cancel_move_task(broker: &Broker, input: TaskHandleInput) -> Reply {
    let handle = required(input.task_handle, "TaskHandle")?;
    json(&MovedOutput {
        approximate_number_of_messages_moved: move_tasks::cancel(broker, &handle)?,
    })
}

pub(super) fn list_move_tasks(broker: &Broker, input: ListMoveTasksInput) -> Reply {
    let source = required(input.source_arn, "SourceArn")?;
    move_tasks::existing(broker, &source, "SourceArn")?;
    let max = input.max_results.unwrap_or(1);
    if !(1..=10).contains(&max) {
        return Err(SqsError::invalid_parameter(format!(
            "Value {max} for parameter MaxResults is invalid. Reason: Must be between 1 and 10."
        )));
    }
    let results = broker
        .move_tasks
        .list(&source, max as usize)
        .into_iter()
        .map(entry)
        .collect();
    json(&ListMoveTasksOutput { results })
}

fn entry(report: Report) -> MoveTaskEntry {
    MoveTaskEntry {
        task_handle: report.handle,
        status: report.status.name(),
        source_arn: report.source_arn,
        destination_arn: report.destination_arn,
        max_number_of_messages_per_second: report.rate,
        approximate_number_of_messages_moved: report.moved,
        approximate_number_of_messages_to_move: report.to_move,
        failure_reason: report.failure,
        started_timestamp: report.started_ms,
    }
}
