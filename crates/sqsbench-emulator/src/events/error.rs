//! EventBridge's error vocabulary: the `__type` names its SDKs map to typed errors, with their
//! HTTP statuses. A table of its own beside SQS's and SNS's, in the same `Error` type.

use crate::error::{Code, Error};

pub(crate) type EventsError = Error<EventsCode>;
pub(crate) type EventsResult<T> = Result<T, EventsError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventsCode {
    ResourceNotFound,
    ResourceAlreadyExists,
    InvalidEventPattern,
    Validation,
    LimitExceeded,
    IllegalStatus,
    Internal,
    Throttling,
    UnknownOperation,
    Serialization,
}

impl Code for EventsCode {
    fn query_code(self) -> &'static str {
        use EventsCode::*;
        match self {
            ResourceNotFound => "ResourceNotFoundException",
            ResourceAlreadyExists => "ResourceAlreadyExistsException",
            InvalidEventPattern => "InvalidEventPatternException",
            Validation => "ValidationException",
            LimitExceeded => "LimitExceededException",
            IllegalStatus => "IllegalStatusException",
            Internal => "InternalException",
            Throttling => "ThrottlingException",
            UnknownOperation => "UnknownOperationException",
            Serialization => "SerializationException",
        }
    }

    fn http_status(self) -> u16 {
        match self {
            EventsCode::Internal => 500,
            _ => 400,
        }
    }

    fn sender_fault(self) -> bool {
        self != EventsCode::Internal
    }

    fn is_throttle(self) -> bool {
        self == EventsCode::Throttling
    }
}

impl EventsError {
    pub(crate) fn validation(message: impl Into<String>) -> EventsError {
        EventsError::new(EventsCode::Validation, message)
    }

    pub(crate) fn not_found(what: impl std::fmt::Display) -> EventsError {
        EventsError::new(
            EventsCode::ResourceNotFound,
            format!("{what} does not exist."),
        )
    }

    pub(crate) fn exists(what: impl std::fmt::Display) -> EventsError {
        EventsError::new(
            EventsCode::ResourceAlreadyExists,
            format!("{what} already exists."),
        )
    }
}
