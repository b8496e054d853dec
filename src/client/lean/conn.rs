//! The lean client's HTTP/1.1 keep-alive connections, each driven inside the task whose call
//! uses it. hyper-util's pooled client spawns a task per connection and hands every response
//! across tasks; in a profile of `client = "lean"` at 256 B its pool and client paths took 8 %
//! of the run's CPU, and the wake-ups between the two tasks a further share of tokio's
//! scheduling. Here a call takes an idle connection from a lock-free queue (or opens one),
//! polls hyper's connection future itself while it waits for its answer, and puts the
//! connection back when the answer is complete and the connection still open.
//! Depends on hyper, hyper-rustls and the lean client's `Failure` only.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::Bytes;
use crossbeam_queue::ArrayQueue;
use http::Uri;
use http::response::Parts;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use super::failure::Failure;

type Stream = MaybeHttpsStream<TokioIo<TcpStream>>;

/// Idle connections kept for reuse; more than this many idle at once are closed.
const IDLE_MAX: usize = 1024;
/// A connection idle this long is closed rather than reused (servers close idle ones too).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
    driver: http1::Connection<Stream, Full<Bytes>>,
    /// The driver finished: the server closed the connection, or it failed.
    closed: bool,
}

struct Idle {
    connection: Box<Connection>,
    since: Instant,
}

pub(super) struct Connections {
    connector: HttpsConnector<HttpConnector>,
    endpoint: Uri,
    idle: ArrayQueue<Idle>,
}

impl Connections {
    pub(super) fn new(connector: HttpsConnector<HttpConnector>, endpoint: Uri) -> Connections {
        Connections {
            connector,
            endpoint,
            idle: ArrayQueue::new(IDLE_MAX),
        }
    }

    /// One request and its whole answer, on a reused connection or a new one.
    pub(super) async fn exchange(
        &self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<(Parts, Bytes), Failure> {
        let mut connection = match self.reusable().await {
            Some(connection) => connection,
            None => self.open().await?,
        };
        let answer = connection.exchange(request).await;
        if answer.is_ok() && !connection.closed && !connection.sender.is_closed() {
            // A full queue closes the connection: more are idle than calls made at once.
            let _ = self.idle.push(Idle {
                connection,
                since: Instant::now(),
            });
        }
        answer
    }

    /// An idle connection the server has not closed, if there is one.
    async fn reusable(&self) -> Option<Box<Connection>> {
        while let Some(Idle {
            mut connection,
            since,
        }) = self.idle.pop()
        {
            if since.elapsed() < IDLE_TIMEOUT && connection.still_open().await {
                return Some(connection);
            }
        }
        None
    }

    async fn open(&self) -> Result<Box<Connection>, Failure> {
        let mut connector = self.connector.clone();
        let stream = connector
            .call(self.endpoint.clone())
            .await
            .map_err(|e| Failure::dispatch(e.as_ref()))?;
        let (sender, driver) = http1::handshake(stream)
            .await
            .map_err(|e| Failure::dispatch(&e))?;
        Ok(Box::new(Connection {
            sender,
            driver,
            closed: false,
        }))
    }
}

impl Connection {
    /// Polls the driver once, so a close the server sent while the connection was idle is
    /// seen before a request is written to it.
    async fn still_open(&mut self) -> bool {
        let driver = &mut self.driver;
        poll_fn(|cx| match Pin::new(&mut *driver).poll(cx) {
            Poll::Ready(_) => Poll::Ready(false),
            Poll::Pending => Poll::Ready(true),
        })
        .await
    }

    async fn exchange(
        &mut self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<(Parts, Bytes), Failure> {
        let Connection {
            sender,
            driver,
            closed,
        } = self;
        let work = async {
            sender.ready().await.map_err(|e| Failure::dispatch(&e))?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| Failure::dispatch(&e))?;
            let (parts, body) = response.into_parts();
            match body.collect().await {
                Ok(collected) => Ok((parts, collected.to_bytes())),
                Err(_) => Err(Failure::Response),
            }
        };
        let mut work = std::pin::pin!(work);
        // The answer first: a driver that ends (the server closed after answering) has already
        // handed the answer over, and the work then completes, or fails, without it.
        let driven = poll_fn(|cx| {
            if let Poll::Ready(answer) = work.as_mut().poll(cx) {
                return Poll::Ready(Some(answer));
            }
            if !*closed && Pin::new(&mut *driver).poll(cx).is_ready() {
                *closed = true;
                return Poll::Ready(None);
            }
            Poll::Pending
        })
        .await;
        match driven {
            Some(answer) => answer,
            None => work.await,
        }
    }
}

#[cfg(test)]
mod tests;
