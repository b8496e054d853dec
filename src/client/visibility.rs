//! A poller's visibility heartbeat: ChangeMessageVisibilityBatch of up to ten receipt handles,
//! on aws-sdk-sqs (not a hot call: one per `every` per batch being processed). Depends on
//! `hot` and aws-sdk-sqs only.

use aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry;

use super::attempts::{AttemptCounter, send_counting};
use super::hot::{Called, ENTRY_IDS, QueueClient, batch_answer};
use super::lean::BatchAnswer;

impl QueueClient {
    /// Sets the visibility of up to ten received messages to `seconds` from now: which (by
    /// place) were changed.
    pub(crate) async fn change_visibility_batch(
        &self,
        url: &str,
        handles: &[&str],
        seconds: u32,
    ) -> Called<BatchAnswer> {
        let entries = handles
            .iter()
            .zip(ENTRY_IDS)
            .map(|(h, id)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(id)
                    .receipt_handle(*h)
                    .visibility_timeout(seconds as i32)
                    .build()
                    .expect("id and handle are set")
            })
            .collect();
        let builder = self
            .sdk
            .change_message_visibility_batch()
            .queue_url(url)
            .set_entries(Some(entries));
        let counter = AttemptCounter::default();
        let result = send_counting!(builder, counter, self.count_attempts);
        self.called(
            &counter,
            result.map(|out| {
                batch_answer(out.successful().iter().map(|s| s.id()), out.failed().len())
            }),
        )
    }
}
