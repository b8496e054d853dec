//! The wire layer on hyper (HTTP/1.1). A request is placed once by `router` (service and
//! protocol), runs through `pipeline` (fault → dispatch → count → encode, the same for every
//! service), and is answered by its service: `sqs` (AWS JSON 1.0 and the query protocol), `sns`
//! and `sts` (the query protocol), `events` (EventBridge, AWS JSON 1.1), each with typed actions
//! (`actions`). What the query-protocol
//! services share is `query` (parameters, one XML writer, one error envelope); the batch rule
//! every batch action shares is `batch`. This module is the server: connections, their limits,
//! and the hand-off from route to service. Thin: must not hold queue or topic state of its own.

pub(crate) mod actions;
pub(crate) mod batch;
pub(crate) mod events;
pub(crate) mod pipeline;
pub(crate) mod query;
pub(crate) mod router;
pub(crate) mod sns;
pub(crate) mod sqs;
pub(crate) mod sts;
pub(crate) mod watchdog;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::HOST;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::auth;
use crate::broker::Broker;
use crate::error::Code;
use crate::stats::{Outcome, RequestCount, Stats};
use actions::{Service, ServiceAction};
use events::EventsAction;
use router::Route;
use sns::SnsAction;
use sqs::SqsAction;
use sts::StsAction;

/// Accepts connections until `shutdown` turns true, then closes every connection. At most
/// `max_connections` are open at once; accept errors (out of file descriptors) back off instead
/// of spinning; slow or idle clients are cut off by the header and body timeouts. With `tls`,
/// each connection's handshake comes first, within the header timeout.
pub(crate) async fn serve(
    listener: TcpListener,
    broker: Arc<Broker>,
    tls: Option<TlsAcceptor>,
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
                let tls = tls.clone();
                connections.spawn(async move {
                    match tls {
                        None => connection(stream, broker, limits).await,
                        Some(tls) => {
                            if let Some(stream) = handshake(&tls, stream, limits).await {
                                connection(stream, broker, limits).await;
                            }
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

/// A TLS handshake, given as long as a request head is; `None` for a client that fails it or
/// takes too long.
async fn handshake(
    tls: &TlsAcceptor,
    stream: tokio::net::TcpStream,
    limits: crate::config::ConnectionLimits,
) -> Option<tokio_rustls::server::TlsStream<tokio::net::TcpStream>> {
    let accept = tls.accept(stream);
    if limits.header_timeout.is_zero() {
        return accept.await.ok();
    }
    tokio::time::timeout(limits.header_timeout, accept)
        .await
        .ok()?
        .ok()
}

/// Serves one connection's requests until the client leaves or the watchdog cuts it off.
async fn connection<IO>(io: IO, broker: Arc<Broker>, limits: crate::config::ConnectionLimits)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
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
        // Head and body copied into one buffer and sent with one plain write: cheaper in the
        // kernel than a two-part writev for responses this small (an A/B in the emulator
        // benchmark, 5 rounds out of 5).
        .writev(false)
        .serve_connection(TokioIo::new(io), service);
    if limits.header_timeout.is_zero() {
        let _ = connection.await;
    } else {
        tokio::select! {
            _ = connection => {}
            // Idle, or stuck before a whole request head: drop the connection.
            _ = watchdog::expired(&activity, limits.header_timeout) => {}
        }
    }
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

async fn handle(broker: &Arc<Broker>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    crate::idle_gauge::served_one();
    let response = answer(broker, request).await;
    let delay = broker.faults.response_delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    response
}

/// Hands the request to the service its route names, once its signature holds (`--auth`).
async fn answer(broker: &Arc<Broker>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    // Header values are borrowed for the whole request: copying them cost three allocations
    // per request.
    let (parts, body) = request.into_parts();
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let bind;
    let host = match header(HOST.as_str()) {
        Some(host) => host,
        None => {
            bind = broker.config.bind.to_string();
            &bind
        }
    };
    let origin = sqs::Origin {
        host,
        trace: header("x-amzn-trace-id"),
    };
    let route = router::route(&parts.method, &parts.headers, &parts.uri);
    if route == Route::Page {
        return page(broker, parts.uri.path());
    }
    let body = match pipeline::collect_body(broker, body).await {
        Ok(body) => body,
        Err(refused) => return sqs::body_refused(refused),
    };
    if let Some(keys) = &broker.config.auth {
        let signed = auth::canonical::Request {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query(),
            headers: &parts.headers,
            body: &body,
        };
        if let Err(refused) = auth::verify(keys, &signed, std::time::SystemTime::now()) {
            return refusal(&route, parts.uri.query(), &body, &refused);
        }
    }
    match route {
        Route::Page => page(broker, parts.uri.path()),
        Route::SqsJson(operation) => sqs::json(broker, &origin, operation, body).await,
        Route::EventsJson(operation) => events::json(broker, operation, body).await,
        Route::UnknownTarget => sqs::unknown_target(),
        Route::Query(signed) => {
            let params = query::Params::decode(parts.uri.query(), &body);
            match router::query_service(signed, params.action()) {
                Service::Sqs => sqs::query(broker, &origin, parts.uri.path(), params).await,
                Service::Sns => sns::query(broker, &params).await,
                Service::Sts => sts::query(broker, &params).await,
                Service::Events => events::error(&crate::events::EventsError::new(
                    crate::events::EventsCode::UnknownOperation,
                    "EventBridge speaks AWS JSON 1.1: POST with X-Amz-Target: AWSEvents.<Operation>.",
                )),
            }
        }
    }
}

/// A request whose signature does not hold, answered in the envelope of the service it was
/// for: AWS JSON's for SQS's JSON protocol, else the query protocol's of the service its
/// signature or action names.
fn refusal(
    route: &Route,
    uri_query: Option<&str>,
    body: &[u8],
    refused: &auth::AuthError,
) -> Response<Full<Bytes>> {
    match route {
        Route::Query(signed) => {
            let params = query::Params::decode(uri_query, body);
            let service = router::query_service(*signed, params.action());
            pipeline::query_error(service, refused)
        }
        Route::EventsJson(_) => sqs::json_error_of(refused, refused.code.query_code()),
        _ => sqs::json_error_of(
            refused,
            &format!("com.amazon.coral.service#{}", refused.code.query_code()),
        ),
    }
}

/// The emulator's own pages: the faults injected so far as JSON, else a line saying what it is.
fn page(broker: &Broker, path: &str) -> Response<Full<Bytes>> {
    match path {
        "/_sqsbench/injected" => {
            let body = serde_json::to_vec(&broker.faults.injected.snapshot())
                .expect("counters always serialize");
            pipeline::respond(StatusCode::OK, "application/json", body)
        }
        _ => pipeline::respond(
            StatusCode::OK,
            "text/plain",
            b"sqsbench emulator: POST AWS JSON 1.0 or query-protocol SQS requests, or query-protocol SNS requests, to /\n"
                .to_vec(),
        ),
    }
}

const _: () = assert!(
    SqsAction::ALL.len() + SnsAction::ALL.len() + StsAction::ALL.len() + EventsAction::ALL.len()
        <= crate::stats::ACTION_SLOTS
);

/// The emulator now: the broker's queues, the requests counted by action and outcome, the
/// faults injected and the deliveries.
pub(crate) fn stats(broker: &Broker) -> Stats {
    let sqs = SqsAction::ALL.iter().map(|a| (a.slot(), a.name()));
    let sns = SnsAction::ALL.iter().map(|a| (a.slot(), a.name()));
    let sts = StsAction::ALL.iter().map(|a| (a.slot(), a.name()));
    let events = EventsAction::ALL.iter().map(|a| (a.slot(), a.name()));
    let mut requests = Vec::new();
    for (slot, action) in sqs.chain(sns).chain(sts).chain(events) {
        for outcome in Outcome::ALL {
            let count = broker.requests.get(slot, outcome);
            if count > 0 {
                requests.push(RequestCount {
                    action,
                    outcome: outcome.name(),
                    count,
                });
            }
        }
    }
    let (buses, rules) = broker.events.stats();
    Stats {
        queues: broker.queue_stats(),
        requests,
        injected: broker.faults.injected.snapshot(),
        deliveries: broker.deliveries.snapshot(),
        buses,
        rules,
    }
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
