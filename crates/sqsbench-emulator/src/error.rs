//! The SQS error vocabulary shared by the queue model and the wire layer.
//!
//! Each code knows its Smithy shape name, its legacy query code (which the Rust SDK needs in the
//! `x-amzn-query-error` header to map typed errors), its HTTP status and whether the sender is at
//! fault. Pure data: depends on nothing else in the crate.

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
    pub(crate) fn legacy_code(self) -> &'static str {
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
            RequestEntityTooLarge => "RequestEntityTooLarge",
            ResourceNotFound => "ResourceNotFoundException",
        }
    }

    pub(crate) fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            PurgeQueueInProgress | OverLimit | RequestThrottled => 403,
            ReceiptHandleIsInvalid => 404,
            RequestEntityTooLarge => 413,
            InternalError => 500,
            _ => 400,
        }
    }

    /// A refusal for rate: the quota's throttles (either style) and OverLimit.
    pub(crate) fn is_throttle(self) -> bool {
        matches!(
            self,
            ErrorCode::RequestThrottled | ErrorCode::ThrottlingException | ErrorCode::OverLimit
        )
    }

    pub(crate) fn sender_fault(self) -> bool {
        !matches!(self, ErrorCode::InternalError)
    }
}

/// An error with its human-readable message, as SQS would word it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.legacy_code())]
pub(crate) struct SqsError {
    pub code: ErrorCode,
    pub message: String,
}

impl SqsError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        SqsError {
            code,
            message: message.into(),
        }
    }

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
