//! Hands EventBridge's deliveries to the broker as SendMessage would, faults included: at once
//! when the region's invocation rate allows, later when it is spent (throttled invocations are
//! delayed, not dropped); a delivery the queue refuses, or whose queue is gone, is tried again
//! with exponential backoff (1 s doubling, at most 5 min apart) within its `RetryPolicy`, then
//! goes to the target's dead-letter queue if it has one, and is otherwise dropped and counted.
//! Deliveries waiting or retrying are bounded (`events::Events::hold`): past the bound, one
//! that would wait gives up at once, so a gone target under load cannot exhaust memory.

use std::sync::Arc;
use std::time::Duration;

use crate::broker::{Broker, now_micros};
use crate::events::types::{Delivery, Fate};
use crate::model::NewMessage;
use crate::model::message::Micros;

pub(crate) fn send_all(broker: &Arc<Broker>, deliveries: Vec<Delivery>) {
    let now = now_micros();
    for d in deliveries {
        let wait = broker.events.invocation_delay(now) + broker.faults.event_delivery_delay();
        if wait == 0 && attempt(broker, &d) {
            broker.events.record(&d.bus, &d.rule, Fate::Delivered);
            continue;
        }
        // Tried already when there was nothing to wait for.
        let tried = wait == 0;
        if !broker.events.hold(d.body.len()) {
            give_up(broker, &d);
            continue;
        }
        let broker = broker.clone();
        tokio::spawn(async move {
            let bytes = d.body.len();
            retry(&broker, d, wait, tried).await;
            broker.events.release(bytes);
        });
    }
}

fn attempt(broker: &Broker, d: &Delivery) -> bool {
    broker.send_delivery(&d.queue_arn, message(d)).is_ok()
}

/// The pause before retry `n` (0-based): 1 s, 2 s, 4 s, … at most 5 min.
pub(crate) fn backoff(n: u32) -> Duration {
    Duration::from_secs(1u64 << n.min(9)).min(Duration::from_secs(300))
}

/// The delivery's first attempt after `wait` µs (unless `tried`), then its retries.
async fn retry(broker: &Broker, d: Delivery, wait: Micros, tried: bool) {
    let first = tokio::time::Instant::now();
    if !tried {
        tokio::time::sleep(Duration::from_micros(wait)).await;
        if attempt(broker, &d) {
            broker.events.record(&d.bus, &d.rule, Fate::Delivered);
            return;
        }
    }
    let max_age = Duration::from_secs(u64::from(d.retry.max_age_secs));
    let mut retries = 0;
    while retries < d.retry.max_attempts && first.elapsed() + backoff(retries) <= max_age {
        tokio::time::sleep(backoff(retries)).await;
        retries += 1;
        broker.events.record(&d.bus, &d.rule, Fate::Retried);
        if attempt(broker, &d) {
            broker.events.record(&d.bus, &d.rule, Fate::Delivered);
            return;
        }
    }
    give_up(broker, &d);
}

/// The end of a delivery whose retries ran out: into the target's dead-letter queue, or
/// dropped; counted either way.
fn give_up(broker: &Broker, d: &Delivery) {
    let to_dead_letter = d
        .dead_letter_arn
        .as_deref()
        .is_some_and(|dlq| broker.send_delivery(dlq, message(d)).is_ok());
    let fate = if to_dead_letter {
        Fate::DeadLettered
    } else {
        Fate::Dropped
    };
    broker.events.record(&d.bus, &d.rule, fate);
}

fn message(d: &Delivery) -> NewMessage {
    NewMessage {
        body: d.body.as_str().into(),
        group_id: d.group_id.clone(),
        ..NewMessage::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_five_minutes() {
        let secs: Vec<u64> = (0..12).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(&secs[..5], &[1, 2, 4, 8, 16]);
        assert_eq!(secs[9], 300);
        assert_eq!(secs[11], 300);
    }
}
