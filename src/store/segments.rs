//! A results directory's streamed files in object storage: which files grow as a run goes,
//! how much of a growing file may be sent (whole lines, whole ledger frames), each segment's
//! key, and the segments put back in order, refusing a gap.
//!
//! Pure: no I/O. Depends on `report::results_dir` (the files' names) and the ledger journal's
//! frame format.

use crate::measure::ledger::journal;
use crate::report::results_dir::File;

/// The folder, beside a results directory's files, that holds the segments.
pub const FOLDER: &str = "segments";

/// The files a run appends to as it goes: uploaded in segments while it runs.
const STREAMED: [File; 5] = [
    File::Timeseries,
    File::TimeseriesFleets,
    File::TimeseriesQueues,
    File::Histograms,
    File::Ledger,
];

/// Written before any traffic and never again: uploaded once at the start, so that a shard
/// killed mid-run is still recognised (its identity, its scenario).
const AT_START: [File; 2] = [File::Shard, File::Scenario];

pub fn streamed(name: &str) -> bool {
    STREAMED.iter().any(|f| f.name() == name)
}

pub fn at_start(name: &str) -> bool {
    AT_START.iter().any(|f| f.name() == name)
}

/// How many bytes of `tail` — the file `name` from `offset`, where an earlier segment ended —
/// can be sent now: up to its last whole line, or for the ledger journal its last whole frame.
pub fn sendable(name: &str, tail: &[u8], offset: u64) -> usize {
    if name == File::Ledger.name() {
        journal::whole_frames_len(tail, offset == 0)
    } else {
        tail.iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |at| at + 1)
    }
}

/// The key, inside the directory, of the segment of file `rel` that starts at `offset`: the
/// offset in the name, zero-padded, so the segments list in order and a gap shows.
pub fn key(rel: &str, offset: u64) -> String {
    format!("{FOLDER}/{rel}/{offset:020}")
}

/// A key inside the directory as (file, offset), if it is a segment's.
pub fn parse(rel_key: &str) -> Option<(&str, u64)> {
    let (file, offset) = rel_key
        .strip_prefix(FOLDER)?
        .strip_prefix('/')?
        .rsplit_once('/')?;
    let digits = offset.len() == 20 && offset.bytes().all(|b| b.is_ascii_digit());
    if !digits || file.is_empty() {
        return None;
    }
    Some((file, offset.parse().ok()?))
}

/// One segment as listed: where it starts in its file, and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub key: String,
    pub offset: u64,
    pub size: u64,
}

/// The segments of one file in order; each must start where the one before it ended, from 0.
pub fn in_order(mut parts: Vec<Segment>) -> Result<Vec<Segment>, String> {
    parts.sort_by_key(|s| s.offset);
    let mut end = 0;
    for s in &parts {
        if s.offset != end {
            return Err(format!(
                "{} starts at byte {}, but the segments before it end at byte {end}: a segment is missing",
                s.key, s.offset
            ));
        }
        end = s.offset + s.size;
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_is_sent_in_whole_lines() {
        assert_eq!(sendable("timeseries.csv", b"a,b\n1,2\n3,", 0), 8);
        assert_eq!(sendable("timeseries.csv", b"3,", 8), 0);
        assert_eq!(sendable("histograms.hlog", b"x\n", 5), 2);
        assert!(streamed("ledger.bin") && streamed("timeseries-queues.csv"));
        assert!(!streamed("summary.json") && at_start("shard.json"));
    }

    #[test]
    fn segment_keys_name_their_file_and_offset() {
        let k = key("repeat-2/timeseries.csv", 1234);
        assert_eq!(k, "segments/repeat-2/timeseries.csv/00000000000000001234");
        assert_eq!(parse(&k), Some(("repeat-2/timeseries.csv", 1234)));
        assert_eq!(parse("segments/x/12"), None);
        assert_eq!(parse("summary.json"), None);
        assert_eq!(parse("segments//00000000000000000000"), None);
    }

    #[test]
    fn a_missing_segment_is_named() {
        let seg = |offset, size| Segment {
            key: key("ledger.bin", offset),
            offset,
            size,
        };
        assert_eq!(in_order(vec![seg(5, 3), seg(0, 5)]).unwrap().len(), 2);
        let e = in_order(vec![seg(0, 5), seg(9, 1)]).unwrap_err();
        assert!(
            e.contains("00000000000000000009") && e.contains("end at byte 5"),
            "{e}"
        );
        assert!(in_order(vec![seg(3, 1)]).is_err());
    }

    proptest! {
        /// Text written in any pieces and read at any moments: what is sent is whole lines,
        /// and at the end, all of it, in order.
        #[test]
        fn lines_sent_as_they_grow_add_up_to_the_file(
            lines in proptest::collection::vec("[a-z0-9,]{0,12}", 0..20),
            moments in proptest::collection::vec(any::<proptest::sample::Index>(), 0..6),
        ) {
            let file: Vec<u8> = lines.iter().flat_map(|l| format!("{l}\n").into_bytes()).collect();
            let mut at: Vec<usize> = moments.iter().map(|i| i.index(file.len() + 1)).collect();
            at.sort_unstable();
            at.push(file.len());
            let (mut sent, mut parts) = (0usize, Vec::new());
            for written in at {
                let n = sendable("timeseries.csv", &file[sent..written.max(sent)], sent as u64);
                prop_assert!(n == 0 || file[sent + n - 1] == b'\n');
                parts.push(Segment { key: key("timeseries.csv", sent as u64), offset: sent as u64, size: n as u64 });
                sent += n;
            }
            prop_assert_eq!(sent, file.len());
            parts.retain(|s| s.size > 0);
            prop_assert!(in_order(parts).is_ok());
        }
    }
}
