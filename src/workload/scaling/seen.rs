//! What a scaling policy sees of its queue. A leaf: the policies and the runtime that feeds
//! them share it.

/// The approximate counts the queue reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    /// ApproximateNumberOfMessages (visible).
    pub visible: u64,
    /// ApproximateNumberOfMessagesNotVisible (in flight).
    pub in_flight: u64,
}
