//! The runs a scenario asks for: one variant per combination of `[sweep]` values (cartesian
//! product, in the order the keys are written), each a fully validated scenario with the same
//! seed and schedule as the others. Every variant is validated before any traffic, so a sweep
//! value that does not fit its key is a bad-input error naming the variant.

use crate::scenario::{Problem, Scenario, validate::scenario_from_text};

#[derive(Debug, Clone)]
pub(crate) struct Variant {
    /// `producers.batch_size=5, consumers.count=2` (empty when there is no sweep).
    pub label: String,
    /// The sub-directory name: `producers.batch_size-5_consumers.count-2`.
    pub slug: String,
    pub scenario: Scenario,
}

/// The most variants one `[sweep]` may make: each is a whole run.
pub(crate) const MAX_VARIANTS: usize = 256;

/// The variants of a scenario text with `--set` overrides; one unlabeled variant without a sweep.
pub(crate) fn variants(text: &str, overrides: &[String]) -> Result<Vec<Variant>, Vec<Problem>> {
    let base = scenario_from_text(text, overrides)?;
    if base.sweep.is_empty() {
        return Ok(vec![Variant {
            label: String::new(),
            slug: String::new(),
            scenario: base,
        }]);
    }
    // The product is checked before it is built: `[sweep]` lists of 100 values on 5 keys must
    // be refused, not allocated.
    let product = base
        .sweep
        .iter()
        .try_fold(1usize, |n, (_, values)| n.checked_mul(values.len().max(1)));
    if product.is_none_or(|n| n > MAX_VARIANTS) {
        return Err(vec![Problem {
            path: "sweep".into(),
            line: None,
            message: format!(
                "{} variants (the product of the value counts: {}); at most {MAX_VARIANTS} are allowed",
                product.map_or("more than 2^64".to_string(), |n| n.to_string()),
                base.sweep
                    .iter()
                    .map(|(k, v)| format!("{k} × {}", v.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            whole_file: true,
        }]);
    }
    let mut combinations: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (key, values) in &base.sweep {
        combinations = combinations
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push((key.clone(), v.clone()));
                    c
                })
            })
            .collect();
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for combination in combinations {
        let labelled: Vec<(String, String, String)> = combination
            .iter()
            .map(|(k, v)| {
                let (value, label) = labelled(v);
                (k.clone(), value, label)
            })
            .collect();
        let mut assignments = overrides.to_vec();
        assignments.extend(labelled.iter().map(|(k, v, _)| format!("{k}={v}")));
        let values: Vec<(String, String)> = labelled
            .into_iter()
            .map(|(k, _, label)| (k, label))
            .collect();
        let label = values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        match scenario_from_text(text, &assignments) {
            Ok(mut scenario) => {
                scenario.sweep.clear();
                out.push(Variant {
                    slug: slug(&values),
                    label,
                    scenario,
                });
            }
            Err(ps) => problems.extend(ps.into_iter().map(|mut p| {
                p.message = format!("{} (sweep variant {label})", p.message);
                p
            })),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A sweep value as it is set, and how its variant is labelled: a table value may name itself
/// with a `label` key (`{ label = "keda", scaling = { … } }`), which is taken out before the
/// value is set; any other value labels itself.
fn labelled(v: &str) -> (String, String) {
    let named = format!("v = {v}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|doc| match doc.get("v") {
            Some(toml::Value::Table(t)) => {
                let label = t.get("label")?.as_str()?.to_string();
                let mut t = t.clone();
                t.remove("label");
                Some((toml::Value::Table(t).to_string(), label))
            }
            _ => None,
        });
    named.unwrap_or_else(|| (v.to_string(), unquote(v)))
}

fn unquote(v: &str) -> String {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v)
        .to_string()
}

/// A directory name from the values: safe characters only, unique per combination.
fn slug(values: &[(String, String)]) -> String {
    values
        .iter()
        .map(|(k, v)| {
            let clean = |s: &str| {
                s.chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect::<String>()
            };
            // A table value's punctuation would leave runs of '-': one is enough.
            let value = clean(v)
                .split('-')
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join("-");
            format!("{}-{value}", clean(k))
        })
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_value_may_name_its_variant_with_label() {
        let (value, label) =
            labelled(r#"{ label = "keda", kind = "poller", scaling = { policy = "keda" } }"#);
        assert_eq!(label, "keda");
        assert!(!value.contains("label"), "{value}");
        let back: toml::Table = format!("v = {value}").parse().unwrap();
        assert_eq!(back["v"]["scaling"]["policy"].as_str(), Some("keda"));
        assert_eq!(labelled("5"), ("5".to_string(), "5".to_string()));
        assert_eq!(
            labelled("\"500/s\""),
            ("\"500/s\"".to_string(), "500/s".to_string())
        );
    }

    #[test]
    fn a_sweep_over_the_variant_cap_is_refused_before_it_is_built() {
        let values: Vec<String> = (1..=17).map(|i| i.to_string()).collect();
        let text = format!(
            "name = \"x\"\n[[producers]]\nrate = \"10/s\"\n[sweep]\n\"producers.batch_size\" = [1, 2]\n\"producers.count\" = [{}]\n\"run.seed\" = [{}]\n",
            values.join(", "),
            values.join(", ")
        );
        let problems = variants(&text, &[]).unwrap_err();
        let shown = problems[0].to_string();
        assert!(shown.contains("578 variants"), "{shown}");
        assert!(shown.contains("at most 256"), "{shown}");
    }

    const BASE: &str = r#"
name = "s"
[[producers]]
rate = "100/s"
[sweep]
"producers.batch_size" = [1, 5, 10]
"producers.rate" = ["100/s", "200/s"]
"#;

    #[test]
    fn one_variant_per_combination_in_key_order() {
        let v = variants(BASE, &[]).unwrap();
        let labels: Vec<_> = v.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(labels.len(), 6);
        assert_eq!(labels[0], "producers.batch_size=1, producers.rate=100/s");
        assert_eq!(labels[5], "producers.batch_size=10, producers.rate=200/s");
        assert_eq!(v[3].slug, "producers.batch_size-5_producers.rate-200-s");
        assert_eq!(v[2].scenario.producers[0].batch_size, 5);
        assert!(v.iter().all(|v| v.scenario.sweep.is_empty()));
        let seed = v[0].scenario.run.seed;
        assert!(v.iter().all(|x| x.scenario.run.seed == seed));
    }

    #[test]
    fn overrides_apply_to_every_variant() {
        let v = variants(BASE, &["run.duration=\"2s\"".into()]).unwrap();
        assert!(
            v.iter()
                .all(|v| v.scenario.run.duration == std::time::Duration::from_secs(2))
        );
    }

    #[test]
    fn a_value_that_does_not_fit_names_its_variant() {
        let text = BASE.replace("[1, 5, 10]", "[1, 11]");
        let problems = variants(&text, &[]).unwrap_err();
        assert!(
            problems.iter().any(|p| p.path.contains("batch_size")
                && p.message.contains("sweep variant producers.batch_size=11")),
            "{problems:?}"
        );
    }

    #[test]
    fn no_sweep_is_one_unlabeled_variant() {
        let v = variants("name = \"s\"\n[[producers]]\nrate = \"1/s\"\n", &[]).unwrap();
        assert_eq!(v.len(), 1);
        assert!(v[0].label.is_empty());
    }
}
