//! How an emulator is set up: address, region, quotas, throttle wire form, faults and seed.
//! Parsed from `serve` flags, a faults TOML file, or built by `sqsbench run` for the embedded
//! target. Depends on nothing outside `emulator`.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

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
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaTable {
    pub fifo_tps: Option<f64>,
    pub high_throughput_tps: Option<f64>,
    pub standard_tps: Option<f64>,
}

impl QuotaMode {
    /// Parses `aws`, `unlimited`, or `fifo_tps=50,standard_tps=1000` (the CLI form).
    pub fn parse(text: &str) -> Result<QuotaMode, String> {
        match text {
            "aws" => Ok(QuotaMode::Aws),
            "unlimited" => Ok(QuotaMode::Unlimited),
            custom => {
                let mut table = QuotaTable::default();
                for part in custom.split(',') {
                    let (key, value) = part.split_once('=').ok_or_else(|| {
                        format!("quota: expected aws, unlimited or KEY=RATE pairs, got {part:?}")
                    })?;
                    let rate: f64 = value
                        .trim()
                        .trim_end_matches("/s")
                        .parse()
                        .ok()
                        .filter(|r: &f64| *r > 0.0 && r.is_finite())
                        .ok_or_else(|| {
                            format!("quota: {key} must be a positive number, got {value:?}")
                        })?;
                    match key.trim() {
                        "fifo_tps" => table.fifo_tps = Some(rate),
                        "high_throughput_tps" => table.high_throughput_tps = Some(rate),
                        "standard_tps" => table.standard_tps = Some(rate),
                        other => {
                            return Err(format!(
                                "quota: unknown key {other:?} (known: fifo_tps, high_throughput_tps, standard_tps)"
                            ));
                        }
                    }
                }
                Ok(QuotaMode::Custom(table))
            }
        }
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

/// What the emulator thread does when it has no request left to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Idle {
    /// Yield while busy, sleep at once when not: the default. Gives way first only if more
    /// than one request was answered since the thread last ran out of work, or its last sleep
    /// was short (requests arrive fast, so yielding lets several gather); after a lone request
    /// and a long sleep the load is light, yielding would save nothing and could only delay
    /// the next answer. Costs about as little CPU as `Yield` under load (README, "Measured
    /// figures").
    #[default]
    Auto,
    /// Sleep at once and be woken by the next request: the fewest microseconds added to each
    /// answer, for the most server CPU per message.
    Sleep,
    /// Always give way to any other runnable thread first, then sleep. Its clients share the
    /// machine, so their next requests are usually waiting by then and one wake-up serves
    /// several: about a quarter less server CPU per message than `Sleep`, but an answer can wait
    /// behind other busy threads.
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

    /// Reads the faults file of `sqsbench serve --faults FILE` (TOML, the keys of
    /// `[emulator.faults]`).
    pub fn from_toml(text: &str) -> Result<FaultConfig, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct StallFile {
            at: String,
            #[serde(rename = "for")]
            length: String,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[serde(default)]
            duplicate_rate: f64,
            #[serde(default)]
            loss_rate: f64,
            #[serde(default)]
            reorder_rate: f64,
            #[serde(default)]
            fifo_disorder_rate: f64,
            #[serde(default)]
            error_rate: f64,
            latency: Option<String>,
            stall: Option<StallFile>,
        }
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let duration = |key: &str, s: &str| {
            humantime::parse_duration(s).map_err(|e| format!("{key}: {e} (e.g. \"250ms\", \"1s\")"))
        };
        let config = FaultConfig {
            duplicate_rate: file.duplicate_rate,
            loss_rate: file.loss_rate,
            reorder_rate: file.reorder_rate,
            fifo_disorder_rate: file.fifo_disorder_rate,
            error_rate: file.error_rate,
            latency: match &file.latency {
                Some(s) => duration("latency", s)?,
                None => Duration::ZERO,
            },
            stall: match &file.stall {
                Some(s) => Some(Stall {
                    at: duration("stall.at", &s.at)?,
                    length: duration("stall.for", &s.length)?,
                }),
                None => None,
            },
        };
        config.validate()?;
        Ok(config)
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

    #[test]
    fn quota_forms() {
        assert_eq!(QuotaMode::parse("aws"), Ok(QuotaMode::Aws));
        assert_eq!(QuotaMode::parse("unlimited"), Ok(QuotaMode::Unlimited));
        let QuotaMode::Custom(t) = QuotaMode::parse("fifo_tps=50").unwrap() else {
            panic!("custom expected")
        };
        assert_eq!(t.fifo_tps, Some(50.0));
        assert!(QuotaMode::parse("fifo_tps=-1").is_err());
        assert!(QuotaMode::parse("bogus=1").unwrap_err().contains("bogus"));
    }

    #[test]
    fn faults_file() {
        let f =
            FaultConfig::from_toml("loss_rate = 0.1\nstall = { at = \"2s\", for = \"500ms\" }\n")
                .unwrap();
        assert_eq!(f.loss_rate, 0.1);
        assert_eq!(f.stall.unwrap().length, Duration::from_millis(500));
        assert!(
            FaultConfig::from_toml("loss_rate = 2.0")
                .unwrap_err()
                .contains("loss_rate")
        );
        assert!(
            FaultConfig::from_toml("typo_rate = 0.1")
                .unwrap_err()
                .contains("typo_rate")
        );
    }
}
