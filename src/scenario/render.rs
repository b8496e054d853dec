//! The resolved scenario as TOML: every default filled in and every override applied, as
//! `validate` prints it and the results directory keeps it; and the reference scenario, every
//! key with its default and doc line. Both follow from the key definitions (`sections`,
//! `emulator::settings`); values are written by the toml crate, so re-reading the resolved
//! scenario gives the same scenario.

use super::keys::{KeyDoc, Keys};
use super::sections::{TargetKeys, TargetKind};
use super::types::*;
use crate::emulator::settings::{self, EmulatorSettings, SettingDoc};

/// A TOML document written table by table.
#[derive(Default)]
struct Layout(String);

impl Layout {
    fn keys(&mut self, keys: Keys) {
        for (k, v) in keys {
            self.0.push_str(&format!("{} = {v}\n", key(k)));
        }
    }

    fn table(&mut self, header: &str, keys: Keys) {
        self.0.push_str(&format!("\n[{header}]\n"));
        self.keys(keys);
    }

    fn array_entry(&mut self, header: &str, keys: Keys) {
        self.0.push_str(&format!("\n[[{header}]]\n"));
        self.keys(keys);
    }
}

/// A key as the toml crate writes it: bare when it can be, quoted when not (a key cannot be
/// every kind of string a value can, so this asks the crate's key writer).
fn key(k: &str) -> String {
    let line = toml::to_string(&toml::Table::from_iter([(
        k.to_string(),
        toml::Value::Integer(0),
    )]))
    .expect("a table of one integer always serializes");
    line.trim_end()
        .strip_suffix(" = 0")
        .expect("the toml crate writes `KEY = 0`")
        .to_string()
}

fn target_keys(target: &Target) -> TargetKeys {
    let mut keys = TargetKeys {
        kind: TargetKind::Embedded,
        endpoint: None,
        region: None,
        profile: None,
    };
    match target {
        Target::Embedded => {}
        Target::Endpoint { url, region } => {
            keys.kind = TargetKind::Endpoint;
            keys.endpoint = Some(url.clone());
            keys.region = Some(region.clone());
        }
        Target::Aws { region, profile } => {
            keys.kind = TargetKind::Aws;
            keys.region = region.clone();
            keys.profile = profile.clone();
        }
    }
    keys
}

pub fn to_toml(sc: &Scenario) -> String {
    let mut doc = Layout::default();
    let text = |s: &str| toml::Value::String(s.to_string());
    doc.keys(vec![("name", text(&sc.name))]);
    if let Some(description) = &sc.description {
        doc.keys(vec![("description", text(description))]);
    }
    doc.table("target", target_keys(&sc.target).to_keys());
    doc.table("queue", sc.queue.to_keys());
    doc.table("run", sc.run.to_keys());
    for p in &sc.producers {
        doc.array_entry("producers", p.to_keys());
    }
    for c in &sc.consumers {
        doc.array_entry("consumers", c.to_keys());
    }
    doc.table("emulator", sc.emulator.to_keys());
    doc.table("emulator.faults", settings::fault_keys(&sc.emulator.faults));
    let expect = sc.expect.to_keys();
    if !expect.is_empty() {
        doc.table("expect", expect);
    }
    doc.table("cost", sc.cost.to_keys());
    if let Some(search) = &sc.search {
        doc.table("search", search.to_keys());
    }
    if !sc.sweep.is_empty() {
        doc.0.push_str("\n[sweep]\n");
        for (k, values) in &sc.sweep {
            // The values are TOML already, as the toml crate wrote them when the file was read.
            doc.0
                .push_str(&format!("{} = [{}]\n", key(k), values.join(", ")));
        }
    }
    doc.0
}

const REFERENCE_HEADER: &str = "\
# Every scenario key, with its default and what it does, generated from the key definitions
# (src/scenario/sections.rs, crates/sqsbench-emulator/src/settings.rs); a test fails when it is stale, and
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

/// The emulator's documented keys with their default values.
fn setting_docs(docs: &[SettingDoc], defaults: &[(&'static str, toml::Value)]) -> Vec<KeyDoc> {
    docs.iter()
        .filter(|d| d.key != "faults")
        .map(|d| {
            let default = defaults.iter().find(|(k, _)| *k == d.key);
            KeyDoc {
                key: d.key,
                value: default.map_or_else(
                    || d.example.unwrap_or_default().to_string(),
                    |(_, v)| v.to_string(),
                ),
                commented: default.is_none(),
                doc: d.doc.to_string(),
            }
        })
        .collect()
}

/// `scenarios/reference.toml`: every key, from its definition.
pub fn reference() -> String {
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
    reference_table(&mut out, "[run]", &RunSpec::docs());
    reference_table(&mut out, "[[producers]]", &ProducerFleet::docs());
    reference_table(&mut out, "[[consumers]]", &ConsumerFleet::docs());
    let emulator = EmulatorSettings::default();
    reference_table(
        &mut out,
        "[emulator]",
        &setting_docs(settings::EMULATOR_DOCS, &emulator.to_keys()),
    );
    reference_table(
        &mut out,
        "[emulator.faults]",
        &setting_docs(
            settings::FAULT_DOCS,
            &settings::fault_keys(&emulator.faults),
        ),
    );
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
    use proptest::prelude::*;

    use super::to_toml;
    use crate::scenario::validate::scenario_from_text;

    fn quoted(v: &str) -> String {
        toml::Value::String(v.to_string()).to_string()
    }

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

    /// A scenario with `strings` in every free-text place: description, fleet names, a queue
    /// attribute's name and value, the AWS region and profile.
    fn with_strings(strings: &[String; 5]) -> String {
        // Fleet names are tag-safe by rule, so they are not among the free-text places.
        let [description, profile, attribute, value, region] = strings.each_ref();
        format!(
            "name = \"p\"\ndescription = {}\n[target]\nkind = \"aws\"\nregion = {}\nprofile = {}\n\
             [queue]\nattributes = {{ {} = {} }}\n\
             [[producers]]\nname = \"p.1\"\nrate = \"10/s\"\n[[consumers]]\nname = \"c_1\"\n",
            quoted(description),
            quoted(region),
            quoted(profile),
            super::key(attribute),
            quoted(value),
        )
    }

    /// One scenario from numbers: each composite value in each of its forms.
    fn with_numbers(n: &[u32; 8]) -> String {
        let rate = match n[0] % 4 {
            0 => format!("\"{}/s\"", n[1] % 100_000 + 1),
            1 => "\"max\"".to_string(),
            2 => format!(
                "{{ steps = [\"{}/s for {}ms\", \"{}/m for {}s\"] }}",
                n[1] % 1000 + 1,
                n[2] % 5000 + 1,
                n[3] % 1000 + 1,
                n[4] % 60 + 1
            ),
            _ => format!(
                "{{ ramp = {{ from = \"{}/s\", to = \"{}/s\", over = \"{}us\" }} }}",
                n[1] % 1000 + 1,
                n[2] % 1000 + 1,
                n[3] % 1_000_000 + 1
            ),
        };
        let size = match n[5] % 2 {
            0 => format!("\"{}B\"", 96 + n[6] % 100_000),
            _ => format!(
                "{{ min = \"{}B\", max = \"{}KiB\" }}",
                96 + n[6] % 900,
                1 + n[7] % 64
            ),
        };
        let processing = match n[7] % 2 {
            0 => format!("\"{}ms\"", n[6] % 1000),
            _ => format!("{{ mean = \"{}us\" }}", n[6] % 100_000),
        };
        format!(
            "name = \"n\"\n[run]\nduration = \"{}ms\"\nseed = {}\n\
             [[producers]]\nrate = {rate}\nmessage_size = {size}\ndeduplication = {{ duplicate_rate = 0.{} }}\n\
             [[consumers]]\nprocessing_time = {processing}\nfailure_rate = 0.{}\n\
             [emulator]\nquota = {{ fifo_tps = {}.5 }}\n[emulator.faults]\nloss_rate = 0.{}\nstall = {{ at = \"{}s\", for = \"{}ms\" }}\n\
             [expect]\nmax_e2e_p99 = \"{}ms\"\nmax_lost = {}\n",
            n[0] % 100_000 + 1,
            n[1],
            n[2] % 1000,
            n[3] % 1000,
            n[4] % 1000 + 1,
            n[5] % 1000,
            n[6] % 100,
            n[7] % 10_000,
            n[0] % 5000,
            n[1] % 10
        )
    }

    /// Renders, reads back and renders again: the scenario and the text must not change.
    fn fixed_point(text: &str) -> Result<(), TestCaseError> {
        let scenario = scenario_from_text(text, &[])
            .map_err(|p| TestCaseError::fail(format!("the input is invalid: {p:?}\n{text}")))?;
        let rendered = to_toml(&scenario);
        let again = scenario_from_text(&rendered, &[])
            .map_err(|p| TestCaseError::fail(format!("{p:?}\n{rendered}")))?;
        prop_assert_eq!(&again, &scenario);
        prop_assert_eq!(to_toml(&again), rendered);
        Ok(())
    }

    proptest! {
        /// Any strings (control characters, quotes, backslashes, non-ASCII) in every free-text
        /// place render as TOML that reads back to the same scenario.
        #[test]
        fn render_parse_render_is_a_fixed_point_for_any_strings(
            strings in any::<[String; 5]>()
        ) {
            fixed_point(&with_strings(&strings))?;
        }

        /// Every form of every composite value (rates, sizes, processing, quotas, stalls,
        /// expectations) renders to TOML that reads back the same.
        #[test]
        fn render_parse_render_is_a_fixed_point_for_any_values(n in any::<[u32; 8]>()) {
            fixed_point(&with_numbers(&n))?;
        }
    }
}
