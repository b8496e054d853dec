//! `[expect]` judged against a run's summary. Each check is named by its key (`max_e2e_p99`,
//! `min_throughput`) and says the unit its limit and actual value are in. Older results
//! directories named two checks by key and unit (`max_e2e_p99_us`, `min_throughput_per_sec`);
//! they are read under the key's name, so an old baseline still compares.
//!
//! Judges a summary only: the run and `merge` both call it, and it knows nothing of either.
//! The verdict's type is a leaf of its own (`verdict.rs`), so the summary can hold it.

pub mod verdict;

use verdict::unit_of;
pub use verdict::{Expectation, Unit};

use super::summary::RunSummary;
use crate::scenario::Expectations;

/// Checks every `[expect]` key the scenario sets against the summary, in the keys' order.
pub fn judge(e: &Expectations, s: &RunSummary) -> Vec<Expectation> {
    let mut out = Vec::new();
    let mut check = |name: &str, limit: Option<f64>, actual: f64, passed: fn(f64, f64) -> bool| {
        if let Some(limit) = limit {
            out.push(Expectation {
                name: name.to_string(),
                unit: unit_of(name),
                limit,
                actual,
                passed: passed(actual, limit),
            });
        }
    };
    let at_most = |actual: f64, limit: f64| actual <= limit;
    let count = |n: Option<u64>| n.map(|v| v as f64);
    let m = &s.messages;
    let p99 = s.latency_us.get("end_to_end").map_or(0.0, |l| l.p99 as f64);
    let micros = e.max_e2e_p99.map(|d| d.as_micros() as f64);
    check("max_e2e_p99", micros, p99, at_most);
    check(
        "max_duplicates",
        count(e.max_duplicates),
        m.duplicates as f64,
        at_most,
    );
    let order = m.order_violations as f64;
    check(
        "max_order_violations",
        count(e.max_order_violations),
        order,
        at_most,
    );
    check("max_lost", count(e.max_lost), m.lost as f64, at_most);
    // A fan-out's routes each judge their own expected messages; a queue run's are its lost.
    let missing = match s.router() {
        Some(_) => s.routes().iter().map(|r| r.missing).sum::<u64>(),
        None => m.lost,
    };
    check("max_missing", count(e.max_missing), missing as f64, at_most);
    check("max_leaked", count(e.max_leaked), m.leaked as f64, at_most);
    let dead = m.dead_lettered as f64;
    check(
        "max_dead_lettered",
        count(e.max_dead_lettered),
        dead,
        at_most,
    );
    let throttled = s.requests.values().map(|r| r.throttled).sum::<u64>() as f64;
    check("max_throttled", count(e.max_throttled), throttled, at_most);
    let unsent = (m.send_failed + m.not_sent) as f64;
    check("max_send_failed", count(e.max_send_failed), unsent, at_most);
    check("max_error_rate", e.max_error_rate, error_rate(s), at_most);
    check("max_cost_usd", e.max_cost_usd, s.cost.usd, at_most);
    let received = s.throughput.received_per_sec;
    check("min_throughput", e.min_throughput, received, |a, l| a >= l);
    out.extend(backlog_checks(e, s));
    out
}

/// `max_backlog` and `max_drain_time`. A queue never read fails both (actual 0); a backlog not
/// drained by the run's last reading fails `max_drain_time` with the seconds it was watched.
fn backlog_checks(e: &Expectations, s: &RunSummary) -> Vec<Expectation> {
    let b = s.backlog.as_ref();
    let verdict = |name: &str, limit: f64, actual: Option<f64>| Expectation {
        name: name.to_string(),
        unit: unit_of(name),
        limit,
        actual: actual.unwrap_or(0.0),
        passed: actual.is_some_and(|a| a <= limit),
    };
    let mut out = Vec::new();
    if let Some(limit) = e.max_backlog {
        out.push(verdict(
            "max_backlog",
            limit as f64,
            b.map(|b| b.peak as f64),
        ));
    }
    if let Some(limit) = e.max_drain_time {
        let limit = limit.as_secs_f64();
        let mut v = verdict(
            "max_drain_time",
            limit,
            b.and_then(|b| b.drain_seconds).map(|d| d as f64),
        );
        if let Some(b) = b.filter(|b| b.drain_seconds.is_none()) {
            v.actual = b.last_second.saturating_sub(b.last_peak_end_second) as f64;
        }
        out.push(v);
    }
    out
}

/// Failed calls (errors, timeouts, no connection; throttles apart) over all calls.
fn error_rate(s: &RunSummary) -> f64 {
    let calls: u64 = s.requests.values().map(|r| r.count).sum();
    let failed: u64 = s.requests.values().map(|r| r.failed()).sum();
    if calls > 0 {
        failed as f64 / calls as f64
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::summary::Requests;
    use crate::scenario::validate::scenario_from_text;

    fn scenario(expect: &str) -> crate::scenario::Scenario {
        let text = format!("name = \"x\"\n[[producers]]\nrate = \"10/s\"\n[expect]\n{expect}");
        scenario_from_text(&text, &[]).unwrap()
    }

    #[test]
    fn send_failures_and_error_rates_gate_the_run() {
        let scenario = scenario(
            "max_send_failed = 5\nmax_error_rate = 0.1\nmax_dead_lettered = 2\nmax_leaked = 0\n",
        );
        let mut s = RunSummary::default();
        s.messages.send_failed = 4;
        s.messages.not_sent = 2;
        s.messages.dead_lettered = 3;
        s.requests.insert(
            "SendMessageBatch".into(),
            Requests {
                count: 100,
                errors: 5,
                timeouts: 3,
                connect_failed: 3,
                throttled: 50,
                ..Requests::default()
            },
        );
        let verdicts = judge(&scenario.expect, &s);
        let get = |name: &str| verdicts.iter().find(|e| e.name == name).unwrap();
        let sends = get("max_send_failed");
        assert_eq!(
            (sends.actual, sends.passed),
            (6.0, false),
            "not_sent counts too"
        );
        let errors = get("max_error_rate");
        assert!(
            (errors.actual - 0.11).abs() < 1e-12,
            "throttles are not errors"
        );
        assert!(!errors.passed);
        assert_eq!(errors.unit, Unit::Fraction);
        let dead = get("max_dead_lettered");
        assert_eq!((dead.actual, dead.passed), (3.0, false));
        let leaked = get("max_leaked");
        assert_eq!((leaked.actual, leaked.passed), (0.0, true));
    }

    #[test]
    fn each_check_is_named_by_its_key_with_its_unit() {
        let scenario =
            scenario("max_e2e_p99 = \"5ms\"\nmin_throughput = \"900/s\"\nmax_cost_usd = 1.0\n");
        let mut s = RunSummary::default();
        s.throughput.received_per_sec = 950.0;
        let named: Vec<(String, Unit, f64, bool)> = judge(&scenario.expect, &s)
            .into_iter()
            .map(|e| (e.name, e.unit, e.limit, e.passed))
            .collect();
        assert_eq!(
            named,
            [
                ("max_e2e_p99".to_string(), Unit::Us, 5000.0, true),
                ("max_cost_usd".to_string(), Unit::Usd, 1.0, true),
                ("min_throughput".to_string(), Unit::PerSec, 900.0, true),
            ]
        );
    }

    #[test]
    fn older_names_are_read_as_the_keys() {
        let old = r#"[{"name":"max_e2e_p99_us","limit":5000.0,"actual":10.0,"passed":true},
                      {"name":"min_throughput_per_sec","limit":900.0,"actual":950.0,"passed":true},
                      {"name":"max_lost","limit":0.0,"actual":0.0,"passed":true}]"#;
        let read: Vec<Expectation> = serde_json::from_str(old).unwrap();
        let named: Vec<(&str, Unit)> = read.iter().map(|e| (e.name.as_str(), e.unit)).collect();
        assert_eq!(
            named,
            [
                ("max_e2e_p99", Unit::Us),
                ("min_throughput", Unit::PerSec),
                ("max_lost", Unit::Count)
            ]
        );
        let written = serde_json::to_string(&read[0]).unwrap();
        assert!(
            written.contains(r#""name":"max_e2e_p99","unit":"us""#),
            "{written}"
        );
    }
}
