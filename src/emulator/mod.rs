//! The embedded SQS-compatible emulator: an AWS JSON 1.0 server on loopback with a pure queue
//! model, SQS quotas and seeded, counted faults. Main type: `Emulator` (start → `EmulatorHandle`).
//! Imports nothing from the rest of the crate, so it could become its own crate.
//!
//! Layers, arrows pointing down: `http` (wire) → `broker` (queues, locks, long polls, quotas,
//! faults) → `model` (pure semantics, time passed in) → `error`.

pub mod broker;
pub mod config;
pub mod error;
pub mod faults;
pub mod http;
pub mod mix;
pub mod model;
pub mod quota;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{EmulatorConfig, FaultConfig, QuotaMode, QuotaTable, Stall, ThrottleStyle};
pub use faults::InjectedCounts;

/// Starts emulators.
pub struct Emulator;

/// A running emulator; dropping it (or calling `shutdown`) stops the server.
pub struct EmulatorHandle {
    addr: SocketAddr,
    broker: Arc<broker::Broker>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `config.bind` (127.0.0.1:0 by default) and serves on the current tokio runtime.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<EmulatorHandle> {
        if let Err(e) = config.faults.validate() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, e));
        }
        let listener = TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let mut config = config;
        config.bind = addr;
        let broker = Arc::new(broker::Broker::new(config));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(http::serve(listener, broker.clone(), stopped));
        Ok(EmulatorHandle {
            addr,
            broker,
            stop,
            task: Some(task),
        })
    }
}

impl EmulatorHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint URL to give an SQS client (`http://127.0.0.1:PORT`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn config(&self) -> &EmulatorConfig {
        &self.broker.config
    }

    /// Faults injected so far: the ground truth a run's detectors are checked against.
    pub fn injected(&self) -> InjectedCounts {
        self.broker.faults.injected.snapshot()
    }

    /// Stops accepting, closes connections and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
