//! A run's shape, decided once before anything is made: the traffic goes to one queue, fans
//! out through a router (an SNS topic or an EventBridge bus) to a queue per subscription or
//! rule, or is one shard of a distributed queue run. The combinations not supported are refused here, and every later
//! step reads the shape instead of asking the scenario again.
//!
//! Depends on `scenario` and the shard's place (`workload::shard`) only.

use super::distributed::Distributed;
use crate::scenario::{Fanout, Scenario};
use crate::workload::shard::Shard;

#[derive(Debug, Clone, Copy)]
pub enum Shape<'s> {
    /// One queue (and its dead-letter queue), or `[[queues]]`' many, the whole run in this
    /// process.
    Queue,
    /// Publishers to a topic or bus, a queue and consumer fleet per subscription or rule.
    Fanout(&'s Fanout),
    /// This process's part of a queue run split across processes (`--shard I/N`, N > 1).
    Shard(Shard),
}

impl<'s> Shape<'s> {
    /// The shape of `scenario` run as `distributed` says, or why it cannot run.
    pub fn of(scenario: &'s Scenario, distributed: &Distributed) -> anyhow::Result<Shape<'s>> {
        if !scenario.sweep.is_empty() {
            anyhow::bail!(
                "run::execute runs one variant; a scenario with [sweep] goes through series::execute (as `sqsbench run` does)"
            );
        }
        let shard = distributed.shard;
        if !scenario.queues.is_empty() && shard.count > 1 {
            anyhow::bail!(
                "a scenario of many queues ([[queues]]) runs on one machine for now; --shard is not supported with it"
            );
        }
        if let Some(c) = scenario.consumers.iter().find(|c| c.scaling.is_some())
            && shard.count > 1
        {
            anyhow::bail!(
                "consumer fleet {:?} scales (scaling = {{ policy = ... }}), and each shard would scale its part on its own; --shard is not supported with scaling",
                c.name
            );
        }
        match (&scenario.fanout, shard.count > 1) {
            (Some(_), true) => anyhow::bail!(
                "a fan-out scenario ([topic] or [event_bus]) runs on one machine for now; --shard is not supported with it"
            ),
            (Some(fanout), false) => Ok(Shape::Fanout(fanout)),
            (None, true) => Ok(Shape::Shard(shard)),
            (None, false) => Ok(Shape::Queue),
        }
    }

    /// The tasks this process runs: all of them, unless a shard.
    pub fn shard(self) -> Shard {
        match self {
            Shape::Shard(shard) => shard,
            _ => Shard::ALL,
        }
    }

    /// One shard of several: the queues are shared, and `merge` judges the whole.
    pub fn sharded(self) -> bool {
        matches!(self, Shape::Shard(_))
    }

    pub fn fanout(self) -> Option<&'s Fanout> {
        match self {
            Shape::Fanout(fanout) => Some(fanout),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validate::scenario_from_text;

    fn shape_of(text: &str, shard: &str) -> Result<&'static str, String> {
        let scenario = scenario_from_text(text, &[]).unwrap();
        let distributed = Distributed {
            shard: shard.parse().unwrap(),
            ..Distributed::default()
        };
        Shape::of(&scenario, &distributed)
            .map(|s| match s {
                Shape::Queue => "queue",
                Shape::Fanout(_) => "fanout",
                Shape::Shard(_) => "shard",
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn each_shape_and_the_combinations_refused() {
        let queue = "name = \"q\"\n[[producers]]\nrate = \"1/s\"\n";
        let fanout = "name = \"f\"\n[topic]\n[[publishers]]\nrate = \"1/s\"\n[[subscriptions]]\nname = \"a\"\n";
        let sweep = format!("{queue}[sweep]\n\"producers.batch_size\" = [1, 10]\n");
        assert_eq!(shape_of(queue, "0/1"), Ok("queue"));
        assert_eq!(shape_of(queue, "1/2"), Ok("shard"));
        assert_eq!(shape_of(fanout, "0/1"), Ok("fanout"));
        assert!(
            shape_of(fanout, "0/2")
                .unwrap_err()
                .contains("--shard is not supported")
        );
        assert!(shape_of(&sweep, "0/1").unwrap_err().contains("[sweep]"));
        let many = "name = \"m\"\n[[queues]]\nname = \"t-{i}\"\ncount = 2\n[[producers]]\nrate = \"1/s\"\n";
        assert_eq!(shape_of(many, "0/1"), Ok("queue"));
        assert!(shape_of(many, "1/2").unwrap_err().contains("[[queues]]"));
        let scaled = "name = \"s\"\n[[producers]]\nrate = \"1/s\"\n[[consumers]]\nscaling = { policy = \"keda\" }\n";
        assert!(
            shape_of(scaled, "1/2")
                .unwrap_err()
                .contains("--shard is not supported with scaling")
        );
        assert!(shape_of(scaled, "0/1").is_ok());
    }
}
