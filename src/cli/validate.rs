//! `sqsbench validate`: parse and check scenarios without sending anything; print the resolved
//! scenario and the requests it will make. Exit 2 when any file has a problem.

use clap::Args;

use super::exit;
use super::scenario_args::{ScenarioArgs, load_or_report, load_variants_or_report};
use crate::scenario::{Scenario, render};
use crate::workload::shard::{self, Shard};

#[derive(Args)]
pub(super) struct ValidateArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Also print what shard I of N of a distributed run would run: its tasks of each fleet
    /// and their share of the rate.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
}

pub(super) fn run(args: ValidateArgs) -> u8 {
    let here = args.shard.unwrap_or(Shard::ALL);
    let Some(scenario) = load_or_report(&args.scenario, here) else {
        return exit::BAD_INPUT;
    };
    if let Some(shard) = args.shard {
        let refused = shard::unsupported(&scenario);
        for problem in &refused {
            eprintln!("error: --shard {shard}: {problem}");
        }
        if !refused.is_empty() {
            return exit::BAD_INPUT;
        }
    }
    for w in crate::scenario::warnings(&scenario) {
        eprintln!("warning: {w}");
    }
    println!(
        "# {} is valid; resolved scenario:\n",
        args.scenario.scenario.display()
    );
    print!("{}", render::to_toml(&scenario));
    if let Some(spec) = &scenario.search {
        print_search(&scenario, spec);
        return exit::OK;
    }
    if scenario.sweep.is_empty() {
        print_one(&scenario, &args);
        return exit::OK;
    }
    // Every variant is validated as it will run, so a value that does not fit fails here.
    let Some(variants) = load_variants_or_report(&args.scenario, here) else {
        return exit::BAD_INPUT;
    };
    let repeat = scenario.run.repeat.max(1);
    println!(
        "\n# sweep: {} variants{}",
        variants.len(),
        if repeat > 1 {
            format!(" × {repeat} repeats")
        } else {
            String::new()
        }
    );
    for v in &variants {
        println!("#   {}: {}", v.label, plan(&v.scenario));
        println!(
            "#   {}: {}",
            v.label,
            crate::scenario::estimate::cost_line(&v.scenario)
        );
    }
    exit::OK
}

/// A capacity search's plan: its steps, and the cost of the first and of one at the upper bound.
fn print_search(scenario: &Scenario, spec: &crate::scenario::SearchSpec) {
    let first = crate::campaign::search::step_scenario(scenario, spec, spec.from);
    let last = crate::campaign::search::step_scenario(scenario, spec, spec.to);
    println!(
        "\n# capacity search: up to {} steps of {} s measured, offered {}/s rising ×{} to at most {}/s",
        spec.max_steps,
        spec.step_duration.as_secs_f64(),
        spec.from,
        spec.factor,
        spec.to
    );
    println!(
        "# first step: {}",
        crate::scenario::estimate::cost_line(&first)
    );
    println!(
        "# a step at the upper bound: {}",
        crate::scenario::estimate::cost_line(&last)
    );
}

/// One run's plan, cost and memory, and with `--shard` this shard's part.
fn print_one(scenario: &Scenario, args: &ValidateArgs) {
    println!("\n# {}", plan(scenario));
    println!("# {}", crate::scenario::estimate::cost_line(scenario));
    println!("# {}", memory_line(scenario, args.scenario.max_memory));
    let shard = args.shard.unwrap_or(Shard::ALL);
    let on = if shard.is_part() {
        format!("shard {shard}: ")
    } else {
        String::new()
    };
    for line in connection_lines(&shard::tasks_on(scenario, shard)) {
        println!("# {on}{line}");
    }
    if let Some(shard) = args.shard {
        for line in shard::describe(scenario, shard).lines() {
            println!("# {line}");
        }
        let (what, bytes) = crate::scenario::limits::split_by_sender(scenario, shard.count);
        if bytes > 0 {
            println!(
                "# a shard also keeps its {what}: up to {} more",
                crate::scenario::limits::human(bytes)
            );
        }
    }
}

/// The memory estimate and the limit it was checked against.
pub(super) fn memory_line(s: &Scenario, flag: Option<u64>) -> String {
    use crate::scenario::limits::{self, MemoryLimit};
    let estimate = limits::memory(s);
    let limit = MemoryLimit::resolve(flag);
    format!(
        "estimated peak memory: {} ({}); limit {} ({})",
        limits::human(estimate.total()),
        estimate.describe(),
        limits::human(limit.bytes),
        limit.source
    )
}

/// The connection and descriptor estimates and the limits they were checked against, and a
/// reminder where an endpoint may take fewer connections than the run will hold.
pub(super) fn connection_lines(s: &Scenario) -> Vec<String> {
    use crate::scenario::connections::{self, OpenLimits, thousands};
    let (fds, limits) = (connections::descriptors(s), OpenLimits::read());
    let conns = &fds.connections;
    let mut lines = vec![
        format!(
            "estimated peak connections: {} ({}); limit {} local ports to one target",
            thousands(conns.total()),
            conns.describe(),
            thousands(limits.ports)
        ),
        format!(
            "estimated peak file descriptors: {} ({}); limit {} ({})",
            thousands(fds.total()),
            fds.describe(),
            thousands(limits.descriptors),
            limits.descriptor_source()
        ),
    ];
    let serve_default = crate::emulator::ConnectionLimits::default().max_connections as u64;
    if matches!(s.target, crate::scenario::Target::Endpoint { .. }) && conns.total() > serve_default
    {
        lines.push(format!(
            "the endpoint must accept {} connections at once (sqsbench serve: --max-connections, {} unless set)",
            thousands(conns.total()),
            thousands(serve_default)
        ));
    }
    lines
}

/// The traffic a scenario plans, in requests per API, from the estimate (the one planner; a
/// closed-loop fleet cannot be predicted).
pub(super) fn plan(s: &Scenario) -> String {
    match crate::scenario::estimate::estimate(s) {
        Some(e) => e.plan(),
        None => "planned requests: unknown (a fleet runs closed loop at rate = \"max\")".into(),
    }
}
