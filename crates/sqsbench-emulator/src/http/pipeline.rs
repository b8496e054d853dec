//! One request of a known action, for every service and protocol: the `error_rate` fault, the
//! work, the count by action and outcome (`run`), then the answer in the protocol's encoding
//! (`query_answer` for the query protocol; AWS JSON's is SQS's own, `sqs::json`). Beside it, what
//! every path builds on: reading the body within its limits, request ids, plain responses.
//! Depends on the action and error vocabularies, the query XML and the broker's fault and request
//! counters; never on a service.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};

use super::actions::{Service, ServiceAction};
use super::query::XML_TYPE;
use super::query::xml::{self, XmlWriter};
use crate::broker::Broker;
use crate::error::{Code, Error};
use crate::model::message::{UuidText, uuid_text};
use crate::splitmix::finalize;
use crate::stats::Outcome;

/// Bodies beyond this are refused before parsing: a full 1 MiB batch with JSON escaping fits.
pub(crate) const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;
/// Built once: a header name given as text is parsed and copied on every response.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// Runs one request of `action`: the `error_rate` fault first, for the actions it applies to
/// (then `work` is never polled), else `work`; then the request is counted by its action and
/// how it ended.
pub(crate) async fn run<A: ServiceAction, T>(
    broker: &Broker,
    action: A,
    work: impl Future<Output = Result<T, Error<A::Code>>>,
) -> Result<T, Error<A::Code>> {
    let reply = if action.faultable() && broker.faults.fail_request() {
        Err(A::injected_error())
    } else {
        work.await
    };
    let outcome = match &reply {
        Ok(_) => Outcome::Ok,
        Err(e) if e.code.is_throttle() => Outcome::Throttled,
        Err(_) => Outcome::Error,
    };
    broker.requests.count(action.slot(), outcome);
    reply
}

/// A query-protocol answer: the action's result document, or the service's error envelope.
pub(crate) fn query_answer<A: ServiceAction>(
    action: A,
    reply: Result<Option<XmlWriter>, Error<A::Code>>,
) -> Response<Full<Bytes>> {
    match reply {
        Ok(result) => {
            let id = request_id();
            let id = id.as_str();
            let body = xml::document(A::SERVICE, action.name(), result, id);
            respond_as(StatusCode::OK, XML_TYPE, body.into_bytes(), id)
        }
        Err(e) => query_error(A::SERVICE, &e),
    }
}

/// A query-protocol error, also for a request refused before its action is known.
pub(crate) fn query_error<C: Code>(service: Service, e: &Error<C>) -> Response<Full<Bytes>> {
    let id = request_id();
    let id = id.as_str();
    let status = StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = xml::error_document(service, e, id);
    respond_as(status, XML_TYPE, body.into_bytes(), id)
}

/// Why a request's body could not be had.
pub(crate) enum BodyRefused {
    /// Over `MAX_REQUEST_BYTES`.
    TooLarge,
    /// Not a valid HTTP body, or not whole within the body timeout: the reason, for the client.
    Unreadable(String),
}

/// The whole body, within the size limit and the body timeout.
pub(crate) async fn collect_body(broker: &Broker, body: Incoming) -> Result<Bytes, BodyRefused> {
    let limit = broker.config.connections.body_timeout;
    let collect = Limited::new(body, MAX_REQUEST_BYTES).collect();
    let collected = if limit.is_zero() {
        Ok(collect.await)
    } else {
        tokio::time::timeout(limit, collect).await
    };
    match collected {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(BodyRefused::TooLarge),
        // A malformed chunked encoding, or a client that hung up mid-body.
        Ok(Err(e)) => Err(BodyRefused::Unreadable(format!(
            "The request body could not be read: {e}"
        ))),
        Err(_) => Err(BodyRefused::Unreadable(format!(
            "The request body did not arrive within {} s.",
            limit.as_secs()
        ))),
    }
}

/// 400 for a body that is not a valid HTTP body: no service's error, so plain text, and the
/// connection closed.
pub(crate) fn bad_request(message: &str) -> Response<Full<Bytes>> {
    let mut response = respond(
        StatusCode::BAD_REQUEST,
        "text/plain",
        format!("{message}\n").into_bytes(),
    );
    response
        .headers_mut()
        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);

pub(crate) fn request_id() -> UuidText {
    let n = REQUESTS.fetch_add(1, Relaxed);
    uuid_text(((finalize(n) as u128) << 64) | finalize(n ^ 0xa5a5) as u128)
}

pub(crate) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
) -> Response<Full<Bytes>> {
    respond_as(status, content_type, body, request_id().as_str())
}

/// A response carrying the request id `id` (a query response repeats it in its body).
pub(crate) fn respond_as(
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    id: &str,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(id) = HeaderValue::from_str(id) {
        headers.insert(REQUEST_ID, id);
    }
    response
}
