//! The emulator's settings as users write them, read by one reader whatever their source: a
//! scenario's `[emulator]` table, `sqsbench serve --faults FILE` and `--quota` take the same
//! keys, bounds and messages, because each key is declared once (`config`, and `[emulator]`
//! here) with `sqsbench_keys::section!`. Every problem is recorded with its key path (and line,
//! in a file), not just the first. Depends on `config` only; outside the crate on
//! `sqsbench_keys`.

use sqsbench_keys::codec::{Parsed, Text, nested, or};
use sqsbench_keys::{Codec as _, Document, Problem, Section as _, Table, section};

use super::config::{FaultConfig, Idle, Quota, QuotaMode};

pub const DEFAULT_REGION: &str = "us-east-1";

/// `idle`, by the names `serve --idle` takes.
const IDLE: Parsed<Idle> = Parsed {
    parse: Idle::parse,
    name: |idle| idle.name().to_string(),
    accepts: "",
    names: &["auto", "yield", "sleep"],
};

section! {
    /// What a scenario's `[emulator]` table sets.
    pub struct EmulatorSettings / EmulatorKeys {
        /// "aws" (FIFO 300 calls/s per action, high-throughput per region) | "unlimited" |
        /// { fifo_tps = 50, high_throughput_tps = 1000, standard_tps = 5000 }
        quota: QuotaMode = Quota, or(QuotaMode::Aws);
        /// ARNs and the high-throughput FIFO quota table
        region: String = Text, or(DEFAULT_REGION.to_string());
        /// "auto" | "sleep" | "yield": the server thread with no request to answer (docs/emulator.md: --idle)
        idle: Idle = IDLE, or(Idle::Auto);
        /// the faults table, [emulator.faults]
        faults: FaultConfig = nested::<FaultConfig>(), or(FaultConfig::default());
    }
}

impl Default for EmulatorSettings {
    fn default() -> Self {
        EmulatorSettings::read_keys(None).expect("every [emulator] key has a default")
    }
}

/// A scenario's `[emulator]` table, its problems recorded in the table's document.
pub fn emulator(table: &Table<'_>) -> Option<EmulatorSettings> {
    if let Some(latency) = table.get("latency") {
        latency.problem(
            "is a fault now: write it in the faults table ([emulator.faults] latency = ...), \
             which has the keys of `serve --faults FILE`",
        );
        EmulatorSettings::read_keys(Some(table));
        return None;
    }
    EmulatorSettings::read_section(table)
}

/// The faults file of `serve --faults FILE`: the keys of `[emulator.faults]` at its top level.
pub fn faults_file(text: &str) -> Result<FaultConfig, Vec<Problem>> {
    let document = Document::parse(text);
    let faults = FaultConfig::read_keys(Some(&document.root()));
    finish(faults, document)
}

/// `serve --quota`: `aws`, `unlimited` or `fifo_tps=50,standard_tps=1000/s`, read as the
/// scenario's `[emulator] quota` is.
pub fn quota_flag(text: &str) -> Result<QuotaMode, Vec<Problem>> {
    let toml = format!("quota = {}", quota_flag_value(text));
    let document = Document::parse(&toml);
    let quota = document.root().get("quota").and_then(|f| Quota.read(&f));
    finish(quota, document)
}

fn finish<T>(value: Option<T>, document: Document<'_>) -> Result<T, Vec<Problem>> {
    let problems = document.problems.into_inner();
    match value {
        Some(v) if problems.is_empty() => Ok(v),
        _ => Err(problems),
    }
}

/// `--quota`'s text as a TOML value: `aws` and `unlimited` are strings, `fifo_tps=50,...` a
/// table of numbers (a value that is not a number stays text, for the reader to refuse).
fn quota_flag_value(text: &str) -> toml::Value {
    use toml::Value;
    let text = text.trim();
    if !text.contains('=') {
        return Value::String(text.to_string());
    }
    let mut table = toml::Table::new();
    for part in text.split(',') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let value = value.trim();
        let number = value.trim_end_matches("/s").parse::<f64>();
        let value = number.map_or_else(|_| Value::String(value.to_string()), Value::Float);
        table.insert(key.trim().to_string(), value);
    }
    Value::Table(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{QuotaTable, Stall};
    use std::time::Duration;

    fn read(text: &str) -> (Option<EmulatorSettings>, Vec<Problem>) {
        let document = Document::parse(text);
        let settings = emulator(&document.root());
        (settings, document.problems.into_inner())
    }

    fn paths(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn every_problem_is_reported_with_its_path_and_line() {
        let (settings, problems) = read(
            "quota = { fifo_tps = 0.0001, typo = 1 }\nidle = \"spin\"\n[faults]\nloss_rate = 2\nstall = { at = \"1s\" }\n",
        );
        assert_eq!(settings, None);
        assert_eq!(
            paths(&problems),
            [
                "quota.fifo_tps",
                "quota.typo",
                "idle",
                "faults.loss_rate",
                "faults.stall"
            ]
        );
        assert_eq!(
            problems[0].message,
            "0.0001 is out of range (0.001 to 1000000000)"
        );
        assert_eq!(
            problems[1].message,
            "unknown key; known keys here: fifo_tps, high_throughput_tps, standard_tps"
        );
        assert_eq!(
            problems.iter().map(|p| p.line).collect::<Vec<_>>(),
            [Some(1), Some(1), Some(2), Some(4), Some(5)]
        );
    }

    #[test]
    fn defaults_and_a_full_table() {
        assert_eq!(read("").0, Some(EmulatorSettings::default()));
        let (s, problems) = read(
            "quota = \"unlimited\"\nregion = \"eu-west-1\"\nidle = \"sleep\"\n[faults]\nerror_rate = 0.5\nlatency = \"5ms\"\nstall = { at = \"2s\", for = \"500ms\" }\n",
        );
        assert_eq!(problems, []);
        let s = s.unwrap();
        assert_eq!(s.quota, QuotaMode::Unlimited);
        assert_eq!(s.idle, Idle::Sleep);
        assert_eq!(s.faults.latency, Duration::from_millis(5));
        assert_eq!(s.faults.stall.unwrap().length, Duration::from_millis(500));
    }

    #[test]
    fn latency_moved_to_the_faults_table() {
        let (settings, problems) = read("region = \"eu-west-1\"\nlatency = \"5ms\"\n");
        assert_eq!(settings, None);
        assert_eq!(paths(&problems), ["latency"]);
        assert_eq!(problems[0].line, Some(2));
    }

    #[test]
    fn written_keys_read_back_to_the_same_settings() {
        let settings = EmulatorSettings {
            quota: QuotaMode::Custom(QuotaTable {
                fifo_tps: Some(50.0),
                high_throughput_tps: None,
                standard_tps: Some(1000.0),
            }),
            region: "eu-west-1".into(),
            idle: Idle::Yield,
            faults: FaultConfig {
                loss_rate: 0.25,
                latency: Duration::from_micros(1500),
                stall: Some(Stall {
                    at: Duration::from_secs(2),
                    length: Duration::from_millis(250),
                }),
                ..FaultConfig::default()
            },
        };
        let keys = settings.to_keys();
        let text = toml::Table::from_iter(keys.into_iter().map(|(k, v)| (k.to_string(), v)));
        assert_eq!(read(&text.to_string()), (Some(settings), vec![]));
    }

    #[test]
    fn the_faults_file_and_the_quota_flag_use_the_same_keys() {
        let faults = faults_file("loss_rate = 0.5\n").unwrap();
        assert_eq!(faults.loss_rate, 0.5);
        let refused = faults_file("loss_rate = 0.5\nlos_rate = 1\n").unwrap_err();
        assert_eq!(refused[0].path, "los_rate");
        assert!(refused[0].message.contains("did you mean \"loss_rate\""));
        assert_eq!(refused[0].line, Some(2));

        assert_eq!(quota_flag("aws"), Ok(QuotaMode::Aws));
        let Ok(QuotaMode::Custom(t)) = quota_flag("fifo_tps=50,standard_tps=1000/s") else {
            panic!("a custom quota")
        };
        assert_eq!((t.fifo_tps, t.standard_tps), (Some(50.0), Some(1000.0)));
        let refused = quota_flag("fifo_tps=0.0001").unwrap_err();
        assert_eq!(refused[0].path, "quota.fifo_tps");
        let words = quota_flag("fifo_tps=fast").unwrap_err();
        assert_eq!(words[0].message, "expected a number, found string");
    }

    #[test]
    fn a_configuration_built_in_code_is_checked_by_the_same_bounds() {
        assert_eq!(FaultConfig::default().validate(), Ok(()));
        let wrong = FaultConfig {
            error_rate: 1.5,
            ..FaultConfig::default()
        };
        assert_eq!(
            wrong.validate(),
            Err("error_rate: 1.5 is out of range (0 to 1)".to_string())
        );
    }
}
