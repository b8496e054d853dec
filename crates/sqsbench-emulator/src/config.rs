//! How an emulator is set up: address, region, quotas, throttle wire form, faults and seed.
//! The settings a user writes (quotas, idle, faults) are declared once, with `section!`: their
//! keys, bounds, defaults and doc lines; `settings` reads them from a scenario's `[emulator]`,
//! a faults file or `serve`'s flags. Depends on nothing in the crate; outside it, only on
//! `sqsbench_keys`.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use sqsbench_keys::codec::Section as _;
use sqsbench_keys::codec::{Codec, Opt, dur, inline, num, or, unset};
use sqsbench_keys::document::Field;
use sqsbench_keys::section;

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

/// Calls per second a custom quota may set.
const RATE: (f64, f64) = (0.001, 1e9);

section! {
    /// Calls per second per API action and queue; `None` = unlimited.
    pub struct QuotaTable / QuotaTableKeys {
        /// FIFO queues, calls/s per action
        fifo_tps: Option<f64> = Opt(num(RATE.0, RATE.1)), unset("50");
        /// high-throughput FIFO queues
        high_throughput_tps: Option<f64> = Opt(num(RATE.0, RATE.1)), unset("1000");
        /// standard queues
        standard_tps: Option<f64> = Opt(num(RATE.0, RATE.1)), unset("5000");
    }
}

impl Default for QuotaTable {
    fn default() -> Self {
        QuotaTable::read_keys(None).expect("every quota key may be unset")
    }
}

/// `quota`: `"aws"`, `"unlimited"` or a table of rates.
pub struct Quota;

impl Codec for Quota {
    type Value = QuotaMode;
    fn read(&self, field: &Field<'_>) -> Option<QuotaMode> {
        if field.is_str() {
            return match field.str()? {
                "aws" => Some(QuotaMode::Aws),
                "unlimited" => Some(QuotaMode::Unlimited),
                other => {
                    field.problem(format!(
                        "{other:?}: expected \"aws\", \"unlimited\" or {{ fifo_tps = 50 }}"
                    ));
                    None
                }
            };
        }
        if !field.is_table() {
            field.expected("\"aws\", \"unlimited\" or a table of rates");
            return None;
        }
        QuotaTable::read_keys(Some(&field.table()?)).map(QuotaMode::Custom)
    }
    fn write(&self, value: &QuotaMode) -> Option<toml::Value> {
        Some(match value {
            QuotaMode::Aws => toml::Value::String("aws".into()),
            QuotaMode::Unlimited => toml::Value::String("unlimited".into()),
            QuotaMode::Custom(t) => inline(t.to_keys()),
        })
    }
    fn accepts(&self) -> String {
        format!("{} to {:e} calls/s", RATE.0, RATE.1)
    }
    fn schema(&self) -> Value {
        json!({"anyOf": [{"enum": ["aws", "unlimited"]}, QuotaTable::schema()]})
    }
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
/// exist and what they cost are explained once, in docs/emulator.md (`--idle`);
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

section! {
    /// A window during which every response waits until the window ends.
    #[derive(Copy)]
    pub struct Stall / StallKeys {
        /// from the emulator's start
        at: Duration = dur(), or(Duration::ZERO);
        /// how long
        length as "for": Duration = dur(), or(Duration::ZERO);
    }
}

/// `stall`: both keys, or it is refused as a whole.
pub struct StallWindow;

impl Codec for StallWindow {
    type Value = Stall;
    fn read(&self, field: &Field<'_>) -> Option<Stall> {
        let table = field.table()?;
        let stall = Stall::read_keys(Some(&table));
        if table.get("at").is_none() || table.get("for").is_none() {
            field.problem("needs at and for, e.g. { at = \"10s\", for = \"1s\" }");
            return None;
        }
        stall
    }
    fn write(&self, value: &Stall) -> Option<toml::Value> {
        Some(inline(value.to_keys()))
    }
    fn accepts(&self) -> String {
        String::new()
    }
    fn schema(&self) -> Value {
        let mut stall = Stall::schema();
        stall["required"] = json!(["at", "for"]);
        stall
    }
}

section! {
    /// Seeded fault injection, every rate 0 unless set: a scenario's `[emulator.faults]`, or
    /// the file of `serve --faults FILE`.
    pub struct FaultConfig / FaultKeys {
        /// standard: a delete answers success but the message comes back
        duplicate_rate: f64 = num(0.0, 1.0), or(0.0);
        /// accepted with 200, silently dropped
        loss_rate: f64 = num(0.0, 1.0), or(0.0);
        /// standard: delivered ahead of earlier sends
        reorder_rate: f64 = num(0.0, 1.0), or(0.0);
        /// FIFO self-test: a group delivered out of order
        fifo_disorder_rate: f64 = num(0.0, 1.0), or(0.0);
        /// message operations answer 500 InternalError
        error_rate: f64 = num(0.0, 1.0), or(0.0);
        /// added to every response
        latency: Duration = dur(), or(Duration::ZERO);
        /// EventBridge: from PutEvents to the target queue
        eventbridge_delivery_delay: Duration = dur(), or(Duration::ZERO);
        /// every response in the window waits until it ends
        stall: Option<Stall> = Opt(StallWindow), unset("{ at = \"5s\", for = \"1s\" }");
    }
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig::read_keys(None).expect("every fault key has a default")
    }
}

impl FaultConfig {
    /// Checks a configuration built in code by the rules a file is read with: its keys,
    /// written out and read back.
    pub fn validate(&self) -> Result<(), String> {
        let text =
            toml::Table::from_iter(self.to_keys().into_iter().map(|(k, v)| (k.to_string(), v)))
                .to_string();
        let document = sqsbench_keys::Document::parse(&text);
        FaultConfig::read_keys(Some(&document.root()));
        let problems = document.problems.into_inner();
        if problems.is_empty() {
            return Ok(());
        }
        let said: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        Err(said.join("; "))
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
    /// `serve --auth sigv4`: when set, every request must be signed by one of these keys.
    pub auth: Option<crate::auth::Credentials>,
    /// `serve --tls-cert/--tls-key`: when set, the port speaks HTTPS only.
    pub tls: Option<TlsIdentity>,
}

/// A certificate chain and its private key, both PEM, as `serve --tls-cert/--tls-key` read them.
#[derive(Clone, PartialEq, Eq)]
pub struct TlsIdentity {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

// The key stays out of logs.
impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("cert_pem_bytes", &self.cert_pem.len())
            .finish_non_exhaustive()
    }
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
            auth: None,
            tls: None,
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
