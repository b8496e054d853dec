//! The resolved scenario as TOML: every default filled in and every override applied, as
//! `validate` prints it and the results directory keeps it. It follows from the key definitions
//! (`sections`, `emulator::settings`); values are written by the toml crate, so re-reading the
//! resolved scenario gives the same scenario.

use super::keys::Keys;
use super::sections::{TargetKeys, TargetKind};
use super::types::*;

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
pub(super) fn key(k: &str) -> String {
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

fn target_keys(target: &Target, client: ClientKind) -> TargetKeys {
    let mut keys = TargetKeys {
        kind: TargetKind::Embedded,
        endpoint: None,
        region: None,
        profile: None,
        client,
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

pub(crate) fn to_toml(sc: &Scenario) -> String {
    let mut doc = Layout::default();
    let text = |s: &str| toml::Value::String(s.to_string());
    doc.keys(vec![("name", text(&sc.name))]);
    if let Some(description) = &sc.description {
        doc.keys(vec![("description", text(description))]);
    }
    doc.table("target", target_keys(&sc.target, sc.client).to_keys());
    if sc.queues.is_empty() {
        doc.table("queue", sc.queue.to_keys());
    }
    for q in &sc.queues {
        let mut keys = q.spec.to_keys();
        if let Some(count) = q.count {
            keys.insert(1, ("count", toml::Value::Integer(count.into())));
        }
        doc.array_entry("queues", keys);
    }
    doc.table("run", sc.run.to_keys());
    match &sc.fanout {
        None => {
            for p in &sc.producers {
                doc.array_entry("producers", p.to_keys());
            }
            for c in &sc.consumers {
                doc.array_entry("consumers", c.to_keys());
            }
        }
        Some(fanout) => fanout_sections(&mut doc, sc, fanout),
    }
    let mut emulator = sc.emulator.to_keys();
    // the faults table is written as a table of its own
    emulator.retain(|(k, _)| *k != "faults");
    doc.table("emulator", emulator);
    doc.table("emulator.faults", sc.emulator.faults.to_keys());
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

/// `[topic]` or `[event_bus]`, each publisher fleet with what it draws, each subscription or
/// rule with its consumers.
fn fanout_sections(doc: &mut Layout, sc: &Scenario, fanout: &Fanout) {
    let (router, router_keys, publishers, routes) = match &fanout.router {
        super::fanout::Router::Topic(t) => ("topic", t.to_keys(), "publishers", "subscriptions"),
        super::fanout::Router::Bus(b) => ("event_bus", b.to_keys(), "event_publishers", "rules"),
    };
    doc.table(router, router_keys);
    for (p, attributes) in sc.producers.iter().zip(&fanout.attributes) {
        let mut keys = p.to_keys();
        keys.extend(drawn_keys(fanout, attributes));
        doc.array_entry(publishers, keys);
    }
    for (s, c) in fanout.routes.iter().zip(&sc.consumers) {
        let mut keys = match &s.keys {
            super::fanout::RouteKeys::Subscription(k) => k.to_keys(),
            super::fanout::RouteKeys::Rule(k) => k.to_keys(),
        };
        let consumers = c.to_keys().into_iter().filter(|(k, _)| *k != "name");
        keys.push((
            "consumers",
            toml::Value::Table(consumers.map(|(k, v)| (k.to_string(), v)).collect()),
        ));
        doc.array_entry(routes, keys);
    }
}

/// What a publisher fleet draws, as its keys: a topic's `attributes`, or a bus's `source`,
/// `detail_type` and `detail`.
fn drawn_keys(
    fanout: &Fanout,
    attributes: &[super::fanout::AttributeSpec],
) -> Vec<(&'static str, toml::Value)> {
    use super::bus::DETAIL_PREFIX;
    use super::keys::Codec as _;
    if fanout.topic().is_some() {
        return super::fanout::Attributes
            .write(&attributes.to_vec())
            .map(|v| vec![("attributes", v)])
            .unwrap_or_default();
    }
    let text = |name: &str| {
        let spec = attributes.iter().find(|a| a.name == name)?;
        match &spec.values {
            super::fanout::Values::Strings { values, .. } if values.len() == 1 => {
                Some(toml::Value::String(values[0].clone()))
            }
            _ => super::fanout::Attributes
                .write(&vec![spec.clone()])
                .and_then(|t| t.as_table()?.get(name).cloned()),
        }
    };
    let detail: Vec<super::fanout::AttributeSpec> = attributes
        .iter()
        .filter_map(|a| {
            Some(super::fanout::AttributeSpec {
                name: a.name.strip_prefix(DETAIL_PREFIX)?.to_string(),
                values: a.values.clone(),
            })
        })
        .collect();
    let mut keys = Vec::new();
    keys.extend(text("source").map(|v| ("source", v)));
    keys.extend(text("detail-type").map(|v| ("detail_type", v)));
    keys.extend(
        super::fanout::Attributes
            .write(&detail)
            .map(|v| ("detail", v)),
    );
    keys
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::to_toml;
    use crate::scenario::validate::scenario_from_text;

    fn quoted(v: &str) -> String {
        toml::Value::String(v.to_string()).to_string()
    }

    /// A scenario with `strings` in every free-text place: description, a queue attribute's
    /// name and value, the AWS region and profile.
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
