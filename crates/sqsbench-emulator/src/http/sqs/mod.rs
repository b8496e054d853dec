//! SQS on the emulator's port, in both its protocols, through the one pipeline:
//! - AWS JSON 1.0 (`json`): the action from `X-Amz-Target: AmazonSQS.<Op>`, errors with `__type`,
//!   `message` and the `x-amzn-query-error` header the Rust SDK needs for typed errors;
//! - the query protocol (`query`): the parameters become the same JSON input (`query_in`), go
//!   through the same operations, and the JSON reply becomes XML (`query_out`).
//!
//! Typed actions and inputs are `op`; one function per operation is `ops`, `messages` and `admin_ops`; the
//! wire shapes are `wire` and `json_text`. Thin: decode, call the broker, encode. Must not hold
//! queue state of its own.

pub(crate) mod admin_ops;
pub(crate) mod json_text;
pub(crate) mod messages;
pub(crate) mod op;
pub(crate) mod ops;
pub(crate) mod query_in;
pub(crate) mod query_out;
pub(crate) mod wire;

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};

use super::actions::Service;
use super::pipeline::{self, BodyRefused};
use super::query::Params;
use crate::broker::Broker;
use crate::error::{Code, ErrorCode, SqsError};
use op::Op;
pub(crate) use op::SqsAction;
pub(crate) use wire::Origin;

const JSON_TYPE: &str = "application/x-amz-json-1.0";

/// An AWS JSON 1.0 request for `operation` (the part of `X-Amz-Target` after `AmazonSQS.`).
pub(crate) async fn json(
    broker: &Arc<Broker>,
    origin: &Origin<'_>,
    operation: &str,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let Some(action) = SqsAction::from_name(operation) else {
        return json_error(&SqsError::new(
            ErrorCode::UnknownOperation,
            format!("Unknown operation AmazonSQS.{operation}."),
        ));
    };
    let work = async { ops::dispatch(broker, origin, Op::from_json(action, &body)?).await };
    match pipeline::run(broker, action, work).await {
        Ok(json) => pipeline::respond(StatusCode::OK, JSON_TYPE, json),
        Err(e) => json_error(&e),
    }
}

/// A query-protocol request to SQS, sent to `path` (a queue's URL path names the queue when
/// `QueueUrl` is absent).
pub(crate) async fn query(
    broker: &Arc<Broker>,
    origin: &Origin<'_>,
    path: &str,
    mut params: Params,
) -> Response<Full<Bytes>> {
    let action = match params.action() {
        None => Err(SqsError::missing("Action")),
        Some(name) => SqsAction::from_name(name).ok_or_else(|| {
            SqsError::new(
                ErrorCode::InvalidAction,
                format!("The action {name} is not valid for this endpoint."),
            )
        }),
    };
    let action = match action {
        Ok(action) => action,
        Err(e) => return pipeline::query_error(Service::Sqs, &e),
    };
    if path != "/" {
        params.imply("QueueUrl", || format!("http://{}{}", origin.host, path));
    }
    let work = async {
        let json = query_in::to_json(action, params.iter())?;
        let json = ops::dispatch(broker, origin, Op::from_json(action, &json)?).await?;
        Ok(query_out::result(action, &json))
    };
    let reply = pipeline::run(broker, action, work).await;
    pipeline::query_answer(action, reply.map_err(query_wording))
}

/// SQS's query API words a missing queue after its WSDL (the JSON protocol does not).
fn query_wording(e: SqsError) -> SqsError {
    match e.code {
        ErrorCode::QueueDoesNotExist => SqsError::new(
            e.code,
            "The specified queue does not exist for this wsdl version.",
        ),
        _ => e,
    }
}

/// A request that is neither AWS JSON with an `X-Amz-Target` a service here answers nor a
/// query-protocol request: refused as SQS's JSON protocol refuses it.
pub(crate) fn unknown_target() -> Response<Full<Bytes>> {
    json_error(&SqsError::new(
        ErrorCode::UnknownOperation,
        "Missing or unknown X-Amz-Target header: expected AmazonSQS.<Operation> (AWS JSON 1.0 protocol), or a form-encoded query-protocol request.",
    ))
}

/// A body that could not be had, for either protocol: too large is SQS's JSON error, as the
/// SDKs expect it; an unreadable body is not an SQS error at all.
pub(crate) fn body_refused(refused: BodyRefused) -> Response<Full<Bytes>> {
    match refused {
        BodyRefused::TooLarge => json_error(&SqsError::new(
            ErrorCode::RequestEntityTooLarge,
            format!(
                "Request body larger than {} bytes.",
                pipeline::MAX_REQUEST_BYTES
            ),
        )),
        BodyRefused::Unreadable(reason) => pipeline::bad_request(&reason),
    }
}

/// An AWS JSON error: `__type` as `namespace#shape`, the message, and the legacy query code
/// with the side at fault in `x-amzn-query-error`.
fn json_error(error: &SqsError) -> Response<Full<Bytes>> {
    json_error_of(
        error,
        &format!("{}#{}", error.code.namespace(), error.code.shape()),
    )
}

/// An AWS JSON error of any code table, with its `__type` given.
pub(crate) fn json_error_of<C: Code>(
    error: &crate::error::Error<C>,
    error_type: &str,
) -> Response<Full<Bytes>> {
    let body = wire::ErrorBody {
        error_type: error_type.to_string(),
        message: &error.message,
    };
    let status = StatusCode::from_u16(error.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = pipeline::respond(
        status,
        JSON_TYPE,
        serde_json::to_vec(&body).expect("an error body of two strings always serializes"),
    );
    let header = format!("{};{}", error.code.query_code(), error.code.side());
    if let Ok(v) = HeaderValue::from_str(&header) {
        response.headers_mut().insert("x-amzn-query-error", v);
    }
    response
}
