//! The end of a run: deciding when the main queue is drained, and collecting this run's
//! messages from the dead-letter queue so they are counted as dead-lettered, not lost.
//! Only messages this run sent are deleted from the DLQ; anything else there is left alone.

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
};

use super::clock::RunClock;
use super::consumer::delivery;
use super::lambda::causes::Causes;
use crate::measure::ledger::LedgerHandle;
use crate::measure::payload::Payload;

/// Whether the queue reports nothing visible, in flight or delayed. On real SQS these counts
/// are approximate, so the engine asks for the same answer twice before trusting it.
pub(crate) async fn queue_is_empty(client: &Client, url: &str) -> bool {
    let result = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await;
    let Ok(out) = result else { return false };
    let Some(attributes) = out.attributes() else {
        return false;
    };
    [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
        QueueAttributeName::ApproximateNumberOfMessagesDelayed,
    ]
    .iter()
    .all(|name| attributes.get(name).is_some_and(|v| v == "0"))
}

/// Receives everything this run left in the dead-letter queue until a long poll comes back
/// empty (or `budget` passes), recording measured messages in the ledger and deleting ours.
pub(crate) async fn collect_dead_letters(
    client: &Client,
    url: &str,
    run_id: u64,
    clock: &RunClock,
    ledger: &LedgerHandle,
    causes: &Causes,
    budget: Duration,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + budget;
    let mut failures = 0;
    while tokio::time::Instant::now() < deadline {
        let result = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await;
        let messages = match result {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(e) => {
                failures += 1;
                if failures >= 5 {
                    anyhow::bail!("could not read the dead-letter queue: {e}");
                }
                continue;
            }
        };
        if messages.is_empty() {
            return Ok(());
        }
        let now_us = clock.now_us();
        let mut dead = Vec::new();
        let mut ours = Vec::new();
        for m in &messages {
            let Ok(p) = Payload::decode(m.body().unwrap_or(""), run_id) else {
                continue;
            };
            if clock.is_measured(p.intended_us) {
                dead.push(delivery(&m.clone().into(), &p, now_us));
            }
            if let Some(handle) = m.receipt_handle() {
                ours.push(handle.to_string());
            }
        }
        causes.dead_lettered(dead.iter().map(|d| (d.producer, d.sequence)));
        ledger.dead_lettered(dead);
        if ours.is_empty() {
            // Only other runs' messages are left: they are not ours to take.
            return Ok(());
        }
        let entries = ours
            .into_iter()
            .enumerate()
            .map(|(i, h)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(h)
                    .build()
                    .expect("id and handle are set")
            })
            .collect();
        // A failed delete only means the message may be seen again; the ledger counts it once.
        let _ = client
            .delete_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await;
    }
    Ok(())
}
