//! The terminal summary printed at the end of a run: headline throughput and latencies,
//! message accounting, requests by API and outcome, cost, and expectations.

use crate::measure::by_sender::CROSSING;
use crate::measure::clock_offset::{self, ClockOffset};
use crate::measure::fleets::Role;
use crate::measure::latency::Latency;
use crate::measure::summary::{Batches, RunSummary, ShardInfo, Shards};
use crate::scenario::TargetKind;

use super::sections::{RUN, Section};
use super::wording::{
    accounting, aligned, batch_causes, corrected_line, cross_machine_note, distribution, ms,
    per_sec,
};
use super::{queues, subscriptions};

/// The terminal summary: every section `sections::RUN` lists that a terminal can show, in its
/// order, then where the results are.
pub(crate) fn summary(s: &RunSummary, results_dir: &str) -> String {
    let mut o: String = RUN
        .iter()
        .map(|section| self::section(s, *section))
        .collect();
    o += &format!("results: {results_dir}\n");
    o
}

fn section(s: &RunSummary, section: Section) -> String {
    match section {
        Section::Title => title(s),
        Section::Headline => measured(s),
        Section::Merged => s
            .shards
            .as_ref()
            .map(|shards| merged_lines(s, shards))
            .unwrap_or_default(),
        Section::Expectations => expectations(s),
        Section::Latency => latency(s),
        Section::Integrity => integrity(s),
        Section::Requests => requests(s),
        Section::Verdict | Section::Charts | Section::Scenario => String::new(),
    }
}

/// What ran where, a fan-out's settle, and an interruption.
fn title(s: &RunSummary) -> String {
    let mut o = match subscriptions::headline(s).or_else(|| queues::headline(s)) {
        Some(line) => line,
        None => format!(
            "\n{} — {} {} queue {} on {} ({})\n",
            s.scenario.name, s.queue.kind, "", s.queue.name, s.target.kind, s.target.endpoint
        )
        .replace("  ", " "),
    };
    o += &subscriptions::settle_line(s);
    if s.interrupted.happened() {
        o += "interrupted: results cover the run up to the signal\n";
    }
    o
}

fn measured(s: &RunSummary) -> String {
    format!(
        "measured {:.1} s: sent {}, received {}\n",
        s.measured_seconds,
        per_sec(s.throughput.sent_per_sec),
        per_sec(s.throughput.received_per_sec)
    )
}

/// The latency table (a note where latencies compare two machines' clocks), this process's
/// clock, and each fleet's figures.
fn latency(s: &RunSummary) -> String {
    let mut o = format!(
        "{:<26}{:>10}{:>10}{:>10}{:>10}{:>10}\n",
        "latency", "p50", "p90", "p99", "p99.9", "max"
    );
    let clocks = cross_machine_note(s);
    for which in Latency::ALL {
        let l = s.latency(which);
        if l.count == 0 {
            continue;
        }
        let label = which.label();
        o += &format!(
            "{label:<26}{:>10}{:>10}{:>10}{:>10}{:>10}",
            ms(l.p50),
            ms(l.p90),
            ms(l.p99),
            ms(l.p999),
            ms(l.max)
        );
        match &clocks {
            Some(note) if CROSSING.contains(&which) => o += &format!("  {note}\n"),
            _ => o += "\n",
        }
    }
    if let Some(c) = &s.clock_offset {
        o += &clock_line(c);
    }
    o + &fleets(s)
}

/// What happened to the messages: the counts, then the verdict a run, a shard or a fan-out can
/// give, Lambda-style batches, and what a producer gave up on or the drain left.
fn integrity(s: &RunSummary) -> String {
    let m = &s.messages;
    let mut o = messages_line(s);
    match &s.shard {
        Some(shard) => o += &shard_lines(s, shard),
        None if s.router().is_some() => {
            let word = s.router().map_or("subscription", |(_, w)| w);
            o += &subscriptions::table(s.routes(), word)
        }
        None => o += &integrity_lines(s),
    }
    if !s.queues.is_empty() {
        o += &queues::table(&s.queues, queues::TERMINAL_QUEUES);
    }
    if let Some(b) = &s.batches {
        o += &batch_lines(b);
    }
    if m.not_sent > 0 {
        o += &format!(
            "not sent: {} messages a producer behind schedule gave up on (drain_timeout after the measured phase); their end-to-end latency is counted as a lower bound (give-up time − intended time)\n",
            m.not_sent
        );
    }
    if !s.drained && !s.interrupted.happened() && s.shard.is_none() {
        o +=
            "drain timeout passed before the queue was empty: messages still on it count as lost\n";
    }
    o
}

fn messages_line(s: &RunSummary) -> String {
    let m = &s.messages;
    if let Some((_, word)) = s.router() {
        format!(
            "messages: published {} (failed {}), received {} deliveries ({} unique) over {} {word}s, deleted {}, foreign {}\n",
            m.sent,
            m.send_failed,
            m.received,
            m.unique_received,
            s.routes().len(),
            m.deleted,
            m.foreign
        )
    } else if s.shard.is_some() {
        format!(
            "messages: sent {} (failed {}), received {} deliveries of any shard's messages, deleted {}, foreign {}\n",
            m.sent, m.send_failed, m.received, m.deleted, m.foreign
        )
    } else {
        format!(
            "messages: sent {} (failed {}), received {} ({} unique), deleted {}, foreign {}\n",
            m.sent, m.send_failed, m.received, m.unique_received, m.deleted, m.foreign
        )
    }
}

/// Requests by action, the cost (and the estimate), the budget, and what the emulator injected.
fn requests(s: &RunSummary) -> String {
    let mut o = String::from("requests:");
    for (api, r) in &s.requests {
        o += &format!(" {api} {}", r.count);
        if r.errors + r.throttled + r.timeouts + r.connect_failed > 0 {
            o += &format!(
                " ({} errors, {} throttled, {} timeouts, {} not connected)",
                r.errors, r.throttled, r.timeouts, r.connect_failed
            );
        }
        o += ";";
    }
    o += &cost_line(s);
    if s.stopped_by_budget {
        o += "stopped early: the counted cost reached [run] budget_usd\n";
    }
    if let Some(e) = &s.emulator {
        let i = e.injected;
        o += &format!(
            "emulator injected: duplicates {}, lost {}, reordered {}, errors {}, throttled {}\n",
            i.duplicates, i.lost, i.reordered, i.errors, i.throttled
        );
    }
    o
}

fn cost_line(s: &RunSummary) -> String {
    let mut o = match (&s.cost.sns, &s.cost.eventbridge) {
        (None, Some(eb)) => format!(
            "\ncost: ${:.6} = SQS {} billed requests of the consumers + EventBridge {} billed events and {} deliveries to the rules' queues (${:.6}), ${:.4} per million messages; not counted: {}",
            s.cost.usd,
            s.cost.billed_requests,
            eb.billed_events,
            eb.delivery_requests,
            eb.usd,
            s.cost.usd_per_million_messages,
            eb.not_counted.join(", ")
        ),
        (None, None) => format!(
            "\ncost: {} billed requests, ${:.6} (${:.4} per million messages)",
            s.cost.billed_requests, s.cost.usd, s.cost.usd_per_million_messages
        ),
        (Some(sns), _) => format!(
            "\ncost: ${:.6} = SQS {} billed requests + SNS {} billed publishes (${:.6}), ${:.4} per million messages; not counted: {}",
            s.cost.usd,
            s.cost.billed_requests,
            sns.billed_publishes,
            sns.usd,
            s.cost.usd_per_million_messages,
            sns.not_counted.join(", ")
        ),
    };
    match (s.cost.estimated_usd, s.cost.estimated_billed_requests) {
        (Some(usd), Some(requests)) => {
            o += &format!("; estimated before the run: {requests} requests, ${usd:.6}\n")
        }
        _ => o += "\n",
    }
    o
}

/// One line per `[expect]` check; a failure says by how much it missed.
pub(crate) fn expectations(s: &RunSummary) -> String {
    let mut o = String::new();
    for e in &s.expectations {
        let u = e.unit.suffix();
        if e.passed {
            o += &format!(
                "expect {}: passed (limit {}{u}, actual {}{u})\n",
                e.name, e.limit, e.actual
            );
        } else {
            let (by, side) = if e.actual > e.limit {
                (e.actual - e.limit, "over")
            } else {
                (e.limit - e.actual, "under")
            };
            o += &format!(
                "expect {}: FAILED, {}{u} {side} the limit (limit {}{u}, actual {}{u})\n",
                e.name,
                crate::round::to_places(by, 6),
                e.limit,
                e.actual
            );
        }
    }
    o
}

/// Duplicates, losses and order, and the accounting identity: a whole run's verdict.
fn integrity_lines(s: &RunSummary) -> String {
    let m = &s.messages;
    let mut o = String::new();
    let d = &m.duplicate_causes;
    let crash = if d.crash > 0 {
        format!(", crash {}", d.crash)
    } else {
        String::new()
    };
    o += &format!(
        "integrity: duplicates {} (redelivered {}{crash}, producer {}, unexplained {}), lost {}, order violations {}, dead-lettered {}\n",
        m.duplicates,
        d.redelivery,
        d.producer,
        d.unexplained,
        m.lost,
        m.order_violations,
        m.dead_lettered
    );
    if let Some(c) = &s.consumers {
        o += &format!(
            "consumers: {} crashes left {} messages ({} redelivered); heartbeats {} calls extended {} messages{}\n",
            c.crashes,
            c.crashed_messages,
            c.crash_redeliveries,
            c.heartbeats,
            c.extended,
            if c.at_ceiling > 0 {
                format!(", {} stopped at the 12h visibility ceiling", c.at_ceiling)
            } else {
                String::new()
            }
        );
    }
    if let Some(b) = &s.backlog {
        o += &backlog_line(b);
    }
    o + "accounting: " + &accounting(s) + "\n"
}

/// The queue's backlog as it reported it: its peak, the drain after the producers' last peak,
/// and what the consumers cost in running time.
fn backlog_line(b: &crate::measure::backlog::BacklogSummary) -> String {
    let drain = match b.drain_seconds {
        Some(d) => format!(
            "drained to ≤ {} {d} s after the producers' last peak (second {})",
            b.drained_at_most, b.last_peak_end_second
        ),
        None => format!(
            "NOT drained to ≤ {} by second {} ({} s after the producers' last peak)",
            b.drained_at_most,
            b.last_second,
            b.last_second.saturating_sub(b.last_peak_end_second)
        ),
    };
    format!(
        "backlog: peak {} (visible + in flight) at second {}; {drain}; {} consumer-seconds, at most {} consumers\n",
        b.peak, b.peak_second, b.consumer_seconds, b.max_consumers
    )
}

/// A shard sees only part of the run: other shards receive its messages, so it judges neither
/// losses, order nor expectations, and leaves the shared queue for the others.
fn shard_lines(s: &RunSummary, shard: &ShardInfo) -> String {
    let mut o = format!(
        "shard {} of {} (run {}): losses, FIFO order and [expect] are judged over every shard's results, not here; the queue is left for the other shards\n",
        shard.index, shard.count, s.run_id
    );
    if let Some(command) = cleanup_command(s) {
        o += &format!("when every shard has finished, delete the run's queues: {command}\n");
    }
    o
}

/// This process's clock against the queue's, as its first receives bounded it.
fn clock_line(c: &ClockOffset) -> String {
    format!(
        "clock: {} from the queue's (from {} first receives{})\n",
        c.describe(),
        c.windows,
        if c.consistent {
            ""
        } else {
            "; they disagreed, so a clock stepped: the narrowest window's alone"
        }
    )
}

/// Each shard's clock against the queue's, and what that does to latencies between shards.
fn merged_clocks(shards: &Shards) -> String {
    let measured: Vec<(u32, &ClockOffset)> = shards
        .merged
        .iter()
        .filter_map(|t| Some((t.index, t.clock_offset.as_ref()?)))
        .collect();
    let Some((shard, worst)) = clock_offset::worst(measured.iter().copied()) else {
        return String::new();
    };
    let each: Vec<String> = measured
        .iter()
        .map(|(i, c)| format!("shard {i} {}", c.describe()))
        .collect();
    let mut o = format!("clocks against the queue's: {}\n", each.join(", "));
    o += &match &shards.clock_correction {
        None => format!(
            "end-to-end latencies compare a sender's clock with a receiver's: off by up to {worst:.2} ms (shard {shard}), not corrected (merge --correct-clock-offset corrects them)\n"
        ),
        Some(c) => corrected_line(c),
    };
    o += &sends_check(shards);
    let said = if shards.clock_correction.is_some() {
        "were corrected by its offset"
    } else {
        "are off by about that much"
    };
    for (i, c) in measured.iter().filter(|(_, c)| c.skewed()) {
        o += &format!(
            "CLOCK SKEW: shard {i}'s clock is {} from the queue's; latencies between it and other shards {said}\n",
            c.describe()
        );
    }
    o
}

/// Each shard's measured offset against the floor its messages' SentTimestamp put under it.
fn sends_check(shards: &Shards) -> String {
    let mut agree = 0;
    let mut o = String::new();
    for t in &shards.merged {
        let (Some(c), Some(floor)) = (t.clock_offset, t.sends_floor_ms) else {
            continue;
        };
        if c.allows(floor) {
            agree += 1;
        } else {
            o += &format!(
                "CLOCK CHECK FAILED: shard {}'s messages were stamped by SQS as if its clock were at least {floor:+.2} ms from the queue's, beyond its measured {}\n",
                t.index,
                c.describe()
            );
        }
    }
    if agree > 0 {
        o += &format!(
            "checked against SQS's SentTimestamp of their messages: {agree} shard(s) agree\n"
        );
    }
    o
}

/// What a merged result was added from, and loudly, what it is missing.
fn merged_lines(s: &RunSummary, shards: &Shards) -> String {
    let indexes: Vec<String> = shards.merged.iter().map(|t| t.index.to_string()).collect();
    let mut o = format!(
        "merged shards {} of {} (run {})\n",
        indexes.join(", "),
        shards.count,
        s.run_id
    );
    if shards.partial {
        let missing: Vec<String> = shards.missing.iter().map(|i| i.to_string()).collect();
        let unfinished: Vec<String> = shards
            .merged
            .iter()
            .filter(|t| !t.finished)
            .map(|t| t.index.to_string())
            .collect();
        o += "PARTIAL: ";
        if !missing.is_empty() {
            o += &format!("missing shard(s) {}; ", missing.join(", "));
        }
        if !unfinished.is_empty() {
            o += &format!(
                "shard(s) {} did not finish (only what their journals held up to their last whole second is counted); ",
                unfinished.join(", ")
            );
        }
        o += "losses and counts cover only what was merged\n";
    }
    if let Some(said) = super::wording::unknown_windows(s, shards) {
        o += &format!("UNKNOWN: {said}\n");
    }
    o += &merged_clocks(shards);
    if s.messages.order_undecided > 0 {
        o += &format!(
            "order undecided: {} first deliveries shared their millisecond with another shard's delivery of the same group (SQS's clock cannot order them; not counted as violations)\n",
            s.messages.order_undecided
        );
    }
    if let Some(command) = cleanup_command(s) {
        o += &format!("delete the run's queues: {command}\n");
    }
    o
}

/// The command that deletes a run's queues later; none for the embedded target, whose queues
/// end with the process.
pub(crate) fn cleanup_command(s: &RunSummary) -> Option<String> {
    let target = match s.target.kind {
        TargetKind::Embedded => return None,
        TargetKind::Endpoint => s.target.endpoint.clone(),
        TargetKind::Aws => format!("aws --region {}", s.target.region),
    };
    Some(format!(
        "sqsbench cleanup --run-id {} --target {target}",
        s.run_id
    ))
}

/// Each fleet's figures, when a role has more than one fleet (with one of each, they are the
/// run's figures above).
/// Lambda-style consumers: what was invoked, and each cause of a message coming back.
fn batch_lines(b: &Batches) -> String {
    let mut o = format!(
        "batches: {} invoked, {} messages (mean {}, gathered in {} ms on average)\n  sizes {}\n  gather ms {}\n",
        b.invocations,
        b.messages,
        b.mean_size,
        b.mean_gather_ms,
        distribution(&b.size_distribution),
        distribution(&b.gather_ms_distribution)
    );
    if let Some(l) = &b.lambda {
        o += &format!(
            "  Lambda bill (fleets with memory): {} invocations, {} GB-seconds, ${}\n",
            l.invocations, l.gb_seconds, l.usd
        );
    }
    for (cause, left, redelivered, dead) in batch_causes(b) {
        if left > 0 {
            o += &format!(
                "  {cause}: {left} left on the queue, {redelivered} redelivered, {dead} dead-lettered\n"
            );
        }
    }
    o
}

fn fleets(s: &RunSummary) -> String {
    let several = |role| s.fleets.iter().filter(|f| f.role == role).count() > 1;
    if !several(Role::Producer) && !several(Role::Consumer) {
        return String::new();
    }
    let mut rows = vec![
        [
            "fleet", "sent", "failed", "received", "e2e p50", "e2e p99", "e2e max",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let count = |n: Option<u64>| n.map_or("-".to_string(), |n| n.to_string());
    for f in &s.fleets {
        let e2e = &f.end_to_end_us;
        rows.push(vec![
            format!("{} ({})", f.name, f.role.name()),
            count(f.sent),
            count(f.send_failed),
            f.received.to_string(),
            ms(e2e.p50),
            ms(e2e.p99),
            ms(e2e.max),
        ]);
    }
    let mut o = aligned(&rows, |column| column == 0);
    if let Some(note) = cross_machine_note(s) {
        o += &format!("fleets' e2e: {note}\n");
    }
    o
}
