//! report.html: one self-contained page per run, per set of repeats and per sweep — inline CSS,
//! the charts inlined as SVG, no script, no external asset of any kind, so it opens offline and
//! can be attached to a CI job as is. Built from the summary and the files already written.

use std::path::Path;

use super::comparison::Row;
use super::results_dir::{Chart, File};
use super::wording::{escape, ms, per_sec, usd};
use crate::measure::by_sender::CROSSING;
use crate::measure::clock_offset;
use crate::measure::latency::Latency;
use crate::measure::ledger::{Example, Integrity};
use crate::measure::summary::{RunSummary, ShardInfo, Shards};

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}\
.sub{color:#666;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem;min-width:8.5rem}\
.card b{display:block;font-size:1.3rem}.card span{color:#666;font-size:.85rem}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}\
th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}th{background:#f5f5f5}\
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.chart svg{max-width:100%;height:auto;border:1px solid #eee;margin:.4rem 0}\
.wide{overflow-x:auto}.wide table{font-size:.8rem}pre{background:#f6f8fa;padding:.8rem;overflow:auto;font-size:.85rem}.verdict{border-radius:6px;padding:.7rem 1rem;margin:1rem 0;border:2px solid}.verdict b{font-size:1.3rem;margin-right:.8rem}.verdict ul{margin:.3rem 0 0;padding-left:1.2rem}.verdict.ok{border-color:#1a7f37;background:#eef8f0}.verdict.warn{border-color:#9a6700;background:#fff8e5}.verdict.bad{border-color:#cf222e;background:#fff0f0}@media print{body{max-width:none;margin:0;font-size:10pt}.chart svg{border:none}.chart,table,.verdict,.card{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}pre{white-space:pre-wrap}.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// A complete HTML page around a body: every page sqsbench writes.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body>\n{body}\n<p class=\"sub\">sqsbench {}</p></body></html>\n",
        escape(title),
        env!("CARGO_PKG_VERSION")
    )
}

/// An SVG chart file, inlined and made to scale with the page.
pub(crate) fn inline_svg(path: &Path) -> Option<String> {
    let svg = std::fs::read_to_string(path).ok()?;
    let start = svg.find("<svg")?;
    let svg = &svg[start..];
    let dims = |attr: &str| -> Option<String> {
        let at = svg.find(&format!("{attr}=\""))? + attr.len() + 2;
        Some(svg[at..].split('"').next()?.to_string())
    };
    let (w, h) = (dims("width")?, dims("height")?);
    Some(svg.replacen("<svg", &format!("<svg viewBox=\"0 0 {w} {h}\""), 1))
}

pub(super) fn charts(dir: &Path, charts: &[Chart]) -> String {
    let mut o = String::new();
    for chart in charts {
        if let Some(svg) = inline_svg(&chart.files(dir).1) {
            o.push_str(&format!("<div class=\"chart\">{svg}</div>"));
            o.push('\n');
        }
    }
    o
}

fn card(o: &mut String, value: String, label: &str) {
    o.push_str(&format!(
        "<div class=\"card\"><b>{}</b><span>{}</span></div>",
        escape(&value),
        escape(label)
    ));
}

fn headline(s: &RunSummary) -> String {
    let e2e = s.latency(Latency::EndToEnd);
    let m = &s.messages;
    let mut o = String::from("<div class=\"cards\">");
    card(&mut o, per_sec(s.throughput.sent_per_sec), "sent");
    card(&mut o, per_sec(s.throughput.received_per_sec), "received");
    card(&mut o, ms(e2e.p50), "end-to-end p50");
    card(&mut o, ms(e2e.p99), "end-to-end p99");
    card(&mut o, ms(e2e.max), "end-to-end max");
    if s.shard.is_some() {
        // A shard's losses, order and duplicates are judged over every shard, not here.
        card(&mut o, usd(s.cost.usd), "cost");
        return o + "</div>";
    }
    card(&mut o, m.duplicates.to_string(), "duplicates");
    card(&mut o, m.lost.to_string(), "lost");
    if m.undelivered_at_interrupt > 0 {
        card(
            &mut o,
            m.undelivered_at_interrupt.to_string(),
            "undelivered at the interrupt",
        );
    }
    if m.not_sent > 0 {
        card(
            &mut o,
            m.not_sent.to_string(),
            "not sent (e2e counted as a lower bound)",
        );
    }
    card(&mut o, m.order_violations.to_string(), "order violations");
    card(&mut o, m.dead_lettered.to_string(), "dead-lettered");
    card(&mut o, usd(s.cost.usd), "cost");
    o + "</div>"
}

fn expectations(s: &RunSummary) -> String {
    if s.expectations.is_empty() {
        return "<p>No <code>[expect]</code> checks in this scenario.</p>".into();
    }
    let mut o = String::from(
        "<table><tr><th>expectation</th><th>limit</th><th>actual</th><th>result</th></tr>",
    );
    for e in &s.expectations {
        let u = e.unit.suffix();
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}{u}</td><td>{}{u}</td><td class=\"{}\">{}</td></tr>",
            escape(&e.name),
            e.limit,
            e.actual,
            if e.passed { "pass" } else { "fail" },
            if e.passed { "passed" } else { "FAILED" }
        ));
    }
    o + "</table>"
}

fn latencies(s: &RunSummary) -> String {
    // A merged result's end-to-end rows compare two machines' clocks: what they may be off by.
    let clocks = super::wording::cross_machine_note(s);
    let mut o = String::from(
        "<table><tr><th>latency</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th>",
    );
    o += if clocks.is_some() {
        "<th>clocks</th></tr>"
    } else {
        "</tr>"
    };
    for (k, l) in &s.latency_us {
        if l.count == 0 {
            continue;
        }
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            escape(k),
            l.count,
            ms(l.p50),
            ms(l.p90),
            ms(l.p99),
            ms(l.p999),
            ms(l.max)
        ));
        if let Some(note) = &clocks {
            let crossing = CROSSING.iter().any(|c| c.key() == k);
            o += &format!(
                "<td>{}</td>",
                if crossing {
                    escape(note)
                } else {
                    String::new()
                }
            );
        }
        o += "</tr>";
    }
    o + "</table>"
}

fn requests(s: &RunSummary) -> String {
    let mut o = String::from(
        "<table><tr><th>API</th><th>requests</th><th>errors</th><th>throttled</th><th>timeouts</th><th>failed entries</th></tr>",
    );
    for (api, r) in &s.requests {
        o.push_str(&format!("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(api),
            r.count,
            r.errors,
            r.throttled,
            r.timeouts,
            r.entries_failed,
            r.retries));
    }
    o.push_str(&format!("</table><p>Cost: {} billed requests (64 KiB chunks) at ${} per million, <b>${:.6}</b>, ${:.4} per million messages.",
        s.cost.billed_requests,
        s.cost.price_per_million,
        s.cost.usd,
        s.cost.usd_per_million_messages));
    match (s.cost.estimated_billed_requests, s.cost.estimated_usd) {
        (Some(r), Some(usd)) => {
            o.push_str(&format!(
                " Estimated before the run: {r} requests, ${usd:.6}.</p>"
            ));
        }
        _ => o += " No estimate before the run (a closed-loop rate).</p>",
    }
    o
}

fn examples(title: &str, list: &[Example]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut o = format!(
        "<h3>{}</h3><table><tr><th>message id</th><th>producer</th><th>sequence</th><th>group</th><th>receive count</th><th>note</th></tr>",
        escape(title)
    );
    for e in list {
        let note = match (e.cause, e.delivered_after_sequence) {
            (Some(c), _) => format!("{c:?}").to_lowercase(),
            (_, Some(later)) => format!("delivered after sequence {later}"),
            _ => String::new(),
        };
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&e.message_id),
            e.producer,
            e.sequence,
            e.group,
            e.receive_count,
            escape(&note)
        ));
    }
    o + "</table>"
}

fn integrity(s: &RunSummary, i: Option<&Integrity>) -> String {
    let m = &s.messages;
    let d = &m.duplicate_causes;
    let mut o = format!(
        "<table><tr><th>count</th><th>value</th></tr>\
<tr><td>duplicates (redelivered / producer / unexplained)</td><td>{} ({} / {} / {})</td></tr>\
<tr><td>lost</td><td>{}</td></tr><tr><td>order violations</td><td>{}</td></tr>\
<tr><td>dead-lettered</td><td>{}</td></tr><tr><td>foreign</td><td>{}</td></tr></table>\
<p>Accounting: {} {} = unique received {} + dead-lettered {} + lost {}.</p>",
        m.duplicates,
        d.redelivery,
        d.producer,
        d.unexplained,
        m.lost,
        m.order_violations,
        m.dead_lettered,
        m.foreign,
        // A fan-out's identity is over deliveries: each subscription's expected messages.
        if s.topic.is_some() {
            "expected deliveries (all subscriptions)"
        } else {
            "sent"
        },
        if s.topic.is_some() {
            s.subscriptions.iter().map(|x| x.expected).sum()
        } else {
            m.sent
        },
        m.unique_received,
        m.dead_lettered,
        m.lost
    );
    if let Some(e) = &s.emulator {
        let x = e.injected;
        o.push_str(&format!("<p>The emulator injected: duplicates {}, lost {}, reordered {}, errors {}, throttled {}.</p>",
            x.duplicates, x.lost, x.reordered, x.errors, x.throttled));
    }
    if let Some(i) = i {
        o += &examples("Duplicates — first examples", &i.duplicates.examples);
        o += &examples("Lost — first examples", &i.lost.examples);
        o += &examples(
            "Order violations — first examples",
            &i.order_violations.examples,
        );
        o += &examples("Dead-lettered — first examples", &i.dead_lettered.examples);
    }
    o
}

/// The verdict at the top of a run's page: `[expect]` passed or failed, whether every message
/// is accounted for, and whether calls were throttled or failed. Red when an expectation failed
/// or the accounting does not hold, amber when only throttles or errors are to be seen.
fn verdict(s: &RunSummary, integrity: Option<&Integrity>) -> String {
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
fn sweep_verdict(summaries: &[RunSummary], labels: &[String]) -> String {
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
fn accounted(s: &RunSummary) -> bool {
    if s.topic.is_some() {
        // Each subscription has its own identity: publishes are not deliveries.
        return s.subscriptions.iter().all(|sub| sub.identity_holds);
    }
    let m = &s.messages;
    m.sent == m.unique_received + m.dead_lettered + m.lost + m.undelivered_at_interrupt
}

/// Calls throttled, and calls failed (errors, timeouts, no connection).
fn troubled_calls(s: &RunSummary) -> (u64, u64) {
    let throttled = s.requests.values().map(|r| r.throttled).sum();
    let errors = s.requests.values().map(|r| r.failed()).sum();
    (throttled, errors)
}

/// The banner: red when `[expect]` or the accounting failed, amber when only calls did.
fn banner([expect, accounting, calls]: [(bool, String); 3]) -> String {
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

fn title_block(s: &RunSummary) -> String {
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

/// A results file a page shows, or why it cannot be shown.
fn results_file(dir: &Path, name: &str) -> Result<String, String> {
    std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: {e}"))
}

/// The page of one run, from its directory (charts, integrity.json, scenario.toml).
/// Each fleet's figures: a delivery counts for the fleet that sent it and the one that received it.
fn fleets(s: &RunSummary) -> String {
    if s.fleets.is_empty() {
        return String::new();
    }
    let mut o = String::from(
        "<h3>By fleet</h3><table><tr><th>fleet</th><th>role</th><th>sent</th><th>send failed</th><th>received</th><th>e2e p50</th><th>e2e p99</th><th>e2e max</th></tr>",
    );
    let count = |n: Option<u64>| n.map_or("–".to_string(), |n| n.to_string());
    for f in &s.fleets {
        let e2e = &f.end_to_end_us;
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.name),
            f.role.name(),
            count(f.sent),
            count(f.send_failed),
            f.received,
            ms(e2e.p50),
            ms(e2e.p99),
            ms(e2e.max)
        ));
    }
    o += "</table>";
    if let Some(note) = super::wording::cross_machine_note(s) {
        o += &format!("<p>Fleets' end-to-end latencies: {}.</p>", escape(&note));
    }
    o
}

/// Lambda-style consumers' batches, and why messages came back.
fn batches(s: &RunSummary) -> String {
    let Some(b) = &s.batches else {
        return String::new();
    };
    let mut o = format!(
        "<h3>Batches (Lambda-style consumers)</h3><p>{} invocations of {} messages: mean batch {}, gathered in {} ms on average.</p>\
         <table><tr><th>why a message came back</th><th>left on the queue</th><th>redelivered</th><th>dead-lettered</th></tr>",
        b.invocations, b.messages, b.mean_size, b.mean_gather_ms
    );
    for (cause, left, redelivered, dead) in super::wording::batch_causes(b) {
        o.push_str(&format!(
            "<tr><td>{cause}</td><td>{left}</td><td>{redelivered}</td><td>{dead}</td></tr>"
        ));
    }
    o.push_str("</table>");
    for (title, unit, dist) in [
        ("batch size", "messages", &b.size_distribution),
        ("gather time", "ms", &b.gather_ms_distribution),
    ] {
        o.push_str(&format!(
            "<p>By {title} ({unit}): {}</p>",
            super::wording::distribution(dist)
        ));
    }
    o
}

/// A merged result's shards: each one's own figures and start, and what is missing.
fn shards(s: &RunSummary, sh: &Shards) -> String {
    let mut o = format!(
        "<h2>Shards</h2><p>Merged from {} of {} shards of run <code>{}</code>.</p>",
        sh.merged.len(),
        sh.count,
        escape(&s.run_id)
    );
    if sh.partial {
        let missing: Vec<String> = sh.missing.iter().map(|i| i.to_string()).collect();
        o += &format!(
            "<p class=\"fail\">Partial result: missing shard(s) [{}]; shards marked unfinished add only what their journals held. Losses and counts cover only what was merged.</p>",
            missing.join(", ")
        );
    }
    let offsets = sh
        .merged
        .iter()
        .filter_map(|t| Some((t.index, t.clock_offset.as_ref()?)));
    match (&sh.clock_correction, clock_offset::worst(offsets)) {
        (Some(c), _) => {
            let class = if c.below_zero > 0 {
                " class=\"fail\""
            } else {
                ""
            };
            o += &format!(
                "<p{class}>{}.</p>",
                escape(super::wording::corrected_line(c).trim_end())
            );
        }
        (None, Some((shard, worst))) => {
            o += &format!(
                "<p>End-to-end latencies compare a sender's clock with a receiver's: they may be off by up to {worst:.2} ms (shard {shard}'s clock against the queue's), not corrected (<code>merge --correct-clock-offset</code> corrects them).</p>"
            );
        }
        (None, None) => {}
    }
    for t in sh
        .merged
        .iter()
        .filter(|t| t.clock_offset.is_some_and(|c| c.skewed()))
    {
        o += &format!(
            "<p class=\"fail\">Clock skew: shard {}'s clock is {} from the queue's; latencies between it and other shards {}.</p>",
            t.index,
            t.clock_offset.map(|c| c.describe()).unwrap_or_default(),
            if sh.clock_correction.is_some() {
                "were corrected by its offset"
            } else {
                "are off by about that much"
            }
        );
    }
    for t in &sh.merged {
        if let (Some(c), Some(floor)) = (t.clock_offset, t.sends_floor_ms)
            && !c.allows(floor)
        {
            o += &format!(
                "<p class=\"fail\">Clock check failed: shard {}'s messages were stamped by SQS as if its clock were at least {floor:+.2} ms from the queue's, beyond its measured {}.</p>",
                t.index,
                escape(&c.describe())
            );
        }
    }
    o += "<table><tr><th>shard</th><th>finished</th><th>sent</th><th>received</th><th>errors</th><th>planned start</th><th>started sending</th><th>clock − queue's</th><th>floor from send stamps</th></tr>";
    for t in &sh.merged {
        o += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            t.index,
            if t.finished {
                "yes"
            } else {
                "<span class=\"fail\">no</span>"
            },
            t.sent,
            t.received,
            t.errors,
            escape(t.start_at.as_deref().unwrap_or("-")),
            escape(&t.started_sending_at),
            t.clock_offset
                .map_or("-".to_string(), |c| escape(&c.describe())),
            t.sends_floor_ms
                .map_or("-".to_string(), |f| format!("{f:+.2} ms"))
        );
    }
    o + "</table>"
}

fn scenario_text(dir: &Path) -> String {
    results_file(dir, File::Scenario.name()).unwrap_or_else(|e| format!("Not shown: {e}"))
}

/// A shard's page: its own figures, and where the verdict is made instead of an integrity
/// section.
fn shard_body(s: &RunSummary, shard: &ShardInfo, dir: &Path, scenario: &str) -> String {
    format!(
        "{}{}<p>Shard {} of {} of run <code>{}</code>: other shards receive its messages, so losses, \
FIFO order and <code>[expect]</code> are judged over every shard's results, not here.</p>\
<h2>Charts</h2>{}<h2>Latency</h2>{}<h2>Requests and cost</h2>{}<h2>Resolved scenario</h2><pre>{}</pre>",
        title_block(s),
        headline(s),
        shard.index,
        shard.count,
        escape(&s.run_id),
        charts(&dir.join(File::Charts.name()), &Chart::RUN),
        latencies(s) + &fleets(s),
        requests(s),
        escape(scenario)
    )
}

pub(crate) fn run_page(s: &RunSummary, dir: &Path) -> String {
    let integrity_json: Result<Integrity, String> = results_file(dir, File::Integrity.name())
        .and_then(|t| {
            serde_json::from_str(&t).map_err(|e| format!("{}: {e}", File::Integrity.name()))
        });
    let (integrity_json, integrity_note) = match (&s.shard, integrity_json) {
        (Some(shard), _) => {
            return page(
                &format!("sqsbench: {}", s.scenario.name),
                &shard_body(s, shard, dir, &scenario_text(dir)),
            );
        }
        (None, Ok(i)) => (Some(i), String::new()),
        (None, Err(e)) => (
            None,
            format!("<p class=\"fail\">Not shown: {}</p>", escape(&e)),
        ),
    };
    let scenario = scenario_text(dir);
    let body = format!(
        "{}{}{}{}<h2>Expectations</h2>{}<h2>Charts</h2>{}<h2>Latency</h2>{}<h2>Integrity</h2>{}<h2>Requests and cost</h2>{}<h2>Resolved scenario</h2><pre>{}</pre>",
        title_block(s),
        verdict(s, integrity_json.as_ref()),
        headline(s),
        s.shards
            .as_ref()
            .map(|sh| shards(s, sh))
            .unwrap_or_default(),
        expectations(s),
        charts(&dir.join(File::Charts.name()), &Chart::RUN),
        latencies(s) + &fleets(s),
        integrity_note
            + &super::subscriptions::html(s)
            + &integrity(s, integrity_json.as_ref())
            + &batches(s),
        requests(s),
        escape(&scenario)
    );
    page(&format!("sqsbench: {}", s.scenario.name), &body)
}

/// The page of a repeated run: the median run's page with every headline metric's spread.
pub(crate) fn repeats_page(s: &RunSummary, headline_dir: &Path, headline_rel: &str) -> String {
    let mut spread = String::new();
    if let Some(r) = &s.repeats {
        spread.push_str(&format!("<h2>Spread over {} runs</h2><p>Figures above are from the median run by received throughput (<a href=\"{}/{}\">{}</a>).</p>\
<table><tr><th>metric</th><th>min</th><th>mean</th><th>max</th><th>std dev</th></tr>",
            r.count,
            escape(headline_rel),
            File::Report.name(),
            escape(headline_rel)));
        for key in SPREAD_KEYS {
            if let Some(v) = r.spread.get(*key) {
                spread.push_str(&format!(
                    "<tr><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td></tr>",
                    key, v.min, v.mean, v.max, v.stddev
                ));
            }
        }
        spread += "</table>";
    }
    let page_text = run_page(s, headline_dir);
    page_text.replacen(
        "<h2>Expectations</h2>",
        &format!("{spread}<h2>Expectations</h2>"),
        1,
    )
}

const SPREAD_KEYS: &[&str] = &[
    "throughput.sent_per_sec",
    "throughput.received_per_sec",
    "latency_us.end_to_end.p50",
    "latency_us.end_to_end.p99",
    "latency_us.end_to_end.max",
    "messages.duplicates",
    "messages.lost",
    "cost.usd",
];

/// The page of a sweep: the comparison, its charts, each variant's expectations and a link to
/// each variant's own page.
pub(crate) fn sweep_page(
    name: &str,
    rows: &[Row],
    summaries: &[RunSummary],
    links: &[(String, String)],
    charts_dir: &Path,
) -> String {
    let table = super::comparison::markdown("", rows);
    let labels: Vec<String> = links.iter().map(|(label, _)| label.clone()).collect();
    let mut o = format!(
        "<h1>{} — sweep of {} variants</h1>{}<h2>Comparison</h2><div class=\"wide\">{}</div>",
        escape(name),
        rows.len(),
        sweep_verdict(summaries, &labels),
        markdown_table_to_html(&table)
    );
    o += "<h2>Charts</h2>";
    o += &charts(charts_dir, &Chart::SWEEP);
    o += "<h2>Expectations</h2>";
    for (s, (label, _)) in summaries.iter().zip(links) {
        o.push_str(&format!("<h3>{}</h3>{}", escape(label), expectations(s)));
    }
    o += "<h2>Variants</h2><ul>";
    for (label, href) in links {
        o.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            escape(href),
            escape(label)
        ));
    }
    o += "</ul>";
    page(&format!("sqsbench sweep: {name}"), &o)
}

/// The comparison's Markdown table as an HTML table (one source of truth for both).
fn markdown_table_to_html(md: &str) -> String {
    let mut o = String::from("<table>");
    let lines: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    for (i, line) in lines.iter().enumerate() {
        if i == 1 {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let tag = if i == 0 { "th" } else { "td" };
        o += "<tr>";
        for c in cells {
            o.push_str(&format!(
                "<{tag}>{}</{tag}>",
                escape(&c.replace("\\|", "|"))
            ));
        }
        o += "</tr>";
    }
    o + "</table>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&"),
            "&lt;a href=&quot;x&quot;&gt;&amp;"
        );
    }

    #[test]
    fn a_page_references_nothing_outside_itself() {
        let dir = std::env::temp_dir().join(format!("sqsbench-html-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("charts"));
        std::fs::write(
            dir.join("charts/throughput.svg"),
            "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"5\" xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>",
        )
        .unwrap();
        let mut s = RunSummary::default();
        s.scenario.name = "x<y".into();
        let html = run_page(&s, &dir);
        assert!(html.contains("<svg viewBox=\"0 0 10 5\" width=\"10\""));
        assert!(html.contains("x&lt;y"));
        for forbidden in ["<script", "<link", "src=", "@import", "url("] {
            assert!(!html.contains(forbidden), "{forbidden} in the page");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
