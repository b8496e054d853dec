//! "Did you mean …?" for a mistyped name: the closest known name, by Levenshtein distance
//! (`strsim`), within a tolerance that grows with the name's length. One rule for the whole
//! crate: scenario keys, emulator settings and compare paths. Depends only on the emulator's
//! setting errors.

/// The known name closest to `typed`, if any is close enough to be a likely typo: at most one
/// edit per six characters typed, plus one, and never more than three.
pub(crate) fn closest<'k>(
    typed: &str,
    known: impl IntoIterator<Item = &'k str>,
) -> Option<&'k str> {
    let tolerance = (1 + typed.chars().count() / 6).min(3);
    known
        .into_iter()
        .map(|k| (strsim::levenshtein(typed, k), k))
        .filter(|(distance, _)| *distance <= tolerance)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// The message for a key nobody reads: the likely one, then every key known in its table.
pub(crate) fn unknown_key(key: &str, known: &[&str]) -> String {
    let hint = closest(key, known.iter().copied())
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default();
    format!("unknown key{hint}; known keys here: {}", known.join(", "))
}

/// The message for an emulator setting's problem: an unknown key gets the did-you-mean the
/// emulator cannot give (it knows nothing of this crate); anything else is its own message.
pub(crate) fn setting_message(e: &sqsbench_emulator::settings::SettingError) -> String {
    match &e.known {
        Some(known) => unknown_key(e.path.rsplit('.').next().unwrap_or(&e.path), known),
        None => e.message.clone(),
    }
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
