//! Many queues in one run: the `[[queues]]` entries (one queue each, or a set of `count` queues
//! named from a `{i}` pattern), which queues a fleet's `queue` key binds it to, and how a
//! producer fleet spreads its sends over them (evenly, `weights`, or `skew = { zipf = s }`).
//! Must not depend on anything outside `scenario`.

use std::ops::Range;

use super::sections::{ProducerFleet, QueueSpec};
use super::shares::Skew;

pub use super::shares::MAX_QUEUES;

/// Where each queue's number goes in a set's name.
pub const INDEX: &str = "{i}";

/// One `[[queues]]` entry: the `[queue]` keys, with `name` a pattern when `count` is set.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueDecl {
    /// `name` is the pattern (`tenant-{i}`, `.fifo` appended for FIFO) in a set.
    pub spec: QueueSpec,
    /// A set of this many queues, `{i}` from 0; `None`: one queue.
    pub count: Option<u32>,
}

impl QueueDecl {
    /// How many queues the entry makes (1 unless a set).
    #[allow(clippy::len_without_is_empty)] // an entry always makes at least one queue
    pub fn len(&self) -> usize {
        self.count.map_or(1, |c| c as usize)
    }

    /// The `i`th queue's name.
    pub fn name_of(&self, i: usize) -> String {
        match self.count {
            Some(_) => self.spec.name.replace(INDEX, &i.to_string()),
            None => self.spec.name.clone(),
        }
    }

    /// Every queue of the entry, in order.
    pub fn specs(&self) -> impl Iterator<Item = QueueSpec> + '_ {
        (0..self.len()).map(|i| QueueSpec {
            name: self.name_of(i),
            ..self.spec.clone()
        })
    }
}

/// Every queue of `decls`, in order: a lane per queue.
pub fn expand(decls: &[QueueDecl]) -> Vec<QueueSpec> {
    decls.iter().flat_map(QueueDecl::specs).collect()
}

/// The lanes (places in `expand`) of the entry named `name` (its pattern for a set), or of the
/// only entry when `name` is `None`.
pub fn lanes_of(decls: &[QueueDecl], name: Option<&str>) -> Option<Range<usize>> {
    let mut start = 0;
    for d in decls {
        let named = match name {
            Some(n) => written_name(&d.spec.name) == written_name(n),
            None => decls.len() == 1,
        };
        if named {
            return Some(start..start + d.len());
        }
        start += d.len();
    }
    None
}

/// A name as a fleet may write it: `.fifo` may be left off.
fn written_name(name: &str) -> &str {
    name.strip_suffix(".fifo").unwrap_or(name)
}

impl ProducerFleet {
    /// Each of `queues` queues' share of the fleet's sends (not normalised): even, `weights`, or
    /// Zipf-skewed (the first queue the hottest).
    pub fn shares(&self, queues: usize) -> Vec<f64> {
        if let Some(w) = &self.weights {
            return w.clone();
        }
        match self.skew {
            Some(Skew::Zipf(s)) => (1..=queues).map(|k| 1.0 / (k as f64).powf(s)).collect(),
            None => vec![1.0; queues],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validate::scenario_from_text;

    #[test]
    fn sets_expand_in_order_and_fleets_find_their_lanes() {
        let s = scenario_from_text(
            "name = \"m\"\n[[queues]]\nname = \"hot\"\n[[queues]]\nname = \"tenant-{i}\"\ncount = 3\n\
             [[producers]]\nqueue = \"tenant-{i}\"\nrate = \"1/s\"\nskew = { zipf = 1 }\n\
             [[consumers]]\nqueue = \"hot\"\n",
            &[],
        )
        .unwrap();
        let names: Vec<String> = expand(&s.queues).into_iter().map(|q| q.name).collect();
        assert_eq!(names, ["hot", "tenant-0", "tenant-1", "tenant-2"]);
        assert_eq!(lanes_of(&s.queues, Some("tenant-{i}")), Some(1..4));
        assert_eq!(lanes_of(&s.queues, Some("hot")), Some(0..1));
        assert_eq!(
            lanes_of(&s.queues, None),
            None,
            "two entries: a fleet names one"
        );
        assert_eq!(s.producers[0].shares(3), [1.0, 0.5, 1.0 / 3.0]);
        let resolved = crate::scenario::render::to_toml(&s);
        assert_eq!(
            scenario_from_text(&resolved, &[]).as_ref(),
            Ok(&s),
            "{resolved}"
        );
    }
}
