//! From what the user wrote to a typed `Scenario`: defaults, units, ranges and the rules that
//! tie keys together (FIFO-only keys, batch sizes against message sizes). Every problem is
//! collected with its key path and line; a scenario with any problem is never returned.

use std::collections::BTreeMap;
use std::time::Duration;

use super::file::{Document, Field, Problem, Table};
use super::types::*;
use super::units::{parse_duration, parse_rate, parse_size};
use crate::emulator::settings;

/// The smallest message that still carries the self-identifying payload header.
pub const MIN_MESSAGE_SIZE: u64 = 96;
const MAX_MESSAGE_SIZE: u64 = 1_048_576;

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

fn build(doc: &Document) -> Option<Scenario> {
    let root = doc.root();
    let name = match root.get("name") {
        Some(f) => f.str().and_then(|s| {
            let ok = !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                f.problem("use 1-64 letters, digits, '-' or '_' (it names the results directory)");
            }
            ok.then(|| s.to_string())
        }),
        None => {
            doc.problem(
                "name",
                Some(1),
                "is required (it names the results directory)",
            );
            None
        }
    };
    let description = root
        .get("description")
        .and_then(|f| f.str().map(str::to_string));
    let target = target(root.get("target"));
    let queue = queue(root.get("queue"), name.as_deref().unwrap_or("scenario"));
    let run = run(root.get("run"));
    let kind = queue
        .as_ref()
        .map(|q| q.kind)
        .unwrap_or(QueueType::Standard);
    let producers = fleets(&root, "producers", |t| producer(t, kind, queue.as_ref()));
    let consumers = fleets(&root, "consumers", consumer);
    let emulator = emulator(root.get("emulator"));
    let expect = expect(root.get("expect"));
    let sweep = sweep(root.get("sweep"));
    let cost = cost(root.get("cost"));
    let search = search(root.get("search"));
    if producers.as_ref().is_some_and(|p| p.is_empty()) {
        doc.problem(
            "producers",
            None,
            "at least one [[producers]] fleet is required",
        );
    }
    root.finish(&[
        "name",
        "description",
        "target",
        "queue",
        "run",
        "producers",
        "consumers",
        "emulator",
        "expect",
        "sweep",
        "cost",
        "search",
    ]);
    Some(Scenario {
        name: name?,
        description,
        target: target?,
        queue: queue?,
        run: run?,
        producers: producers?,
        consumers: consumers?,
        emulator: emulator?,
        expect: expect?,
        sweep: sweep?,
        cost: cost?,
        search: search?,
    })
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

fn get<'d>(t: Option<&Table<'d>>, key: &str) -> Option<Field<'d>> {
    t.and_then(|t| t.get(key))
}

fn duration_or(t: Option<&Table<'_>>, key: &str, default: Duration) -> Option<Duration> {
    match get(t, key) {
        Some(f) => f.parsed(parse_duration),
        None => Some(default),
    }
}

fn target(field: Option<Field<'_>>) -> Option<Target> {
    section(field, |t| {
        let kind = match get(t, "kind") {
            Some(f) => f.str()?.to_string(),
            None => "embedded".to_string(),
        };
        let endpoint = get(t, "endpoint");
        let region = get(t, "region").and_then(|f| f.str().map(str::to_string));
        let profile = get(t, "profile").and_then(|f| f.str().map(str::to_string));
        let result = match kind.as_str() {
            "embedded" => Some(Target::Embedded),
            "endpoint" => {
                match endpoint {
                    Some(f) => {
                        let url = f.str()?;
                        if !(url.starts_with("http://") || url.starts_with("https://")) {
                            f.problem("must be an http:// or https:// URL, e.g. \"http://127.0.0.1:4566\"");
                            None
                        } else {
                            Some(Target::Endpoint {
                                url: url.to_string(),
                                region: region.unwrap_or_else(|| "us-east-1".into()),
                            })
                        }
                    }
                    None => {
                        if let Some(t) = t {
                            t.problem("endpoint", "is required when kind = \"endpoint\"");
                        }
                        None
                    }
                }
            }
            "aws" => Some(Target::Aws { region, profile }),
            other => {
                if let Some(f) = get(t, "kind") {
                    f.problem(format!(
                        "{other:?} is not a target kind (embedded, endpoint, aws)"
                    ));
                }
                None
            }
        };
        if let Some(t) = t {
            t.finish(&["kind", "endpoint", "region", "profile"]);
        }
        result
    })
}

fn queue(field: Option<Field<'_>>, scenario_name: &str) -> Option<QueueSpec> {
    section(field, |t| {
        let kind = match get(t, "type") {
            None => Some(QueueType::Standard),
            Some(f) => match f.str()? {
                "standard" => Some(QueueType::Standard),
                "fifo" => Some(QueueType::Fifo),
                other => {
                    f.problem(format!("{other:?} is not a queue type (standard, fifo)"));
                    None
                }
            },
        };
        let fifo = kind == Some(QueueType::Fifo);
        let name_field = get(t, "name");
        let mut name = match &name_field {
            Some(f) => f.str().map(str::to_string),
            None => Some(format!("sqsbench-{scenario_name}")),
        };
        if let Some(n) = &mut name {
            if fifo && !n.ends_with(".fifo") {
                n.push_str(".fifo");
            }
            let base = n.strip_suffix(".fifo").unwrap_or(n);
            let ok = !base.is_empty()
                && n.len() <= 80
                && base
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok || (!fifo && n.ends_with(".fifo")) {
                let message = if !fifo && n.ends_with(".fifo") {
                    "ends with .fifo but type is \"standard\"".to_string()
                } else {
                    "queue names are 1-80 letters, digits, '-' or '_' (FIFO names end in .fifo)"
                        .to_string()
                };
                match &name_field {
                    Some(f) => f.problem(message),
                    None => {
                        if let Some(t) = t {
                            t.problem("name", message);
                        }
                    }
                }
                name = None;
            }
        }
        let create = match get(t, "create") {
            Some(f) => f.bool(),
            None => Some(true),
        };
        let visibility_timeout = duration_or(t, "visibility_timeout", Duration::from_secs(30))
            .and_then(|d| {
                if d > Duration::from_secs(43_200) {
                    if let Some(f) = get(t, "visibility_timeout") {
                        f.problem("must be at most 12h");
                    }
                    None
                } else {
                    Some(d)
                }
            });
        let fifo_only = |key: &str| -> Option<bool> {
            let f = get(t, key)?;
            let v = f.bool()?;
            if v && !fifo {
                f.problem("is FIFO-only: set [queue] type = \"fifo\" or remove it");
                return None;
            }
            Some(v)
        };
        let content_based_deduplication = if get(t, "content_based_deduplication").is_some() {
            fifo_only("content_based_deduplication")
        } else {
            Some(false)
        };
        let high_throughput = if get(t, "high_throughput").is_some() {
            fifo_only("high_throughput")
        } else {
            Some(false)
        };
        let attributes = match get(t, "attributes") {
            None => Some(BTreeMap::new()),
            Some(f) => {
                let table = f.table()?;
                let mut out = BTreeMap::new();
                for key in table.keys() {
                    let v = table.get(&key)?;
                    let text = if v.is_str() {
                        v.str()?.to_string()
                    } else {
                        v.to_toml()
                    };
                    out.insert(key, text);
                }
                Some(out)
            }
        };
        let dead_letter = match get(t, "dead_letter") {
            None => Some(None),
            Some(f) => {
                let d = f.table()?;
                let count = match d.get("max_receive_count") {
                    Some(c) => c.int(1, 1000).map(|c| c as u32),
                    None => {
                        d.problem("max_receive_count", "is required in [queue.dead_letter]");
                        None
                    }
                };
                d.finish(&["max_receive_count"]);
                count.map(|c| {
                    Some(DeadLetter {
                        max_receive_count: c,
                    })
                })
            }
        };
        if let Some(t) = t {
            t.finish(&[
                "type",
                "name",
                "create",
                "visibility_timeout",
                "content_based_deduplication",
                "high_throughput",
                "attributes",
                "dead_letter",
            ]);
        }
        Some(QueueSpec {
            kind: kind?,
            name: name?,
            create: create?,
            visibility_timeout: visibility_timeout?,
            content_based_deduplication: content_based_deduplication.unwrap_or(false) && fifo,
            high_throughput: high_throughput?,
            attributes: attributes?,
            dead_letter: dead_letter?,
        })
    })
}

fn run(field: Option<Field<'_>>) -> Option<RunSpec> {
    section(field, |t| {
        let duration = duration_or(t, "duration", Duration::from_secs(60)).and_then(|d| {
            if d.is_zero() {
                if let Some(f) = get(t, "duration") {
                    f.problem("must be longer than 0s");
                }
                None
            } else {
                Some(d)
            }
        });
        let warmup = duration_or(t, "warmup", Duration::ZERO);
        let drain_timeout = duration_or(t, "drain_timeout", Duration::from_secs(30));
        let seed = match get(t, "seed") {
            Some(f) => f.int(0, i64::MAX).map(|s| s as u64),
            None => Some(1),
        };
        let repeat = match get(t, "repeat") {
            Some(f) => f.int(1, 1000).map(|r| r as u32),
            None => Some(1),
        };
        let budget_usd = match get(t, "budget_usd") {
            Some(f) => f.number(0.0, 1e9).map(Some),
            None => Some(None),
        };
        let retries = match get(t, "retries") {
            Some(f) => f.bool(),
            None => Some(false),
        };
        if let Some(t) = t {
            t.finish(&[
                "duration",
                "warmup",
                "drain_timeout",
                "seed",
                "repeat",
                "budget_usd",
                "retries",
            ]);
        }
        Some(RunSpec {
            duration: duration?,
            warmup: warmup?,
            drain_timeout: drain_timeout?,
            seed: seed?,
            repeat: repeat?,
            budget_usd: budget_usd?,
            retries: retries?,
        })
    })
}

fn fleets<T>(
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

fn fleet_name(t: &Table<'_>) -> Option<String> {
    match t.get("name") {
        Some(f) => f.str().map(str::to_string),
        None => Some(t.path.replace('[', "-").replace(']', "")),
    }
}

fn count(t: &Table<'_>) -> Option<u32> {
    match t.get("count") {
        Some(f) => f.int(1, 10_000).map(|c| c as u32),
        None => Some(1),
    }
}

fn batch_size(t: &Table<'_>, default: u32) -> Option<u32> {
    match t.get("batch_size") {
        Some(f) => f.int(1, 10).map(|b| b as u32),
        None => Some(default),
    }
}

fn rate(f: &Field<'_>) -> Option<RateSpec> {
    if f.is_str() {
        let s = f.str()?;
        if s == "max" {
            return Some(RateSpec::Max);
        }
        return f.parsed(parse_rate).map(RateSpec::Constant);
    }
    let t = f.table()?;
    let result = if let Some(steps) = t.get("steps") {
        let mut out = Vec::new();
        for step in steps.array()? {
            let text = step.str()?;
            let parsed = text
                .split_once(" for ")
                .ok_or_else(|| {
                    "write each step as \"RATE for DURATION\", e.g. \"500/s for 20s\"".to_string()
                })
                .and_then(|(r, d)| Ok((parse_rate(r)?, parse_duration(d)?)));
            match parsed {
                Ok(s) => out.push(s),
                Err(e) => step.problem(e),
            }
        }
        if out.is_empty() {
            steps.problem("needs at least one step");
            None
        } else {
            Some(RateSpec::Steps(out))
        }
    } else if let Some(ramp) = t.get("ramp") {
        let r = ramp.table()?;
        let from = r.get("from").and_then(|f| f.parsed(parse_rate));
        let to = r.get("to").and_then(|f| f.parsed(parse_rate));
        let over = r.get("over").and_then(|f| f.parsed(parse_duration));
        for key in ["from", "to", "over"] {
            if r.get(key).is_none() {
                r.problem(key, "is required in a ramp");
            }
        }
        r.finish(&["from", "to", "over"]);
        match (from, to, over) {
            (Some(from), Some(to), Some(over)) if !over.is_zero() => {
                Some(RateSpec::Ramp { from, to, over })
            }
            (_, _, Some(_)) => None,
            _ => None,
        }
    } else {
        f.problem(
            "expected \"RATE/s\", \"max\", { steps = [...] } or { ramp = { from, to, over } }",
        );
        None
    };
    t.finish(&["steps", "ramp"]);
    result
}

fn message_size(f: &Field<'_>) -> Option<SizeSpec> {
    let check = |n: u64| -> Option<u64> {
        if !(MIN_MESSAGE_SIZE..=MAX_MESSAGE_SIZE).contains(&n) {
            f.problem(format!("{n} bytes is outside {MIN_MESSAGE_SIZE}B (the payload header) to 1MiB (the SQS limit)"));
            return None;
        }
        Some(n)
    };
    if f.is_str() {
        return f.parsed(parse_size).and_then(check).map(SizeSpec::Fixed);
    }
    let t = f.table()?;
    let min = t
        .get("min")
        .and_then(|m| m.parsed(parse_size))
        .and_then(check);
    let max = t
        .get("max")
        .and_then(|m| m.parsed(parse_size))
        .and_then(check);
    if let Some(d) = t.get("distribution")
        && d.str().is_some_and(|s| s != "uniform")
    {
        d.problem("only \"uniform\" is supported");
    }
    t.finish(&["min", "max", "distribution"]);
    match (min, max) {
        (Some(min), Some(max)) if min <= max => Some(SizeSpec::Uniform { min, max }),
        (Some(_), Some(_)) => {
            f.problem("min is larger than max");
            None
        }
        _ => {
            f.problem("needs min and max");
            None
        }
    }
}

fn producer(t: &Table<'_>, kind: QueueType, queue: Option<&QueueSpec>) -> Option<ProducerFleet> {
    let fifo = kind == QueueType::Fifo;
    let name = fleet_name(t);
    let count = count(t);
    let rate = match t.get("rate") {
        Some(f) => rate(&f),
        None => {
            t.problem(
                "rate",
                "is required (e.g. \"1000/s\", or \"max\" for closed loop)",
            );
            None
        }
    };
    let batch_size = batch_size(t, 1);
    let message_size = match t.get("message_size") {
        Some(f) => message_size(&f),
        None => Some(SizeSpec::Fixed(1024)),
    };
    if let (Some(b), Some(size)) = (batch_size, &message_size)
        && b as u64 * size.max() > MAX_MESSAGE_SIZE
    {
        t.problem(
            "batch_size",
            format!(
                "{b} messages of up to {}B exceed the 1MiB batch limit",
                size.max()
            ),
        );
    }
    let groups = match t.get("groups") {
        Some(f) => f.int(1, 1_000_000).map(|g| g as u32),
        None => Some(1),
    };
    let deduplication = match t.get("deduplication") {
        None => Some(Deduplication::Unique),
        Some(f) if f.is_str() => match f.str()? {
            "unique" => Some(Deduplication::Unique),
            "content" => {
                if !fifo {
                    f.problem("\"content\" is FIFO-only (content-based deduplication)");
                    None
                } else if queue.is_some_and(|q| !q.content_based_deduplication) {
                    f.problem("\"content\" needs [queue] content_based_deduplication = true");
                    None
                } else {
                    Some(Deduplication::Content)
                }
            }
            other => {
                f.problem(format!(
                    "{other:?}: expected \"unique\", \"content\" or {{ duplicate_rate = 0.01 }}"
                ));
                None
            }
        },
        Some(f) => {
            let d = f.table()?;
            let rate = d.get("duplicate_rate").and_then(|r| r.number(0.0, 1.0));
            if d.get("duplicate_rate").is_none() {
                f.problem("expected { duplicate_rate = 0.01 }");
            }
            d.finish(&["duplicate_rate"]);
            rate.map(Deduplication::DuplicateRate)
        }
    };
    t.finish(&[
        "name",
        "count",
        "rate",
        "batch_size",
        "message_size",
        "groups",
        "deduplication",
    ]);
    Some(ProducerFleet {
        name: name?,
        count: count?,
        rate: rate?,
        batch_size: batch_size?,
        message_size: message_size?,
        groups: groups?,
        deduplication: deduplication?,
    })
}

fn consumer(t: &Table<'_>) -> Option<ConsumerFleet> {
    let name = fleet_name(t);
    let count = count(t);
    let batch_size = batch_size(t, 10);
    let wait_time = match t.get("wait_time") {
        Some(f) => f.parsed(parse_duration).and_then(|d| {
            if d > Duration::from_secs(20) {
                f.problem("long polling waits at most 20s");
                None
            } else {
                Some(d)
            }
        }),
        None => Some(Duration::from_secs(20)),
    };
    let processing_time = match t.get("processing_time") {
        None => Some(ProcessingSpec::Fixed(Duration::ZERO)),
        Some(f) if f.is_str() => f.parsed(parse_duration).map(ProcessingSpec::Fixed),
        Some(f) => {
            let p = f.table()?;
            let mean = p.get("mean").and_then(|m| m.parsed(parse_duration));
            if let Some(d) = p.get("distribution")
                && d.str().is_some_and(|s| s != "exponential")
            {
                d.problem("only \"exponential\" is supported");
            }
            p.finish(&["mean", "distribution"]);
            mean.map(|mean| ProcessingSpec::Exponential { mean })
        }
    };
    let failure_rate = match t.get("failure_rate") {
        Some(f) => f.number(0.0, 1.0),
        None => Some(0.0),
    };
    let delete = match t.get("delete") {
        None => Some(DeleteMode::Batch),
        Some(f) => match f.str()? {
            "batch" => Some(DeleteMode::Batch),
            "single" => Some(DeleteMode::Single),
            other => {
                f.problem(format!("{other:?}: expected \"batch\" or \"single\""));
                None
            }
        },
    };
    t.finish(&[
        "name",
        "count",
        "batch_size",
        "wait_time",
        "processing_time",
        "failure_rate",
        "delete",
    ]);
    Some(ConsumerFleet {
        name: name?,
        count: count?,
        batch_size: batch_size?,
        wait_time: wait_time?,
        processing_time: processing_time?,
        failure_rate: failure_rate?,
        delete: delete?,
    })
}

/// `[emulator]`: read by the emulator's own parser (the one `serve` uses), its problems placed
/// at their lines here.
fn emulator(field: Option<Field<'_>>) -> Option<EmulatorSpec> {
    let Some(field) = field else {
        return Some(EmulatorSpec::default());
    };
    let toml::Value::Table(table) = field.value()? else {
        field.table()?;
        return None;
    };
    settings::emulator(&table)
        .map_err(|errors| {
            for e in errors {
                let message = match e.known {
                    Some(known) => {
                        let key = e.path.rsplit('.').next().unwrap_or(&e.path);
                        crate::did_you_mean::unknown_key(key, known)
                    }
                    None => e.message,
                };
                field.problem_below(&e.path, message);
            }
        })
        .ok()
}

fn expect(field: Option<Field<'_>>) -> Option<Expectations> {
    section(field, |t| {
        let count = |key: &str| match get(t, key) {
            Some(f) => f.int(0, i64::MAX).map(|v| Some(v as u64)),
            None => Some(None),
        };
        let e = Expectations {
            min_throughput: match get(t, "min_throughput") {
                Some(f) => f.parsed(parse_rate).map(Some),
                None => Some(None),
            }?,
            max_e2e_p99: match get(t, "max_e2e_p99") {
                Some(f) => f.parsed(parse_duration).map(Some),
                None => Some(None),
            }?,
            max_duplicates: count("max_duplicates")?,
            max_order_violations: count("max_order_violations")?,
            max_lost: count("max_lost")?,
            max_throttled: count("max_throttled")?,
            max_send_failed: count("max_send_failed")?,
            max_error_rate: match get(t, "max_error_rate") {
                Some(f) => f.number(0.0, 1.0).map(Some),
                None => Some(None),
            }?,
            max_cost_usd: match get(t, "max_cost_usd") {
                Some(f) => f.number(0.0, 1e9).map(Some),
                None => Some(None),
            }?,
        };
        if let Some(t) = t {
            t.finish(&[
                "min_throughput",
                "max_e2e_p99",
                "max_duplicates",
                "max_order_violations",
                "max_lost",
                "max_throttled",
                "max_send_failed",
                "max_error_rate",
                "max_cost_usd",
            ]);
        }
        Some(e)
    })
}

fn search(field: Option<Field<'_>>) -> Option<Option<SearchSpec>> {
    let Some(field) = field else {
        return Some(None);
    };
    let t = field.table()?;
    let t = Some(&t);
    let rate = |key: &str, default: Option<f64>| match get(t, key) {
        Some(f) => f.parsed(parse_rate).map(Some),
        None => Some(default),
    };
    let number = |key: &str, min: f64, max: f64, default: f64| match get(t, key) {
        Some(f) => f.number(min, max),
        None => Some(default),
    };
    let from = rate("from", None);
    let to = rate("to", Some(100_000.0));
    let spec = (|| {
        let from = from?;
        let to = to?;
        let Some(from) = from else {
            field.problem("needs `from`, the first offered rate (e.g. from = \"100/s\")");
            return None;
        };
        let to = to.unwrap_or(100_000.0);
        if to <= from {
            field.problem(format!("`to` ({to}/s) must be above `from` ({from}/s)"));
            return None;
        }
        Some(SearchSpec {
            from,
            to,
            factor: number("factor", 1.1, 10.0, 2.0)?,
            precision: number("precision", 0.005, 0.5, 0.05)?,
            step_duration: duration_or(t, "step_duration", Duration::from_secs(10))?,
            max_e2e_p99: match get(t, "max_e2e_p99") {
                Some(f) => Some(Some(f.parsed(parse_duration)?)),
                None => Some(None),
            }?,
            max_throttled_fraction: number("max_throttled_fraction", 0.0, 1.0, 0.0)?,
            max_error_fraction: number("max_error_fraction", 0.0, 1.0, 0.0)?,
            min_achieved_fraction: number("min_achieved_fraction", 0.0, 1.0, 0.95)?,
            max_steps: number("max_steps", 1.0, 100.0, 20.0)? as u32,
        })
    })();
    if let Some(t) = t {
        t.finish(&[
            "from",
            "to",
            "factor",
            "precision",
            "step_duration",
            "max_e2e_p99",
            "max_throttled_fraction",
            "max_error_fraction",
            "min_achieved_fraction",
            "max_steps",
        ]);
    }
    spec.map(Some)
}

fn cost(field: Option<Field<'_>>) -> Option<Prices> {
    section(field, |t| {
        let d = Prices::default();
        let price = |key: &str, default: f64| match get(t, key) {
            Some(f) => f.number(0.0, 1e6),
            None => Some(default),
        };
        let p = Prices {
            standard_per_million: price("standard_per_million", d.standard_per_million)?,
            fifo_per_million: price("fifo_per_million", d.fifo_per_million)?,
        };
        if let Some(t) = t {
            t.finish(&["standard_per_million", "fifo_per_million"]);
        }
        Some(p)
    })
}

fn sweep(field: Option<Field<'_>>) -> Option<Vec<(String, Vec<String>)>> {
    section(field, |t| {
        let Some(t) = t else { return Some(Vec::new()) };
        let mut out = Vec::new();
        for key in t.keys() {
            let f = t.get(&key)?;
            let values: Vec<String> = f.array()?.iter().map(|v| v.to_toml()).collect();
            if values.is_empty() {
                f.problem("needs at least one value");
            }
            out.push((key, values));
        }
        Some(out)
    })
}
