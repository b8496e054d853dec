//! The rule every batch action shares (SQS's SendMessageBatch, DeleteMessageBatch and
//! ChangeMessageVisibilityBatch, SNS's PublishBatch): one to ten entries, each id of letters,
//! digits, hyphens and underscores and at most 80 long, no id twice. Written once; each service
//! maps a `BatchProblem` to its own codes and wording. Ids follow the `names` rule. Depends on
//! that rule only.

use crate::names;

/// The most entries a batch may have, in every service.
pub(crate) const MAX_ENTRIES: usize = 10;

/// What is wrong with a batch's entry ids, the first problem found in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BatchProblem<'a> {
    Empty,
    /// More than `MAX_ENTRIES`: how many there were.
    TooMany(usize),
    InvalidId,
    /// The first id that repeats an earlier one.
    NotDistinct(&'a str),
}

/// Checks the entry ids of one batch.
pub(crate) fn check_entry_ids<'a>(ids: &[&'a str]) -> Result<(), BatchProblem<'a>> {
    if ids.is_empty() {
        return Err(BatchProblem::Empty);
    }
    if ids.len() > MAX_ENTRIES {
        return Err(BatchProblem::TooMany(ids.len()));
    }
    if !ids.iter().all(|id| names::is_word(id, names::ID_MAX)) {
        return Err(BatchProblem::InvalidId);
    }
    // At most ten ids: comparing pairs is cheaper than hashing them.
    match ids
        .iter()
        .enumerate()
        .find_map(|(i, id)| ids[..i].contains(id).then_some(*id))
    {
        Some(repeated) => Err(BatchProblem::NotDistinct(repeated)),
        None => Ok(()),
    }
}

/// The wording both services use for an invalid id.
pub(crate) const INVALID_ID_MESSAGE: &str = "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_in_its_order() {
        assert_eq!(check_entry_ids(&["a", "b-1", "C_2"]), Ok(()));
        assert_eq!(check_entry_ids(&[]), Err(BatchProblem::Empty));
        assert_eq!(
            check_entry_ids(&["a"; 11]),
            Err(BatchProblem::TooMany(11)),
            "too many is found before the repeats"
        );
        assert_eq!(check_entry_ids(&["a b"]), Err(BatchProblem::InvalidId));
        assert_eq!(check_entry_ids(&[""]), Err(BatchProblem::InvalidId));
        let long = "x".repeat(81);
        assert_eq!(check_entry_ids(&[&long]), Err(BatchProblem::InvalidId));
        assert_eq!(check_entry_ids(&[&long[..80]]), Ok(()));
        assert_eq!(
            check_entry_ids(&["a", "b", "a", "b"]),
            Err(BatchProblem::NotDistinct("a"))
        );
    }
}
