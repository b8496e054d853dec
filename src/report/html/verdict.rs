//! The verdict banner of a run's and a sweep's page, and a run's title block.

use crate::measure::ledger::Integrity;
use crate::measure::summary::RunSummary;
use crate::report::wording::escape;

/// The verdict at the top of a run's page: `[expect]` passed or failed, whether every message
/// is accounted for, and whether calls were throttled or failed. Red when an expectation failed
/// or the accounting does not hold, amber when only throttles or errors are to be seen.
pub(super) fn verdict(s: &RunSummary, integrity: Option<&Integrity>) -> String {
    let failed = s.expectations.iter().filter(|e| !e.passed).count();
    let expect = match (s.expectations.len(), failed) {
        (0, _) => (true, "no <code>[expect]</code> checks".to_string()),
        (n, 0) => (true, format!("all {n} <code>[expect]</code> checks passed")),
        (n, f) => (
            false,
            format!("{f} of {n} <code>[expect]</code> checks failed"),
        ),
    };
    let holds = integrity.map_or(accounted(s), |i| i.accounting.holds);
    let accounting = (
        holds,
        if holds && s.topic.is_some() {
            format!(
                "every message of each of {} subscriptions accounted for",
                s.subscriptions.len()
            )
        } else if holds {
            format!("every one of {} messages accounted for", s.messages.sent)
        } else {
            "the accounting does not hold: see Integrity".to_string()
        },
    );
    let (throttled, errors) = troubled_calls(s);
    let calls = (
        throttled + errors == 0,
        format!("{throttled} throttled and {errors} failed calls"),
    );
    banner([expect, accounting, calls])
}

/// A sweep's verdict: the same three lines over every variant, naming the ones that failed.
pub(super) fn sweep_verdict(summaries: &[RunSummary], labels: &[String]) -> String {
    let named = |bad: &dyn Fn(&RunSummary) -> bool| -> Vec<String> {
        summaries
            .iter()
            .zip(labels)
            .filter(|(s, _)| bad(s))
            .map(|(_, l)| escape(l))
            .collect()
    };
    let checks: usize = summaries.iter().map(|s| s.expectations.len()).sum();
    let failing = named(&|s| s.expectations.iter().any(|e| !e.passed));
    let expect = match (checks, failing.is_empty()) {
        (0, _) => (true, "no <code>[expect]</code> checks".to_string()),
        (_, true) => (
            true,
            "every variant passed its <code>[expect]</code> checks".to_string(),
        ),
        (_, false) => (
            false,
            format!("<code>[expect]</code> failed in {}", failing.join(", ")),
        ),
    };
    let broken = named(&|s| !accounted(s));
    let accounting = if broken.is_empty() {
        (
            true,
            "every message accounted for in every variant".to_string(),
        )
    } else {
        (
            false,
            format!("the accounting does not hold in {}", broken.join(", ")),
        )
    };
    let troubled = named(&|s| troubled_calls(s) != (0, 0));
    let calls = if troubled.is_empty() {
        (true, "no throttled or failed calls".to_string())
    } else {
        (
            false,
            format!("throttled or failed calls in {}", troubled.join(", ")),
        )
    };
    banner([expect, accounting, calls])
}

/// `sent == unique received + dead-lettered + lost` (or undelivered, after an interrupt).
pub(super) fn accounted(s: &RunSummary) -> bool {
    if s.topic.is_some() {
        // Each subscription has its own identity: publishes are not deliveries.
        return s.subscriptions.iter().all(|sub| sub.identity_holds);
    }
    let m = &s.messages;
    m.sent == m.unique_received + m.dead_lettered + m.lost + m.undelivered_at_interrupt
}

/// Calls throttled, and calls failed (errors, timeouts, no connection).
pub(super) fn troubled_calls(s: &RunSummary) -> (u64, u64) {
    let throttled = s.requests.values().map(|r| r.throttled).sum();
    let errors = s.requests.values().map(|r| r.failed()).sum();
    (throttled, errors)
}

/// The banner: red when `[expect]` or the accounting failed, amber when only calls did.
pub(super) fn banner([expect, accounting, calls]: [(bool, String); 3]) -> String {
    let class = if !expect.0 || !accounting.0 {
        ("bad", "FAIL")
    } else if !calls.0 {
        ("warn", "PASS, with throttles or errors")
    } else {
        ("ok", "PASS")
    };
    let items: String = [expect, accounting, calls]
        .iter()
        .map(|(good, said)| format!("<li>{} {said}</li>", if *good { "✓" } else { "✗" }))
        .collect();
    format!(
        "<div class=\"verdict {}\"><b>{}</b><ul>{items}</ul></div>",
        class.0, class.1
    )
}

pub(super) fn title_block(s: &RunSummary) -> String {
    // A fan-out run is its topic and the queues it fans out to; any other, its queue.
    let under_test = match &s.topic {
        Some(topic) => format!(
            "{} topic <code>{}</code> → {} subscription queues",
            topic.kind,
            escape(&topic.name),
            s.subscriptions.len()
        ),
        None => format!(
            "{} queue <code>{}</code>",
            s.queue.kind,
            escape(&s.queue.name)
        ),
    };
    format!(
        "<h1>{}</h1><p class=\"sub\">{under_test} on {} ({}) — started {} — run {} — measured {:.1} s{}</p>",
        escape(&s.scenario.name),
        s.target.kind,
        escape(&s.target.endpoint),
        escape(&s.started_at),
        escape(&s.run_id),
        s.measured_seconds,
        if s.interrupted.happened() {
            " — interrupted"
        } else {
            ""
        }
    )
}
