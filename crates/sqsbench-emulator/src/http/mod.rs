//! The wire layer on hyper (HTTP/1.1): AWS JSON 1.0 (`POST /` routed by
//! `X-Amz-Target: AmazonSQS.<Op>`, errors with `__type`, `message` and the
//! `x-amzn-query-error` header the Rust SDK needs for typed errors), and the query protocol
//! (`query`) for requests without that header, SNS's actions among them (`sns`). Thin: decode,
//! call the broker, encode. Must not hold queue or topic state of its own.

pub(crate) mod admin_ops;
pub(crate) mod json_text;
pub(crate) mod op;
pub(crate) mod ops;
pub(crate) mod query;
pub(crate) mod sns;
pub(crate) mod watchdog;
pub(crate) mod wire;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use bytes::Bytes;
use std::time::Duration;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

use super::broker::Broker;
use super::error::{ErrorCode, SqsError, SqsResult};
use super::model::message::{UuidText, uuid_text};
use super::splitmix::finalize;
use super::stats::{Outcome, RequestCount, Stats};
use op::{Action, Op};

/// Bodies beyond this are refused before parsing: a full 1 MiB batch with JSON escaping fits.
const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;
const JSON_TYPE: &str = "application/x-amz-json-1.0";
/// Built once: a header name given as text is parsed and copied on every response.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// Accepts connections until `shutdown` turns true, then closes every connection. At most
/// `max_connections` are open at once; accept errors (out of file descriptors) back off instead
/// of spinning; slow or idle clients are cut off by the header and body timeouts.
pub(crate) async fn serve(
    listener: TcpListener,
    broker: Arc<Broker>,
    mut shutdown: watch::Receiver<bool>,
) {
    let limits = broker.config.connections;
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    let mut backoff = AcceptBackoff::default();
    loop {
        tokio::select! {
            accepted = accept_within(&listener, &slots) => {
                let (stream, slot) = match accepted {
                    Ok(accepted) => {
                        backoff.reset();
                        accepted
                    }
                    Err(_) => {
                        tokio::time::sleep(backoff.pause()).await;
                        continue;
                    }
                };
                // A socket that keeps Nagle's algorithm still works, only with later answers.
                let _ = stream.set_nodelay(true);
                let broker = broker.clone();
                connections.spawn(async move {
                    let activity = watchdog::Activity::new();
                    let requests = activity.clone();
                    let service = service_fn(move |request| {
                        let broker = broker.clone();
                        let in_progress = requests.begin();
                        async move {
                            let response = handle(&broker, request).await;
                            drop(in_progress);
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let connection = http1::Builder::new()
                        .keep_alive(true)
                        // Head and body copied into one buffer and sent with one plain write:
                        // cheaper in the kernel than a two-part writev for responses this
                        // small (an A/B in the emulator benchmark, 5 rounds out of 5).
                        .writev(false)
                        .serve_connection(TokioIo::new(stream), service);
                    if limits.header_timeout.is_zero() {
                        let _ = connection.await;
                    } else {
                        tokio::select! {
                            _ = connection => {}
                            // Idle, or stuck before a whole request head: drop the connection.
                            _ = watchdog::expired(&activity, limits.header_timeout) => {}
                        }
                    }
                    drop(slot);
                });
            }
            // Reap finished connection tasks so the set does not grow with every client.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    connections.shutdown().await;
}

/// Waits for a free connection slot, then for a client.
async fn accept_within(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> std::io::Result<(tokio::net::TcpStream, OwnedSemaphorePermit)> {
    let slot = slots
        .clone()
        .acquire_owned()
        .await
        .map_err(std::io::Error::other)?;
    let (stream, _) = listener.accept().await?;
    Ok((stream, slot))
}

/// Pauses after failed accepts (EMFILE, ENFILE, ENOBUFS): 1 ms doubling to 1 s, so a server out
/// of file descriptors waits for one to be freed instead of retrying in a tight loop.
#[derive(Debug, Default)]
pub(crate) struct AcceptBackoff {
    failures: u32,
}

impl AcceptBackoff {
    pub(crate) fn pause(&mut self) -> Duration {
        let wait = Duration::from_millis(1u64 << self.failures.min(10)).min(Duration::from_secs(1));
        self.failures = self.failures.saturating_add(1);
        wait
    }

    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);

fn request_id() -> UuidText {
    let n = REQUESTS.fetch_add(1, Relaxed);
    uuid_text(((finalize(n) as u128) << 64) | finalize(n ^ 0xa5a5) as u128)
}

async fn handle(broker: &Arc<Broker>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    super::idle_gauge::served_one();
    let response = route(broker, request).await;
    let delay = broker.faults.response_delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    response
}

async fn route(broker: &Arc<Broker>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    // Header values are borrowed for the whole request: copying them cost three allocations
    // per request.
    let (parts, body) = request.into_parts();
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let target = header("x-amz-target");
    let query =
        target.is_none() && query::is_query(header(CONTENT_TYPE.as_str()), parts.uri.query());
    if parts.method == Method::GET && !query {
        return match parts.uri.path() {
            "/_sqsbench/injected" => {
                let body = serde_json::to_vec(&broker.faults.injected.snapshot())
                    .expect("counters always serialize");
                respond(StatusCode::OK, "application/json", body)
            }
            _ => respond(
                StatusCode::OK,
                "text/plain",
                b"sqsbench emulator: POST AWS JSON 1.0 or query-protocol SQS requests, or query-protocol SNS requests, to /\n"
                    .to_vec(),
            ),
        };
    }
    let bind;
    let host = match header(hyper::header::HOST.as_str()) {
        Some(host) => host,
        None => {
            bind = broker.config.bind.to_string();
            &bind
        }
    };
    if query {
        let body = match collect_body(broker, body).await {
            Ok(body) => body,
            Err(refused) => return refused,
        };
        let request = query::QueryRequest {
            host,
            path: parts.uri.path(),
            uri_query: parts.uri.query(),
            trace: header("x-amzn-trace-id"),
        };
        return query::handle(broker, &request, &body).await;
    }
    let Some(name) = target.and_then(|t| t.strip_prefix("AmazonSQS.")) else {
        return error_response(&SqsError::new(
            ErrorCode::UnknownOperation,
            "Missing or unknown X-Amz-Target header: expected AmazonSQS.<Operation> (AWS JSON 1.0 protocol), or a form-encoded query-protocol request.",
        ));
    };
    let Some(action) = Action::from_name(name) else {
        return error_response(&SqsError::new(
            ErrorCode::UnknownOperation,
            format!("Unknown operation AmazonSQS.{name}."),
        ));
    };
    let body = match collect_body(broker, body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let origin = ops::Origin {
        host,
        trace: header("x-amzn-trace-id"),
    };
    let reply = if action.moves_messages() && broker.faults.fail_request() {
        Err(injected_error())
    } else {
        match Op::from_json(action, &body) {
            Ok(op) => ops::dispatch(broker, &origin, op).await,
            Err(e) => Err(e),
        }
    };
    count(broker, action, &reply);
    match reply {
        Ok(json) => respond(StatusCode::OK, JSON_TYPE, json),
        Err(e) => error_response(&e),
    }
}

/// The emulator now: the broker's queues, the requests counted here by action name, and the
/// faults injected.
pub(crate) fn stats(broker: &Broker) -> Stats {
    let mut requests = Vec::new();
    let sqs = Action::ALL.iter().map(|a| (a.index(), a.name()));
    for (index, action) in sqs.chain(sns::counted_actions()) {
        for outcome in Outcome::ALL {
            let count = broker.requests.get(index, outcome);
            if count > 0 {
                requests.push(RequestCount {
                    action,
                    outcome: outcome.name(),
                    count,
                });
            }
        }
    }
    Stats {
        queues: broker.queue_stats(),
        requests,
        injected: broker.faults.injected.snapshot(),
        deliveries: broker.deliveries.snapshot(),
    }
}

/// The InternalError the `error_rate` fault answers with.
pub(crate) fn injected_error() -> SqsError {
    SqsError::new(
        ErrorCode::InternalError,
        "We encountered an internal error. Please try again.",
    )
}

/// One request in the emulator's live metrics, by its action and how it ended.
pub(crate) fn count<T>(broker: &Broker, action: Action, reply: &SqsResult<T>) {
    let outcome = match reply {
        Ok(_) => Outcome::Ok,
        Err(e) if e.code.is_throttle() => Outcome::Throttled,
        Err(_) => Outcome::Error,
    };
    broker.requests.count(action.index(), outcome);
}

/// The whole body, within the size limit and the body timeout; or the response refusing it.
async fn collect_body(broker: &Broker, body: Incoming) -> Result<Bytes, Response<Full<Bytes>>> {
    let limit = broker.config.connections.body_timeout;
    let collect = Limited::new(body, MAX_REQUEST_BYTES).collect();
    let collected = if limit.is_zero() {
        Ok(collect.await)
    } else {
        tokio::time::timeout(limit, collect).await
    };
    match collected {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(error_response(&SqsError::new(
            ErrorCode::RequestEntityTooLarge,
            format!("Request body larger than {MAX_REQUEST_BYTES} bytes."),
        ))),
        // A malformed chunked encoding, or a client that hung up mid-body.
        Ok(Err(e)) => Err(bad_request(&format!(
            "The request body could not be read: {e}"
        ))),
        Err(_) => Err(bad_request(&format!(
            "The request body did not arrive within {} s.",
            limit.as_secs()
        ))),
    }
}

/// 400 for a body that is not a valid HTTP body: not an SQS error, so plain text.
fn bad_request(message: &str) -> Response<Full<Bytes>> {
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

fn respond(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response<Full<Bytes>> {
    respond_as(status, content_type, body, request_id().as_str())
}

/// A response carrying the request id `id` (a query response repeats it in its body).
fn respond_as(
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

pub(crate) fn error_response(error: &SqsError) -> Response<Full<Bytes>> {
    let body = wire::ErrorBody {
        error_type: format!("{}#{}", error.code.namespace(), error.code.shape()),
        message: &error.message,
    };
    let status = StatusCode::from_u16(error.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = respond(
        status,
        JSON_TYPE,
        serde_json::to_vec(&body).expect("an error body of two strings always serializes"),
    );
    let fault = if error.code.sender_fault() {
        "Sender"
    } else {
        "Receiver"
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{};{}", error.code.legacy_code(), fault)) {
        response.headers_mut().insert("x-amzn-query-error", v);
    }
    response
}

#[cfg(test)]
mod backoff_tests {
    use super::*;

    #[test]
    fn accept_backoff_doubles_to_a_second_and_resets() {
        let mut b = AcceptBackoff::default();
        let pauses: Vec<u64> = (0..12).map(|_| b.pause().as_millis() as u64).collect();
        assert_eq!(&pauses[..4], &[1, 2, 4, 8]);
        assert_eq!(pauses[11], 1000);
        b.reset();
        assert_eq!(b.pause(), Duration::from_millis(1));
    }
}
