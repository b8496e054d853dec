//! The crate's map: which top-level module may use which, in one table. A test reads every
//! `crate::…` path (and a top-level module's `super::…`) in each module's files and fails on an
//! arrow the table does not allow, and on any file-level import cycle; the map in
//! docs/architecture.md is rendered from the same table (`UPDATE_ARCHITECTURE=1 cargo test`
//! rewrites it).
//!
//! Depends on nothing: it is read, not run.

/// Each top-level module: what it is for, and the modules it may use. `emulator` is the
/// emulator crate (`crates/sqsbench-emulator`), whose public API the harness may use.
pub(crate) const MODULES: &[(&str, &str, &[&str])] = &[
    (
        "cli",
        "clap commands, one file each; one driver for every campaign's progress and exit code",
        &[
            "campaign", "client", "compare", "emulator", "live", "measure", "merge", "report",
            "run", "scenario", "store", "workload",
        ],
    ),
    (
        "store",
        "results in S3: an s3:// output mirrored as it is written, s3:// inputs fetched",
        &["client", "measure", "report"],
    ),
    (
        "campaign",
        "a results directory one or more runs fill: a run, repeats, a sweep, a search",
        &["measure", "report", "round", "run", "scenario", "workload"],
    ),
    (
        "run",
        "one run: shape, setup, drive, judge, write; a shard's plumbing; signals",
        &[
            "client", "emulator", "live", "measure", "report", "round", "scenario", "workload",
        ],
    ),
    (
        "merge",
        "the shards of a distributed run, united exactly; writes through the results directory",
        &["measure", "price", "report", "round", "scenario"],
    ),
    (
        "compare",
        "two results directories, metric by metric, and --fail-if rules",
        &["measure", "report"],
    ),
    (
        "live",
        "Prometheus exposition of a run's and the emulator's figures",
        &["emulator", "measure", "scenario", "workload"],
    ),
    (
        "workload",
        "schedules, producer and consumer fleets, the engine's phases, drain rules, shards",
        &[
            "client", "emulator", "measure", "price", "round", "scenario",
        ],
    ),
    (
        "client",
        "how traffic leaves: the SDK clients, the lean client, queues and topics made and removed",
        &["emulator", "scenario"],
    ),
    (
        "report",
        "the results directory's files, charts, the terminal summary and report.html",
        &["measure", "round", "scenario"],
    ),
    (
        "measure",
        "recorders, latency, timeline, ledger, the summary and its sums",
        &["emulator", "price", "round", "scenario"],
    ),
    (
        "scenario",
        "TOML → a validated scenario; every key defined once; the estimate, the only planner",
        &["emulator", "price"],
    ),
    (
        "price",
        "what requests cost: 64 KiB chunks, dollars, per million messages",
        &["round"],
    ),
    ("round", "how figures are rounded, one rule per kind", &[]),
    ("architecture", "this map", &[]),
];

/// The map as people read it: one line per module, in the table's order (users first).
pub(crate) fn map() -> String {
    let mut o = String::from("| module | what it is for | may use |\n|---|---|---|\n");
    for (module, what, uses) in MODULES {
        let uses = if uses.is_empty() {
            "nothing".to_string()
        } else {
            uses.iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        o += &format!("| `{module}` | {what} | {uses} |\n");
    }
    o
}

#[cfg(test)]
mod tests;
