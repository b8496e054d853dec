//! Splitting one run across N processes (`--shard I/N`): which of a scenario's tasks each shard
//! runs. The split is by task, not by rate: every
//! task keeps the schedule it has in a single process (task i of a fleet of n takes every n-th
//! intended send time), so the shards' tasks together are exactly the scenario's, rates and
//! producer ids included. Tasks are numbered across the whole scenario (producers first, in
//! file order, then consumers) and task g runs on shard g mod N, so a fleet smaller than N does
//! not leave the same shards idle every time. Pure; depends on `scenario` only. The plumbing of a
//! distributed run (its id, start and files) is `run::distributed`'s.

use crate::scenario::{RateSpec, Scenario};
use std::fmt;
use std::str::FromStr;

/// `--shard I/N`: this process is shard `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// The most shards a run may have: each is a process with its own results directory to merge.
pub const MAX_SHARDS: u32 = 10_000;

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let said = || format!("--shard {text:?}");
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("{}: expected I/N, e.g. 0/4", said()))?;
        let number = |part: &str, what: &str| {
            part.trim()
                .parse::<u32>()
                .map_err(|_| format!("{}: {what} {part:?} is not a whole number", said()))
        };
        let (index, count) = (number(i, "I")?, number(n, "N")?);
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("{}: N must be 1 to {MAX_SHARDS}", said()));
        }
        if index >= count {
            return Err(format!(
                "{}: I counts from 0, so it must be below N ({count})",
                said()
            ));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The whole run in one process.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// One shard of several, not the whole run.
    pub fn is_part(self) -> bool {
        self.count > 1
    }

    /// Whether this shard runs the scenario's task `task` (numbered across all fleets,
    /// producers first).
    #[inline]
    pub fn runs(self, task: u64) -> bool {
        task % self.count as u64 == self.index as u64
    }
}

/// What a sharded run cannot do yet, named: sweeps and searches stay single-process, a
/// repeat would need every shard to repeat in step, and a budget is counted per process.
pub fn unsupported(scenario: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    if !scenario.sweep.is_empty() {
        out.push(
            "[sweep]: a sweep runs in one process; run each variant as its own sharded run"
                .to_string(),
        );
    }
    if scenario.search.is_some() {
        out.push("[search]: a capacity search runs in one process".to_string());
    }
    if scenario.run.repeat > 1 {
        out.push(format!(
            "run.repeat = {}: shards cannot repeat in step; repeat the sharded run instead",
            scenario.run.repeat
        ));
    }
    if scenario.run.budget_usd.is_some() {
        out.push("run.budget_usd: each shard would count only its own cost".to_string());
    }
    out
}

/// One fleet's share on a shard: which of its tasks run there.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetShare {
    pub name: String,
    pub producer: bool,
    /// Indexes within the fleet (0-based) of the tasks this shard runs.
    pub tasks: Vec<u32>,
    pub of: u32,
    pub rate: RateSpec,
}

impl FleetShare {
    /// The share's part of the fleet's offered rate (constant rates; steps and ramps scale the
    /// same way at every point).
    pub fn fraction(&self) -> f64 {
        self.tasks.len() as f64 / self.of.max(1) as f64
    }
}

/// Every fleet's share on `shard`, in file order, producers first.
pub fn split(scenario: &Scenario, shard: Shard) -> Vec<FleetShare> {
    let mut task = 0u64;
    let mut shares = Vec::new();
    let producers = scenario
        .producers
        .iter()
        .map(|f| (&f.name, true, f.count, f.rate.clone()));
    let consumers = scenario
        .consumers
        .iter()
        .map(|f| (&f.name, false, f.count, RateSpec::Max));
    for (name, producer, count, rate) in producers.chain(consumers) {
        let first = task;
        task += count as u64;
        let tasks = (0..count)
            .filter(|k| shard.runs(first + *k as u64))
            .collect();
        shares.push(FleetShare {
            name: name.clone(),
            producer,
            tasks,
            of: count,
            rate,
        });
    }
    shares
}

/// The tasks one shard runs, as a scenario: each fleet's `count` is its tasks on `shard`
/// (what this process's connections and descriptors are estimated from).
pub fn tasks_on(scenario: &Scenario, shard: Shard) -> Scenario {
    let shares = split(scenario, shard);
    let mut mine = scenario.clone();
    let counts = shares.iter().map(|s| s.tasks.len() as u32);
    let fleets = mine
        .producers
        .iter_mut()
        .map(|f| &mut f.count)
        .chain(mine.consumers.iter_mut().map(|f| &mut f.count));
    for (count, here) in fleets.zip(counts) {
        *count = here;
    }
    mine
}

/// What `validate --shard I/N` prints: each fleet's tasks on this shard and its rate share.
pub fn describe(scenario: &Scenario, shard: Shard) -> String {
    let shares = split(scenario, shard);
    let mine: usize = shares.iter().map(|s| s.tasks.len()).sum();
    let all: u32 = shares.iter().map(|s| s.of).sum();
    let mut out = format!("shard {shard}: {mine} of {all} tasks\n");
    for s in &shares {
        let role = if s.producer { "producers" } else { "consumers" };
        let listed = s
            .tasks
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let tasks = match s.tasks.len() {
            0 => "none of its tasks (other shards run them)".to_string(),
            1 => format!("1 of its {} tasks (task {listed})", s.of),
            n => format!("{n} of its {} tasks (tasks {listed})", s.of),
        };
        let rate = match (&s.rate, s.producer, s.tasks.is_empty()) {
            (RateSpec::Constant(r), true, false) => {
                format!(
                    ": {}/s of the fleet's {r}/s",
                    crate::round::thousandths(r * s.fraction())
                )
            }
            (RateSpec::Max, true, false) => ": closed loop, as fast as they can".to_string(),
            (_, true, false) => format!(
                ": {:.4} of the fleet's rate at every point of its schedule",
                s.fraction()
            ),
            _ => String::new(),
        };
        out += &format!("  {role} {:?}: {tasks}{rate}\n", s.name);
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::scenario::validate::scenario_from_text;

    #[test]
    fn shard_text_is_checked_and_names_the_problem() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        for (text, said) in [
            ("8/8", "I counts from 0, so it must be below N (8)"),
            ("0/0", "N must be 1 to 10000"),
            ("1", "expected I/N"),
            ("-1/4", "I \"-1\" is not a whole number"),
            ("1/x", "N \"x\" is not a whole number"),
        ] {
            let e = text.parse::<Shard>().unwrap_err();
            assert!(e.contains(said), "{text}: {e}");
            assert!(e.starts_with(&format!("--shard {text:?}")), "{e}");
        }
    }

    fn scenario(producers: &[u32], consumers: &[u32]) -> Scenario {
        let mut text = String::from("name = \"s\"\n");
        for n in producers {
            text += &format!("[[producers]]\ncount = {n}\nrate = \"{}/s\"\n", n * 10);
        }
        for n in consumers {
            text += &format!("[[consumers]]\ncount = {n}\n");
        }
        scenario_from_text(&text, &[]).unwrap()
    }

    #[test]
    fn a_shards_scenario_counts_only_its_tasks() {
        let s = scenario(&[5, 2], &[3]);
        let counts = |s: &Scenario| -> Vec<u32> {
            s.producers
                .iter()
                .map(|f| f.count)
                .chain(s.consumers.iter().map(|f| f.count))
                .collect()
        };
        // Tasks 0–4, 5–6 and 7–9; shard 1 of 3 runs tasks 1, 4, 7.
        assert_eq!(
            counts(&tasks_on(&s, Shard { index: 1, count: 3 })),
            [2, 0, 1]
        );
        assert_eq!(counts(&tasks_on(&s, Shard::ALL)), [5, 2, 3]);
        let whole: u32 = (0..3)
            .map(|index| {
                counts(&tasks_on(&s, Shard { index, count: 3 }))
                    .iter()
                    .sum::<u32>()
            })
            .sum();
        assert_eq!(whole, 10);
    }

    #[test]
    fn a_small_fleet_does_not_always_land_on_the_first_shards() {
        // Three fleets of one task on three shards: one each, not all on shard 0.
        let s = scenario(&[1, 1], &[1]);
        for index in 0..3 {
            let shares = split(&s, Shard { index, count: 3 });
            let mine: usize = shares.iter().map(|f| f.tasks.len()).sum();
            assert_eq!(mine, 1, "shard {index}");
        }
        assert_eq!(
            describe(&s, Shard { index: 1, count: 3 }),
            "shard 1/3: 1 of 3 tasks\n  producers \"producers-0\": none of its tasks (other shards run them)\n  producers \"producers-1\": 1 of its 1 tasks (task 0): 10/s of the fleet's 10/s\n  consumers \"consumers-0\": none of its tasks (other shards run them)\n"
        );
    }

    proptest! {
        /// Whatever the fleets and N, every task runs on exactly one shard, the shards' task
        /// counts differ by at most one, and each fleet's shares add up to its rate.
        #[test]
        fn the_shards_together_are_exactly_the_scenario(
            producers in prop::collection::vec(1u32..20, 1..4),
            consumers in prop::collection::vec(1u32..20, 0..4),
            count in 1u32..12,
        ) {
            let s = scenario(&producers, &consumers);
            let splits: Vec<Vec<FleetShare>> =
                (0..count).map(|index| split(&s, Shard { index, count })).collect();
            let fleets = producers.len() + consumers.len();
            let mut per_shard = Vec::new();
            for f in 0..fleets {
                let mut seen: Vec<u32> = splits.iter().flat_map(|sp| sp[f].tasks.clone()).collect();
                seen.sort();
                let of = splits[0][f].of;
                prop_assert_eq!(seen, (0..of).collect::<Vec<_>>());
                let fraction: f64 = splits.iter().map(|sp| sp[f].fraction()).sum();
                prop_assert!((fraction - 1.0).abs() < 1e-9);
            }
            for sp in &splits {
                per_shard.push(sp.iter().map(|f| f.tasks.len()).sum::<usize>());
            }
            let (min, max) = (per_shard.iter().min().unwrap(), per_shard.iter().max().unwrap());
            prop_assert!(max - min <= 1, "{:?}", per_shard);
        }
    }
}
