//! What the ledger takes in (a delivery) and what it concludes (a tally): plain values both
//! the ledger and its integrity report use.

/// One delivery of a measured message, as a consumer decoded it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivery {
    pub producer: u32,
    pub sequence: u64,
    pub group: u32,
    /// ApproximateReceiveCount as the queue reported it (1 when absent).
    pub receive_count: u32,
    pub intended_us: u64,
    pub sent_us: u64,
    pub received_us: u64,
    pub message_id: Box<str>,
    /// SQS's ApproximateFirstReceiveTimestamp in ms (0 when not asked for): one clock for every
    /// shard, the same for every delivery of one queue message.
    pub first_receive_ms: u64,
    /// Which receive call (numbered in the order their responses arrived in this process) and
    /// where in its response: the order within one millisecond.
    pub call: u64,
    pub position: u32,
}

/// What the ledger concluded. `acknowledged == unique_received + dead_lettered + lost` holds
/// by construction: every acknowledged message is in exactly one of those three sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub acknowledged: u64,
    pub deliveries: u64,
    /// Acknowledged, delivered to a consumer at least once, and not found in the DLQ.
    pub unique_received: u64,
    /// Deliveries beyond a message's first: the sum of the three causes below.
    pub duplicates: u64,
    /// A duplicate with ApproximateReceiveCount > 1: the queue redelivered it after its
    /// visibility timeout expired (a consumer failed, or was too slow to delete it).
    pub redeliveries: u64,
    /// A duplicate the producer caused: a deliberate duplicate send, or a send the SDK retried.
    pub producer_duplicates: u64,
    /// Neither: the queue delivered a message again that no one asked it to.
    pub unexplained_duplicates: u64,
    /// Acknowledged, never delivered, and not in the DLQ.
    pub lost: u64,
    pub order_violations: u64,
    /// Acknowledged and found in the dead-letter queue at the end.
    pub dead_lettered: u64,
    /// Acknowledged and deleted from the main queue.
    pub deleted: u64,
    /// Delivered (or dead-lettered) but never acknowledged, e.g. a send whose response failed.
    pub unacknowledged_received: u64,
    /// Acknowledged and delivered, but neither deleted nor dead-lettered by the end.
    pub received_not_deleted: u64,
}

impl Tally {
    /// Adds the tally of a disjoint part (another subscription's queue of a fan-out run).
    pub fn add(&mut self, o: &Tally) {
        let Tally {
            acknowledged,
            deliveries,
            unique_received,
            duplicates,
            redeliveries,
            producer_duplicates,
            unexplained_duplicates,
            lost,
            order_violations,
            dead_lettered,
            deleted,
            unacknowledged_received,
            received_not_deleted,
        } = o;
        self.acknowledged += acknowledged;
        self.deliveries += deliveries;
        self.unique_received += unique_received;
        self.duplicates += duplicates;
        self.redeliveries += redeliveries;
        self.producer_duplicates += producer_duplicates;
        self.unexplained_duplicates += unexplained_duplicates;
        self.lost += lost;
        self.order_violations += order_violations;
        self.dead_lettered += dead_lettered;
        self.deleted += deleted;
        self.unacknowledged_received += unacknowledged_received;
        self.received_not_deleted += received_not_deleted;
    }
}
