//! `sqsbench serve`: the emulator as a standalone server on loopback (unless told otherwise),
//! stopping cleanly on SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::exit;
use crate::emulator::{
    ConnectionLimits, Emulator, EmulatorConfig, FaultConfig, Idle, QuotaMode, ThrottleStyle,
};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; anything else exposes an unauthenticated queue).
    #[arg(long, default_value = "127.0.0.1:9324")]
    bind: SocketAddr,
    /// Throughput quotas: aws (FIFO 300 calls/s per action, high-throughput region table),
    /// unlimited, or custom rates such as fifo_tps=50,standard_tps=1000.
    #[arg(long, default_value = "aws", value_parser = QuotaMode::parse)]
    quota: QuotaMode,
    /// Region used in queue ARNs and for the high-throughput FIFO quota table.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// How throttled calls look on the wire.
    #[arg(long, value_enum, default_value = "request-throttled")]
    throttle: Throttle,
    /// With no request to answer: auto (give way to other threads before sleeping only while
    /// busy: about a quarter less CPU per message under load), sleep (sleep at once: least added
    /// latency) or yield (always give way first).
    #[arg(long, default_value = "auto", value_parser = Idle::parse)]
    idle: Idle,
    /// Fault-injection file (TOML with the keys of [emulator.faults]).
    #[arg(long)]
    faults: Option<PathBuf>,
    /// Seed for message ids and fault decisions.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How long a connection may be idle, or take to send a request head, before it is closed
    /// (never cuts a long poll: a request being answered is not waiting); 0s turns it off.
    #[arg(long, default_value = "75s", value_parser = crate::scenario::units::parse_duration)]
    header_timeout: Duration,
    /// How long a request body may take to arrive once its head has; 0s turns it off.
    #[arg(long, default_value = "30s", value_parser = crate::scenario::units::parse_duration)]
    body_timeout: Duration,
    /// Open connections at most; more clients wait in the listen backlog.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,
}

#[derive(Clone, Copy, ValueEnum)]
enum Throttle {
    /// 403 RequestThrottled
    RequestThrottled,
    /// 400 ThrottlingException
    ThrottlingException,
}

pub fn run(args: ServeArgs) -> u8 {
    let faults = match &args.faults {
        None => FaultConfig::default(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| FaultConfig::from_toml(&text))
        {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: --faults {}: {e}", path.display());
                return exit::BAD_INPUT;
            }
        },
    };
    let config = EmulatorConfig {
        bind: args.bind,
        region: args.region,
        quota: args.quota,
        throttle_style: match args.throttle {
            Throttle::RequestThrottled => ThrottleStyle::RequestThrottled,
            Throttle::ThrottlingException => ThrottleStyle::ThrottlingException,
        },
        idle: args.idle,
        faults,
        seed: args.seed,
        connections: ConnectionLimits {
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            max_connections: args.max_connections as usize,
        },
        ..EmulatorConfig::default()
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::BAD_INPUT;
        }
    };
    runtime.block_on(async move {
        let handle = match Emulator::start(config).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("error: cannot listen on {}: {e}", args.bind);
                return exit::BAD_INPUT;
            }
        };
        if !handle.addr().ip().is_loopback() {
            eprintln!(
                "warning: listening on {} — not loopback; the emulator has no authentication",
                handle.addr()
            );
        }
        println!(
            "sqsbench emulator listening on {} (state is in memory; Ctrl-C to stop)",
            handle.endpoint()
        );
        let interrupted = wait_for_signal().await;
        let injected = handle.injected();
        handle.shutdown().await;
        eprintln!("stopped ({interrupted}); injected faults: {injected:?}");
        exit::OK
    })
}

async fn wait_for_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return "SIGINT";
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
