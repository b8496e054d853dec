//! `--metrics ADDR` for `run` and `serve`: the endpoint started before any traffic (an address
//! that cannot be bound is bad input, exit 2), and for `run`, kept up `--metrics-linger` after
//! the results are written so a last scrape sees the final values.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::emulator::StatsReader;
use crate::live::{LiveRun, MetricsServer, emulator_metrics};

/// Off a terminal (a pod, a CI job) a run lingers for two scrapes at Prometheus's default 15 s
/// interval, so the last values are caught; on a terminal it exits at once.
const UNATTENDED_LINGER: Duration = Duration::from_secs(30);

pub(super) struct RunMetrics {
    pub(super) live: LiveRun,
    server: MetricsServer,
    linger: Duration,
}

impl RunMetrics {
    /// The endpoint at `addr`, or none without one; `--metrics-linger` alone is refused.
    pub(super) fn start(
        addr: Option<SocketAddr>,
        linger: Option<Duration>,
    ) -> Result<Option<RunMetrics>, String> {
        let Some(addr) = addr else {
            return match linger {
                Some(_) => Err(
                    "--metrics-linger needs a metrics endpoint: --metrics ADDR or [run] metrics"
                        .into(),
                ),
                None => Ok(None),
            };
        };
        let live = LiveRun::default();
        let source = live.clone();
        let server = MetricsServer::start(addr, Arc::new(move || source.registry()))
            .map_err(|e| format!("metrics: cannot listen on {addr}: {e}"))?;
        eprintln!("metrics: http://{}/metrics", server.addr());
        let linger = linger.unwrap_or(if std::io::stderr().is_terminal() {
            Duration::ZERO
        } else {
            UNATTENDED_LINGER
        });
        Ok(Some(RunMetrics {
            live,
            server,
            linger,
        }))
    }

    /// Waits out the linger (cut short by a signal; skipped when no run began), then closes the
    /// endpoint.
    pub(super) async fn linger_then_stop(self, mut interrupt: watch::Receiver<bool>, quiet: bool) {
        if !self.linger.is_zero() && self.live.began() && !*interrupt.borrow() {
            if !quiet {
                eprintln!(
                    "metrics: serving the final values for {} more (--metrics-linger)",
                    crate::scenario::units::format_duration(self.linger)
                );
            }
            tokio::select! {
                _ = tokio::time::sleep(self.linger) => {}
                _ = interrupt.wait_for(|stop| *stop) => {}
            }
        }
        self.server.stop().await;
    }
}

/// `serve --metrics ADDR`: the emulator's own metrics, read when scraped.
pub(super) fn serve_emulator(
    addr: SocketAddr,
    stats: StatsReader,
) -> Result<MetricsServer, String> {
    let server = MetricsServer::start(
        addr,
        Arc::new(move || emulator_metrics::registry(stats.read())),
    )
    .map_err(|e| format!("metrics: cannot listen on {addr}: {e}"))?;
    Ok(server)
}
