//! A shard that stopped without finishing after uploading its ledger journal in segments
//! (`run --out s3://`): its receives after the last segment are unknown. Its window runs from
//! the first second its journal lacks to two upload intervals later — a live shard would have
//! uploaded another segment by then, so it had stopped. Acknowledged messages that no shard
//! received and that were sent before the latest window's end may have gone to it: they are
//! unknown, not lost. "Sent before" is read per producer as a sequence no higher than the
//! highest the producer had acknowledged in a journal frame before that second (sequences rise
//! with time), which can only widen the unknown, never call an unknown message lost.
//!
//! Pure: the shards' records and the ledgers' frames in, the windows and a count out.

use std::collections::BTreeMap;

use crate::measure::ledger::Ledger;
use crate::measure::shards::UnknownWindow;
use crate::report::shard_file::{ShardFile, parse_start_at};

/// Per producer, the highest sequence acknowledged by each second (rising).
#[derive(Default)]
pub(super) struct Acks {
    by_producer: BTreeMap<u32, Vec<(u64, u64)>>,
}

impl Acks {
    /// Notes a journal frame: the events of `second` (counted from the run's start).
    pub(super) fn add(&mut self, second: u64, frame: &Ledger) {
        for (producer, highest) in frame.highest_sent() {
            self.by_producer
                .entry(producer)
                .or_default()
                .push((second, highest));
        }
    }

    /// Each producer's highest sequence acknowledged in a second before `end`.
    pub(super) fn bounds(&self, end: u64) -> BTreeMap<u32, u64> {
        self.by_producer
            .iter()
            .filter_map(|(producer, seconds)| {
                let highest = seconds
                    .iter()
                    .filter(|(second, _)| *second < end)
                    .map(|(_, h)| *h)
                    .max()?;
                Some((*producer, highest))
            })
            .collect()
    }
}

/// Where a shard's journal frames sit among the run's seconds: a shard that started late
/// (within the grace) counts its first frame from when it began sending.
pub(super) fn first_second(record: &ShardFile) -> u64 {
    let began = parse_start_at(&record.started_sending_at);
    let start = record.start_at.as_deref().map(parse_start_at);
    match (began, start) {
        (Ok(began), Some(Ok(start))) => {
            began.duration_since(start).map_or(0, |late| late.as_secs())
        }
        _ => 0,
    }
}

/// The window of a shard that did not finish and uploaded in segments every `every` seconds,
/// whose journal holds `frames` seconds; none for a finished shard or a local one (its journal
/// is written every second to the disk the merge reads).
pub(super) fn window(record: &ShardFile, finished: bool, frames: u64) -> Option<UnknownWindow> {
    let every = record.segments_every_seconds.filter(|_| !finished)?;
    let from_second = first_second(record) + frames;
    Some(UnknownWindow {
        shard: record.shard.index,
        from_second,
        to_second: from_second + (2.0 * every).ceil() as u64,
    })
}

/// The acknowledged messages no shard received that the windows leave unknown, and the
/// bounds that picked them (for the examples).
pub(super) fn unknown(
    ledger: &Ledger,
    acks: &Acks,
    windows: &[UnknownWindow],
) -> (u64, BTreeMap<u32, u64>) {
    let Some(end) = windows.iter().map(|w| w.to_second).max() else {
        return (0, BTreeMap::new());
    };
    let bounds = acks.bounds(end);
    (ledger.unreceived_up_to(&bounds), bounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::shard_file::{HistogramSettings, Place, SCHEMA_VERSION};

    fn record(index: u32, every: Option<f64>, began: &str) -> ShardFile {
        ShardFile {
            schema_version: SCHEMA_VERSION,
            run_id: "r".into(),
            payload_run_id: "0".into(),
            shard: Place { index, count: 2 },
            scenario_sha256: String::new(),
            histograms: HistogramSettings::ours(),
            start_at: Some("2026-12-01T10:00:00Z".into()),
            started_sending_at: began.into(),
            ledger: "ledger.bin".into(),
            segments_every_seconds: every,
        }
    }

    #[test]
    fn a_stopped_shard_that_uploaded_in_segments_has_a_window() {
        let late = record(1, Some(2.5), "2026-12-01T10:00:03Z");
        let w = window(&late, false, 7).unwrap();
        assert_eq!((w.shard, w.from_second, w.to_second), (1, 10, 15));
        assert!(window(&late, true, 7).is_none(), "it finished");
        let local = record(0, None, "2026-12-01T10:00:00Z");
        assert!(
            window(&local, false, 7).is_none(),
            "its journal was on the disk"
        );
    }

    #[test]
    fn unreceived_messages_sent_before_the_window_ends_are_unknown_the_rest_lost() {
        let frame = |producer, sequences: &[u64]| {
            let mut l = Ledger::new(false);
            l.record_sent(producer, sequences);
            l
        };
        let mut acks = Acks::default();
        let mut ledger = Ledger::new(false);
        for (second, part) in [
            (0, frame(0, &[0, 1])),
            (1, frame(0, &[2, 3])),
            (5, frame(0, &[4, 5])),
        ] {
            acks.add(second, &part);
            ledger.absorb(part);
        }
        ledger.recount();
        let none = unknown(&ledger, &acks, &[]);
        assert_eq!(none.0, 0);
        let w = UnknownWindow {
            shard: 1,
            from_second: 1,
            to_second: 3,
        };
        let (count, bounds) = unknown(&ledger, &acks, &[w]);
        // Nothing was received: 0-3 were sent before second 3 (unknown), 4 and 5 after (lost).
        assert_eq!((count, bounds.get(&0).copied()), (4, Some(3)));
        assert_eq!(ledger.tally().lost - count, 2);
    }
}
