//! The rules of a fan-out scenario (`[topic]`, `[[publishers]]`, `[[subscriptions]]`): which
//! sections it takes instead of `[[producers]]` and `[[consumers]]`, the topic's name and
//! FIFO-only keys, SNS's message sizes, and one queue and consumer fleet per subscription.
//! Every problem is recorded with its key path and line, as in `validate`.

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::fanout::{
    Attributes, Fanout, MAX_PUBLISH_BYTES, Route, RouteKeys, Router, subscription_queue,
};
use super::fleet_rules::{consumer, fleet_name, fleets, producer};
use super::keys::Codec;
use super::sections::{ConsumerFleetRead, ProducerFleetRead, SubscriptionKeys, TopicRead};
use super::types::*;
use crate::emulator::names;
use sqsbench_keys::document::{Document, Table};

/// AWS allows 100 subscriptions on a FIFO topic.
const MAX_FIFO_SUBSCRIPTIONS: usize = 100;

/// The fleets of a fan-out scenario: the publishers (as producer fleets), the subscriptions'
/// consumers, and the fan-out itself.
pub(super) struct FanoutParts {
    pub producers: Vec<ProducerFleet>,
    pub consumers: Vec<ConsumerFleet>,
    pub fanout: Fanout,
}

/// What a scenario's traffic goes to, as its sections say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Queue,
    Topic,
    Bus,
}

/// Refuses the sections of the other kinds of scenario: a queue scenario has no `[topic]` or
/// `[event_bus]` sections, a fan-out scenario no `[[producers]]` or `[[consumers]]`, and a
/// topic's and a bus's sections do not mix.
pub(super) fn refuse_other_kind(root: &Table<'_>, kind: Kind) {
    let topic_only: &[(&str, &str)] = &[
        (
            "publishers",
            "[[publishers]] publish to a [topic]; add one, or use [[producers]]",
        ),
        (
            "subscriptions",
            "[[subscriptions]] subscribe to a [topic]; add one",
        ),
    ];
    let bus_only: &[(&str, &str)] = &[
        (
            "event_publishers",
            "[[event_publishers]] put events on an [event_bus]; add one",
        ),
        ("rules", "[[rules]] are an [event_bus]'s; add one"),
    ];
    let fleets: &[(&str, &str)] = match kind {
        Kind::Queue => &[],
        Kind::Topic => &[
            (
                "producers",
                "a fan-out scenario ([topic]) publishes with [[publishers]], not [[producers]]",
            ),
            (
                "consumers",
                "a fan-out scenario ([topic]) gives each [[subscriptions]] entry its own consumers = { ... }",
            ),
        ],
        Kind::Bus => &[
            (
                "producers",
                "an EventBridge scenario ([event_bus]) puts events with [[event_publishers]], not [[producers]]",
            ),
            (
                "consumers",
                "an EventBridge scenario ([event_bus]) gives each [[rules]] entry its own consumers = { ... }",
            ),
            (
                "topic",
                "a scenario publishes to an [event_bus] or a [topic], not both",
            ),
        ],
    };
    let refused = fleets.iter().chain(match kind {
        Kind::Queue => topic_only.iter().chain(bus_only),
        Kind::Topic => bus_only.iter().chain(&[]),
        Kind::Bus => topic_only.iter().chain(&[]),
    });
    for (key, message) in refused {
        if let Some(f) = root.get(key) {
            f.problem(*message);
        }
    }
}

/// `[topic]`'s rules: the name derived from the scenario's and checked, FIFO-only keys.
pub(super) fn topic(
    mut t: TopicRead,
    table: Option<&Table<'_>>,
    scenario: &str,
) -> Option<TopicSpec> {
    let fifo = t.kind == Some(QueueType::Fifo);
    let written = table.and_then(|t| t.get("name"));
    if written.is_none() {
        t.name = Some(format!("sqsbench-{scenario}"));
    }
    let name = t.name.as_mut()?;
    if fifo && !name.ends_with(".fifo") {
        name.push_str(".fifo");
    }
    let problem = if !fifo && name.ends_with(".fifo") {
        Some("ends with .fifo but type is \"standard\"")
    } else if !names::is_topic_name(name) {
        Some("topic names are 1-256 letters, digits, '-' or '_' (FIFO names end in .fifo)")
    } else {
        None
    };
    if let Some(problem) = problem {
        match (&written, table) {
            (Some(f), _) => f.problem(problem),
            (None, Some(t)) => t.problem("name", problem),
            (None, None) => {}
        }
        t.name = None;
    }
    if !fifo && t.content_based_deduplication == Some(true) {
        if let Some(f) = table.and_then(|t| t.get("content_based_deduplication")) {
            f.problem("is FIFO-only: set [topic] type = \"fifo\" or remove it");
        }
        // Recorded; the rest of the scenario is still checked against the topic.
        t.content_based_deduplication = Some(false);
    }
    t.complete()
}

/// `[queue]` in a fan-out scenario is the template of every subscription's queue: its type is
/// the topic's.
pub(super) fn queue_of_topic(
    q: &mut super::sections::QueueRead,
    t: Option<&Table<'_>>,
    topic: &TopicSpec,
) {
    if let Some(f) = t.and_then(|t| t.get("type"))
        && q.kind.is_some_and(|k| k != topic.kind)
    {
        f.problem("must match [topic] type: a FIFO topic delivers to FIFO queues, a standard one to standard queues");
    }
    q.kind = Some(topic.kind);
}

/// Reads `[[publishers]]` and `[[subscriptions]]`.
pub(super) fn parts(
    doc: &Document,
    root: &Table<'_>,
    topic: Option<&TopicSpec>,
    queue: Option<&QueueSpec>,
) -> Option<FanoutParts> {
    let names = RefCell::new(BTreeSet::new());
    let publishers = fleets(root, "publishers", |t| publisher(t, topic, &names));
    let subscriptions = fleets(root, "subscriptions", |t| subscription(t, queue, &names));
    let (publishers, subscriptions) = (publishers?, subscriptions?);
    super::fleet_rules::require(
        doc,
        [
            (
                publishers.is_empty(),
                "publishers",
                "at least one [[publishers]] fleet is required",
            ),
            (
                subscriptions.is_empty(),
                "subscriptions",
                "at least one [[subscriptions]] entry is required",
            ),
        ],
    );
    let fifo = topic.is_some_and(|t| t.kind == QueueType::Fifo);
    if fifo && subscriptions.len() > MAX_FIFO_SUBSCRIPTIONS {
        doc.problem(
            "subscriptions",
            None,
            format!("a FIFO topic takes at most {MAX_FIFO_SUBSCRIPTIONS} subscriptions"),
        );
        return None;
    }
    let (producers, attributes) = publishers.into_iter().unzip();
    let (subscriptions, consumers) = subscriptions.into_iter().unzip();
    Some(FanoutParts {
        producers,
        consumers,
        fanout: Fanout {
            router: Router::Topic(topic?.clone()),
            attributes,
            routes: subscriptions,
        },
    })
}

/// A publisher fleet: a producer fleet's keys, SNS's sizes, and the attributes it draws.
fn publisher(
    t: &Table<'_>,
    topic: Option<&TopicSpec>,
    names: &RefCell<BTreeSet<String>>,
) -> Option<(ProducerFleet, Vec<AttributeSpec>)> {
    let attributes = match t.get("attributes") {
        None => Some(Vec::new()),
        Some(f) => Attributes.read(&f),
    };
    let mut p: ProducerFleetRead = ProducerFleet::read_partial(Some(t));
    if p.deduplication == Some(Deduplication::Content)
        && let Some(topic) = topic
    {
        let message = if topic.kind != QueueType::Fifo {
            Some("\"content\" is FIFO-only (content-based deduplication)")
        } else if !topic.content_based_deduplication {
            Some("\"content\" needs [topic] content_based_deduplication = true")
        } else {
            None
        };
        if let (Some(message), Some(f)) = (message, t.get("deduplication")) {
            f.problem(message);
            p.deduplication = None;
        }
    }
    if let Some(size) = &p.message_size
        && size.max() > MAX_PUBLISH_BYTES
    {
        at_key(
            t,
            "message_size",
            format!("SNS publishes at most {MAX_PUBLISH_BYTES}B per message"),
        );
        p.message_size = None;
    } else if let (Some(batch), Some(size)) = (p.batch_size, &p.message_size)
        && batch as u64 * size.max() > MAX_PUBLISH_BYTES
    {
        at_key(
            t,
            "batch_size",
            format!(
                "{batch} messages of up to {}B exceed PublishBatch's {MAX_PUBLISH_BYTES}B",
                size.max()
            ),
        );
        p.batch_size = None;
    }
    // Deduplication was checked against the topic above; the queue rules do not apply.
    let fleet = producer(p, t, None, names);
    Some((fleet?, attributes?))
}

/// A problem at the key's own line when it is written, else at its table's.
pub(super) fn at_key(t: &Table<'_>, key: &str, message: String) {
    match t.get(key) {
        Some(f) => f.problem(message),
        None => t.problem(key, message),
    }
}

/// A subscription: its keys, its queue's name, and its consumers (any `[[consumers]]` key but
/// `name`, which is the subscription's).
fn subscription(
    t: &Table<'_>,
    queue: Option<&QueueSpec>,
    names: &RefCell<BTreeSet<String>>,
) -> Option<(Route, ConsumerFleet)> {
    let consumers = t.get("consumers");
    let mut keys = SubscriptionKeys::read_partial(Some(t));
    keys.name = keys.name.map(|written| fleet_name(t, written, names));
    let fleet = route_fleet(t, consumers, queue, "subscription");
    let keys = keys.complete()?;
    let queue = queue?;
    let queue_name = route_queue(t, &queue.name, &keys.name, queue.kind)?;
    let mut fleet = fleet?;
    fleet.name = keys.name.clone();
    Some((
        Route {
            keys: RouteKeys::Subscription(keys),
            queue_name,
        },
        fleet,
    ))
}

/// A route's consumers: any `[[consumers]]` key but `name`, which is the route's.
pub(super) fn route_fleet(
    t: &Table<'_>,
    consumers: Option<sqsbench_keys::document::Field<'_>>,
    queue: Option<&QueueSpec>,
    what: &str,
) -> Option<ConsumerFleet> {
    let _ = t;
    let unnamed = RefCell::new(BTreeSet::new());
    match &consumers {
        None => ConsumerFleet::read_partial(None).complete(),
        Some(f) => {
            let ct = f.table()?;
            if let Some(name) = ct.get("name") {
                name.problem(format!(
                    "a {what}'s consumers are named by the {what}'s `name`"
                ));
            }
            let read: ConsumerFleetRead = ConsumerFleet::read_partial(Some(&ct));
            consumer(read, &ct, queue, &unnamed)
        }
    }
}

/// A route's queue, `<base>-<name>` (`.fifo` last for a FIFO queue), or why it is no SQS name
/// (said at the route's `name`).
pub(super) fn route_queue(
    t: &Table<'_>,
    base: &str,
    name: &str,
    kind: QueueType,
) -> Option<String> {
    let stem = base.strip_suffix(".fifo").unwrap_or(base);
    let with_kind = match kind {
        QueueType::Fifo => format!("{stem}.fifo"),
        QueueType::Standard => stem.to_string(),
    };
    let queue_name = subscription_queue(&with_kind, name);
    if !names::is_queue_name(&queue_name) {
        let why = if queue_name.len() > names::QUEUE_NAME_MAX {
            "is over SQS's 80 characters; use a shorter name or [queue] name"
        } else {
            "is not an SQS queue name (letters, digits, '-' or '_'); rename it"
        };
        t.problem("name", format!("its queue name {queue_name:?} {why}"));
        return None;
    }
    Some(queue_name)
}
