//! What a client asked for, independent of the wire protocol: every request is parsed once into
//! an `Op`, its action with the typed input. The AWS JSON protocol maps to it (`Op::from_json`);
//! another protocol maps to the same enum. Depends only on the wire input types and the error
//! table.

use serde::Deserialize;

use super::wire::*;
use crate::error::{ErrorCode, SqsError, SqsResult};

/// Declares `Action` with one variant per wire name, `Action::ALL` and `Action::name`, from a
/// single list.
macro_rules! actions {
    ($($action:ident),* $(,)?) => {
        /// Every SQS action the emulator knows by name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Action {
            $($action),*
        }

        impl Action {
            pub(crate) const ALL: &[Action] = &[$(Action::$action),*];

            /// The action's name on the wire (`SendMessage`).
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Action::$action => stringify!($action)),*
                }
            }
        }
    };
}

actions! {
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

impl Action {
    pub(crate) fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// Its slot in the emulator's request counts (`stats::RequestTally`).
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Whether it moves messages: the only actions faults and injected errors apply to.
    pub(crate) fn moves_messages(self) -> bool {
        matches!(
            self,
            Action::SendMessage
                | Action::SendMessageBatch
                | Action::ReceiveMessage
                | Action::DeleteMessage
                | Action::DeleteMessageBatch
                | Action::ChangeMessageVisibility
                | Action::ChangeMessageVisibilityBatch
        )
    }
}

const _: () = assert!(Action::ALL.len() + super::sns::ACTIONS.len() <= crate::stats::ACTION_SLOTS);

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
    pub(crate) fn from_json(action: Action, body: &'a [u8]) -> SqsResult<Op<'a>> {
        let queue = |a: QueueAction| -> SqsResult<Op<'a>> { Ok(Op::Queue(a, parse(body)?)) };
        Ok(match action {
            Action::CreateQueue => Op::CreateQueue(parse(body)?),
            Action::GetQueueUrl => Op::GetQueueUrl(parse(body)?),
            Action::ListQueues => Op::ListQueues(parse(body)?),
            Action::SendMessage => Op::SendMessage(parse(body)?),
            Action::SendMessageBatch => Op::SendMessageBatch(parse(body)?),
            Action::ReceiveMessage => Op::ReceiveMessage(parse(body)?),
            Action::DeleteMessage | Action::DeleteMessageBatch => Op::Delete {
                batch: action == Action::DeleteMessageBatch,
                input: parse(body)?,
            },
            Action::ChangeMessageVisibility | Action::ChangeMessageVisibilityBatch => {
                Op::ChangeVisibility {
                    batch: action == Action::ChangeMessageVisibilityBatch,
                    input: parse(body)?,
                }
            }
            Action::GetQueueAttributes => queue(QueueAction::GetQueueAttributes)?,
            Action::SetQueueAttributes => queue(QueueAction::SetQueueAttributes)?,
            Action::DeleteQueue => queue(QueueAction::DeleteQueue)?,
            Action::PurgeQueue => queue(QueueAction::PurgeQueue)?,
            Action::TagQueue => queue(QueueAction::TagQueue)?,
            Action::UntagQueue => queue(QueueAction::UntagQueue)?,
            Action::ListQueueTags => queue(QueueAction::ListQueueTags)?,
            Action::ListDeadLetterSourceQueues => queue(QueueAction::ListDeadLetterSourceQueues)?,
            Action::AddPermission | Action::RemovePermission => Op::Permission {
                add: action == Action::AddPermission,
                input: parse(body)?,
            },
            Action::StartMessageMoveTask => Op::StartMoveTask(parse(body)?),
            Action::CancelMessageMoveTask => Op::CancelMoveTask(parse(body)?),
            Action::ListMessageMoveTasks => Op::ListMoveTasks(parse(body)?),
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
        for &action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(action));
        }
        assert_eq!(Action::from_name("SendMessages"), None);
    }

    #[test]
    fn an_empty_body_is_the_defaults_and_a_bad_one_an_error() {
        assert!(matches!(
            Op::from_json(Action::ListQueues, b""),
            Ok(Op::ListQueues(_))
        ));
        assert!(matches!(
            Op::from_json(Action::DeleteMessageBatch, b"{}"),
            Ok(Op::Delete { batch: true, .. })
        ));
        let Err(e) = Op::from_json(Action::SendMessage, b"{") else {
            panic!("a broken body is an error")
        };
        assert_eq!(e.code, ErrorCode::SerializationException);
    }
}
