//! The rules of a `[[queues]]` scenario: each entry's name (a `{i}` pattern exactly when it
//! has a `count`), every queue's name unique and valid, at most `MAX_QUEUES`, one queue type
//! for the run; and each fleet bound to a declared queue or set, with `weights` that fit it.
//! What many queues cannot be combined with yet is refused here, with the reason. Every
//! problem is recorded with its key path and line, as in `validate`.

use std::collections::BTreeMap;

use super::queue_sets::{INDEX, MAX_QUEUES, QueueDecl, lanes_of};
use super::sections::QueueSpec;
use super::types::*;
use sqsbench_keys::document::{Field, Table};

/// `[[queues]]`' entries, each read by `read_one` (the `[queue]` rules, given a table and a
/// name to check); `None` when an entry has a problem. A problem across entries is recorded but
/// the entries are still returned, so the fleets bound to them are checked too (a recorded
/// problem refuses the scenario either way).
pub(super) fn declarations(
    field: &Field<'_>,
    conflicts: &[(bool, &str)],
    read_one: impl Fn(&Table<'_>, Option<String>) -> Option<QueueSpec>,
) -> Option<Vec<QueueDecl>> {
    for (present, message) in conflicts {
        if *present {
            field.problem(*message);
        }
    }
    let items = field.array()?;
    if items.is_empty() {
        field.problem("declares no queue; remove it, or add [[queues]] entries with a name");
        return None;
    }
    let read: Vec<(&Field<'_>, Option<QueueDecl>)> = items
        .iter()
        .map(|item| (item, item.table().and_then(|t| declaration(&t, &read_one))))
        .collect();
    let entries: Vec<(&Field<'_>, &QueueDecl)> = read
        .iter()
        .filter_map(|(f, d)| Some((*f, d.as_ref()?)))
        .collect();
    across(field, &entries);
    read.into_iter().map(|(_, d)| d).collect()
}

/// One entry: its `count`, and its name checked as the longest name it makes.
fn declaration(
    t: &Table<'_>,
    read_one: &impl Fn(&Table<'_>, Option<String>) -> Option<QueueSpec>,
) -> Option<QueueDecl> {
    let count = match t.get("count") {
        None => None,
        Some(f) => Some(f.int(1, MAX_QUEUES as i64)? as u32),
    };
    let Some(name_field) = t.get("name") else {
        t.problem(
            "name",
            "is required in [[queues]] (a set's has {i}, e.g. \"tenant-{i}\")",
        );
        return None;
    };
    let pattern = name_field.str()?.to_string();
    let indexes = pattern.matches(INDEX).count();
    let braces = pattern.matches(['{', '}']).count();
    let problem = match count {
        Some(_) if indexes != 1 || braces != 2 => Some(
            "a set (count = N) names its queues with one {i} where each queue's number goes, e.g. \"tenant-{i}\"",
        ),
        None if braces > 0 => {
            Some("has {i} or braces but no count; add count = N for a set, or write the name out")
        }
        _ => None,
    };
    if let Some(p) = problem {
        name_field.problem(p);
        return None;
    }
    // The longest name the set makes is the one checked against AWS's rules.
    let longest = count.map(|c| (c - 1).to_string());
    let checked = longest.as_ref().map(|i| pattern.replace(INDEX, i));
    let mut spec = read_one(t, checked.or(Some(pattern.clone())))?;
    if let (Some(i), Some(at)) = (&longest, pattern.find(INDEX)) {
        // The name checked keeps the pattern's prefix, so the number sits where {i} was.
        spec.name.replace_range(at..at + i.len(), INDEX);
    }
    Some(QueueDecl { spec, count })
}

/// Across the entries read: at most `MAX_QUEUES`, every name (dead-letter queues included)
/// once, one type.
fn across(field: &Field<'_>, entries: &[(&Field<'_>, &QueueDecl)]) {
    let total: usize = entries.iter().map(|(_, d)| d.len()).sum();
    if total > MAX_QUEUES {
        field.problem(format!(
            "declares {total} queues; a scenario has at most {MAX_QUEUES} (each has its own ledger, histograms and metrics series)"
        ));
        return;
    }
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    'entries: for (item, d) in entries {
        for q in d.specs() {
            let dlq = q.dead_letter.is_some().then(|| dead_letter_name(&q.name));
            for name in std::iter::once(q.name).chain(dlq) {
                if let Some(first) = seen.insert(name.clone(), item.path.clone()) {
                    item.problem(format!(
                        "makes the queue name {name:?}, which {first} makes too; each queue's name is its own"
                    ));
                    continue 'entries;
                }
            }
        }
    }
    let Some((first, d0)) = entries.first() else {
        return;
    };
    for (item, d) in entries.iter().filter(|(_, d)| d.spec.kind != d0.spec.kind) {
        item.problem(format!(
            "is {} but {} is {}; the queues of one scenario share one type",
            d.spec.kind, first.path, d0.spec.kind
        ));
    }
}

/// A dead-letter queue's name, as `client::queues` makes it.
fn dead_letter_name(name: &str) -> String {
    match name.strip_suffix(".fifo") {
        Some(base) => format!("{base}-dlq.fifo"),
        None => format!("{name}-dlq"),
    }
}

/// Each fleet's `queue` names a declared queue or set; `weights` and `skew` fit its queues; and
/// what a fleet of several queues cannot do is refused. Without `[[queues]]`, the keys are
/// refused.
pub(super) fn bind(
    root: &Table<'_>,
    decls: &[QueueDecl],
    producers: &mut Option<Vec<ProducerFleet>>,
    consumers: &mut Option<Vec<ConsumerFleet>>,
) {
    let tables = |key: &str| -> Vec<Table<'_>> {
        root.get(key)
            .and_then(|f| f.array())
            .map(|items| items.iter().filter_map(|i| i.table()).collect())
            .unwrap_or_default()
    };
    if let Some(ps) = producers {
        // Every fleet checked (not the first failure only): each problem is reported at once.
        let fits: Vec<bool> = (ps.iter().zip(tables("producers")))
            .map(|(p, t)| {
                let lanes = bound(decls, p.queue.as_deref(), &t);
                lanes.is_some_and(|n| producer_fits(p, n, decls, &t))
            })
            .collect();
        if fits.contains(&false) {
            *producers = None;
        }
    }
    if let Some(cs) = consumers {
        let fits: Vec<bool> = (cs.iter().zip(tables("consumers")))
            .map(|(c, t)| {
                let lanes = bound(decls, c.queue.as_deref(), &t);
                lanes.is_some_and(|n| consumer_fits(c, n, &t))
            })
            .collect();
        if fits.contains(&false) {
            *consumers = None;
        }
    }
}

/// How many queues the fleet's `queue` key binds it to, or its problem recorded.
fn bound(decls: &[QueueDecl], queue: Option<&str>, t: &Table<'_>) -> Option<usize> {
    if decls.is_empty() {
        if queue.is_some() {
            t.problem(
                "queue",
                "names a queue, but the scenario declares none with [[queues]] ([queue] is the one queue)",
            );
            return None;
        }
        return Some(1);
    }
    if let Some(lanes) = lanes_of(decls, queue) {
        return Some(lanes.len());
    }
    let names: Vec<String> = decls.iter().map(|d| format!("{:?}", d.spec.name)).collect();
    let message = match queue {
        Some(q) => format!(
            "{q:?} is not a declared queue or set; [[queues]] declares {}",
            names.join(", ")
        ),
        None => format!(
            "is required: the scenario declares {} [[queues]] entries ({})",
            decls.len(),
            names.join(", ")
        ),
    };
    t.problem("queue", message);
    None
}

fn producer_fits(p: &ProducerFleet, queues: usize, decls: &[QueueDecl], t: &Table<'_>) -> bool {
    let spread = p.weights.is_some() || p.skew.is_some();
    let problem = if p.weights.is_some() && p.skew.is_some() {
        Some((
            "skew",
            "and weights both set the shares; keep one".to_string(),
        ))
    } else if spread && decls.is_empty() {
        Some((
            if p.weights.is_some() {
                "weights"
            } else {
                "skew"
            },
            "spreads sends over a set of queues; declare them with [[queues]]".to_string(),
        ))
    } else if let Some(w) = p.weights.as_ref().filter(|w| w.len() != queues) {
        Some((
            "weights",
            format!(
                "has {} weights for {queues} queues; give one per queue",
                w.len()
            ),
        ))
    } else if queues > 1 && matches!(p.deduplication, Deduplication::DuplicateRate(_)) {
        Some((
            "deduplication",
            "a duplicate_rate repeats a message to the queue it went to, which a fleet of several queues does not keep; bind the fleet to one queue".to_string(),
        ))
    } else {
        None
    };
    match problem {
        Some((key, message)) => {
            t.problem(key, message);
            false
        }
        None => true,
    }
}

fn consumer_fits(c: &ConsumerFleet, queues: usize, t: &Table<'_>) -> bool {
    if queues > 1 && c.kind == ConsumerKind::Lambda {
        t.problem(
            "queue",
            format!(
                "binds a lambda fleet to {queues} queues; an event source mapping reads one queue, so declare a fleet per queue"
            ),
        );
        return false;
    }
    if queues > 1 && c.scaling.is_some() {
        t.problem(
            "scaling",
            format!(
                "a scaled fleet reads one queue (its scaler watches that queue's backlog); this one is bound to {queues}: declare a fleet per queue"
            ),
        );
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use crate::scenario::validate::scenario_from_text;

    fn problems(text: &str) -> String {
        match scenario_from_text(text, &[]) {
            Ok(_) => String::new(),
            Err(ps) => ps.iter().map(|p| format!("{p}\n")).collect(),
        }
    }

    const FLEETS: &str = "[[producers]]\nrate = \"1/s\"\n[[consumers]]\n";

    #[test]
    fn each_refusal_names_its_key() {
        let cases = [
            (
                "[[queues]]\nname = \"a\"\n[[queues]]\nname = \"a\"\n",
                "queues[1]",
                "which queues[0] makes too",
            ),
            (
                "[[queues]]\nname = \"a\"\ncount = 3\n",
                "queues[0].name",
                "one {i}",
            ),
            (
                "[[queues]]\nname = \"a-{i}-{i}\"\ncount = 3\n",
                "queues[0].name",
                "one {i}",
            ),
            (
                "[[queues]]\nname = \"a-{i}\"\n",
                "queues[0].name",
                "but no count",
            ),
            (
                "[[queues]]\nname = \"a-{i}\"\ncount = 1001\n",
                "queues[0].count",
                "1000",
            ),
            (
                "[[queues]]\nname = \"a-{i}\"\ncount = 600\n[[queues]]\nname = \"b-{i}\"\ncount = 600\n",
                "queues",
                "at most 1000",
            ),
            (
                "[[queues]]\nname = \"a-{i}\"\ncount = 2\nhigh_throughput = true\n",
                "queues[0].high_throughput",
                "FIFO-only",
            ),
            (
                "[[queues]]\nname = \"a\"\n[[queues]]\nname = \"b\"\ntype = \"fifo\"\n",
                "queues[1]",
                "share one type",
            ),
            (
                "[queue]\nname = \"x\"\n[[queues]]\nname = \"a\"\n",
                "queues",
                "not both",
            ),
            (
                "[[queues]]\nname = \"a-{i}\"\ncount = 2\ndead_letter = { max_receive_count = 2 }\n[[queues]]\nname = \"a-0-dlq\"\n",
                "queues[1]",
                "makes too",
            ),
        ];
        for (queues, path, says) in cases {
            let found = problems(&format!("name = \"m\"\n{queues}{FLEETS}"));
            assert!(
                found.contains(path) && found.contains(says),
                "{queues}: expected {path} … {says}, got {found}"
            );
        }
    }

    #[test]
    fn fleets_bind_to_a_declared_queue_with_shares_that_fit() {
        let two =
            "name = \"m\"\n[[queues]]\nname = \"hot\"\n[[queues]]\nname = \"t-{i}\"\ncount = 3\n";
        let cases = [
            (
                "[[producers]]\nrate = \"1/s\"\n",
                "producers[0].queue",
                "is required",
            ),
            (
                "[[producers]]\nqueue = \"nope\"\nrate = \"1/s\"\n",
                "producers[0].queue",
                "not a declared queue",
            ),
            (
                "[[producers]]\nqueue = \"t-{i}\"\nrate = \"1/s\"\nweights = [1, 2]\n",
                "producers[0].weights",
                "2 weights for 3 queues",
            ),
            (
                "[[producers]]\nqueue = \"t-{i}\"\nrate = \"1/s\"\nweights = [1, 2, 3]\nskew = { zipf = 1 }\n",
                "producers[0].skew",
                "keep one",
            ),
            (
                "[[producers]]\nqueue = \"t-{i}\"\nrate = \"1/s\"\ndeduplication = { duplicate_rate = 0.1 }\n",
                "producers[0].deduplication",
                "bind the fleet to one queue",
            ),
            (
                "[[producers]]\nqueue = \"hot\"\nrate = \"1/s\"\n[[consumers]]\nqueue = \"t-{i}\"\nkind = \"lambda\"\n",
                "consumers[0].queue",
                "event source mapping",
            ),
        ];
        for (fleets, path, says) in cases {
            let found = problems(&format!("{two}{fleets}"));
            assert!(
                found.contains(path) && found.contains(says),
                "{fleets}: expected {path} … {says}, got {found}"
            );
        }
        let without = problems(
            "name = \"m\"\n[[producers]]\nrate = \"1/s\"\nqueue = \"a\"\nskew = { zipf = 1 }\n",
        );
        assert!(
            without.contains("producers[0].queue") && without.contains("declares none"),
            "{without}"
        );
        let fine = format!(
            "{two}[[producers]]\nqueue = \"t-{{i}}\"\nrate = \"1/s\"\nweights = [0, 1, 2]\n[[consumers]]\nqueue = \"hot\"\n"
        );
        assert_eq!(problems(&fine), "");
    }
}
