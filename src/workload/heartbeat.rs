//! How far a visibility heartbeat may extend a message: `extend_by` from now, but never past
//! SQS's ceiling of 12 hours from the receive (a ChangeMessageVisibility beyond it is refused).
//! At the ceiling the heartbeat stops and the message becomes visible again when the last
//! extension runs out, as it would on SQS. Pure: no clock, no I/O.

use std::time::Duration;

use crate::scenario::VISIBILITY_CEILING;

/// The VisibilityTimeout (whole seconds) to set `since_receive` after the receive, or None
/// when the message has reached the ceiling.
pub(crate) fn extension(since_receive: Duration, extend_by: Duration) -> Option<u32> {
    let left = VISIBILITY_CEILING.saturating_sub(since_receive);
    let seconds = extend_by.min(left).as_secs() as u32;
    (seconds > 0).then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn an_extension_stops_at_twelve_hours_from_the_receive() {
        assert_eq!(extension(20 * S, 30 * S), Some(30));
        assert_eq!(extension(43_200 * S - 10 * S, 30 * S), Some(10));
        assert_eq!(extension(Duration::from_millis(43_199_500), 30 * S), None);
        assert_eq!(extension(43_200 * S, 30 * S), None);
        assert_eq!(extension(50_000 * S, 30 * S), None);
    }
}
