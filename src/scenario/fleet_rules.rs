//! Building the producer and consumer fleets from their tables, for a queue run and a fan-out
//! alike: each fleet named once (unique, tag-safe), its keys checked against each other and the
//! queue it reads.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::Duration;

use super::codecs::MAX_MESSAGE_SIZE;
use super::sections::{ConsumerFleetRead, ProducerFleetRead};
use super::types::*;
use sqsbench_keys::document::Table;

/// Each `(empty, key, what)` whose list is empty is a problem said at `key`: the sections a
/// scenario of its kind requires.
pub(super) fn require(doc: &sqsbench_keys::document::Document, lists: [(bool, &str, &str); 2]) {
    for (empty, key, what) in lists {
        if empty {
            doc.problem(key, None, what);
        }
    }
}

pub(super) fn fleets<T>(
    root: &Table<'_>,
    key: &str,
    read: impl Fn(&Table<'_>) -> Option<T>,
) -> Option<Vec<T>> {
    let Some(field) = root.get(key) else {
        return Some(Vec::new());
    };
    let items = field.array()?;
    let mut out = Vec::new();
    let mut ok = true;
    for item in items {
        match item.table().and_then(|t| read(&t)) {
            Some(v) => out.push(v),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// A fleet's name: as written, or `producers-0` from its place in the file. Names label a
/// fleet's own figures (summary.json's `fleets`, timeseries-fleets.csv, histogram tags,
/// metrics), so they are unique across producers and consumers, and tag-safe.
pub(super) fn fleet_name(
    t: &Table<'_>,
    written: String,
    seen: &RefCell<BTreeSet<String>>,
) -> String {
    let field = t.get("name");
    let name = match &field {
        Some(_) => written,
        None => t.path.replace('[', "-").replace(']', ""),
    };
    let tag_safe = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    let problem = if !tag_safe {
        "use 1-64 letters, digits, '-', '_' or '.' (it labels the fleet's figures)".to_string()
    } else if !seen.borrow_mut().insert(name.clone()) {
        format!(
            "{name:?} already names another fleet; each fleet's figures need a name of their own"
        )
    } else {
        return name;
    };
    match field {
        Some(field) => field.problem(problem),
        None => t.problem("name", problem),
    }
    name
}

/// `[[producers]]`' rules: a batch fits SQS's 1 MiB, "content" deduplication needs a FIFO
/// queue with content-based deduplication.
pub(super) fn producer(
    mut p: ProducerFleetRead,
    t: &Table<'_>,
    queue: Option<&QueueSpec>,
    names: &RefCell<BTreeSet<String>>,
) -> Option<ProducerFleet> {
    p.name = p.name.map(|written| fleet_name(t, written, names));
    if let (Some(batch), Some(size)) = (p.batch_size, &p.message_size)
        && batch as u64 * size.max() > MAX_MESSAGE_SIZE
    {
        t.problem(
            "batch_size",
            format!(
                "{batch} messages of up to {}B exceed the 1MiB batch limit",
                size.max()
            ),
        );
        p.batch_size = None;
    }
    if p.deduplication == Some(Deduplication::Content) {
        let fifo = queue.is_none_or(|q| q.kind == QueueType::Fifo);
        let message = if !fifo {
            Some("\"content\" is FIFO-only (content-based deduplication)")
        } else if queue.is_some_and(|q| !q.content_based_deduplication) {
            Some("\"content\" needs [queue] content_based_deduplication = true")
        } else {
            None
        };
        if let (Some(message), Some(f)) = (message, t.get("deduplication")) {
            f.problem(message);
            p.deduplication = None;
        }
    }
    p.complete()
}

/// A consumer fleet's rules across keys: a poller receives at most 10 per call and has no
/// batching keys; a Lambda-style fleet follows the event source mapping's limits (BatchSize up
/// to 10,000 on standard queues and 10 on FIFO, no batching window on FIFO, a window of at
/// least 1s for a BatchSize above 10).
pub(super) fn consumer(
    mut c: ConsumerFleetRead,
    t: &Table<'_>,
    queue: Option<&QueueSpec>,
    names: &RefCell<BTreeSet<String>>,
) -> Option<ConsumerFleet> {
    c.name = c.name.map(|written| fleet_name(t, written, names));
    let fifo = queue.map(|q| q.kind == QueueType::Fifo);
    let batch = c.batch_size.unwrap_or(10);
    let window = c.batch_window.unwrap_or(Duration::ZERO);
    let refuse = |key: &str, message: &str| {
        if let Some(f) = t.get(key) {
            f.problem(message.to_string());
        }
    };
    if c.kind == Some(ConsumerKind::Lambda) && !poller_keys_absent(&c, t) {
        c.kind = None;
    }
    match c.kind {
        Some(ConsumerKind::Poller) => {
            if batch > 10 {
                refuse(
                    "batch_size",
                    "a poller receives at most 10 messages per call (MaxNumberOfMessages); kind = \"lambda\" gathers larger batches",
                );
                c.batch_size = None;
            }
            // Written at their defaults (as a resolved scenario.toml writes every key) they
            // change nothing; anything else is a poller told to batch.
            let batching = [
                ("batch_window", !window.is_zero()),
                (
                    "report_batch_item_failures",
                    c.report_batch_item_failures == Some(true),
                ),
                ("memory", c.memory.is_some_and(|m| m.is_some())),
            ];
            for (key, set) in batching {
                if set {
                    refuse(
                        key,
                        "is only for kind = \"lambda\" (the event-source-mapping model)",
                    );
                    c.kind = None;
                }
            }
        }
        Some(ConsumerKind::Lambda) if fifo == Some(true) => {
            if batch > 10 {
                refuse(
                    "batch_size",
                    "is at most 10 on a FIFO queue (Lambda's BatchSize limit for FIFO event sources)",
                );
                c.batch_size = None;
            }
            if !window.is_zero() {
                refuse(
                    "batch_window",
                    "is not supported for FIFO queues (Lambda's MaximumBatchingWindowInSeconds)",
                );
                c.batch_window = None;
            }
        }
        Some(ConsumerKind::Lambda) if batch > 10 && window < Duration::from_secs(1) => {
            let key = if t.get("batch_window").is_some() {
                "batch_window"
            } else {
                "batch_size"
            };
            refuse(
                key,
                &format!(
                    "a batch_size above 10 ({batch}) needs batch_window of at least 1s (Lambda's rule)"
                ),
            );
            c.batch_window = None;
        }
        Some(ConsumerKind::Lambda) | None => {}
    }
    scaled_size(&mut c, t, fifo == Some(true));
    c.complete()
}

/// A scaled fleet: its policy fits its kind (and Lambda's ramp is for standard queues), and its
/// tasks are the policy's most, so `count` is unused: refused unless it says the same (as a
/// resolved scenario.toml writes it).
fn scaled_size(c: &mut ConsumerFleetRead, t: &Table<'_>, fifo: bool) {
    let Some(Some(scaling)) = c.scaling else {
        return;
    };
    let lambda_policy = matches!(scaling, Scaling::Lambda(_));
    let problem = match c.kind {
        Some(ConsumerKind::Lambda) if !lambda_policy => Some(
            "a kind = \"lambda\" fleet scales as Lambda's event source mapping does: policy = \"lambda\"",
        ),
        Some(ConsumerKind::Poller) if lambda_policy => {
            Some("policy = \"lambda\" is for kind = \"lambda\" fleets")
        }
        Some(ConsumerKind::Lambda) if fifo => Some(
            "policy = \"lambda\" models Lambda's ramp on standard queues; FIFO event sources scale by message group",
        ),
        _ => None,
    };
    if let (Some(problem), Some(f)) = (problem, t.get("scaling")) {
        f.problem(problem);
        c.scaling = None;
        return;
    }
    let max = scaling.max();
    match (t.get("count"), c.count) {
        (Some(f), Some(n)) if n != max => {
            f.problem(format!(
                "is unused with scaling: the fleet runs {}..{max} consumers as its policy decides (remove count)",
                scaling_min(&scaling)
            ));
            c.count = None;
        }
        _ => c.count = Some(max),
    }
}

fn scaling_min(s: &Scaling) -> u32 {
    match s {
        Scaling::TargetTracking(t) => t.min,
        Scaling::Keda(k) => k.min,
        Scaling::Lambda(_) => 2,
    }
}

/// A Lambda-style fleet has no heartbeat and no crash: its function failing is `failure_rate`,
/// Lambda's poller does not heartbeat, and AWS asks for a visibility timeout of 6× the
/// function's timeout. Refuses each such key; true when there is none.
fn poller_keys_absent(c: &ConsumerFleetRead, t: &Table<'_>) -> bool {
    let poller_only = [
        (
            "visibility_heartbeat",
            c.visibility_heartbeat.is_some_and(|h| h.is_some()),
        ),
        ("crash_rate", c.crash_rate.is_some_and(|r| r > 0.0)),
    ];
    let mut absent = true;
    for (key, set) in poller_only {
        if let (true, Some(f)) = (set, t.get(key)) {
            f.problem(
                "is for kind = \"poller\" fleets (a Lambda-style fleet keeps failure_rate; Lambda's poller does not heartbeat)",
            );
            absent = false;
        }
    }
    absent
}
