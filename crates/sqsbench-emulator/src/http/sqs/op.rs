//! What a client asked of SQS, independent of the wire protocol: its action (`SqsAction`, one
//! variant per operation) and every request parsed once into an `Op`, the action with its typed
//! input. The AWS JSON protocol maps to it (`Op::from_json`); the query protocol reaches it through
//! the same JSON (`query_in`). Depends only on the wire input types, the error table and the
//! action vocabulary.

use serde::Deserialize;

use super::wire::*;
use crate::error::{ErrorCode, SqsError, SqsResult};
use crate::http::actions::{Service, ServiceAction, actions};

actions! {
    /// Every SQS action the emulator knows by name.
    SqsAction {
        CreateQueue,
        GetQueueUrl,
        ListQueues,
        SendMessage,
        SendMessageBatch,
        ReceiveMessage,
        DeleteMessage,
        DeleteMessageBatch,
        ChangeMessageVisibility,
        ChangeMessageVisibilityBatch,
        GetQueueAttributes,
        SetQueueAttributes,
        DeleteQueue,
        PurgeQueue,
        TagQueue,
        UntagQueue,
        ListQueueTags,
        ListDeadLetterSourceQueues,
        AddPermission,
        RemovePermission,
        StartMessageMoveTask,
        CancelMessageMoveTask,
        ListMessageMoveTasks,
    }
}

impl ServiceAction for SqsAction {
    type Code = ErrorCode;
    const SERVICE: Service = Service::Sqs;

    fn name(self) -> &'static str {
        SqsAction::name(self)
    }

    fn slot(self) -> usize {
        self.index()
    }

    fn faultable(self) -> bool {
        self.moves_messages()
    }

    fn injected_error() -> SqsError {
        SqsError::new(
            ErrorCode::InternalError,
            "We encountered an internal error. Please try again.",
        )
    }
}

impl SqsAction {
    /// Whether its input is a list of entries (`Entries`).
    pub(crate) fn is_batch(self) -> bool {
        matches!(
            self,
            SqsAction::SendMessageBatch
                | SqsAction::DeleteMessageBatch
                | SqsAction::ChangeMessageVisibilityBatch
        )
    }

    /// Whether it moves messages: the only actions faults and injected errors apply to.
    pub(crate) fn moves_messages(self) -> bool {
        matches!(
            self,
            SqsAction::SendMessage
                | SqsAction::SendMessageBatch
                | SqsAction::ReceiveMessage
                | SqsAction::DeleteMessage
                | SqsAction::DeleteMessageBatch
                | SqsAction::ChangeMessageVisibility
                | SqsAction::ChangeMessageVisibilityBatch
        )
    }
}

/// The actions on one existing queue that share the `QueueUrl` input shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueueAction {
    GetQueueAttributes,
    SetQueueAttributes,
    DeleteQueue,
    PurgeQueue,
    TagQueue,
    UntagQueue,
    ListQueueTags,
    ListDeadLetterSourceQueues,
}

/// One request: its action and its input, parsed once.
pub(crate) enum Op<'a> {
    CreateQueue(CreateQueueInput),
    GetQueueUrl(QueueNameInput),
    ListQueues(ListQueuesInput),
    SendMessage(SendMessageInput<'a>),
    SendMessageBatch(SendMessageBatchInput<'a>),
    ReceiveMessage(ReceiveMessageInput),
    /// DeleteMessage, or DeleteMessageBatch when `batch`.
    Delete {
        batch: bool,
        input: HandleInput<'a>,
    },
    /// ChangeMessageVisibility, or its batch form.
    ChangeVisibility {
        batch: bool,
        input: HandleInput<'a>,
    },
    Queue(QueueAction, QueueUrlInput),
    /// AddPermission, or RemovePermission when not `add`.
    Permission {
        add: bool,
        input: PermissionInput,
    },
    StartMoveTask(StartMoveTaskInput),
    CancelMoveTask(TaskHandleInput),
    ListMoveTasks(ListMoveTasksInput),
}

impl<'a> Op<'a> {
    /// The AWS JSON 1.0 protocol: the action from `X-Amz-Target`, the input from the body.
    pub(crate) fn from_json(action: SqsAction, body: &'a [u8]) -> SqsResult<Op<'a>> {
        let queue = |a: QueueAction| -> SqsResult<Op<'a>> { Ok(Op::Queue(a, parse(body)?)) };
        Ok(match action {
            SqsAction::CreateQueue => Op::CreateQueue(parse(body)?),
            SqsAction::GetQueueUrl => Op::GetQueueUrl(parse(body)?),
            SqsAction::ListQueues => Op::ListQueues(parse(body)?),
            SqsAction::SendMessage => Op::SendMessage(parse(body)?),
            SqsAction::SendMessageBatch => Op::SendMessageBatch(parse(body)?),
            SqsAction::ReceiveMessage => Op::ReceiveMessage(parse(body)?),
            SqsAction::DeleteMessage | SqsAction::DeleteMessageBatch => Op::Delete {
                batch: action == SqsAction::DeleteMessageBatch,
                input: parse(body)?,
            },
            SqsAction::ChangeMessageVisibility | SqsAction::ChangeMessageVisibilityBatch => {
                Op::ChangeVisibility {
                    batch: action == SqsAction::ChangeMessageVisibilityBatch,
                    input: parse(body)?,
                }
            }
            SqsAction::GetQueueAttributes => queue(QueueAction::GetQueueAttributes)?,
            SqsAction::SetQueueAttributes => queue(QueueAction::SetQueueAttributes)?,
            SqsAction::DeleteQueue => queue(QueueAction::DeleteQueue)?,
            SqsAction::PurgeQueue => queue(QueueAction::PurgeQueue)?,
            SqsAction::TagQueue => queue(QueueAction::TagQueue)?,
            SqsAction::UntagQueue => queue(QueueAction::UntagQueue)?,
            SqsAction::ListQueueTags => queue(QueueAction::ListQueueTags)?,
            SqsAction::ListDeadLetterSourceQueues => {
                queue(QueueAction::ListDeadLetterSourceQueues)?
            }
            SqsAction::AddPermission | SqsAction::RemovePermission => Op::Permission {
                add: action == SqsAction::AddPermission,
                input: parse(body)?,
            },
            SqsAction::StartMessageMoveTask => Op::StartMoveTask(parse(body)?),
            SqsAction::CancelMessageMoveTask => Op::CancelMoveTask(parse(body)?),
            SqsAction::ListMessageMoveTasks => Op::ListMoveTasks(parse(body)?),
        })
    }
}

/// A JSON body as an input shape; an empty body is the shape's defaults.
pub(super) fn parse<'a, T: Deserialize<'a> + Default>(body: &'a [u8]) -> SqsResult<T> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        SqsError::new(
            ErrorCode::SerializationException,
            format!("Could not parse the request body: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_by_its_name() {
        for &action in SqsAction::ALL {
            assert_eq!(SqsAction::from_name(action.name()), Some(action));
        }
        assert_eq!(SqsAction::from_name("SendMessages"), None);
    }

    #[test]
    fn an_empty_body_is_the_defaults_and_a_bad_one_an_error() {
        assert!(matches!(
            Op::from_json(SqsAction::ListQueues, b""),
            Ok(Op::ListQueues(_))
        ));
        assert!(matches!(
            Op::from_json(SqsAction::DeleteMessageBatch, b"{}"),
            Ok(Op::Delete { batch: true, .. })
        ));
        let Err(e) = Op::from_json(SqsAction::SendMessage, b"{") else {
            panic!("a broken body is an error")
        };
        assert_eq!(e.code, ErrorCode::SerializationException);
    }
}
