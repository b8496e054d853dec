//! Classifies every SDK call result: failures are measurements (throttled, an error code, a
//! timeout), never reasons to stop a run.

use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};

use crate::measure::recorder::Outcome;

/// Codes SQS and the SDK's retry classifier treat as throttling.
const THROTTLING: &[&str] = &[
    "RequestThrottled",
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
];

pub fn classify<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> Outcome {
    match error {
        SdkError::TimeoutError(_) => Outcome::Timeout,
        SdkError::DispatchFailure(e) if e.is_timeout() => Outcome::Timeout,
        // Refused, reset before an answer, or unresolvable: the request reached no server.
        SdkError::DispatchFailure(_) => Outcome::Connect,
        SdkError::ServiceError(e) => match e.err().code() {
            Some(code) if THROTTLING.contains(&code) => Outcome::Throttled,
            Some(code) => Outcome::Error(code.to_string()),
            None => Outcome::Error("Unknown".to_string()),
        },
        SdkError::ResponseError(_) => Outcome::Error("ResponseError".to_string()),
        SdkError::ConstructionFailure(_) => Outcome::Error("ConstructionFailure".to_string()),
        _ => Outcome::Error("Other".to_string()),
    }
}
