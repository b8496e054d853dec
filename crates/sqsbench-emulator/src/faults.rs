//! Seeded fault injection and its ground truth: what was decided, and a count of every fault
//! actually injected, so a run can show detected beside injected. Decisions are drawn from
//! seeded streams; the model only ever receives their outcome.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use super::config::FaultConfig;
use super::model::{SendFate, SendReceipt};
use super::splitmix::{Mix, finalize};
use super::stats::{InjectedCounts, QueueFaults};

/// Counters of injected faults, shared by all connections (relaxed atomics: counts only).
#[derive(Debug, Default)]
pub(crate) struct Injected {
    pub duplicates: AtomicU64,
    pub lost: AtomicU64,
    pub reordered: AtomicU64,
    pub errors: AtomicU64,
    pub throttled: AtomicU64,
    pub stalled: AtomicU64,
}

impl Injected {
    pub(crate) fn snapshot(&self) -> InjectedCounts {
        InjectedCounts {
            duplicates: self.duplicates.load(Relaxed),
            lost: self.lost.load(Relaxed),
            reordered: self.reordered.load(Relaxed),
            errors: self.errors.load(Relaxed),
            throttled: self.throttled.load(Relaxed),
            stalled: self.stalled.load(Relaxed),
        }
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        if n > 0 {
            counter.fetch_add(n, Relaxed);
        }
    }
}

pub(crate) struct Faults {
    pub config: FaultConfig,
    pub injected: Injected,
    started: Instant,
    seed: u64,
    requests: AtomicU64,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig, seed: u64) -> Self {
        Faults {
            config,
            injected: Injected::default(),
            started: Instant::now(),
            seed,
            requests: AtomicU64::new(0),
        }
    }

    /// Whether this message operation fails with InternalError (drawn per request ordinal).
    pub(crate) fn fail_request(&self) -> bool {
        let rate = self.config.error_rate;
        if rate <= 0.0 {
            return false;
        }
        let n = self.requests.fetch_add(1, Relaxed);
        let draw = (finalize(self.seed ^ 0x5eed_e770 ^ n) >> 11) as f64 / (1u64 << 53) as f64;
        let fail = draw < rate;
        if fail {
            Injected::add(&self.injected.errors, 1);
        }
        fail
    }

    /// How long an EventBridge delivery waits before its first attempt (µs).
    pub(crate) fn event_delivery_delay(&self) -> u64 {
        self.config.eventbridge_delivery_delay.as_micros() as u64
    }

    /// How long a response must wait: the fixed latency, or until the stall window ends.
    pub(crate) fn response_delay(&self) -> Duration {
        let mut delay = self.config.latency;
        if let Some(stall) = self.config.stall {
            let elapsed = self.started.elapsed();
            let end = stall.at + stall.length;
            if elapsed >= stall.at && elapsed < end {
                Injected::add(&self.injected.stalled, 1);
                delay = delay.max(end - elapsed);
            }
        }
        delay
    }

    /// The fate of one message on a queue, drawn from that queue's stream (counted by
    /// `record_send` once the model says whether it took effect).
    pub(crate) fn send_fate(&self, mix: &mut Mix, fifo: bool) -> SendFate {
        if mix.chance(self.config.loss_rate) {
            return SendFate::Drop;
        }
        if !fifo && mix.chance(self.config.reorder_rate) {
            return SendFate::Ahead(1 + (mix.next_u64() % 8) as usize);
        }
        SendFate::Keep
    }

    /// Counts a send fault that really happened: a FIFO resend swallowed by deduplication, or
    /// a rejected message, injected nothing.
    pub(crate) fn record_send(
        &self,
        fate: SendFate,
        receipt: &SendReceipt,
        queue: &mut QueueFaults,
    ) {
        match fate {
            SendFate::Drop if !receipt.deduplicated => {
                Injected::add(&self.injected.lost, 1);
                queue.lost += 1;
            }
            SendFate::Ahead(_) if receipt.stored => {
                Injected::add(&self.injected.reordered, 1);
                queue.reordered += 1;
            }
            _ => {}
        }
    }

    /// Whether a successful delete leaves a ghost (counted when the ghost is delivered).
    pub(crate) fn leave_ghost(&self, mix: &mut Mix, fifo: bool) -> bool {
        !fifo && mix.chance(self.config.duplicate_rate)
    }

    pub(crate) fn break_fifo_order(&self, mix: &mut Mix, fifo: bool) -> bool {
        fifo && mix.chance(self.config.fifo_disorder_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_faults_by_default() {
        let f = Faults::new(FaultConfig::default(), 1);
        let mut mix = Mix::new(1);
        assert!((0..1000).all(|_| f.send_fate(&mut mix, false) == SendFate::Keep));
        assert!(!(0..1000).any(|_| f.fail_request()));
        assert_eq!(f.response_delay(), Duration::ZERO);
        assert_eq!(f.injected.snapshot(), InjectedCounts::default());
    }

    #[test]
    fn every_injected_loss_is_counted() {
        let f = Faults::new(
            FaultConfig {
                loss_rate: 0.3,
                ..Default::default()
            },
            9,
        );
        let mut mix = Mix::new(9);
        let receipt = SendReceipt {
            message_id: crate::model::message::MessageId::default(),
            body_md5: [0; 16],
            attributes_md5: None,
            trace_md5: None,
            sequence_number: None,
            deduplicated: false,
            stored: false,
        };
        let mut dropped = 0;
        let mut queue = QueueFaults::default();
        for _ in 0..10_000 {
            let fate = f.send_fate(&mut mix, false);
            f.record_send(fate, &receipt, &mut queue);
            dropped += (fate == SendFate::Drop) as u64;
        }
        assert_eq!(f.injected.snapshot().lost, dropped);
        assert_eq!(
            queue.lost, dropped,
            "the queue's share is the whole when it is the only queue"
        );
        assert!((2_800..3_200).contains(&dropped));
    }
}
