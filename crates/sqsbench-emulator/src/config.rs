//! How an emulator is set up: address, region, quotas, throttle wire form, faults and seed.
//! Read from `serve` flags, a faults TOML file or a scenario by `settings`, or built in code.
//! Depends on nothing outside `emulator`.

use std::net::SocketAddr;
use std::time::Duration;

/// Which throughput quotas the emulator enforces.
#[derive(Debug, Clone, PartialEq)]
pub enum QuotaMode {
    /// SQS's published quotas: FIFO 300 calls/s per action per queue (a batch is one call),
    /// high-throughput FIFO the per-region table; standard queues unlimited.
    Aws,
    /// No throttling at all: for measuring the harness itself.
    Unlimited,
    /// Chosen rates, e.g. a small FIFO limit that tests can find quickly.
    Custom(QuotaTable),
}

/// Calls per second per API action and queue; `None` = unlimited.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuotaTable {
    pub fifo_tps: Option<f64>,
    pub high_throughput_tps: Option<f64>,
    pub standard_tps: Option<f64>,
}

/// How a throttled call looks on the wire: SQS's FIFO throttling form is not documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleStyle {
    /// 403 `RequestThrottled` (modeled; the Rust SDK maps it to a typed error).
    RequestThrottled,
    /// 400 `ThrottlingException` (as the FIFO troubleshooting page names it).
    ThrottlingException,
}

/// What the emulator thread does when it has no request left to answer. The modes, why they
/// exist and what they cost are explained once, in the README ("The emulator", `--idle`);
/// `idle_gauge` decides for `Auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Idle {
    /// Yield while busy, sleep at once when not.
    #[default]
    Auto,
    /// Sleep at once.
    Sleep,
    /// Always give way to other runnable threads first.
    Yield,
}

impl Idle {
    pub fn parse(text: &str) -> Result<Idle, String> {
        match text {
            "yield" => Ok(Idle::Yield),
            "sleep" => Ok(Idle::Sleep),
            "auto" => Ok(Idle::Auto),
            other => Err(format!(
                "{other:?}: expected \"auto\", \"yield\" or \"sleep\""
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Idle::Yield => "yield",
            Idle::Sleep => "sleep",
            Idle::Auto => "auto",
        }
    }
}

/// A window during which every response waits until the window ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stall {
    /// Offset from the emulator's start.
    pub at: Duration,
    pub length: Duration,
}

/// Seeded fault injection; every rate defaults to 0.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultConfig {
    /// Standard queues: a delete that answers success but leaves the message to be delivered again.
    pub duplicate_rate: f64,
    /// Accepted messages silently dropped.
    pub loss_rate: f64,
    /// Standard queues: a message stored ahead of earlier sends.
    pub reorder_rate: f64,
    /// FIFO queues, for self-tests: a receive delivering a group's messages out of order.
    pub fifo_disorder_rate: f64,
    /// Message operations answered with 500 InternalError (nothing is done).
    pub error_rate: f64,
    /// Added to every response.
    pub latency: Duration,
    pub stall: Option<Stall>,
}

impl FaultConfig {
    /// Checks every rate is a probability.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("duplicate_rate", self.duplicate_rate),
            ("loss_rate", self.loss_rate),
            ("reorder_rate", self.reorder_rate),
            ("fifo_disorder_rate", self.fifo_disorder_rate),
            ("error_rate", self.error_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1, got {rate}"));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub bind: SocketAddr,
    pub region: String,
    pub account: String,
    pub quota: QuotaMode,
    pub throttle_style: ThrottleStyle,
    pub idle: Idle,
    pub faults: FaultConfig,
    pub seed: u64,
    /// How long a deleted queue's name stays blocked (SQS: 60 s).
    pub deleted_name_cooldown: Duration,
    pub connections: ConnectionLimits,
}

/// What reclaims connections from clients that hold them without finishing a request
/// (slowloris, half-sent bodies, abandoned keep-alives) and bounds how many are open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConnectionLimits {
    /// How long a connection may have no request in progress — idle between keep-alive
    /// requests, or still sending a request head — before it is closed (`http::watchdog`).
    /// Never cuts a long poll: a request being answered is in progress. Zero turns it off.
    pub header_timeout: Duration,
    /// Reading a request's body once its head has arrived. Zero turns it off.
    pub body_timeout: Duration,
    /// Open connections at most; further clients wait in the listen backlog.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(75),
            body_timeout: Duration::from_secs(30),
            max_connections: 4096,
        }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            region: "us-east-1".into(),
            account: "000000000000".into(),
            quota: QuotaMode::Aws,
            throttle_style: ThrottleStyle::RequestThrottled,
            idle: Idle::default(),
            faults: FaultConfig::default(),
            seed: 0,
            deleted_name_cooldown: Duration::from_secs(60),
            connections: ConnectionLimits::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_modes_read_back_by_name() {
        for idle in [Idle::Auto, Idle::Yield, Idle::Sleep] {
            assert_eq!(Idle::parse(idle.name()), Ok(idle));
        }
        assert_eq!(Idle::default(), Idle::Auto);
        assert_eq!(
            Idle::parse("spin"),
            Err("\"spin\": expected \"auto\", \"yield\" or \"sleep\"".to_string())
        );
    }
}
