//! Per-fleet recording: every producer and consumer fleet of a run has an index (producers
//! first, in file order, then consumers), every producer id maps to its fleet, and a recorder
//! keeps each fleet's counters and end-to-end histogram beside the run's totals. A delivery is
//! credited twice: to the consumer fleet that received it and to the producer fleet that sent
//! it, so "how fast are fleet A's messages delivered" and "how fast does fleet B consume" are
//! both answered. Depends on the scenario for names only.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::latency::{HIGHEST_US, new_histogram};
use crate::scenario::Scenario;

/// A fleet's place in a run's list (producers first, then consumers).
pub type FleetIndex = u16;

/// Whether a fleet sends or receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Producer,
    Consumer,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Producer => "producer",
            Role::Consumer => "consumer",
        }
    }
}

/// One fleet as results name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetName {
    pub name: String,
    pub role: Role,
}

/// A run's fleets: their names by index, and the fleet of each producer id.
#[derive(Debug, Clone, Default)]
pub struct FleetMap {
    pub fleets: Vec<FleetName>,
    /// Indexed by producer id (ids are given out fleet by fleet, in file order).
    producer_fleet: Vec<FleetIndex>,
    producer_fleets: usize,
}

impl FleetMap {
    pub fn of(scenario: &Scenario) -> FleetMap {
        let producers = scenario.producers.iter().map(|f| (&f.name, Role::Producer));
        let consumers = scenario.consumers.iter().map(|f| (&f.name, Role::Consumer));
        let fleets = producers
            .chain(consumers)
            .map(|(name, role)| FleetName {
                name: name.clone(),
                role,
            })
            .collect();
        let producer_fleet = scenario
            .producers
            .iter()
            .enumerate()
            .flat_map(|(i, f)| std::iter::repeat_n(i as FleetIndex, f.count as usize))
            .collect();
        FleetMap {
            fleets,
            producer_fleet,
            producer_fleets: scenario.producers.len(),
        }
    }

    /// The fleet that owns producer `id`, if it is one of this run's.
    #[inline]
    pub fn of_producer(&self, id: u32) -> Option<FleetIndex> {
        self.producer_fleet.get(id as usize).copied()
    }

    /// The index of the scenario's `k`th producer fleet.
    pub fn producer(&self, k: usize) -> FleetIndex {
        k as FleetIndex
    }

    /// The index of the scenario's `k`th consumer fleet.
    pub fn consumer(&self, k: usize) -> FleetIndex {
        (self.producer_fleets + k) as FleetIndex
    }
}

/// One fleet's counters; like the run's, `sent`, `send_failed` and `received` count
/// measured-phase messages and the `_all` ones every phase (the timeline).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FleetCounters {
    pub sent: u64,
    pub send_failed: u64,
    pub received: u64,
    pub sent_all: u64,
    pub received_all: u64,
}

impl FleetCounters {
    pub fn add(&mut self, o: &FleetCounters) {
        let FleetCounters {
            sent,
            send_failed,
            received,
            sent_all,
            received_all,
        } = o;
        self.sent += sent;
        self.send_failed += send_failed;
        self.received += received;
        self.sent_all += sent_all;
        self.received_all += received_all;
    }
}

/// What one fleet recorded. The histogram is made on the first delivery, so a producer fleet's
/// record on a thread that never received costs no histogram.
#[derive(Clone, Default)]
pub struct FleetRecord {
    pub counters: FleetCounters,
    end_to_end: Option<Histogram<u64>>,
}

impl FleetRecord {
    /// One measured delivery's end-to-end latency (from the intended send time).
    #[inline]
    pub fn end_to_end(&mut self, micros: u64) {
        self.end_to_end
            .get_or_insert_with(new_histogram)
            .saturating_record(micros.clamp(1, HIGHEST_US));
    }

    pub fn end_to_end_histogram(&self) -> Option<&Histogram<u64>> {
        self.end_to_end.as_ref()
    }

    pub fn merge(&mut self, other: &FleetRecord) {
        self.counters.add(&other.counters);
        if let Some(h) = &other.end_to_end {
            self.end_to_end
                .get_or_insert_with(new_histogram)
                .add(h)
                .expect("every latency histogram has the same bounds, so addition cannot fail");
        }
    }
}

/// Every fleet's record, by index.
#[derive(Clone, Default)]
pub struct FleetRecords(Vec<FleetRecord>);

impl FleetRecords {
    #[inline]
    pub fn get_mut(&mut self, fleet: FleetIndex) -> &mut FleetRecord {
        let i = fleet as usize;
        if i >= self.0.len() {
            self.0.resize_with(i + 1, FleetRecord::default);
        }
        &mut self.0[i]
    }

    /// The fleet's record, or an empty one when it recorded nothing.
    pub fn get(&self, fleet: FleetIndex) -> &FleetRecord {
        static NOTHING: FleetRecord = FleetRecord {
            counters: FleetCounters {
                sent: 0,
                send_failed: 0,
                received: 0,
                sent_all: 0,
                received_all: 0,
            },
            end_to_end: None,
        };
        self.0.get(fleet as usize).unwrap_or(&NOTHING)
    }

    pub fn merge(&mut self, other: &FleetRecords) {
        for (i, record) in other.0.iter().enumerate() {
            self.get_mut(i as FleetIndex).merge(record);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validate::scenario_from_text;

    #[test]
    fn fleets_are_indexed_producers_first_and_producer_ids_map_to_their_fleet() {
        let scenario = scenario_from_text(
            r#"name = "two-by-two"
[run]
duration = "1s"
[[producers]]
name = "small"
count = 2
rate = "10/s"
[[producers]]
name = "large"
count = 3
rate = "10/s"
[[consumers]]
name = "fast"
[[consumers]]
count = 2
"#,
            &[],
        )
        .unwrap();
        let map = FleetMap::of(&scenario);
        let names: Vec<(&str, Role)> = map
            .fleets
            .iter()
            .map(|f| (f.name.as_str(), f.role))
            .collect();
        assert_eq!(
            names,
            [
                ("small", Role::Producer),
                ("large", Role::Producer),
                ("fast", Role::Consumer),
                ("consumers-1", Role::Consumer)
            ]
        );
        let owners: Vec<Option<FleetIndex>> = (0..6).map(|id| map.of_producer(id)).collect();
        assert_eq!(owners, [Some(0), Some(0), Some(1), Some(1), Some(1), None]);
        assert_eq!((map.consumer(0), map.consumer(1)), (2, 3));
    }

    #[test]
    fn records_merge_by_index_and_make_histograms_only_when_used() {
        let mut a = FleetRecords::default();
        a.get_mut(0).counters.sent += 3;
        let mut b = FleetRecords::default();
        b.get_mut(2).end_to_end(1_500);
        b.get_mut(2).counters.received += 1;
        b.get_mut(0).counters.sent += 1;
        a.merge(&b);
        assert_eq!(a.get(0).counters.sent, 4);
        assert!(a.get(0).end_to_end_histogram().is_none());
        assert!(a.get(1).end_to_end_histogram().is_none(), "grown, not used");
        let h = a.get(2);
        assert_eq!(h.end_to_end_histogram().map(|h| h.len()), Some(1));
        assert_eq!(
            a.get(9).counters,
            FleetCounters::default(),
            "never recorded"
        );
    }
}
