//! The queue's backlog as the queue reports it (ApproximateNumberOfMessages, …NotVisible and
//! …Delayed), read once a second for each of the run's queues while the consumers run. The
//! reads are the harness's own measurement, as CloudWatch's SQS metrics are free: they are not
//! in `requests` or the cost (one read a second is $0.0014 an hour at $0.40 per million).
//! A run of more than `MAX_SAMPLED` queues is not read. The latest reading of each queue is
//! kept in atomics for the once-a-second collection and the scalers that see what CloudWatch
//! or Lambda's pollers would see.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use aws_sdk_sqs::Client;
use tokio::sync::watch;

use super::scaling::Seen;
use crate::client::counts::{QueueCounts, read_counts};

/// Queues read once a second at most; more are not read (a read a second per queue would be
/// a load of its own).
pub(crate) const MAX_SAMPLED: usize = 16;

/// One reading of a queue, or the run's queues added up.
pub(crate) type Reading = QueueCounts;

#[derive(Debug, Default)]
struct LaneReading {
    visible: AtomicU64,
    in_flight: AtomicU64,
    delayed: AtomicU64,
    read: AtomicBool,
}

/// The latest reading of each queue the run reads.
#[derive(Debug, Default)]
pub(crate) struct Backlog {
    lanes: Vec<LaneReading>,
}

impl Backlog {
    /// Readings for `lanes` queues, or none when there are more than `MAX_SAMPLED`.
    pub(crate) fn new(lanes: usize) -> Backlog {
        let sampled = if lanes <= MAX_SAMPLED { lanes } else { 0 };
        Backlog {
            lanes: (0..sampled).map(|_| LaneReading::default()).collect(),
        }
    }

    pub(crate) fn sampled(&self) -> bool {
        !self.lanes.is_empty()
    }

    fn store(&self, lane: usize, r: Reading) {
        let Some(l) = self.lanes.get(lane) else {
            return;
        };
        l.visible.store(r.visible, Ordering::Relaxed);
        l.in_flight.store(r.in_flight, Ordering::Relaxed);
        l.delayed.store(r.delayed, Ordering::Relaxed);
        l.read.store(true, Ordering::Release);
    }

    /// One queue's latest reading, if it was read yet.
    pub(crate) fn lane(&self, lane: usize) -> Option<Seen> {
        let l = self.lanes.get(lane)?;
        l.read.load(Ordering::Acquire).then(|| Seen {
            visible: l.visible.load(Ordering::Relaxed),
            in_flight: l.in_flight.load(Ordering::Relaxed),
        })
    }

    /// Every queue's latest reading added up, once each has been read.
    pub(crate) fn total(&self) -> Option<Reading> {
        if !self.sampled() || !self.lanes.iter().all(|l| l.read.load(Ordering::Acquire)) {
            return None;
        }
        let sum = |f: fn(&LaneReading) -> &AtomicU64| {
            self.lanes
                .iter()
                .map(|l| f(l).load(Ordering::Relaxed))
                .sum()
        };
        Some(Reading {
            visible: sum(|l| &l.visible),
            in_flight: sum(|l| &l.in_flight),
            delayed: sum(|l| &l.delayed),
        })
    }
}

/// Reads every sampled queue once a second until `stop`; a failed read keeps the last one.
pub(crate) async fn sample(
    client: Client,
    urls: Vec<String>,
    backlog: Arc<Backlog>,
    mut stop: watch::Receiver<bool>,
) {
    if !backlog.sampled() {
        return;
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        for (lane, url) in urls.iter().enumerate() {
            if let Ok(r) = read_counts(&client, url).await {
                backlog.store(lane, r);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_waits_for_every_queue_then_adds_them_up() {
        let b = Backlog::new(2);
        b.store(
            0,
            Reading {
                visible: 5,
                in_flight: 2,
                delayed: 1,
            },
        );
        assert_eq!(b.total(), None, "queue 1 not read yet");
        b.store(
            1,
            Reading {
                visible: 10,
                in_flight: 0,
                delayed: 3,
            },
        );
        assert_eq!(
            b.total(),
            Some(Reading {
                visible: 15,
                in_flight: 2,
                delayed: 4
            })
        );
        assert_eq!(
            b.lane(0),
            Some(Seen {
                visible: 5,
                in_flight: 2
            })
        );
    }

    #[test]
    fn more_queues_than_the_sampled_most_are_not_read() {
        let b = Backlog::new(MAX_SAMPLED + 1);
        assert!(!b.sampled());
        assert_eq!(b.total(), None);
    }
}
