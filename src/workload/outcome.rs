//! Classifies every call's result, whichever client made it: failures are measurements
//! (throttled, an error code, a timeout), never reasons to stop a run.

use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};

use crate::client::lean::Failure;
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
    outcome_of(&Failure::of_sdk(error))
}

pub fn outcome_of(failure: &Failure) -> Outcome {
    match failure {
        Failure::Timeout | Failure::Dispatch { timeout: true } => Outcome::Timeout,
        // Refused, reset before an answer, or unresolvable: the request reached no server.
        Failure::Dispatch { timeout: false } => Outcome::Connect,
        Failure::Service {
            code: Some(code), ..
        } if THROTTLING.contains(&code.as_str()) => Outcome::Throttled,
        Failure::Service {
            code: Some(code), ..
        } => Outcome::Error(code.clone()),
        Failure::Service { code: None, .. } => Outcome::Error("Unknown".to_string()),
        Failure::Response => Outcome::Error("ResponseError".to_string()),
        Failure::Construction(_) => Outcome::Error("ConstructionFailure".to_string()),
        Failure::Checksum => Outcome::Error("ChecksumMismatch".to_string()),
        Failure::Other => Outcome::Error("Other".to_string()),
    }
}
