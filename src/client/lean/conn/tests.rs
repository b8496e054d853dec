//! Connection reuse against a server that counts the connections it accepts: kept-alive
//! connections serve call after call, and ones the server closed are never written to.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use super::Connections;
use crate::client::lean::parity::{head, read_request};

/// What the server does after each answer.
#[derive(Clone, Copy)]
enum After {
    KeepAlive,
    /// Answers with `connection: close`, then closes.
    SayClose,
    /// Closes without a word, and reports each close on the channel.
    Close,
}

struct Server {
    endpoint: String,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

async fn server(after: After, closed: Option<mpsc::UnboundedSender<()>>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let closed = closed.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                while read_request(&mut stream, &mut buffer).await {
                    let headers: &[(&str, &str)] = match after {
                        After::SayClose => &[("connection", "close")],
                        _ => &[],
                    };
                    let _ = stream.write_all(&head(200, headers, 2)).await;
                    let _ = stream.write_all(b"{}").await;
                    if !matches!(after, After::KeepAlive) {
                        let _ = stream.shutdown().await;
                        drop(stream);
                        if let Some(c) = closed {
                            let _ = c.send(());
                        }
                        return;
                    }
                }
            });
        }
    });
    Server {
        endpoint,
        accepted,
        task,
    }
}

fn connections(endpoint: &str) -> Connections {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(super::super::tls_config(None).unwrap())
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Connections::new(https, endpoint.parse().unwrap())
}

fn request() -> http::Request<Full<Bytes>> {
    let mut r = http::Request::new(Full::new(Bytes::from_static(b"{}")));
    *r.method_mut() = http::Method::POST;
    *r.uri_mut() = "/".parse().unwrap();
    r
}

async fn five_calls(c: &Connections, mut between: impl AsyncFnMut()) {
    for _ in 0..5 {
        let (parts, body) = c.exchange(request()).await.expect("an answer");
        assert_eq!((parts.status.as_u16(), &body[..]), (200, &b"{}"[..]));
        between().await;
    }
}

#[tokio::test]
async fn calls_one_after_another_share_one_kept_alive_connection() {
    let s = server(After::KeepAlive, None).await;
    five_calls(&connections(&s.endpoint), async || {}).await;
    assert_eq!(s.accepted.load(Ordering::SeqCst), 1);
    s.task.abort();
}

#[tokio::test]
async fn an_answer_saying_close_is_followed_by_a_new_connection() {
    let s = server(After::SayClose, None).await;
    five_calls(&connections(&s.endpoint), async || {}).await;
    assert_eq!(s.accepted.load(Ordering::SeqCst), 5);
    s.task.abort();
}

#[tokio::test]
async fn a_connection_the_server_closed_while_idle_is_not_reused() {
    let (tx, mut closed) = mpsc::unbounded_channel();
    let s = server(After::Close, Some(tx)).await;
    // Each call waits until the server has closed the connection it used, so the next one
    // finds it closed in the idle queue and must open another.
    five_calls(&connections(&s.endpoint), async || {
        closed.recv().await.unwrap();
    })
    .await;
    assert_eq!(s.accepted.load(Ordering::SeqCst), 5);
    s.task.abort();
}

#[tokio::test]
async fn calls_at_once_open_a_connection_each_and_then_reuse_them() {
    let s = server(After::KeepAlive, None).await;
    let c = Arc::new(connections(&s.endpoint));
    for _ in 0..3 {
        let calls: Vec<_> = (0..4)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.exchange(request()).await.is_ok() })
            })
            .collect();
        for call in calls {
            assert!(call.await.unwrap());
        }
    }
    // Four calls at once need four connections; the later rounds (each after the last one's
    // calls put theirs back) reuse them.
    assert_eq!(s.accepted.load(Ordering::SeqCst), 4);
    s.task.abort();
}
