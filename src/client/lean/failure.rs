//! Why a lean call failed, read as aws-sdk-sqs reads it, so a run classifies every failure the
//! same whichever client made the call.
//!
//! The mapping (aws-sdk-sqs 1.119, aws-smithy-runtime 1.16):
//!
//! | what happened | SDK error | `Outcome` | retried as |
//! |---|---|---|---|
//! | refused, reset or closed before an answer | `DispatchFailure` (io) | `Connect` | transient (10 tokens) |
//! | connect timeout | `DispatchFailure` (timeout) | `Timeout` | transient |
//! | no answer within the attempt timeout | `TimeoutError` | `Timeout` | transient |
//! | non-2xx answer | `ServiceError` | `Throttled` for a throttling code, else `Error(code)` | throttling code: 5 tokens; `RequestTimeout*` or status 500/502/503/504: transient; else not |
//! | 2xx whose body is cut short | `ResponseError` | `Error("ResponseError")` | transient |
//! | 2xx whose body is not the JSON expected | `ServiceError` (unhandled, no code) | `Error("Unknown")` | not |
//! | a digest that does not match (lean only) | none: the Rust SDK checks no MD5 | `Error("ChecksumMismatch")` | not |
//!
//! The code is the `x-amzn-errortype` header's, else the body's `code`, else its `__type`, cut
//! at `:` and taken after `#`; an `x-amzn-query-error: <code>;<fault>` header replaces it with
//! the legacy code before the `;`.
//! `workload::outcome` turns a `Failure` into the run's `Outcome`, the same for both clients.
//! Depends on `wire` only.

use std::time::Duration;

use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use http::HeaderMap;

use super::wire::ErrorBody;

#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The request reached no server that answered (refused, reset, closed, unresolvable).
    Dispatch { timeout: bool },
    /// No complete answer within the attempt timeout.
    Timeout,
    /// The service answered with an error.
    Service {
        status: u16,
        code: Option<String>,
        /// `x-amz-retry-after`, in ms: how long the service asks the client to wait.
        retry_after: Option<Duration>,
    },
    /// A 2xx answer whose body was cut short.
    Response,
    /// A digest that does not match what was sent or received (the Rust SDK checks none).
    Checksum,
    /// The request could not be made (credentials could not be had, or signing failed).
    Construction(String),
    /// An SDK error of no other kind.
    Other,
}

/// How a retry of a failure is charged and paced (the SDK's `ErrorKind`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RetryKind {
    Throttling,
    Transient,
}

/// aws-runtime's `THROTTLING_ERRORS`: codes the SDK retries as throttling.
const RETRIED_AS_THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

const RETRIED_AS_TRANSIENT: &[&str] = &["RequestTimeout", "RequestTimeoutException"];
const TRANSIENT_STATUS: &[u16] = &[500, 502, 503, 504];

impl Failure {
    /// An error answer: its code as the SDK reads it.
    pub(crate) fn service(status: u16, headers: &HeaderMap, body: &[u8]) -> Failure {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let parsed: ErrorBody<'_> = serde_json::from_slice(body).unwrap_or_default();
        let raw = header("x-amzn-errortype")
            .map(str::to_string)
            .or_else(|| parsed.code.map(|c| c.into_owned()))
            .or_else(|| parsed.type_.map(|t| t.into_owned()));
        let mut code = raw.map(|c| sanitize(&c).to_string());
        if let Some((legacy, _fault)) = header("x-amzn-query-error").and_then(|q| q.split_once(';'))
        {
            code = Some(legacy.to_string());
        }
        let retry_after = header("x-amz-retry-after")
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis);
        Failure::Service {
            status,
            code,
            retry_after,
        }
    }

    /// Whether the SDK's standard mode retries it, and how.
    pub(crate) fn retry_kind(&self) -> Option<RetryKind> {
        match self {
            Failure::Dispatch { .. } | Failure::Timeout | Failure::Response => {
                Some(RetryKind::Transient)
            }
            Failure::Service { status, code, .. } => {
                let code = code.as_deref().unwrap_or("");
                if RETRIED_AS_THROTTLING.contains(&code) {
                    Some(RetryKind::Throttling)
                } else if RETRIED_AS_TRANSIENT.contains(&code) || TRANSIENT_STATUS.contains(status)
                {
                    Some(RetryKind::Transient)
                } else {
                    None
                }
            }
            Failure::Checksum | Failure::Construction(_) | Failure::Other => None,
        }
    }

    /// A request no server answered: a timeout (connect) or not, as the SDK's connector tells them.
    pub(crate) fn dispatch(e: &(dyn std::error::Error + 'static)) -> Failure {
        let mut source = Some(e);
        while let Some(err) = source {
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::TimedOut
            {
                return Failure::Dispatch { timeout: true };
            }
            source = err.source();
        }
        Failure::Dispatch { timeout: false }
    }

    /// An aws-sdk-sqs (or -sns) error, in the same terms.
    pub fn of_sdk<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> Failure {
        match error {
            SdkError::TimeoutError(_) => Failure::Timeout,
            SdkError::DispatchFailure(e) => Failure::Dispatch {
                timeout: e.is_timeout(),
            },
            SdkError::ServiceError(e) => Failure::Service {
                status: 0,
                code: e.err().code().map(str::to_string),
                retry_after: None,
            },
            SdkError::ResponseError(_) => Failure::Response,
            SdkError::ConstructionFailure(_) => Failure::Construction(String::new()),
            _ => Failure::Other,
        }
    }

    /// The service's error code, when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Failure::Service { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Service { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// `aws.protocoltests#Shape:http://…` → `Shape`, as smithy's `sanitize_error_code`.
fn sanitize(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    code.rsplit('#').next().unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_query_error_header_names_the_legacy_code() {
        let f = Failure::service(
            400,
            &headers(&[(
                "x-amzn-query-error",
                "AWS.SimpleQueueService.NonExistentQueue;Sender",
            )]),
            br#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"x"}"#,
        );
        assert_eq!(f.code(), Some("AWS.SimpleQueueService.NonExistentQueue"));
        assert_eq!(f.retry_kind(), None);
    }

    #[test]
    fn without_the_header_the_shape_name_is_the_code_and_throttles_are_retried_cheaply() {
        let f = Failure::service(
            400,
            &HeaderMap::new(),
            br#"{"__type":"com.amazonaws.sqs#ThrottlingException:http://x"}"#,
        );
        assert_eq!(f.code(), Some("ThrottlingException"));
        assert_eq!(f.retry_kind(), Some(RetryKind::Throttling));
        let f = Failure::service(503, &headers(&[("x-amz-retry-after", "250")]), b"not json");
        assert_eq!(f.code(), None);
        assert_eq!(f.retry_kind(), Some(RetryKind::Transient));
        assert_eq!(f.retry_after(), Some(Duration::from_millis(250)));
    }

    #[test]
    fn the_errortype_header_wins_over_the_body() {
        let f = Failure::service(
            400,
            &headers(&[("x-amzn-errortype", "OverLimit:http://internal")]),
            br#"{"code":"Other"}"#,
        );
        assert_eq!(f.code(), Some("OverLimit"));
        assert_eq!(f.retry_kind(), None);
    }
}
