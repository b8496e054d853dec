//! The rules of an EventBridge scenario (`[event_bus]`, `[[event_publishers]]`, `[[rules]]`):
//! the bus's name, what each publisher fleet draws for its events and PutEvents' sizes, and one
//! queue and consumer fleet per rule. Every problem is recorded with its key path and line, as in
//! `validate`; the fleets' own rules are `fleet_rules`'.

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::bus::{DETAIL_PREFIX, MAX_PUT_EVENTS_BYTES, drawn_bytes, drawn_text, rule_name};
use super::fanout::{Attributes, Fanout, Route, RouteKeys, Router};
use super::fanout_rules::{FanoutParts, at_key, route_fleet, route_queue};
use super::fleet_rules::{fleets, producer};
use super::keys::Codec;
use super::sections::{BusRead, ProducerFleetRead, RuleKeys};
use super::types::*;
use crate::emulator::names;
use sqsbench_keys::document::{Document, Table};

/// EventBridge's default for rules on one bus (300; fewer in a few regions).
const MAX_RULES: usize = 300;
/// PutEvents takes 1 to 10 entries.
const MAX_ENTRIES: u32 = 10;

/// `[event_bus]`'s rules: the name derived from the scenario's, `default` never created, a
/// replay only with an archive.
pub(super) fn bus(mut b: BusRead, table: &Table<'_>, scenario: &str) -> Option<BusSpec> {
    let written = table.get("name");
    if written.is_none() {
        b.name = Some(format!("sqsbench-{scenario}"));
    }
    let name = b.name.as_ref()?;
    if let Err(problem) = names::check_event_bus_name(name) {
        match &written {
            Some(f) => f.problem(problem),
            None => table.problem("name", problem),
        }
        b.name = None;
    }
    if b.replay_after.flatten().is_some() && b.archive == Some(false) {
        at_key(
            table,
            "replay_after",
            "replays the bus's archive: set archive = true".to_string(),
        );
        b.replay_after = None;
    }
    b.complete()
}

/// Reads `[[event_publishers]]` and `[[rules]]`.
pub(super) fn parts(
    doc: &Document,
    root: &Table<'_>,
    bus: Option<&BusSpec>,
    queue: Option<&QueueSpec>,
) -> Option<FanoutParts> {
    let names = RefCell::new(BTreeSet::new());
    let publishers = fleets(root, "event_publishers", |t| publisher(t, &names));
    let rules = fleets(root, "rules", |t| rule(t, queue, &names));
    let (publishers, rules) = (publishers?, rules?);
    super::fleet_rules::require(
        doc,
        [
            (
                publishers.is_empty(),
                "event_publishers",
                "at least one [[event_publishers]] fleet is required",
            ),
            (
                rules.is_empty(),
                "rules",
                "at least one [[rules]] entry is required",
            ),
        ],
    );
    if rules.len() > MAX_RULES {
        doc.problem(
            "rules",
            None,
            format!("a bus takes at most {MAX_RULES} rules"),
        );
        return None;
    }
    if bus.is_some_and(|b| b.replay_after.is_some())
        && let Some(i) = rules
            .iter()
            .position(|(r, _)| r.rule().is_some_and(|k| k.input_transformer.is_some()))
    {
        doc.problem(
            &format!("rules[{i}].input_transformer"),
            None,
            "a replayed event is told apart by its replay-name, which a transformed input does not carry: replay_after needs rules without input_transformer",
        );
        return None;
    }
    let (producers, attributes) = publishers.into_iter().unzip();
    let (routes, consumers) = rules.into_iter().unzip();
    Some(FanoutParts {
        producers,
        consumers,
        fanout: Fanout {
            router: Router::Bus(bus?.clone()),
            attributes,
            routes,
        },
    })
}

/// A publisher fleet: a producer fleet's keys (no FIFO fields: a bus has none), PutEvents'
/// sizes, and what it draws for `source`, `detail_type` and `detail`.
fn publisher(
    t: &Table<'_>,
    names: &RefCell<BTreeSet<String>>,
) -> Option<(ProducerFleet, Vec<AttributeSpec>)> {
    let drawn = drawn_fields(t);
    let mut p: ProducerFleetRead = ProducerFleet::read_partial(Some(t));
    if let Some(f) = t
        .get("deduplication")
        .filter(|_| p.deduplication == Some(Deduplication::Content))
    {
        f.problem("EventBridge has no deduplication ids: a FIFO rule target deduplicates by content on its own");
        p.deduplication = None;
    }
    if let Some(f) = t.get("groups").filter(|_| p.groups.is_some_and(|g| g > 1)) {
        f.problem(
            "EventBridge has no message groups: a FIFO rule target puts every event in one group",
        );
        p.groups = None;
    }
    if p.batch_size.is_some_and(|b| b > MAX_ENTRIES) {
        at_key(
            t,
            "batch_size",
            format!("PutEvents takes at most {MAX_ENTRIES} entries"),
        );
        p.batch_size = None;
    }
    let overhead = drawn.as_deref().map_or(0, drawn_bytes);
    if let Some(size) = &p.message_size
        && size.max() + overhead > MAX_PUT_EVENTS_BYTES
    {
        at_key(
            t,
            "message_size",
            format!(
                "an event takes at most {MAX_PUT_EVENTS_BYTES}B, and its drawn fields up to {overhead}B of it"
            ),
        );
        p.message_size = None;
    } else if let (Some(batch), Some(size)) = (p.batch_size, &p.message_size)
        && batch as u64 * (size.max() + overhead) > MAX_PUT_EVENTS_BYTES
    {
        at_key(
            t,
            "batch_size",
            format!(
                "{batch} events of up to {}B exceed PutEvents' {MAX_PUT_EVENTS_BYTES}B",
                size.max() + overhead
            ),
        );
        p.batch_size = None;
    }
    let fleet = producer(p, t, None, names);
    Some((fleet?, drawn?))
}

/// `source` (required), `detail_type` (required) and `detail` (optional fields, drawn as SNS
/// attributes are) as one list: `source`, `detail-type`, then `detail.<field>` each.
fn drawn_fields(t: &Table<'_>) -> Option<Vec<AttributeSpec>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (key, name, example) in [
        ("source", "source", "\"com.example.orders\""),
        ("detail_type", "detail-type", "\"OrderPlaced\""),
    ] {
        match t.get(key) {
            None => {
                t.problem(
                    key,
                    format!("is required (every event has one), e.g. {key} = {example}"),
                );
                ok = false;
            }
            Some(f) => match drawn_text(name, &f) {
                Some(spec) => out.push(spec),
                None => ok = false,
            },
        }
    }
    if let Some(f) = t.get("detail") {
        match Attributes.read(&f) {
            Some(fields) => {
                if let Some(body) = fields.iter().find(|s| s.name == super::bus::BODY_FIELD) {
                    f.problem(format!(
                        "{:?} is the field each event carries its message body in; rename it",
                        body.name
                    ));
                    ok = false;
                }
                out.extend(fields.into_iter().map(|s| AttributeSpec {
                    name: format!("{DETAIL_PREFIX}{}", s.name),
                    values: s.values,
                }));
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// A rule: its keys, its queue's name (FIFO when the rule's `type` says), and its consumers.
fn rule(
    t: &Table<'_>,
    queue: Option<&QueueSpec>,
    names: &RefCell<BTreeSet<String>>,
) -> Option<(Route, ConsumerFleet)> {
    let consumers = t.get("consumers");
    let keys = RuleKeys::read_partial(Some(t));
    let kind = keys.kind.unwrap_or(QueueType::Standard);
    let queue = queue.map(|q| QueueSpec {
        kind,
        content_based_deduplication: kind == QueueType::Fifo,
        ..q.clone()
    });
    let fleet = route_fleet(t, consumers, queue.as_ref(), "rule");
    let mut keys = keys.complete()?;
    keys.name = super::fleet_rules::fleet_name(t, keys.name, names);
    let base = &queue?.name;
    let queue_name = route_queue(t, base, &keys.name, kind)?;
    if let Err(problem) = names::check_rule_name(&rule_name(&queue_name)) {
        t.problem("name", format!("the rule's name on the bus: {problem}"));
        return None;
    }
    let mut fleet = fleet?;
    fleet.name = keys.name.clone();
    Some((
        Route {
            keys: RouteKeys::Rule(keys),
            queue_name,
        },
        fleet,
    ))
}
