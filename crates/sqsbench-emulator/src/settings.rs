//! The emulator's settings read from TOML values, by one parser whatever their source: a
//! scenario's `[emulator]` table, `sqsbench serve --faults FILE`, `--quota` and `--idle` take
//! the same keys, the same bounds and get the same messages. Every problem is returned (not just
//! the first), tagged with its key path relative to the table given, so a caller can place it
//! (the scenario layer at its line, `serve` after its flag). Depends on nothing outside
//! `emulator` but `toml` and `humantime`.

use std::time::Duration;

use toml::{Table, Value};

use super::config::{FaultConfig, Idle, QuotaMode, QuotaTable, Stall};
pub use super::units::{format_duration, parse_duration};

/// One problem with a setting: where (a key path such as `faults.stall.at`) and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SettingError {
    pub path: String,
    pub message: String,
    /// For an unknown key, the keys its table does know (for a did-you-mean).
    pub known: Option<Vec<&'static str>>,
}

/// What a scenario's `[emulator]` table sets.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorSettings {
    pub quota: QuotaMode,
    pub region: String,
    pub idle: Idle,
    pub faults: FaultConfig,
}

impl Default for EmulatorSettings {
    fn default() -> Self {
        EmulatorSettings {
            quota: QuotaMode::Aws,
            region: DEFAULT_REGION.to_string(),
            idle: Idle::default(),
            faults: FaultConfig::default(),
        }
    }
}

pub const DEFAULT_REGION: &str = "us-east-1";
/// One setting as documented: its key, what it does, and an example when it has no default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SettingDoc {
    pub key: &'static str,
    pub doc: &'static str,
    pub example: Option<&'static str>,
}

const fn doc(key: &'static str, doc: &'static str) -> SettingDoc {
    SettingDoc {
        key,
        doc,
        example: None,
    }
}

/// The keys of `[emulator]`, in order.
pub const EMULATOR_DOCS: &[SettingDoc] = &[
    doc(
        "quota",
        "\"aws\" (FIFO 300 calls/s per action, high-throughput per region) | \"unlimited\" | { fifo_tps = 50, high_throughput_tps = 1000, standard_tps = 5000 } (0.001 to 1e9 calls/s)",
    ),
    doc("region", "ARNs and the high-throughput FIFO quota table"),
    doc(
        "idle",
        "\"auto\" | \"sleep\" | \"yield\": the server thread with no request to answer (README: --idle)",
    ),
    doc("faults", "the faults table, [emulator.faults]"),
];

/// The keys of the faults table, in order.
pub const FAULT_DOCS: &[SettingDoc] = &[
    doc(
        "duplicate_rate",
        "standard: a delete answers success but the message comes back (0 to 1)",
    ),
    doc("loss_rate", "accepted with 200, silently dropped (0 to 1)"),
    doc(
        "reorder_rate",
        "standard: delivered ahead of earlier sends (0 to 1)",
    ),
    doc(
        "fifo_disorder_rate",
        "FIFO self-test: a group delivered out of order (0 to 1)",
    ),
    doc(
        "error_rate",
        "message operations answer 500 InternalError (0 to 1)",
    ),
    doc("latency", "added to every response"),
    SettingDoc {
        key: "stall",
        doc: "every response in the window waits until it ends",
        example: Some("{ at = \"5s\", for = \"1s\" }"),
    },
];

const QUOTA_DOCS: &[SettingDoc] = &[
    doc("fifo_tps", "FIFO queues, calls/s per action"),
    doc("high_throughput_tps", "high-throughput FIFO queues"),
    doc("standard_tps", "standard queues"),
];

const STALL_DOCS: &[SettingDoc] = &[doc("at", "from the start"), doc("for", "how long")];

/// Calls per second a custom quota may set.
pub const QUOTA_RATE_RANGE: (f64, f64) = (0.001, 1e9);

/// Collects problems while a table is read; `path` is the table's own key path.
struct Reader<'t> {
    table: &'t Table,
    path: String,
    errors: &'t mut Vec<SettingError>,
}

impl<'t> Reader<'t> {
    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn problem(&mut self, key: &str, message: impl Into<String>) {
        let path = self.key_path(key);
        self.errors.push(SettingError {
            path,
            message: message.into(),
            known: None,
        });
    }

    fn unknown_keys(&mut self, docs: &'static [SettingDoc]) {
        let known: Vec<&'static str> = docs.iter().map(|d| d.key).collect();
        for key in self.table.keys() {
            // `[emulator] latency` gets its own message in `emulator`.
            let moved = self.path.is_empty() && key == "latency";
            if !(known.contains(&key.as_str()) || moved) {
                let path = self.key_path(key);
                self.errors.push(SettingError {
                    path,
                    message: "unknown key".to_string(),
                    known: Some(known.clone()),
                });
            }
        }
    }

    fn expected(&mut self, key: &str, what: &str, found: &Value) {
        self.problem(key, format!("expected {what}, found {}", found.type_str()));
    }

    /// A number within `min..=max` (integers are numbers too), or `default` when absent.
    fn number(&mut self, key: &str, (min, max): (f64, f64), default: f64) -> Option<f64> {
        let v = match self.table.get(key) {
            None => return Some(default),
            Some(Value::Float(f)) => *f,
            Some(Value::Integer(i)) => *i as f64,
            Some(other) => {
                self.expected(key, "a number", other);
                return None;
            }
        };
        if v >= min && v <= max {
            Some(v)
        } else {
            self.problem(key, format!("{v} is out of range ({min} to {max})"));
            None
        }
    }

    fn string(&mut self, key: &str) -> Option<Option<&'t str>> {
        match self.table.get(key) {
            None => Some(None),
            Some(Value::String(s)) => Some(Some(s)),
            Some(other) => {
                self.expected(key, "a string", other);
                None
            }
        }
    }

    fn duration(&mut self, key: &str, default: Duration) -> Option<Duration> {
        match self.string(key)? {
            None => Some(default),
            Some(text) => parse_duration(text).map_err(|e| self.problem(key, e)).ok(),
        }
    }

    fn sub_table(&mut self, key: &str) -> Option<Option<&'t Table>> {
        match self.table.get(key) {
            None => Some(None),
            Some(Value::Table(t)) => Some(Some(t)),
            Some(other) => {
                self.expected(key, "a table", other);
                None
            }
        }
    }

    fn child<'c>(&'c mut self, key: &str, table: &'c Table) -> Reader<'c> {
        Reader {
            table,
            path: self.key_path(key),
            errors: self.errors,
        }
    }
}

impl EmulatorSettings {
    /// `[emulator]`'s keys as TOML (the faults table apart: `fault_keys`), what `emulator`
    /// reads back to the same settings.
    pub fn to_keys(&self) -> Vec<(&'static str, Value)> {
        let quota = match &self.quota {
            QuotaMode::Aws => Value::String("aws".into()),
            QuotaMode::Unlimited => Value::String("unlimited".into()),
            QuotaMode::Custom(t) => Value::Table(
                [
                    ("fifo_tps", t.fifo_tps),
                    ("high_throughput_tps", t.high_throughput_tps),
                    ("standard_tps", t.standard_tps),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_string(), Value::Float(v))))
                .collect(),
            ),
        };
        vec![
            ("quota", quota),
            ("region", Value::String(self.region.clone())),
            ("idle", Value::String(self.idle.name().into())),
        ]
    }
}

/// The faults table's keys as TOML, an unset stall left out.
pub fn fault_keys(f: &FaultConfig) -> Vec<(&'static str, Value)> {
    let duration = |d: Duration| Value::String(format_duration(d));
    let mut keys = vec![
        ("duplicate_rate", Value::Float(f.duplicate_rate)),
        ("loss_rate", Value::Float(f.loss_rate)),
        ("reorder_rate", Value::Float(f.reorder_rate)),
        ("fifo_disorder_rate", Value::Float(f.fifo_disorder_rate)),
        ("error_rate", Value::Float(f.error_rate)),
        ("latency", duration(f.latency)),
    ];
    if let Some(stall) = f.stall {
        let table = [("at", duration(stall.at)), ("for", duration(stall.length))];
        let table = table.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        keys.push(("stall", Value::Table(table)));
    }
    keys
}

fn finish<T>(value: Option<T>, errors: Vec<SettingError>) -> Result<T, Vec<SettingError>> {
    match value {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(errors),
    }
}

/// A scenario's `[emulator]` table (an empty table gives the defaults).
pub fn emulator(table: &Table) -> Result<EmulatorSettings, Vec<SettingError>> {
    let mut errors = Vec::new();
    let mut r = Reader {
        table,
        path: String::new(),
        errors: &mut errors,
    };
    if table.contains_key("latency") {
        r.problem(
            "latency",
            "is a fault now: write it in the faults table ([emulator.faults] latency = ...), \
             which has the keys of `serve --faults FILE`",
        );
    }
    r.unknown_keys(EMULATOR_DOCS);
    let quota = match table.get("quota") {
        None => Some(QuotaMode::Aws),
        Some(v) => read_quota(&mut r, v),
    };
    let region = r
        .string("region")
        .map(|s| s.unwrap_or(DEFAULT_REGION).to_string());
    let idle = match table.get("idle") {
        None => Some(Idle::default()),
        Some(v) => read_idle(&mut r, v),
    };
    let faults = match r.sub_table("faults") {
        Some(Some(t)) => read_faults(&mut r.child("faults", t)),
        Some(None) => Some(FaultConfig::default()),
        None => None,
    };
    let settings = (|| {
        Some(EmulatorSettings {
            quota: quota?,
            region: region?,
            idle: idle?,
            faults: faults?,
        })
    })();
    finish(settings, errors)
}

/// The faults table: `[emulator.faults]`, or the whole file of `serve --faults FILE`.
pub fn faults(table: &Table) -> Result<FaultConfig, Vec<SettingError>> {
    let mut errors = Vec::new();
    let faults = read_faults(&mut Reader {
        table,
        path: String::new(),
        errors: &mut errors,
    });
    finish(faults, errors)
}

/// `quota` on its own (`serve --quota`): `"aws"`, `"unlimited"` or a table of rates.
pub fn quota(value: &Value) -> Result<QuotaMode, Vec<SettingError>> {
    single(value, "quota", read_quota)
}

/// `idle` on its own (`serve --idle`).
pub fn idle(value: &Value) -> Result<Idle, Vec<SettingError>> {
    single(value, "idle", read_idle)
}

fn single<T>(
    value: &Value,
    key: &str,
    read: impl FnOnce(&mut Reader<'_>, &Value) -> Option<T>,
) -> Result<T, Vec<SettingError>> {
    let mut errors = Vec::new();
    let table = Table::from_iter([(key.to_string(), value.clone())]);
    let got = read(
        &mut Reader {
            table: &table,
            path: String::new(),
            errors: &mut errors,
        },
        value,
    );
    finish(got, errors)
}

/// `--quota`'s text as a value: `aws` and `unlimited` are strings, `fifo_tps=50,standard_tps=1000/s`
/// a table of numbers (a value that is not a number stays text, for the parser to refuse).
pub fn quota_flag_value(text: &str) -> Value {
    let text = text.trim();
    if !text.contains('=') {
        return Value::String(text.to_string());
    }
    let mut table = Table::new();
    for part in text.split(',') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let value = value.trim();
        let number = value.trim_end_matches("/s").parse::<f64>();
        let value = number.map_or_else(|_| Value::String(value.to_string()), Value::Float);
        table.insert(key.trim().to_string(), value);
    }
    Value::Table(table)
}

fn read_quota(r: &mut Reader<'_>, value: &Value) -> Option<QuotaMode> {
    match value {
        Value::String(s) => match s.as_str() {
            "aws" => Some(QuotaMode::Aws),
            "unlimited" => Some(QuotaMode::Unlimited),
            other => {
                r.problem(
                    "quota",
                    format!("{other:?}: expected \"aws\", \"unlimited\" or {{ fifo_tps = 50 }}"),
                );
                None
            }
        },
        Value::Table(t) => {
            let mut q = r.child("quota", t);
            q.unknown_keys(QUOTA_DOCS);
            let mut rate = |key: &str| match t.get(key) {
                None => Some(None),
                Some(_) => q.number(key, QUOTA_RATE_RANGE, 0.0).map(Some),
            };
            let (fifo, high_throughput, standard) = (
                rate("fifo_tps"),
                rate("high_throughput_tps"),
                rate("standard_tps"),
            );
            Some(QuotaMode::Custom(QuotaTable {
                fifo_tps: fifo?,
                high_throughput_tps: high_throughput?,
                standard_tps: standard?,
            }))
        }
        other => {
            r.expected("quota", "\"aws\", \"unlimited\" or a table of rates", other);
            None
        }
    }
}

fn read_idle(r: &mut Reader<'_>, value: &Value) -> Option<Idle> {
    let Value::String(text) = value else {
        r.expected("idle", "a string", value);
        return None;
    };
    Idle::parse(text).map_err(|e| r.problem("idle", e)).ok()
}

fn read_faults(r: &mut Reader<'_>) -> Option<FaultConfig> {
    r.unknown_keys(FAULT_DOCS);
    let mut rate = |key: &str| r.number(key, (0.0, 1.0), 0.0);
    let duplicate_rate = rate("duplicate_rate");
    let loss_rate = rate("loss_rate");
    let reorder_rate = rate("reorder_rate");
    let fifo_disorder_rate = rate("fifo_disorder_rate");
    let error_rate = rate("error_rate");
    let latency = r.duration("latency", Duration::ZERO);
    let stall = match r.sub_table("stall") {
        Some(Some(t)) => read_stall(&mut r.child("stall", t)).map(Some),
        Some(None) => Some(None),
        None => None,
    };
    Some(FaultConfig {
        duplicate_rate: duplicate_rate?,
        loss_rate: loss_rate?,
        reorder_rate: reorder_rate?,
        fifo_disorder_rate: fifo_disorder_rate?,
        error_rate: error_rate?,
        latency: latency?,
        stall: stall?,
    })
}

fn read_stall(r: &mut Reader<'_>) -> Option<Stall> {
    r.unknown_keys(STALL_DOCS);
    let at = r.duration("at", Duration::ZERO);
    let length = r.duration("for", Duration::ZERO);
    if !(r.table.contains_key("at") && r.table.contains_key("for")) {
        let path = r.path.clone();
        r.errors.push(SettingError {
            path,
            message: "needs at and for, e.g. { at = \"10s\", for = \"1s\" }".to_string(),
            known: None,
        });
        return None;
    }
    Some(Stall {
        at: at?,
        length: length?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        text.parse().unwrap()
    }

    fn paths(errors: &[SettingError]) -> Vec<&str> {
        errors.iter().map(|e| e.path.as_str()).collect()
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let errors = emulator(&table(
            "quota = { fifo_tps = 0.0001, typo = 1 }\nidle = \"spin\"\n[faults]\nloss_rate = 2\nstall = { at = \"1s\" }\n",
        ))
        .unwrap_err();
        assert_eq!(
            paths(&errors),
            [
                "quota.typo",
                "quota.fifo_tps",
                "idle",
                "faults.loss_rate",
                "faults.stall"
            ]
        );
        assert_eq!(
            errors[1].message,
            "0.0001 is out of range (0.001 to 1000000000)"
        );
        assert_eq!(
            errors[0].known,
            Some(vec!["fifo_tps", "high_throughput_tps", "standard_tps"])
        );
    }

    #[test]
    fn defaults_and_a_full_table() {
        assert_eq!(emulator(&Table::new()), Ok(EmulatorSettings::default()));
        let s = emulator(&table(
            "quota = \"unlimited\"\nregion = \"eu-west-1\"\nidle = \"sleep\"\n[faults]\nerror_rate = 0.5\nlatency = \"5ms\"\nstall = { at = \"2s\", for = \"500ms\" }\n",
        ))
        .unwrap();
        assert_eq!(s.quota, QuotaMode::Unlimited);
        assert_eq!(s.idle, Idle::Sleep);
        assert_eq!(s.faults.latency, Duration::from_millis(5));
        assert_eq!(s.faults.stall.unwrap().length, Duration::from_millis(500));
    }

    #[test]
    fn the_quota_flag_is_the_same_value() {
        assert_eq!(quota(&quota_flag_value("aws")), Ok(QuotaMode::Aws));
        let Ok(QuotaMode::Custom(t)) = quota(&quota_flag_value("fifo_tps=50,standard_tps=1000/s"))
        else {
            panic!("a custom quota")
        };
        assert_eq!((t.fifo_tps, t.standard_tps), (Some(50.0), Some(1000.0)));
        let refused = quota(&quota_flag_value("fifo_tps=0.0001")).unwrap_err();
        assert_eq!(refused[0].path, "quota.fifo_tps");
        let words = quota(&quota_flag_value("fifo_tps=fast")).unwrap_err();
        assert_eq!(words[0].message, "expected a number, found string");
    }
}
