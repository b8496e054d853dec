//! SNS's error vocabulary: the query error codes its SDKs map to typed errors, with their HTTP
//! statuses. A table of its own beside SQS's (`crate::error`), in the same `Error` type: the two
//! services name the same faults differently (SNS's `NotFound`, `InvalidParameter`, `Throttled`).

use crate::error::{Code, Error};

/// One SNS error: a code the SDKs know, who is at fault, and a message for the user.
pub(crate) type SnsError = Error<SnsCode>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SnsCode {
    InvalidParameter,
    ParameterValueInvalid,
    NotFound,
    Throttled,
    InternalError,
    EmptyBatchRequest,
    TooManyEntriesInBatchRequest,
    BatchEntryIdsNotDistinct,
    InvalidBatchEntryId,
    BatchRequestTooLong,
    FilterPolicyLimitExceeded,
    InvalidAction,
}

impl Code for SnsCode {
    fn query_code(self) -> &'static str {
        use SnsCode::*;
        match self {
            InvalidParameter => "InvalidParameter",
            ParameterValueInvalid => "ParameterValueInvalid",
            NotFound => "NotFound",
            // Publish's throttle as AWS reports it ("ThrottlingException: Rate exceeded");
            // the modeled `Throttled` shape belongs to the SMS actions.
            Throttled => "ThrottlingException",
            InternalError => "InternalError",
            EmptyBatchRequest => "EmptyBatchRequest",
            TooManyEntriesInBatchRequest => "TooManyEntriesInBatchRequest",
            BatchEntryIdsNotDistinct => "BatchEntryIdsNotDistinct",
            InvalidBatchEntryId => "InvalidBatchEntryId",
            BatchRequestTooLong => "BatchRequestTooLong",
            FilterPolicyLimitExceeded => "FilterPolicyLimitExceeded",
            InvalidAction => "InvalidAction",
        }
    }

    fn http_status(self) -> u16 {
        match self {
            SnsCode::NotFound => 404,
            SnsCode::InternalError => 500,
            SnsCode::FilterPolicyLimitExceeded => 403,
            _ => 400,
        }
    }

    fn sender_fault(self) -> bool {
        self != SnsCode::InternalError
    }

    fn is_throttle(self) -> bool {
        self == SnsCode::Throttled
    }
}

impl SnsError {
    /// `Invalid parameter: <what>`, SNS's wording for a bad or missing parameter.
    pub(crate) fn invalid(what: impl std::fmt::Display) -> SnsError {
        SnsError::new(
            SnsCode::InvalidParameter,
            format!("Invalid parameter: {what}"),
        )
    }

    pub(crate) fn throttled() -> SnsError {
        SnsError::new(SnsCode::Throttled, "Rate exceeded")
    }

    pub(crate) fn not_found(what: &str) -> SnsError {
        SnsError::new(SnsCode::NotFound, format!("{what} does not exist"))
    }
}

pub(crate) type SnsResult<T> = Result<T, SnsError>;
