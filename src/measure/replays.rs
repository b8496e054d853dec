//! Events an EventBridge archive replayed into a rule's queue, counted by replay name apart from
//! the run's deliveries: a replay sends events again on purpose, so they are neither duplicates
//! nor leaks. Shared by the rule's consumers; touched only for replayed events, so a plain lock
//! is no hot path. Depends on nothing outside `measure`.

use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct Replays(Mutex<BTreeMap<String, u64>>);

impl Replays {
    /// One delivery of an event replay `name` sent.
    pub fn record(&self, name: &str) {
        let mut by_name = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match by_name.get_mut(name) {
            Some(n) => *n += 1,
            None => {
                by_name.insert(name.to_string(), 1);
            }
        }
    }

    /// Deliveries per replay name.
    pub fn counted(&self) -> BTreeMap<String, u64> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replayed_deliveries_are_counted_by_name() {
        let replays = Replays::default();
        for name in ["a", "b", "a"] {
            replays.record(name);
        }
        assert_eq!(
            replays.counted(),
            BTreeMap::from([("a".to_string(), 2), ("b".to_string(), 1)])
        );
    }
}
