//! A consumer task as an SQS event source mapping drives a Lambda function (`kind =
//! "lambda"`): it gathers a batch from receives of up to 10 (`lambda::gather`), "invokes" it
//! for `processing_time`, then deletes or leaves each message by the batch's outcome
//! (`lambda::verdict`), counting why each left message will come back.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::consumer::{Consumer, Received, ToDelete, intended_times};
use super::lambda::gather::{Gathering, INVOCATION_PAYLOAD_BYTES, Limits};
use super::lambda::verdict::{self, Fate, Item};
use crate::client::hot::Message;
use crate::measure::payload::Payload;
use crate::measure::recorder::BatchCounters;

impl Consumer {
    pub(super) async fn invoke_batches(mut self) {
        let mut rng = self.rng();
        let limits = Limits {
            batch_size: self.fleet.batch_size,
            window: self.fleet.batch_window,
            payload_bytes: INVOCATION_PAYLOAD_BYTES,
        };
        // Messages received past the payload limit: they start the next batch.
        let mut carried: Vec<Message> = Vec::new();
        while !*self.run.stop.borrow() {
            if !self.admitted().await {
                return;
            }
            let started = self.run.clock.elapsed();
            let mut gathering = Gathering::new(limits);
            let mut batch: Vec<Message> = Vec::new();
            for m in carried.drain(..) {
                take(&mut gathering, &mut batch, &mut Vec::new(), started, m);
            }
            while let Some(receive) =
                gathering.next_receive(self.run.clock.elapsed(), self.fleet.wait_time)
            {
                let messages = match self.receive(receive.max, receive.wait).await {
                    Received::Messages(m) => m,
                    Received::Nothing => Vec::new(),
                    Received::Stopped => return,
                };
                let now = self.run.clock.elapsed();
                for m in messages {
                    take(&mut gathering, &mut batch, &mut carried, now, m);
                }
                gathering.received();
                if *self.run.stop.borrow() {
                    return;
                }
            }
            if let Some(opened) = gathering.opened() {
                let gather = self.run.clock.elapsed().saturating_sub(opened);
                self.invoke(batch, gather, &mut rng).await;
            }
        }
    }

    /// A fleet with `memory`: the invocation's billed duration (its drawn work, rounded up to
    /// the millisecond as Lambda rounds it) times the memory.
    fn bill(&self, work: Duration) {
        let Some(memory) = self.fleet.memory else {
            return;
        };
        let ms = work.as_micros().div_ceil(1_000).max(1) as u64;
        self.run.recorder.with(|r| {
            let b = &mut r.counters.batches;
            b.metered_invocations += 1;
            b.mb_ms += ms * u64::from(memory);
        });
    }

    /// One invocation: the batch recorded as delivered, processed for `processing_time`, and
    /// its outcome applied.
    async fn invoke(&self, batch: Vec<Message>, gather: Duration, rng: &mut rand::rngs::StdRng) {
        let call = self.run.calls.fetch_add(1, Ordering::Relaxed);
        let (ours, deliveries) = self.record_deliveries(&batch, call, None);
        let intended = intended_times(&deliveries);
        self.lane.ledger.received(deliveries);
        let work = self.processing_time(rng, 1);
        if !work.is_zero() {
            tokio::time::sleep(work).await;
        }
        self.bill(work);
        // `ours` holds this run's messages in the batch's order: their groups, receive counts
        // and failure draws, in the same order.
        let drawn: Vec<(Item, u32)> = batch
            .iter()
            .filter_map(|m| {
                if m.receipt_handle.is_empty() {
                    return None;
                }
                let p = Payload::decode(&m.body, self.run.run_id).ok()?;
                let attempt = m.receive_count;
                let fails = verdict::fails(
                    self.run.seed,
                    p.producer,
                    p.sequence,
                    attempt,
                    self.fleet.failure_rate,
                );
                Some((
                    Item {
                        group: Some(p.group),
                        fails,
                    },
                    attempt,
                ))
            })
            .collect();
        debug_assert_eq!(drawn.len(), ours.len());
        let items: Vec<Item> = drawn.iter().map(|(item, _)| *item).collect();
        let fates = verdict::fates(
            &items,
            self.fleet.report_batch_item_failures,
            self.lane.fifo,
        );
        let mut counted = BatchCounters::invoked(batch.len() as u64, gather.as_micros() as u64);
        counted.redelivered = self.run.causes.invoked(
            ours.iter()
                .zip(&drawn)
                .zip(&fates)
                .filter_map(|(((_, key), (_, attempt)), fate)| Some(((*key)?, *attempt, *fate))),
        );
        let mut to_delete: ToDelete = Vec::with_capacity(ours.len());
        for (entry, fate) in ours.into_iter().zip(&fates) {
            match fate {
                Fate::Deleted => to_delete.push(entry),
                Fate::Failed => counted.left.failed += 1,
                Fate::Collateral => counted.left.collateral += 1,
                Fate::BehindGroupFailure => counted.left.behind_group_failure += 1,
            }
        }
        self.record_processed(intended, &to_delete);
        self.run.recorder.with(|r| r.counters.batches.add(&counted));
        self.delete_and_count(to_delete).await;
    }
}

/// Adds a message to the batch, or to `carried` when the batch has no room for it.
fn take(
    gathering: &mut Gathering,
    batch: &mut Vec<Message>,
    carried: &mut Vec<Message>,
    now: Duration,
    m: Message,
) {
    let bytes = m.body.len();
    if carried.is_empty() && gathering.add(now, bytes) {
        batch.push(m);
    } else {
        carried.push(m);
    }
}
