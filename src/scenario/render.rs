//! The resolved scenario as TOML: every default filled in and every override applied, as
//! `validate` prints it and the results directory keeps it. Re-reading it gives the same scenario.

use std::fmt::Write;

use super::types::*;
use super::units::{format_duration as d, format_rate as r, format_size as s};
use crate::emulator::QuotaMode;

pub fn to_toml(sc: &Scenario) -> String {
    let mut o = String::new();
    // TOML's own string encoding: Rust's Debug quoting writes `\u{1}`, which is not TOML.
    let q = |v: &str| toml::Value::String(v.to_string()).to_string();
    let _ = writeln!(o, "name = {}", q(&sc.name));
    if let Some(desc) = &sc.description {
        let _ = writeln!(o, "description = {}", q(desc));
    }
    let _ = writeln!(o, "\n[target]");
    match &sc.target {
        Target::Embedded => {
            let _ = writeln!(o, "kind = \"embedded\"");
        }
        Target::Endpoint { url, region } => {
            let _ = writeln!(
                o,
                "kind = \"endpoint\"\nendpoint = {}\nregion = {}",
                q(url),
                q(region)
            );
        }
        Target::Aws { region, profile } => {
            let _ = writeln!(o, "kind = \"aws\"");
            if let Some(region) = region {
                let _ = writeln!(o, "region = {}", q(region));
            }
            if let Some(profile) = profile {
                let _ = writeln!(o, "profile = {}", q(profile));
            }
        }
    }
    let qu = &sc.queue;
    let _ = writeln!(
        o,
        "\n[queue]\ntype = {}\nname = {}\ncreate = {}\nvisibility_timeout = {}",
        q(if qu.kind == QueueType::Fifo {
            "fifo"
        } else {
            "standard"
        }),
        q(&qu.name),
        qu.create,
        q(&d(qu.visibility_timeout))
    );
    if qu.kind == QueueType::Fifo {
        let _ = writeln!(
            o,
            "content_based_deduplication = {}\nhigh_throughput = {}",
            qu.content_based_deduplication, qu.high_throughput
        );
    }
    let attributes: Vec<String> = qu
        .attributes
        .iter()
        .map(|(k, v)| format!("{k} = {}", q(v)))
        .collect();
    let _ = writeln!(o, "attributes = {{ {} }}", attributes.join(", "));
    if let Some(dl) = &qu.dead_letter {
        let _ = writeln!(
            o,
            "\n[queue.dead_letter]\nmax_receive_count = {}",
            dl.max_receive_count
        );
    }
    let ru = &sc.run;
    let _ = writeln!(
        o,
        "\n[run]\nduration = {}\nwarmup = {}\ndrain_timeout = {}\nseed = {}\nrepeat = {}\nretries = {}",
        q(&d(ru.duration)),
        q(&d(ru.warmup)),
        q(&d(ru.drain_timeout)),
        ru.seed,
        ru.repeat,
        ru.retries
    );
    if let Some(b) = ru.budget_usd {
        let _ = writeln!(o, "budget_usd = {b}");
    }
    for p in &sc.producers {
        let rate = match &p.rate {
            RateSpec::Max => q("max"),
            RateSpec::Constant(x) => q(&r(*x)),
            RateSpec::Steps(steps) => format!(
                "{{ steps = [{}] }}",
                steps
                    .iter()
                    .map(|(x, t)| q(&format!("{} for {}", r(*x), d(*t))))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            RateSpec::Ramp { from, to, over } => format!(
                "{{ ramp = {{ from = {}, to = {}, over = {} }} }}",
                q(&r(*from)),
                q(&r(*to)),
                q(&d(*over))
            ),
        };
        let size = match &p.message_size {
            SizeSpec::Fixed(n) => q(&s(*n)),
            SizeSpec::Uniform { min, max } => format!(
                "{{ min = {}, max = {}, distribution = \"uniform\" }}",
                q(&s(*min)),
                q(&s(*max))
            ),
        };
        let dedup = match &p.deduplication {
            Deduplication::Unique => q("unique"),
            Deduplication::Content => q("content"),
            Deduplication::DuplicateRate(x) => format!("{{ duplicate_rate = {x} }}"),
        };
        let _ = writeln!(
            o,
            "\n[[producers]]\nname = {}\ncount = {}\nrate = {rate}\nbatch_size = {}\nmessage_size = {size}\ngroups = {}\ndeduplication = {dedup}",
            q(&p.name),
            p.count,
            p.batch_size,
            p.groups
        );
    }
    for c in &sc.consumers {
        let processing = match &c.processing_time {
            ProcessingSpec::Fixed(t) => q(&d(*t)),
            ProcessingSpec::Exponential { mean } => format!(
                "{{ mean = {}, distribution = \"exponential\" }}",
                q(&d(*mean))
            ),
        };
        let _ = writeln!(
            o,
            "\n[[consumers]]\nname = {}\ncount = {}\nbatch_size = {}\nwait_time = {}\nprocessing_time = {processing}\nfailure_rate = {}\ndelete = {}",
            q(&c.name),
            c.count,
            c.batch_size,
            q(&d(c.wait_time)),
            c.failure_rate,
            q(if c.delete == DeleteMode::Batch {
                "batch"
            } else {
                "single"
            })
        );
    }
    let em = &sc.emulator;
    let quota = match &em.quota {
        QuotaMode::Aws => q("aws"),
        QuotaMode::Unlimited => q("unlimited"),
        QuotaMode::Custom(t) => {
            let parts: Vec<String> = [
                ("fifo_tps", t.fifo_tps),
                ("high_throughput_tps", t.high_throughput_tps),
                ("standard_tps", t.standard_tps),
            ]
            .iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k} = {v}")))
            .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    };
    let _ = writeln!(
        o,
        "\n[emulator]\nquota = {quota}\nregion = {}\nidle = {}",
        q(&em.region),
        q(em.idle.name())
    );
    let f = &em.faults;
    let _ = writeln!(
        o,
        "\n[emulator.faults]\nduplicate_rate = {}\nloss_rate = {}\nreorder_rate = {}\nfifo_disorder_rate = {}\nerror_rate = {}\nlatency = {}",
        f.duplicate_rate,
        f.loss_rate,
        f.reorder_rate,
        f.fifo_disorder_rate,
        f.error_rate,
        q(&d(f.latency))
    );
    if let Some(st) = f.stall {
        let _ = writeln!(
            o,
            "stall = {{ at = {}, for = {} }}",
            q(&d(st.at)),
            q(&d(st.length))
        );
    }
    let e = &sc.expect;
    let mut lines = Vec::new();
    if let Some(v) = e.min_throughput {
        lines.push(format!("min_throughput = {}", q(&r(v))));
    }
    if let Some(v) = e.max_e2e_p99 {
        lines.push(format!("max_e2e_p99 = {}", q(&d(v))));
    }
    for (k, v) in [
        ("max_duplicates", e.max_duplicates),
        ("max_order_violations", e.max_order_violations),
        ("max_lost", e.max_lost),
        ("max_throttled", e.max_throttled),
        ("max_send_failed", e.max_send_failed),
    ] {
        if let Some(v) = v {
            lines.push(format!("{k} = {v}"));
        }
    }
    if let Some(v) = e.max_error_rate {
        lines.push(format!("max_error_rate = {v:?}"));
    }
    if let Some(v) = e.max_cost_usd {
        lines.push(format!("max_cost_usd = {v}"));
    }
    if !lines.is_empty() {
        let _ = writeln!(o, "\n[expect]\n{}", lines.join("\n"));
    }
    let _ = writeln!(
        o,
        "\n[cost]\nstandard_per_million = {:?}\nfifo_per_million = {:?}",
        sc.cost.standard_per_million, sc.cost.fifo_per_million
    );
    if let Some(se) = &sc.search {
        let _ = writeln!(
            o,
            "\n[search]\nfrom = \"{}/s\"\nto = \"{}/s\"\nfactor = {:?}\nprecision = {:?}\nstep_duration = {}\nmax_throttled_fraction = {:?}\nmax_error_fraction = {:?}\nmin_achieved_fraction = {:?}\nmax_steps = {}",
            se.from,
            se.to,
            se.factor,
            se.precision,
            q(&format!("{}ms", se.step_duration.as_millis())),
            se.max_throttled_fraction,
            se.max_error_fraction,
            se.min_achieved_fraction,
            se.max_steps
        );
        if let Some(p99) = se.max_e2e_p99 {
            let _ = writeln!(o, "max_e2e_p99 = {}", q(&format!("{}us", p99.as_micros())));
        }
    }
    if !sc.sweep.is_empty() {
        let _ = writeln!(o, "\n[sweep]");
        for (k, values) in &sc.sweep {
            let _ = writeln!(o, "{} = [{}]", q(k), values.join(", "));
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::to_toml;
    use crate::scenario::validate::scenario_from_text;

    fn quoted(v: &str) -> String {
        toml::Value::String(v.to_string()).to_string()
    }

    proptest! {
        /// Any description (control characters, quotes, backslashes, non-ASCII) renders as
        /// TOML that reads back to the same scenario, and rendering that again changes nothing.
        #[test]
        fn render_parse_render_is_a_fixed_point_for_any_string(description in any::<String>()) {
            let text = format!(
                "name = \"p\"\ndescription = {}\n[[producers]]\nrate = \"10/s\"\n",
                quoted(&description)
            );
            let scenario = scenario_from_text(&text, &[]).expect("the input is valid");
            let rendered = to_toml(&scenario);
            let again = scenario_from_text(&rendered, &[])
                .map_err(|p| TestCaseError::fail(format!("{p:?}\n{rendered}")))?;
            prop_assert_eq!(again.description.as_deref(), Some(description.as_str()));
            prop_assert_eq!(to_toml(&again), rendered);
        }
    }
}
