//! `sqsbench serve`: the emulator as a standalone server on loopback (unless told otherwise),
//! stopping cleanly on SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::exit;
use crate::emulator::auth::Credentials;
use crate::emulator::settings;
use crate::emulator::{
    ConnectionLimits, Emulator, EmulatorConfig, FaultConfig, Idle, QuotaMode, ThrottleStyle,
    TlsIdentity,
};
use crate::scenario::Problem;

#[derive(Args)]
pub(super) struct ServeArgs {
    /// Address to listen on (loopback by default; anything else without --auth exposes an
    /// unauthenticated queue).
    #[arg(long, default_value = "127.0.0.1:9324")]
    bind: SocketAddr,
    /// Require every request to be signed: sigv4 checks each request's Signature Version 4
    /// against the keys of --credentials, and refuses as AWS does (403
    /// MissingAuthenticationToken, InvalidClientTokenId, SignatureDoesNotMatch; 400
    /// RequestExpired).
    #[arg(long, value_enum, requires = "credentials")]
    auth: Option<Auth>,
    /// The accepted keys, in the AWS CLI's credentials format: [profile] sections of
    /// aws_access_key_id, aws_secret_access_key and an optional aws_session_token (then
    /// required on every request).
    #[arg(long, value_name = "FILE", requires = "auth")]
    credentials: Option<PathBuf>,
    /// Serve HTTPS only, with this certificate chain (PEM); needs --tls-key.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Throughput quotas: aws (FIFO 300 calls/s per action, high-throughput region table, SNS
    /// publish rates, EventBridge PutEvents and invocation rates), unlimited, or custom rates such
    /// as fifo_tps=50,standard_tps=1000 (SNS and EventBridge unthrottled).
    #[arg(long, default_value = "aws", value_parser = parse_quota)]
    quota: QuotaMode,
    /// Region used in queue, topic and event bus ARNs, and for the high-throughput FIFO, SNS
    /// Publish and EventBridge quota tables.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// How throttled calls look on the wire.
    #[arg(long, value_enum, default_value = "request-throttled")]
    throttle: Throttle,
    /// With no request to answer: auto (yield while busy), sleep (least added latency) or yield
    /// (always give way first); docs/emulator.md's `--idle` paragraph says what each costs.
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
    /// Serve the emulator's own metrics (OpenMetrics: queue depths, requests, throttles, dead
    /// letters, injected faults) at http://ADDR/metrics, e.g. 127.0.0.1:9465.
    #[arg(long, value_name = "ADDR", value_parser = crate::scenario::keys::parse_listen_addr)]
    metrics: Option<SocketAddr>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Auth {
    /// AWS Signature Version 4, in the Authorization header or a presigned URL
    Sigv4,
}

#[derive(Clone, Copy, ValueEnum)]
enum Throttle {
    /// 403 RequestThrottled
    RequestThrottled,
    /// 400 ThrottlingException
    ThrottlingException,
}

/// `--faults FILE`: the keys of a scenario's `[emulator.faults]`, read by the same reader;
/// every problem with its line. The file is bounded as a scenario is.
fn read_faults(path: &std::path::Path) -> Result<FaultConfig, String> {
    let text = crate::scenario::read_file(path).map_err(|p| p.message)?;
    settings::faults_file(&text).map_err(|problems| said(&problems, |p| p.to_string()))
}

/// `--credentials FILE`: the accepted keys; every problem names the file and line.
fn read_credentials(path: &std::path::Path) -> Result<Credentials, String> {
    let text = crate::scenario::read_file(path).map_err(|p| p.message)?;
    Credentials::parse(&text).map_err(|e| format!("--credentials {}: {e}", path.display()))
}

/// `--tls-cert`/`--tls-key`: both PEM files, read (the emulator checks they make an identity).
fn read_tls(cert: &std::path::Path, key: &std::path::Path) -> Result<TlsIdentity, String> {
    let read = |flag: &str, path: &std::path::Path| {
        std::fs::read(path).map_err(|e| format!("{flag} {}: {e}", path.display()))
    };
    Ok(TlsIdentity {
        cert_pem: read("--tls-cert", cert)?,
        key_pem: read("--tls-key", key)?,
    })
}

/// `--quota`: `aws`, `unlimited` or `fifo_tps=50,standard_tps=1000`, read as a scenario's
/// `[emulator] quota` is.
fn parse_quota(text: &str) -> Result<QuotaMode, String> {
    settings::quota_flag(text)
        .map_err(|problems| said(&problems, |p| format!("{}: {}", p.path, p.message)))
}

fn said(problems: &[Problem], each: impl Fn(&Problem) -> String) -> String {
    problems.iter().map(each).collect::<Vec<_>>().join("; ")
}

/// The emulator's configuration from the command line (and the faults file, read and checked).
fn config(args: &ServeArgs) -> Result<EmulatorConfig, u8> {
    let faults = match &args.faults {
        None => FaultConfig::default(),
        Some(path) => read_faults(path).map_err(|e| {
            eprintln!("error: --faults {}: {e}", path.display());
            exit::BAD_INPUT
        })?,
    };
    let auth = match (&args.auth, &args.credentials) {
        (Some(Auth::Sigv4), Some(path)) => Some(read_credentials(path).map_err(|e| {
            eprintln!("error: {e}");
            exit::BAD_INPUT
        })?),
        _ => None,
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(read_tls(cert, key).map_err(|e| {
            eprintln!("error: {e}");
            exit::BAD_INPUT
        })?),
        _ => None,
    };
    Ok(EmulatorConfig {
        bind: args.bind,
        auth,
        tls,
        region: args.region.clone(),
        quota: args.quota.clone(),
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
    })
}

pub(super) fn run(args: ServeArgs) -> u8 {
    let config = match config(&args) {
        Ok(config) => config,
        Err(code) => return code,
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
        // Before listening: a client that sees the port open may signal at once.
        let mut signals = crate::run::shutdown::Signals::new();
        let handle = match Emulator::start(config).await {
            Ok(h) => h,
            // The TLS identity is checked as the server starts.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput && args.tls_cert.is_some() => {
                eprintln!(
                    "error: --tls-cert {} / --tls-key {}: {e}",
                    args.tls_cert.as_deref().unwrap_or_else(|| "".as_ref()).display(),
                    args.tls_key.as_deref().unwrap_or_else(|| "".as_ref()).display()
                );
                return exit::BAD_INPUT;
            }
            Err(e) => {
                eprintln!("error: cannot listen on {}: {e}", args.bind);
                return exit::BAD_INPUT;
            }
        };
        if !handle.addr().ip().is_loopback() && args.auth.is_none() {
            eprintln!(
                "warning: listening on {} — not loopback, and without --auth anyone who reaches it may use it",
                handle.addr()
            );
        }
        let metrics = match args
            .metrics
            .map(|addr| super::metrics::serve_emulator(addr, handle.stats_reader()))
        {
            None => None,
            Some(Ok(server)) => Some(server),
            Some(Err(e)) => {
                eprintln!("error: {e}");
                handle.shutdown().await;
                return exit::BAD_INPUT;
            }
        };
        println!(
            "sqsbench emulator listening on {} (state is in memory; Ctrl-C to stop)",
            handle.endpoint()
        );
        if let Some(keys) = &handle.config().auth {
            println!(
                "auth: SigV4 required; {} access key(s) from {}",
                keys.len(),
                args.credentials.as_deref().unwrap_or_else(|| "".as_ref()).display()
            );
        }
        if let Some(metrics) = &metrics {
            println!("metrics: http://{}/metrics", metrics.addr());
        }
        let interrupted = signals.next().await;
        if let Some(metrics) = metrics {
            metrics.stop().await;
        }
        let injected = handle.injected();
        handle.shutdown().await;
        eprintln!("stopped ({interrupted}); injected faults: {injected:?}");
        exit::OK
    })
}

#[cfg(test)]
mod tests {
    //! Every emulator key fed to both paths: `serve`'s (the faults file, `--quota`, `--idle`)
    //! and a scenario's `[emulator]`. Each is accepted by both or refused by both, with the same
    //! message after the key path.

    use super::*;
    use crate::scenario::validate::scenario_from_text;

    /// The scenario path: the problem messages for `[emulator.faults]` set to `faults`, or the
    /// settings it resolved to.
    fn in_scenario(
        section: &str,
        body: &str,
    ) -> Result<crate::scenario::EmulatorSpec, Vec<String>> {
        let text = format!("name = \"x\"\n[[producers]]\nrate = \"1/s\"\n[{section}]\n{body}\n");
        scenario_from_text(&text, &[])
            .map(|s| s.emulator)
            .map_err(|problems| problems.into_iter().map(|p| p.message).collect())
    }

    /// The message after the line (a file's) and the key path, as serve prints it.
    fn message(said: &str) -> String {
        let said = match said.split_once(": ") {
            Some((line, rest)) if line.starts_with("line ") => rest,
            _ => said,
        };
        said.split_once(": ").map_or(said, |(_, m)| m).to_string()
    }

    #[test]
    fn every_fault_key_is_read_the_same_by_serve_and_by_a_scenario() {
        let cases = [
            "duplicate_rate = 0.25",
            "loss_rate = 1",
            "reorder_rate = 0",
            "fifo_disorder_rate = 0.5",
            "error_rate = 0.1",
            "latency = \"5ms\"",
            "stall = { at = \"2s\", for = \"1s\" }",
            "duplicate_rate = 1.5",
            "loss_rate = -0.1",
            "reorder_rate = \"often\"",
            "fifo_disorder_rate = true",
            "error_rate = 2",
            "latency = \"soon\"",
            "latency = 5",
            "stall = { at = \"2s\" }",
            "stall = { at = \"2s\", for = \"1s\", until = \"3s\" }",
            "stall = \"2s\"",
            "los_rate = 0.1",
        ];
        let dir = std::env::temp_dir().join(format!("sqsbench-faults-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("faults.toml");
        for case in cases {
            std::fs::write(&file, case).unwrap();
            let served = read_faults(&file);
            let scenario = in_scenario("emulator.faults", case);
            match (&served, &scenario) {
                (Ok(f), Ok(s)) => assert_eq!(f, &s.faults, "{case}"),
                (Err(f), Err(s)) => assert_eq!(vec![message(&f.to_string())], *s, "{case}"),
                _ => panic!("{case}: serve says {served:?}, a scenario says {scenario:?}"),
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn quota_and_idle_flags_are_read_the_same_as_a_scenario() {
        let quotas = [
            ("aws", "\"aws\""),
            ("unlimited", "\"unlimited\""),
            ("fifo_tps=50", "{ fifo_tps = 50 }"),
            (
                "fifo_tps=50,standard_tps=1000",
                "{ fifo_tps = 50, standard_tps = 1000 }",
            ),
            (
                "high_throughput_tps=0.0001",
                "{ high_throughput_tps = 0.0001 }",
            ),
            ("fifo_tps=2e9", "{ fifo_tps = 2e9 }"),
            ("fifo_tps=fast", "{ fifo_tps = \"fast\" }"),
            ("fifo_tp=50", "{ fifo_tp = 50 }"),
            ("plenty", "\"plenty\""),
        ];
        for (flag, toml) in quotas {
            let served = parse_quota(flag);
            let scenario = in_scenario("emulator", &format!("quota = {toml}"));
            match (&served, &scenario) {
                (Ok(f), Ok(s)) => assert_eq!(f, &s.quota, "{flag}"),
                (Err(f), Err(s)) => assert_eq!(vec![message(f)], *s, "{flag}"),
                _ => panic!("{flag}: serve says {served:?}, a scenario says {scenario:?}"),
            }
        }
        for idle in ["auto", "sleep", "yield", "spin"] {
            let served = Idle::parse(idle);
            let scenario = in_scenario("emulator", &format!("idle = \"{idle}\""));
            match (&served, &scenario) {
                (Ok(f), Ok(s)) => assert_eq!(*f, s.idle),
                (Err(f), Err(s)) => assert_eq!(vec![f.clone()], *s),
                _ => panic!("{idle}: serve says {served:?}, a scenario says {scenario:?}"),
            }
        }
    }
}
