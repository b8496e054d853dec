//! "Did you mean …?" for a mistyped name: the closest known name, by Levenshtein distance
//! (`strsim`), within a tolerance that grows with the name's length. One rule for the whole
//! workspace: scenario keys, the emulator's settings and compare paths. A leaf.

/// The known name closest to `typed`, if any is close enough to be a likely typo: at most one
/// edit per six characters typed, plus one, and never more than three.
pub fn closest<'k>(typed: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let tolerance = (1 + typed.chars().count() / 6).min(3);
    known
        .into_iter()
        .map(|k| (strsim::levenshtein(typed, k), k))
        .filter(|(distance, _)| *distance <= tolerance)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// The message for a key nobody reads: the likely one, then every key known in its table.
pub fn unknown_key(key: &str, known: &[&str]) -> String {
    let hint = closest(key, known.iter().copied())
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default();
    format!("unknown key{hint}; known keys here: {}", known.join(", "))
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn close_names_are_suggested_and_far_ones_are_not() {
        let keys = ["duration", "warmup", "drain_timeout"];
        assert_eq!(closest("duraton", keys), Some("duration"));
        assert_eq!(closest("warmpu", keys), Some("warmup"));
        assert_eq!(closest("colour", keys), None);
        let paths = ["throughput.received_per_sec", "throughput.sent_per_sec"];
        assert_eq!(
            closest("throughput.recieved_per_sec", paths),
            Some("throughput.received_per_sec")
        );
        assert_eq!(closest("x", ["y", "xy"]), Some("y"));
    }
}
