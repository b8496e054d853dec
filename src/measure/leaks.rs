//! Leaks of a fan-out subscription: measured messages that reached the subscription's queue
//! although its filter policy should have stopped them (the harness judges that on the
//! attributes it published). Shared by the subscription's consumers; touched only when a
//! message leaks, so a plain lock is no hot path. Depends on nothing outside `measure`.

use std::sync::Mutex;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::ledger::{EXAMPLE_LIMIT, Example};

/// What `Leaks` found: distinct messages, every delivery of them, the first examples.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaked {
    /// Distinct messages that leaked through.
    pub count: u64,
    /// Their deliveries, redeliveries and duplicates included.
    pub deliveries: u64,
    pub examples: Vec<Example>,
}

#[derive(Debug, Default)]
pub struct Leaks(Mutex<(FxHashSet<(u32, u64)>, Leaked)>);

impl Leaks {
    /// One delivery of a message the filter should have stopped.
    pub fn record(&self, example: Example) {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (seen, leaked) = &mut *guard;
        leaked.deliveries += 1;
        if seen.insert((example.producer, example.sequence)) {
            leaked.count += 1;
            if leaked.examples.len() < EXAMPLE_LIMIT {
                leaked.examples.push(example);
            }
        }
    }

    pub fn leaked(&self) -> Leaked {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).1.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_leaks_once_however_often_it_is_delivered() {
        let leaks = Leaks::default();
        let example = |sequence| Example {
            producer: 1,
            sequence,
            ..Example::default()
        };
        for s in [3, 3, 4, 3] {
            leaks.record(example(s));
        }
        let leaked = leaks.leaked();
        assert_eq!((leaked.count, leaked.deliveries), (2, 4));
        assert_eq!(leaked.examples, [example(3), example(4)]);
    }
}
