//! What production-like consumers did besides receiving and deleting: tasks that crashed
//! mid-batch (the measured messages they left, the redeliveries those caused) and visibility
//! heartbeats (calls, messages extended, heartbeats stopped by SQS's 12-hour ceiling). A plain
//! sum, so shards add up; every field is named in `add`, so a new one cannot be forgotten.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerEvents {
    /// Batches a task crashed on (each crash takes down one task for `restart_delay`).
    pub crashes: u64,
    /// Measured messages in those batches, left undeleted with their visibility unchanged.
    pub crashed_messages: u64,
    /// Deliveries of measured messages a crash had left (ApproximateReceiveCount > 1): the
    /// duplicate cause `crash`.
    pub crash_redeliveries: u64,
    /// ChangeMessageVisibilityBatch calls the heartbeats made.
    pub heartbeats: u64,
    /// Messages whose visibility a heartbeat extended.
    pub extended: u64,
    /// Heartbeats not made because the messages had reached SQS's 12-hour visibility ceiling.
    pub at_ceiling: u64,
}

impl ConsumerEvents {
    pub fn add(&mut self, o: &ConsumerEvents) {
        let ConsumerEvents {
            crashes,
            crashed_messages,
            crash_redeliveries,
            heartbeats,
            extended,
            at_ceiling,
        } = o;
        self.crashes += crashes;
        self.crashed_messages += crashed_messages;
        self.crash_redeliveries += crash_redeliveries;
        self.heartbeats += heartbeats;
        self.extended += extended;
        self.at_ceiling += at_ceiling;
    }
}
