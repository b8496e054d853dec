//! `scenarios/reference.toml`, every key with its default and doc line, generated from the key
//! definitions (`sections`, `emulator::settings`) by a test: the test fails when the file is
//! stale, and `UPDATE_REFERENCE=1 cargo test reference` rewrites it. Test-only: nothing ships
//! it but the file.

use super::keys::KeyDoc;
use super::render::key;
use super::sections::TargetKeys;
use super::types::*;
use crate::emulator::FaultConfig;
use crate::emulator::settings::EmulatorSettings;

const REFERENCE_HEADER: &str = "\
#:schema ./sqsbench.schema.json
# Every scenario key, with its default and what it does, generated from the key definitions
# (src/scenario/sections.rs, crates/sqsbench-emulator/src/{config,settings}.rs); a test fails when it is stale, and
# `UPDATE_REFERENCE=1 cargo test reference` rewrites it. Loaded by a test, so it stays valid.
# Units are human: durations \"250ms\", \"30s\", \"5m\"; sizes \"100B\", \"1KiB\", \"256KiB\";
# rates \"3000/s\", \"180000/m\". Any key can be overridden: --set producers.rate=500/s
# Commented keys are unset by default (an example value is shown) or derived from others.
";

/// What each section is for, beside its header in the reference.
const SECTION_DOCS: &[(&str, &str)] = &[
    (
        "[target]",
        "where traffic goes; --target embedded|aws|URL overrides",
    ),
    ("[queue]", "the queue under test"),
    ("[run]", "phases, seed and repetition"),
    ("[[producers]]", "one or more fleets of sending tasks"),
    ("[[consumers]]", "zero or more fleets of receive loops"),
    (
        "[topic]",
        "a fan-out scenario: [[publishers]] publish here, in place of [[producers]]",
    ),
    (
        "[[subscriptions]]",
        "a fan-out's queues (<[queue] name>-<name>), in place of [[consumers]]",
    ),
    ("[emulator]", "only for the embedded target"),
    (
        "[emulator.faults]",
        "the keys of `serve --faults FILE`; seeded by run.seed; every injection counted",
    ),
    (
        "[expect]",
        "checked at the end; a failure exits 1 and is listed in summary.json",
    ),
    (
        "[cost]",
        "request prices, USD per million requests (default: us-east-1)",
    ),
    (
        "[search]",
        "a capacity search instead of one run (see fifo-limits.toml)",
    ),
];

/// Where the doc comments start, so they line up.
const DOC_COLUMN: usize = 37;

fn reference_line(out: &mut String, d: &KeyDoc) {
    let line = match (d.commented, d.value.is_empty()) {
        (true, _) => format!("# {} = {}", key(d.key), d.value),
        (false, _) => format!("{} = {}", key(d.key), d.value),
    };
    let pad = DOC_COLUMN.saturating_sub(line.chars().count() + 1).max(1);
    out.push_str(&format!("{line}{}# {}\n", " ".repeat(pad), d.doc));
}

/// A section's lines; an optional section (`# [search]`) is written all commented out.
fn reference_table(out: &mut String, header: &str, docs: &[KeyDoc]) {
    let optional = header.starts_with('#');
    let about = SECTION_DOCS
        .iter()
        .find(|(h, _)| *h == header.trim_start_matches("# "))
        .map_or(String::new(), |(_, about)| {
            let pad = DOC_COLUMN.saturating_sub(header.len() + 1).max(1);
            format!("{}# {about}", " ".repeat(pad))
        });
    out.push_str(&format!("\n{header}{about}\n"));
    for d in docs {
        let commented = d.commented || optional;
        reference_line(
            out,
            &KeyDoc {
                commented,
                ..d.clone()
            },
        );
    }
}

/// `scenarios/reference.toml`: every key, from its definition.
fn reference() -> String {
    let mut out = REFERENCE_HEADER.to_string();
    let top = [
        KeyDoc {
            key: "name",
            value: "\"reference\"".into(),
            commented: false,
            doc: "required; names the results directory (letters, digits, - _)".into(),
        },
        KeyDoc {
            key: "description",
            value: "\"Every key, documented\"".into(),
            commented: false,
            doc: "optional; shown in reports".into(),
        },
    ];
    out.push('\n');
    for d in &top {
        reference_line(&mut out, d);
    }
    reference_table(&mut out, "[target]", &TargetKeys::docs());
    reference_table(&mut out, "[queue]", &QueueSpec::docs());
    out.push_str(concat!(
        "\n# [[queues]]                        # many queues, in place of [queue]: every [queue] key, and\n",
        "# count = 100                       # a set: count queues named from name's {i} (0 to count-1); 1000 queues at most\n",
    ));
    reference_table(&mut out, "[run]", &RunSpec::docs());
    reference_table(&mut out, "[[producers]]", &ProducerFleet::docs());
    reference_table(&mut out, "[[consumers]]", &ConsumerFleet::docs());
    reference_table(&mut out, "# [topic]", &TopicSpec::docs());
    out.push_str(concat!(
        "\n# [[publishers]]                    # a fan-out's [[producers]]: every [[producers]] key, and\n",
        "# attributes = { event = { values = [\"order_paid\", \"order_created\"], weights = [1, 3] }, amount = { range = [1, 500] } }\n",
    ));
    reference_table(&mut out, "# [[subscriptions]]", &SubscriptionKeys::docs());
    out.push_str("# consumers = { count = 2, batch_size = 10 } # any [[consumers]] key but name\n");
    reference_table(&mut out, "# [event_bus]", &BusSpec::docs());
    out.push_str(concat!(
        "\n# [[event_publishers]]              # an EventBridge scenario's [[producers]]: every [[producers]] key, and\n",
        "# source = \"com.example.orders\"    # or { values = [...], weights = [...] }, drawn per event\n",
        "# detail_type = { values = [\"OrderPlaced\", \"RefundIssued\"], weights = [4, 1] }\n",
        "# detail = { orderValue = { range = [1, 500] }, status = { values = [\"placed\", \"paid\"] } }\n",
    ));
    reference_table(&mut out, "# [[rules]]", &RuleKeys::docs());
    out.push_str("# consumers = { count = 2, batch_size = 10 } # any [[consumers]] key but name\n");
    let mut emulator = EmulatorSettings::docs();
    // the faults table is a section of its own below
    emulator.retain(|d| d.key != "faults");
    reference_table(&mut out, "[emulator]", &emulator);
    reference_table(&mut out, "[emulator.faults]", &FaultConfig::docs());
    reference_table(&mut out, "[expect]", &Expectations::docs());
    reference_table(&mut out, "[cost]", &Prices::docs());
    out.push_str(
        "\n# [sweep]                           # one variant per combination of values (same seed and schedule)\n# \"producers.batch_size\" = [1, 5, 10]\n",
    );
    reference_table(&mut out, "# [search]", &SearchSpec::docs());
    out
}

#[cfg(test)]
mod tests {
    use crate::scenario::validate::scenario_from_text;

    /// scenarios/reference.toml is what the key definitions say, and reads as a valid scenario.
    #[test]
    fn the_reference_scenario_is_generated_from_the_definitions() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/reference.toml");
        let generated = super::reference();
        if std::env::var_os("UPDATE_REFERENCE").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let stored = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            stored, generated,
            "scenarios/reference.toml is stale: UPDATE_REFERENCE=1 cargo test reference"
        );
        let scenario = scenario_from_text(&generated, &[]).expect("the reference is valid");
        assert_eq!(scenario.name, "reference");
    }
}
