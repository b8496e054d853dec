//! Errors as the emulated services answer them: one `Error` type for every service, generic over
//! the service's table of codes (`Code`), and SQS's table, shared by the queue model and the wire
//! layer (SNS's is `topics::error`).
//!
//! Each code knows its query code (the `<Code>` of a query error, a batch entry's `Code`, and what
//! the Rust SDK needs in the `x-amzn-query-error` header to map typed errors), its HTTP status and
//! whether the sender is at fault; SQS's also its Smithy shape for AWS JSON's `__type`. Pure data:
//! depends on nothing else in the crate.

use std::fmt;

/// A service's table of error codes: what the wire layer needs to answer with one.
pub(crate) trait Code: Copy + fmt::Debug + PartialEq + Eq {
    /// The code a query-protocol client reads (`<Code>`), and a batch entry's `Code`.
    fn query_code(self) -> &'static str;
    fn http_status(self) -> u16;
    fn sender_fault(self) -> bool;
    /// A refusal for rate: counted as throttled rather than as an error.
    fn is_throttle(self) -> bool;

    /// `Sender` or `Receiver`, as query errors and `x-amzn-query-error` name the side at fault.
    fn side(self) -> &'static str {
        if self.sender_fault() {
            "Sender"
        } else {
            "Receiver"
        }
    }
}

/// Every error the emulator can return, named after the SQS shape (or unmodeled code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ErrorCode {
    QueueDoesNotExist,
    QueueNameExists,
    QueueDeletedRecently,
    PurgeQueueInProgress,
    EmptyBatchRequest,
    TooManyEntriesInBatchRequest,
    BatchEntryIdsNotDistinct,
    InvalidBatchEntryId,
    BatchRequestTooLong,
    ReceiptHandleIsInvalid,
    OverLimit,
    RequestThrottled,
    ThrottlingException,
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidMessageContents,
    InvalidParameterValue,
    MissingParameter,
    InternalError,
    SerializationException,
    UnknownOperation,
    /// The query protocol's answer to an action it does not know.
    InvalidAction,
    RequestEntityTooLarge,
    ResourceNotFound,
}

impl ErrorCode {
    /// The Smithy shape name, used in `__type` as `com.amazonaws.sqs#<shape>`.
    pub(crate) fn shape(self) -> &'static str {
        use ErrorCode::*;
        match self {
            QueueDoesNotExist => "QueueDoesNotExist",
            QueueNameExists => "QueueNameExists",
            QueueDeletedRecently => "QueueDeletedRecently",
            PurgeQueueInProgress => "PurgeQueueInProgress",
            EmptyBatchRequest => "EmptyBatchRequest",
            TooManyEntriesInBatchRequest => "TooManyEntriesInBatchRequest",
            BatchEntryIdsNotDistinct => "BatchEntryIdsNotDistinct",
            InvalidBatchEntryId => "InvalidBatchEntryId",
            BatchRequestTooLong => "BatchRequestTooLong",
            ReceiptHandleIsInvalid => "ReceiptHandleIsInvalid",
            OverLimit => "OverLimit",
            RequestThrottled => "RequestThrottled",
            ThrottlingException => "ThrottlingException",
            InvalidAttributeName => "InvalidAttributeName",
            InvalidAttributeValue => "InvalidAttributeValue",
            InvalidMessageContents => "InvalidMessageContents",
            InvalidParameterValue => "InvalidParameterValueException",
            MissingParameter => "MissingRequiredParameterException",
            InternalError => "InternalError",
            SerializationException => "SerializationException",
            UnknownOperation => "UnknownOperationException",
            InvalidAction => "InvalidAction",
            RequestEntityTooLarge => "RequestEntityTooLarge",
            ResourceNotFound => "ResourceNotFoundException",
        }
    }

    /// The namespace of `__type`: modeled shapes live in the SQS namespace, the generic
    /// protocol errors in the service framework's.
    pub(crate) fn namespace(self) -> &'static str {
        use ErrorCode::*;
        match self {
            SerializationException | UnknownOperation | RequestEntityTooLarge => {
                "com.amazon.coral.service"
            }
            _ => "com.amazonaws.sqs",
        }
    }

    /// The legacy query code: what SQS clients (and batch `Failed[].Code`) call the error.
    fn legacy_code(self) -> &'static str {
        use ErrorCode::*;
        match self {
            QueueDoesNotExist => "AWS.SimpleQueueService.NonExistentQueue",
            QueueNameExists => "QueueAlreadyExists",
            QueueDeletedRecently => "AWS.SimpleQueueService.QueueDeletedRecently",
            PurgeQueueInProgress => "AWS.SimpleQueueService.PurgeQueueInProgress",
            EmptyBatchRequest => "AWS.SimpleQueueService.EmptyBatchRequest",
            TooManyEntriesInBatchRequest => "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            BatchEntryIdsNotDistinct => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            InvalidBatchEntryId => "AWS.SimpleQueueService.InvalidBatchEntryId",
            BatchRequestTooLong => "AWS.SimpleQueueService.BatchRequestTooLong",
            ReceiptHandleIsInvalid => "ReceiptHandleIsInvalid",
            OverLimit => "OverLimit",
            RequestThrottled => "RequestThrottled",
            ThrottlingException => "ThrottlingException",
            InvalidAttributeName => "InvalidAttributeName",
            InvalidAttributeValue => "InvalidAttributeValue",
            InvalidMessageContents => "InvalidMessageContents",
            InvalidParameterValue => "InvalidParameterValue",
            MissingParameter => "MissingParameter",
            InternalError => "InternalError",
            SerializationException => "SerializationException",
            UnknownOperation => "UnknownOperationException",
            InvalidAction => "InvalidAction",
            RequestEntityTooLarge => "RequestEntityTooLarge",
            ResourceNotFound => "ResourceNotFoundException",
        }
    }
}

impl Code for ErrorCode {
    fn query_code(self) -> &'static str {
        self.legacy_code()
    }

    fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            PurgeQueueInProgress | OverLimit | RequestThrottled => 403,
            ReceiptHandleIsInvalid => 404,
            RequestEntityTooLarge => 413,
            InternalError => 500,
            _ => 400,
        }
    }

    /// The quota's throttles (either style) and OverLimit.
    fn is_throttle(self) -> bool {
        matches!(
            self,
            ErrorCode::RequestThrottled | ErrorCode::ThrottlingException | ErrorCode::OverLimit
        )
    }

    fn sender_fault(self) -> bool {
        !matches!(self, ErrorCode::InternalError)
    }
}

/// SigV4's refusals (`serve --auth`), the same codes in every service, each carried in the
/// envelope of the service the request was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthCode {
    MissingAuthenticationToken,
    IncompleteSignature,
    InvalidClientTokenId,
    SignatureDoesNotMatch,
    RequestExpired,
}

impl Code for AuthCode {
    fn query_code(self) -> &'static str {
        match self {
            AuthCode::MissingAuthenticationToken => "MissingAuthenticationToken",
            AuthCode::IncompleteSignature => "IncompleteSignature",
            AuthCode::InvalidClientTokenId => "InvalidClientTokenId",
            AuthCode::SignatureDoesNotMatch => "SignatureDoesNotMatch",
            AuthCode::RequestExpired => "RequestExpired",
        }
    }

    fn http_status(self) -> u16 {
        match self {
            AuthCode::RequestExpired => 400,
            _ => 403,
        }
    }

    fn sender_fault(self) -> bool {
        true
    }

    fn is_throttle(self) -> bool {
        false
    }
}

/// An error of one service with its human-readable message, as that service would word it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error<C> {
    pub code: C,
    pub message: String,
}

impl<C: Code> Error<C> {
    pub(crate) fn new(code: C, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }
}

impl<C: Code> fmt::Display for Error<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.query_code(), self.message)
    }
}

impl<C: Code> std::error::Error for Error<C> {}

pub(crate) type SqsError = Error<ErrorCode>;

impl SqsError {
    pub(crate) fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameterValue, message)
    }

    pub(crate) fn missing(parameter: &str) -> Self {
        Self::new(
            ErrorCode::MissingParameter,
            format!("The request must contain the parameter {parameter}."),
        )
    }

    pub(crate) fn no_queue() -> Self {
        Self::new(
            ErrorCode::QueueDoesNotExist,
            "The specified queue does not exist.",
        )
    }
}

pub(crate) type SqsResult<T> = Result<T, SqsError>;
