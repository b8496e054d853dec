//! SNS's error vocabulary: the query error codes its SDKs map to typed errors, with their HTTP
//! statuses. Apart from SQS's (`crate::error`): the two services name the same faults
//! differently (SNS's `NotFound`, `InvalidParameter`, `Throttled`).

/// One SNS error: a code the SDKs know, who is at fault, and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SnsError {
    pub(crate) code: SnsCode,
    pub(crate) message: String,
}

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

impl SnsCode {
    pub(crate) fn name(self) -> &'static str {
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

    pub(crate) fn http_status(self) -> u16 {
        match self {
            SnsCode::NotFound => 404,
            SnsCode::InternalError => 500,
            SnsCode::FilterPolicyLimitExceeded => 403,
            _ => 400,
        }
    }

    pub(crate) fn sender_fault(self) -> bool {
        self != SnsCode::InternalError
    }
}

impl SnsError {
    pub(crate) fn new(code: SnsCode, message: impl Into<String>) -> SnsError {
        SnsError {
            code,
            message: message.into(),
        }
    }

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
