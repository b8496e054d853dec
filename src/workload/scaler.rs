//! A scaled fleet's scaler at run time: at its policy's interval it looks at the fleet's queue
//! and sets the fleet's size. KEDA reads the queue itself (GetQueueAttributes, counted and
//! billed like any call of the run); target tracking and Lambda's ramp see the run's
//! once-a-second reading, as CloudWatch's metrics and Lambda's pollers come at no request
//! cost. The decisions are `scaling`'s; this file only feeds and applies them.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::watch;

use super::backlog::Backlog;
use super::clock::RunClock;
use super::fleet_size::FleetSize;
use super::outcome::outcome_of;
use super::scaling::{Scaler, Seen};
use crate::client::hot::QueueClient;
use crate::measure::recorder::{Api, Outcome, Registry};

/// What a scaler needs of the run.
pub(crate) struct ScalerRun {
    pub scaler: Scaler,
    pub size: Arc<FleetSize>,
    pub client: QueueClient,
    pub queue_url: String,
    /// The fleet's queue among the run's readings.
    pub lane: usize,
    pub backlog: Arc<Backlog>,
    pub clock: RunClock,
    pub recorder: Registry,
    pub stop: watch::Receiver<bool>,
}

impl ScalerRun {
    pub(crate) async fn run(mut self) {
        let interval = self.scaler.interval();
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = self.stop.changed() => return,
            }
            if let Some(seen) = self.look().await {
                let size = self.scaler.observe(self.clock.elapsed(), seen);
                self.size.set(size);
            }
        }
    }

    /// What the policy sees now; none when the queue could not be read (the size stays).
    async fn look(&self) -> Option<Seen> {
        if !self.scaler.reads_attributes()
            && let Some(seen) = self.backlog.lane(self.lane)
        {
            return Some(seen);
        }
        let started = Instant::now();
        let called = self.client.queue_counts(&self.queue_url).await;
        let latency_us = started.elapsed().as_micros() as u64;
        let (outcome, seen) = match called.result {
            Ok(c) => (
                Outcome::Ok,
                Some(Seen {
                    visible: c.visible,
                    in_flight: c.in_flight,
                }),
            ),
            Err(failure) => (outcome_of(&failure), None),
        };
        self.recorder
            .with(|r| r.call_took(Api::GetQueueAttributes, &outcome, latency_us));
        seen
    }
}
