//! From what the user wrote to a typed `Scenario`: each section read by its definition
//! (`sections`), then the rules that tie keys together (derived names, FIFO-only keys, batch
//! sizes against message sizes, a target's endpoint). Every problem is collected with its key
//! path and line; a scenario with any problem is never returned.

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::bus_rules;
use super::fanout::Router;
use super::fanout_rules::{self, Kind};
use super::fleet_rules::{consumer, fleets, producer};
use super::queue_set_rules;
use super::sections::{QueueRead, TargetKeys, TargetKind};
use super::types::*;
use crate::emulator::{names, settings};
use sqsbench_keys::document::{Document, Field, Problem, Table};

pub use super::codecs::MIN_MESSAGE_SIZE;

/// Each fleet has its own end-to-end histogram on every recording thread (see
/// `limits::HISTOGRAM_BYTES`), so their number is bounded: 64 fleets cost about 48 MiB on a
/// 2-core machine.
pub const MAX_FLEETS: usize = 64;

/// Parses and validates scenario text with `--set` overrides applied.
pub fn scenario_from_text(text: &str, overrides: &[String]) -> Result<Scenario, Vec<Problem>> {
    let mut doc = Document::parse(text);
    for o in overrides {
        if let Err(e) = doc.set(o) {
            doc.problem(o.split('=').next().unwrap_or(o), None, e);
        }
    }
    let scenario = build(&doc);
    let problems = doc.problems.into_inner();
    match scenario {
        Some(s) if problems.is_empty() => Ok(s),
        _ => Err(problems),
    }
}

/// The top level's keys: the scenario's name and description, then its sections.
pub const ROOT_KEYS: &[&str] = &[
    "name",
    "description",
    "target",
    "queue",
    "queues",
    "run",
    "producers",
    "consumers",
    "emulator",
    "expect",
    "sweep",
    "cost",
    "search",
    "topic",
    "publishers",
    "subscriptions",
    "event_bus",
    "event_publishers",
    "rules",
];

fn build(doc: &Document) -> Option<Scenario> {
    let root = doc.root();
    let name = scenario_name(doc, &root);
    let description = root
        .get("description")
        .and_then(|f| f.str().map(str::to_string));
    let target_keys = section(root.get("target"), TargetKeys::read_keys);
    let client = target_keys.as_ref().map(|keys| keys.client);
    let target = target_keys.and_then(|keys| target(keys, root.get("target")));
    let scenario_name = name.as_deref().unwrap_or("scenario");
    let (kind, topic, bus) = routers(&root, scenario_name);
    let one_queue = root.get("queue");
    let declared = one_queue.is_some();
    let one = section(one_queue, |t| {
        let mut read = QueueSpec::read_partial(t);
        if let Some(Some(topic)) = &topic {
            fanout_rules::queue_of_topic(&mut read, t, topic);
        }
        queue(read, t, scenario_name, "[queue]")
    });
    let queues = queue_set(&root, declared, kind != Kind::Queue, scenario_name);
    // A [[queues]] scenario's first queue stands for the run's queue type and FIFO rules.
    let queue = match queues.as_deref() {
        Some([first, ..]) => first.specs().next(),
        _ => one,
    };
    let run = section(root.get("run"), RunSpec::read_keys);
    let router = match (&topic, &bus) {
        (Some(t), _) => Some(t.clone().map(Router::Topic)),
        (None, Some(b)) => Some(b.clone().map(Router::Bus)),
        (None, None) => None,
    };
    let (mut producers, mut consumers, fanout) = fleets_of(doc, &root, &router, queue.as_ref());
    if let (Some(decls), Kind::Queue) = (&queues, kind) {
        queue_set_rules::bind(&root, decls, &mut producers, &mut consumers);
    }
    if producers.is_some() && consumers.is_some() {
        limit_fleets(&root);
    }
    let emulator = emulator(root.get("emulator"));
    let expect = section(root.get("expect"), Expectations::read_keys);
    let sweep = sweep(root.get("sweep"));
    let cost = section(root.get("cost"), Prices::read_keys);
    let search = match root.get("search") {
        None => Some(None),
        Some(f) => search(&f).map(Some),
    };
    root.finish(ROOT_KEYS);
    Some(Scenario {
        name: name?,
        description,
        target: target?,
        client: client?,
        queue: queue?,
        queues: queues?,
        run: run?,
        producers: producers?,
        consumers: consumers?,
        emulator: emulator?,
        expect: expect?,
        sweep: sweep?,
        cost: cost?,
        search: search?,
        fanout: fanout?,
    })
}

/// What the scenario's traffic goes to, and its `[topic]` or `[event_bus]` (an inner `None`:
/// refused), the other kinds' sections refused.
#[allow(clippy::type_complexity)]
fn routers(
    root: &Table<'_>,
    scenario_name: &str,
) -> (Kind, Option<Option<TopicSpec>>, Option<Option<BusSpec>>) {
    let bus_field = root.get("event_bus");
    let topic_field = bus_field.is_none().then(|| root.get("topic")).flatten();
    let kind = match (&bus_field, &topic_field) {
        (Some(_), _) => Kind::Bus,
        (None, Some(_)) => Kind::Topic,
        (None, None) => Kind::Queue,
    };
    fanout_rules::refuse_other_kind(root, kind);
    let topic = topic_field.as_ref().map(|f| {
        let t = f.table()?;
        fanout_rules::topic(TopicSpec::read_partial(Some(&t)), Some(&t), scenario_name)
    });
    let bus = bus_field.as_ref().map(|f| {
        let t = f.table()?;
        bus_rules::bus(BusSpec::read_partial(Some(&t)), &t, scenario_name)
    });
    (kind, topic, bus)
}

/// `[[queues]]`: none when absent, else its declarations, refused beside `[queue]` or `[topic]`.
fn queue_set(
    root: &Table<'_>,
    declared: bool,
    fanout: bool,
    scenario_name: &str,
) -> Option<Vec<QueueDecl>> {
    let Some(f) = root.get("queues") else {
        return Some(Vec::new());
    };
    queue_set_rules::declarations(
        &f,
        &[
            (
                declared,
                "[queue] is the one-queue form and [[queues]] the many; use one, not both",
            ),
            (
                fanout,
                "many queues with a fan-out ([topic] or [event_bus]) are not supported: a fan-out's queues are its [[subscriptions]] or [[rules]]",
            ),
        ],
        |t, name| {
            let mut read = QueueSpec::read_partial(Some(t));
            read.name = name;
            queue(read, Some(t), scenario_name, "this [[queues]] entry")
        },
    )
}

/// The producer and consumer fleets, and the fan-out's parts when `[topic]` makes one (an inner
/// `None`: not a fan-out; an outer `None`: refused).
#[allow(clippy::type_complexity)]
fn fleets_of(
    doc: &Document,
    root: &Table<'_>,
    router: &Option<Option<Router>>,
    queue: Option<&QueueSpec>,
) -> (
    Option<Vec<ProducerFleet>>,
    Option<Vec<ConsumerFleet>>,
    Option<Option<Fanout>>,
) {
    let parts = |router: &Option<Router>| match router {
        Some(Router::Bus(bus)) => bus_rules::parts(doc, root, Some(bus), queue),
        Some(Router::Topic(topic)) => fanout_rules::parts(doc, root, Some(topic), queue),
        // The router was refused; its fleets are still read for their own problems.
        None if root.get("event_bus").is_some() => bus_rules::parts(doc, root, None, queue),
        None => fanout_rules::parts(doc, root, None, queue),
    };
    match router {
        Some(router) => match parts(router) {
            Some(parts) => (
                Some(parts.producers),
                Some(parts.consumers),
                Some(Some(parts.fanout)),
            ),
            None => (None, None, None),
        },
        None => {
            let (producers, consumers) = queue_fleets(doc, root, queue);
            (producers, consumers, Some(None))
        }
    }
}

/// At most `MAX_FLEETS` fleet tables in all; the first one over is where the problem is said.
fn limit_fleets(root: &Table<'_>) {
    let fleet_tables = [
        "producers",
        "consumers",
        "publishers",
        "subscriptions",
        "event_publishers",
        "rules",
    ];
    let mut tables = fleet_tables
        .into_iter()
        .filter_map(|key| root.get(key)?.array())
        .flatten();
    if let Some(first_too_many) = tables.nth(MAX_FLEETS) {
        first_too_many.problem(format!(
            "a scenario has at most {MAX_FLEETS} fleets (producers and consumers together)"
        ));
    }
}

/// A queue scenario's `[[producers]]` (at least one) and `[[consumers]]`.
fn queue_fleets(
    doc: &Document,
    root: &Table<'_>,
    queue: Option<&QueueSpec>,
) -> (Option<Vec<ProducerFleet>>, Option<Vec<ConsumerFleet>>) {
    let names = RefCell::new(BTreeSet::new());
    let producers = fleets(root, "producers", |t| {
        producer(ProducerFleet::read_partial(Some(t)), t, queue, &names)
    });
    let consumers = fleets(root, "consumers", |t| {
        consumer(ConsumerFleet::read_partial(Some(t)), t, queue, &names)
    });
    if producers.as_ref().is_some_and(|p| p.is_empty()) {
        doc.problem(
            "producers",
            None,
            "at least one [[producers]] fleet is required",
        );
    }
    (producers, consumers)
}

fn scenario_name(doc: &Document, root: &Table<'_>) -> Option<String> {
    let Some(f) = root.get("name") else {
        doc.problem(
            "name",
            Some(1),
            "is required (it names the results directory)",
        );
        return None;
    };
    let s = f.str()?;
    // Not an AWS name, but held to the same characters: it names a directory and a tag.
    let ok = names::is_word(s, 64);
    if !ok {
        f.problem("use 1-64 letters, digits, '-' or '_' (it names the results directory)");
    }
    ok.then(|| s.to_string())
}

/// Reads an optional sub-table with a reader, or the reader's defaults when absent.
fn section<T>(
    field: Option<Field<'_>>,
    read: impl FnOnce(Option<&Table<'_>>) -> Option<T>,
) -> Option<T> {
    match field {
        None => read(None),
        Some(f) => {
            let t = f.table()?;
            read(Some(&t))
        }
    }
}

/// `[target]`'s keys as one `Target`: an endpoint needs its URL.
fn target(keys: TargetKeys, field: Option<Field<'_>>) -> Option<Target> {
    let table = field.and_then(|f| f.table());
    match keys.kind {
        TargetKind::Embedded => Some(Target::Embedded),
        TargetKind::Aws => Some(Target::Aws {
            region: keys.region,
            profile: keys.profile,
        }),
        TargetKind::Endpoint => {
            let table = table?;
            let Some(url) = keys.endpoint else {
                table.problem("endpoint", "is required when kind = \"endpoint\"");
                return None;
            };
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                table
                    .get("endpoint")?
                    .problem("must be an http:// or https:// URL, e.g. \"http://127.0.0.1:4566\"");
                return None;
            }
            Some(Target::Endpoint {
                url,
                region: keys.region.unwrap_or_else(|| "us-east-1".into()),
            })
        }
    }
}

/// `[queue]`'s rules: the name derived from the scenario's and checked, FIFO-only keys.
fn queue(
    mut q: QueueRead,
    t: Option<&Table<'_>>,
    scenario_name: &str,
    section: &str,
) -> Option<QueueSpec> {
    let fifo = q.kind == Some(QueueType::Fifo);
    let standard = q.kind == Some(QueueType::Standard);
    let name_field = t.and_then(|t| t.get("name"));
    if name_field.is_none() {
        q.name = Some(format!("sqsbench-{scenario_name}"));
    }
    if let Some(name) = &mut q.name
        && let Some(message) = queue_name_problem(name, fifo, standard)
    {
        match (&name_field, t) {
            (Some(f), _) => f.problem(message),
            (None, Some(t)) => t.problem("name", message),
            (None, None) => {}
        }
        q.name = None;
    }
    for (key, set) in [
        (
            "content_based_deduplication",
            &mut q.content_based_deduplication,
        ),
        ("high_throughput", &mut q.high_throughput),
    ] {
        if standard && *set == Some(true) {
            if let Some(f) = t.and_then(|t| t.get(key)) {
                f.problem(format!(
                    "is FIFO-only: set {section} type = \"fifo\" or remove it"
                ));
            }
            *set = None;
        }
    }
    q.complete()
}

/// Appends `.fifo` to a FIFO queue's name, then says what is wrong with the name, if anything.
fn queue_name_problem(name: &mut String, fifo: bool, standard: bool) -> Option<&'static str> {
    if fifo && !name.ends_with(".fifo") {
        name.push_str(".fifo");
    }
    let well_formed = names::is_queue_name(name);
    if standard && name.ends_with(".fifo") {
        Some("ends with .fifo but type is \"standard\"")
    } else if !well_formed {
        Some("queue names are 1-80 letters, digits, '-' or '_' (FIFO names end in .fifo)")
    } else {
        None
    }
}

/// `[emulator]`: declared and read by the emulator (`emulator::settings`, the reader `serve`
/// uses), its problems recorded here with their lines.
fn emulator(field: Option<Field<'_>>) -> Option<EmulatorSpec> {
    match field {
        None => Some(EmulatorSpec::default()),
        Some(field) => settings::emulator(&field.table()?),
    }
}

/// `[search]`'s rule: `to` above `from`.
fn search(field: &Field<'_>) -> Option<SearchSpec> {
    let t = field.table()?;
    let mut spec = SearchSpec::read_partial(Some(&t));
    if let (Some(from), Some(to)) = (spec.from, spec.to)
        && to <= from
    {
        field.problem(format!("`to` ({to}/s) must be above `from` ({from}/s)"));
        spec.to = None;
    }
    spec.complete()
}

fn sweep(field: Option<Field<'_>>) -> Option<Vec<(String, Vec<String>)>> {
    section(field, |t| {
        let Some(t) = t else { return Some(Vec::new()) };
        let mut out = Vec::new();
        for key in t.keys() {
            let f = t.get(&key)?;
            let values: Vec<String> = f
                .array()?
                .iter()
                .map(|v| v.to_toml())
                .collect::<Option<_>>()?;
            if values.is_empty() {
                f.problem("needs at least one value");
            }
            out.push((key, values));
        }
        Some(out)
    })
}
