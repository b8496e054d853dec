//! The embedded SQS-compatible emulator: an AWS JSON 1.0 and query-protocol server on loopback
//! with a pure queue model, SQS quotas and seeded, counted faults, and SNS topics and
//! EventBridge buses fanning out to its queues on the same port. Main type: `Emulator` (start →
//! `EmulatorHandle`).
//! Its own crate: it depends on nothing of the harness, which uses only this public API —
//! `Emulator::start`, the handle's endpoint, injected-fault counters and `stats` (live
//! metrics), `config` and its reader `settings`, and the leaf modules `splitmix` (ids),
//! `filter_policy` (SNS subscription filters, pure), which the
//! harness evaluates on what it published to know what each subscription should receive,
//! `event_pattern` (EventBridge event patterns, pure), and
//! `names` (AWS's name rules, pure), which the harness validates scenarios with.
//!
//! Layers, arrows pointing down: `http` (wire; `http::sns` for SNS, `http::events` for
//! EventBridge) → `move_tasks` (DLQ
//! redrive tasks) → `broker` (queues, locks, long polls, quotas, faults; it keeps the tasks'
//! `move_tasks::registry`, the SNS `topics` and the EventBridge `events`, whose deliveries come
//! back to it through `http::sns` and `http::events`) → `topics` (pure SNS state: what a publish
//! fans out to) and `events` (pure EventBridge state: what a PutEvents routes where) →
//! `filter_policy`, `event_pattern` (both using the leaves `cidr` and `bounds`) and `model`
//! (pure semantics, time passed in) → `error`; `http` also tells
//! `idle_gauge` of each request, which the runtime's idle hook reads (`Idle::Auto`).
//! `http` checks each request's SigV4 with `auth` (pure: the request's parts and the time in)
//! when `serve --auth` gave keys, and wraps connections in `tls` when it gave a certificate.
//! `fuzzing` (feature `fuzzing` only) hands the fuzz targets of `fuzz/` the wire decoders.
//! `stats` is a leaf both `http` (request counts) and `broker` (throttles, dead letters) write
//! into; `EmulatorHandle::stats` is the snapshot the harness turns into live metrics.

#![warn(unreachable_pub)]

#[cfg(test)]
mod architecture;

pub mod auth;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

pub(crate) mod bounds;
pub(crate) mod broker;
pub(crate) mod cidr;
pub mod config;
pub(crate) mod error;
pub mod event_pattern;
pub(crate) mod events;
pub(crate) mod faults;
pub mod filter_policy;
pub(crate) mod http;
pub(crate) mod idle_gauge;
pub(crate) mod model;
pub(crate) mod move_tasks;
pub mod names;
pub(crate) mod quota;
pub mod settings;
pub mod splitmix;
pub mod stats;
pub(crate) mod tls;
pub(crate) mod topics;

/// MD5 digests as SQS computes them, public for the `batch_md5` benchmark and for tests that
/// check the wire's digests independently of a client.
pub mod digests {
    pub use crate::model::md5_lanes::md5_many;
    pub use crate::model::message::{attributes_md5, hex, md5_of};
    pub use crate::model::{AttributeValue, MessageAttribute};
}

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

pub use config::{
    ConnectionLimits, EmulatorConfig, FaultConfig, Idle, QuotaMode, QuotaTable, Stall,
    ThrottleStyle, TlsIdentity,
};
pub use stats::InjectedCounts;

/// Starts emulators.
pub struct Emulator;

/// A running emulator; dropping it (or calling `shutdown`) stops the server.
pub struct EmulatorHandle {
    addr: SocketAddr,
    broker: Arc<broker::Broker>,
    stop: watch::Sender<bool>,
    stopped: Option<oneshot::Receiver<()>>,
}

impl Emulator {
    /// Binds `config.bind` (127.0.0.1:0 by default) and serves from a thread of its own with a
    /// single-threaded runtime: no work stealing or cross-thread wake-ups per request (they
    /// cost more CPU than the requests), and an embedded emulator never competes with the
    /// harness's tasks for the same workers.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<EmulatorHandle> {
        Self::start_blocking(config)
    }

    /// `start` for callers outside an async context.
    pub fn start_blocking(config: EmulatorConfig) -> std::io::Result<EmulatorHandle> {
        if let Err(e) = config.faults.validate() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, e));
        }
        let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
        let listener = listen(config.bind, config.connections.max_connections)?;
        let addr = listener.local_addr()?;
        let mut config = config;
        config.bind = addr;
        let broker = Arc::new(broker::Broker::new(config));
        let (stop, stop_rx) = watch::channel(false);
        let (done, stopped) = oneshot::channel();
        let serving = broker.clone();
        let runtime = server_runtime(broker.config.idle)?;
        std::thread::Builder::new()
            .name("sqsbench-emulator".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match TcpListener::from_std(listener) {
                        Ok(listener) => http::serve(listener, serving, tls, stop_rx).await,
                        Err(e) => eprintln!("emulator: cannot use listener: {e}"),
                    }
                });
                let _ = done.send(());
            })?;
        Ok(EmulatorHandle {
            addr,
            broker,
            stop,
            stopped: Some(stopped),
        })
    }
}

/// A non-blocking listener on `addr` whose backlog holds `max_connections` clients (the
/// kernel caps it at `net.core.somaxconn`). std's 128 overflows when a run's thousands of
/// consumers connect at once: the kernel then drops their SYNs, and each waits a second or
/// more to try again, or fails.
fn listen(addr: SocketAddr, max_connections: usize) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(i32::try_from(max_connections.max(1024)).unwrap_or(i32::MAX))?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// The emulator thread's runtime. With `Idle::Yield`, and with `Idle::Auto` while busy (see
/// `idle_gauge`), before it sleeps for want of work it first gives way
/// to any other runnable thread: its clients share the machine (loopback only, often the same
/// process), so the requests they were about to send are usually waiting when it looks again
/// and one wake-up serves several. Being put to sleep and woken for each request is the
/// largest single cost per message; yielding first cut server CPU per message by about a quarter
/// in the emulator benchmark, at the same throughput and client CPU (see `Idle`).
fn server_runtime(idle: Idle) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_current_thread();
    builder.enable_all();
    match idle {
        Idle::Sleep => {}
        Idle::Yield => {
            builder.on_thread_park(std::thread::yield_now);
        }
        Idle::Auto => {
            builder
                .on_thread_park(|| {
                    if idle_gauge::before_sleep() {
                        std::thread::yield_now();
                    }
                })
                .on_thread_unpark(idle_gauge::after_sleep);
        }
    }
    builder.build()
}

impl EmulatorHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint URL to give an SQS client (`http://127.0.0.1:PORT`, or `https://` when
    /// serving TLS).
    pub fn endpoint(&self) -> String {
        let scheme = match self.broker.config.tls {
            Some(_) => "https",
            None => "http",
        };
        format!("{scheme}://{}", self.addr)
    }

    pub fn config(&self) -> &EmulatorConfig {
        &self.broker.config
    }

    /// Faults injected so far: the ground truth a run's detectors are checked against.
    pub fn injected(&self) -> InjectedCounts {
        self.broker.faults.injected.snapshot()
    }

    /// What a metrics scrape reads: queue depths, requests, throttles, dead letters, faults.
    pub fn stats(&self) -> stats::Stats {
        http::stats(&self.broker)
    }

    /// Reads `stats` from elsewhere (a metrics endpoint's task) for as long as it is kept; the
    /// server still stops when this handle is shut down.
    pub fn stats_reader(&self) -> StatsReader {
        StatsReader(self.broker.clone())
    }

    /// Stops accepting, closes connections and waits for the server thread to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(stopped) = self.stopped.take() {
            let _ = stopped.await;
        }
    }
}

/// `EmulatorHandle::stats`, detached from the handle.
#[derive(Clone)]
pub struct StatsReader(Arc<broker::Broker>);

impl StatsReader {
    pub fn read(&self) -> stats::Stats {
        http::stats(&self.0)
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
