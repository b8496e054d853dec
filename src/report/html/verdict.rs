//! The verdict banner of a run's and a sweep's page, and a run's title block.

use super::build::{Html, Phrase};
use crate::measure::ledger::Integrity;
use crate::measure::summary::RunSummary;

/// The verdict at the top of a run's page: `[expect]` passed or failed, whether every message
/// is accounted for, and whether calls were throttled or failed. Red when an expectation failed
/// or the accounting does not hold, amber when only throttles or errors are to be seen.
pub(super) fn verdict(s: &RunSummary, integrity: Option<&Integrity>) -> String {
    let failed = s.expectations.iter().filter(|e| !e.passed).count();
    let checks = |said: String, rest: &str| Phrase::new().t(said).code("[expect]").t(rest);
    let expect = match (s.expectations.len(), failed) {
        (0, _) => (true, checks("no ".into(), " checks")),
        (n, 0) => (true, checks(format!("all {n} "), " checks passed")),
        (n, f) => (false, checks(format!("{f} of {n} "), " checks failed")),
    };
    let holds = integrity.map_or(accounted(s), |i| i.accounting.holds);
    let unknown = s.messages.unknown;
    let accounting = (
        Mark::of(holds, unknown == 0),
        Phrase::from(if let (true, Some((_, word))) = (holds, s.router()) {
            format!(
                "every message of each of {} {word}s accounted for",
                s.routes().len()
            )
        } else if holds && unknown > 0 {
            format!(
                "{} messages accounted for, {unknown} of them unknown: a shard stopped unseen (see Shards)",
                s.messages.sent
            )
        } else if holds {
            format!("every one of {} messages accounted for", s.messages.sent)
        } else {
            "the accounting does not hold: see Integrity".to_string()
        }),
    );
    let (throttled, errors) = troubled_calls(s);
    let calls = (
        Mark::of(true, throttled + errors == 0),
        Phrase::from(format!("{throttled} throttled and {errors} failed calls")),
    );
    banner([met(expect), accounting, calls])
}

/// How a verdict line stands: met, met with something to look at, or not met.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Good,
    Warn,
    Bad,
}

impl Mark {
    fn of(met: bool, clean: bool) -> Mark {
        match (met, clean) {
            (false, _) => Mark::Bad,
            (true, false) => Mark::Warn,
            (true, true) => Mark::Good,
        }
    }
}

/// A line that is either met or not.
fn met((met, said): (bool, Phrase)) -> (Mark, Phrase) {
    (Mark::of(met, true), said)
}

/// A sweep's verdict: the same three lines over every variant, naming the ones that failed.
pub(super) fn sweep_verdict(summaries: &[RunSummary], labels: &[String]) -> String {
    let named = |bad: &dyn Fn(&RunSummary) -> bool| -> String {
        let named: Vec<&str> = summaries
            .iter()
            .zip(labels)
            .filter(|(s, _)| bad(s))
            .map(|(_, l)| l.as_str())
            .collect();
        named.join(", ")
    };
    let checks: usize = summaries.iter().map(|s| s.expectations.len()).sum();
    let failing = named(&|s| s.expectations.iter().any(|e| !e.passed));
    let expect = match (checks, failing.is_empty()) {
        (0, _) => (true, Phrase::new().t("no ").code("[expect]").t(" checks")),
        (_, true) => (
            true,
            Phrase::new()
                .t("every variant passed its ")
                .code("[expect]")
                .t(" checks"),
        ),
        (_, false) => (
            false,
            Phrase::new()
                .code("[expect]")
                .t(format!(" failed in {failing}")),
        ),
    };
    let broken = named(&|s| !accounted(s));
    let accounting = match broken.is_empty() {
        true => (true, "every message accounted for in every variant".into()),
        false => (
            false,
            format!("the accounting does not hold in {broken}").into(),
        ),
    };
    let troubled = named(&|s| troubled_calls(s) != (0, 0));
    let calls = match troubled.is_empty() {
        true => (Mark::Good, "no throttled or failed calls".into()),
        false => (
            Mark::Warn,
            format!("throttled or failed calls in {troubled}").into(),
        ),
    };
    banner([met(expect), met(accounting), calls])
}

/// `sent == unique received + dead-lettered + lost` (or undelivered, after an interrupt).
pub(super) fn accounted(s: &RunSummary) -> bool {
    if s.router().is_some() {
        // Each route has its own identity: publishes are not deliveries.
        return s.routes().iter().all(|sub| sub.identity_holds);
    }
    let m = &s.messages;
    m.sent == m.unique_received + m.dead_lettered + m.lost + m.undelivered_at_interrupt + m.unknown
}

/// Calls throttled, and calls failed (errors, timeouts, no connection).
pub(super) fn troubled_calls(s: &RunSummary) -> (u64, u64) {
    let throttled = s.requests.values().map(|r| r.throttled).sum();
    let errors = s.requests.values().map(|r| r.failed()).sum();
    (throttled, errors)
}

/// The banner: red when `[expect]` or the accounting failed, amber when a line has something
/// to look at (throttled or failed calls, messages of unknown fate).
fn banner(lines: [(Mark, Phrase); 3]) -> String {
    let [_, (accounting, _), (calls, _)] = &lines;
    let (class, word) = if lines.iter().any(|(m, _)| *m == Mark::Bad) {
        ("bad", "FAIL")
    } else if *accounting == Mark::Warn {
        ("warn", "PASS, with messages of unknown fate")
    } else if *calls == Mark::Warn {
        ("warn", "PASS, with throttles or errors")
    } else {
        ("ok", "PASS")
    };
    let lines = lines.map(|(mark, said)| {
        let sign = match mark {
            Mark::Good => "✓ ",
            Mark::Warn => "⚠ ",
            Mark::Bad => "✗ ",
        };
        Phrase::from(sign).then(said)
    });
    Html::new().verdict(class, word, &lines).finish()
}

/// The page's heading: the scenario, and what was run against what, when, for how long.
pub(super) fn title_block(s: &RunSummary) -> String {
    // A fan-out run is its topic and the queues it fans out to; a run of many queues, how
    // many and the first; any other, its queue.
    let under_test = match (&s.topic, &s.event_bus) {
        (Some(topic), _) => Phrase::new()
            .t(format!("{} topic ", topic.kind))
            .code(&topic.name)
            .t(format!(" → {} subscription queues", s.subscriptions.len())),
        (None, Some(bus)) => Phrase::new()
            .t("event bus ")
            .code(&bus.name)
            .t(format!(" → {} rule queues", s.rules.len())),
        _ if !s.queues.is_empty() => Phrase::new()
            .t(format!("{} {} queues (", s.queues.len(), s.queue.kind))
            .code(&s.queues[0].name)
            .t(" …)"),
        _ => Phrase::new()
            .t(format!("{} queue ", s.queue.kind))
            .code(&s.queue.name),
    };
    let interrupted = if s.interrupted.happened() {
        " — interrupted"
    } else {
        ""
    };
    let when = format!(
        " on {} ({}) — started {} — run {} — measured {:.1} s{interrupted}",
        s.target.kind, s.target.endpoint, s.started_at, s.run_id, s.measured_seconds
    );
    Html::new()
        .h1(&s.scenario.name)
        .p_class("sub", under_test.t(when))
        .finish()
}
