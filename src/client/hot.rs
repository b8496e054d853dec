//! The three hot calls (and their one-message forms) on the client the scenario chose:
//! `[target] client = "lean"` or `"sdk"`. Both answer in the same terms (`Called`, `Message`,
//! `Failure`), so producers and consumers neither know nor care which one made a call.
//! Everything else (queues, attributes, the drain's and dead-letter reads) stays on the SDK.
//! Depends on `lean` and aws-sdk-sqs only.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, SendMessageBatchRequestEntry,
};

use super::lean::wire::{DeleteEntry, SendEntry, SendOneFields};
use super::lean::{BatchAnswer, Call, Failure, LeanClient};
use crate::client::attempts::{AttemptCounter, send_counting};

/// One call's result and the HTTP attempts it took.
pub(crate) struct Called<T> {
    pub result: Result<T, Failure>,
    pub attempts: u32,
}

impl<T> From<Call<T>> for Called<T> {
    fn from(c: Call<T>) -> Self {
        Called {
            result: c.result,
            attempts: c.attempts,
        }
    }
}

/// A received message, as either client read it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Message {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    /// ApproximateReceiveCount: which delivery this is (1 when not given).
    pub receive_count: u32,
    /// ApproximateFirstReceiveTimestamp, ms (SQS's clock).
    pub first_receive_ms: Option<u64>,
    /// SentTimestamp, ms, when it was asked for.
    pub sent_ms: Option<u64>,
}

impl Message {
    fn from_parts(
        message_id: String,
        receipt_handle: String,
        body: String,
        attribute: impl Fn(&str) -> Option<String>,
    ) -> Message {
        let number = |name: &str| attribute(name).and_then(|v| v.parse::<u64>().ok());
        Message {
            message_id,
            receipt_handle,
            body,
            receive_count: number("ApproximateReceiveCount")
                .map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX)),
            first_receive_ms: number("ApproximateFirstReceiveTimestamp"),
            sent_ms: number("SentTimestamp"),
        }
    }
}

impl From<aws_sdk_sqs::types::Message> for Message {
    fn from(m: aws_sdk_sqs::types::Message) -> Message {
        let attributes = m.attributes;
        Message::from_parts(
            m.message_id.unwrap_or_default(),
            m.receipt_handle.unwrap_or_default(),
            m.body.unwrap_or_default(),
            |name| {
                attributes
                    .as_ref()?
                    .get(&MessageSystemAttributeName::from(name))
                    .cloned()
            },
        )
    }
}

impl From<super::lean::wire::ReceivedMessage> for Message {
    fn from(m: super::lean::wire::ReceivedMessage) -> Message {
        let a = m.attributes;
        Message {
            message_id: m.message_id,
            receipt_handle: m.receipt_handle,
            body: m.body,
            receive_count: a
                .approximate_receive_count
                .map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX)),
            first_receive_ms: a.approximate_first_receive_timestamp,
            sent_ms: a.sent_timestamp,
        }
    }
}

/// One message to send.
pub(crate) struct Outgoing<'a> {
    pub body: &'a str,
    pub group: Option<&'a str>,
    pub dedup: Option<&'a str>,
}

/// A batch call's entries are named by their place in it.
pub(crate) const ENTRY_IDS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// The SQS client of a run's hot calls: always the SDK's (the rest of the run uses it), and
/// the lean client when the scenario chose it.
#[derive(Clone, Debug)]
pub(crate) struct QueueClient {
    pub sdk: aws_sdk_sqs::Client,
    pub lean: Option<Arc<LeanClient>>,
    /// `[run] retries`: count the SDK's attempts per call (the lean client always counts).
    pub count_attempts: bool,
}

impl QueueClient {
    /// SendMessageBatch of up to ten messages: which entries (by place) were acknowledged.
    pub(crate) async fn send_batch(
        &self,
        url: &str,
        messages: &[Outgoing<'_>],
    ) -> Called<BatchAnswer> {
        if let Some(lean) = &self.lean {
            let entries: Vec<SendEntry<'_>> = messages
                .iter()
                .zip(ENTRY_IDS)
                .map(|(m, id)| SendEntry {
                    id,
                    message_body: m.body,
                    message_group_id: m.group,
                    message_deduplication_id: m.dedup,
                })
                .collect();
            return lean.send_batch(url, &entries).await.into();
        }
        let entries = messages
            .iter()
            .zip(ENTRY_IDS)
            .map(|(m, id)| {
                SendMessageBatchRequestEntry::builder()
                    .id(id)
                    .message_body(m.body)
                    .set_message_group_id(m.group.map(str::to_string))
                    .set_message_deduplication_id(m.dedup.map(str::to_string))
                    .build()
                    .expect("id and body are set")
            })
            .collect();
        let request = self
            .sdk
            .send_message_batch()
            .queue_url(url)
            .set_entries(Some(entries));
        let counter = AttemptCounter::default();
        let result = send_counting!(request, counter, self.count_attempts);
        self.called(
            &counter,
            result.map(|out| {
                batch_answer(out.successful().iter().map(|s| s.id()), out.failed().len())
            }),
        )
    }

    /// SendMessage of one message.
    pub(crate) async fn send_one(&self, url: &str, m: &Outgoing<'_>) -> Called<()> {
        if let Some(lean) = &self.lean {
            let fields = SendOneFields {
                message_body: m.body,
                message_group_id: m.group,
                message_deduplication_id: m.dedup,
            };
            return lean.send_one(url, fields).await.into();
        }
        let request = self
            .sdk
            .send_message()
            .queue_url(url)
            .message_body(m.body)
            .set_message_group_id(m.group.map(str::to_string))
            .set_message_deduplication_id(m.dedup.map(str::to_string));
        let counter = AttemptCounter::default();
        let result = send_counting!(request, counter, self.count_attempts);
        self.called(&counter, result.map(|_| ()))
    }

    /// ReceiveMessage of up to `max`, waiting up to `wait`, with the receive count, the first
    /// receive's timestamp and, when `sent_timestamp`, the send's.
    pub(crate) async fn receive(
        &self,
        url: &str,
        max: u32,
        wait: Duration,
        sent_timestamp: bool,
    ) -> Called<Vec<Message>> {
        let wait_seconds = wait.as_secs() as u32;
        if let Some(lean) = &self.lean {
            let all = [
                "ApproximateReceiveCount",
                "ApproximateFirstReceiveTimestamp",
                "SentTimestamp",
            ];
            let names = if sent_timestamp { &all[..] } else { &all[..2] };
            let call = lean.receive(url, max, wait_seconds, names).await;
            return Called {
                result: call
                    .result
                    .map(|ms| ms.into_iter().map(Message::from).collect()),
                attempts: call.attempts,
            };
        }
        let builder = self
            .sdk
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max as i32)
            .wait_time_seconds(wait_seconds as i32)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            // SQS's clock: FIFO order across shards, and this clock's offset to it.
            .message_system_attribute_names(
                MessageSystemAttributeName::ApproximateFirstReceiveTimestamp,
            );
        let builder = if sent_timestamp {
            builder.message_system_attribute_names(MessageSystemAttributeName::SentTimestamp)
        } else {
            builder
        };
        let counter = AttemptCounter::default();
        let result = send_counting!(builder, counter, self.count_attempts);
        self.called(
            &counter,
            result.map(|out| {
                out.messages
                    .unwrap_or_default()
                    .into_iter()
                    .map(Message::from)
                    .collect()
            }),
        )
    }

    /// DeleteMessageBatch of up to ten receipt handles: which (by place) were deleted.
    pub(crate) async fn delete_batch(&self, url: &str, handles: &[&str]) -> Called<BatchAnswer> {
        if let Some(lean) = &self.lean {
            let entries: Vec<DeleteEntry<'_>> = handles
                .iter()
                .zip(ENTRY_IDS)
                .map(|(h, id)| DeleteEntry {
                    id,
                    receipt_handle: h,
                })
                .collect();
            return lean.delete_batch(url, &entries).await.into();
        }
        let entries = handles
            .iter()
            .zip(ENTRY_IDS)
            .map(|(h, id)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(id)
                    .receipt_handle(*h)
                    .build()
                    .expect("id and handle are set")
            })
            .collect();
        let builder = self
            .sdk
            .delete_message_batch()
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

    /// DeleteMessage of one receipt handle.
    pub(crate) async fn delete_one(&self, url: &str, handle: &str) -> Called<()> {
        if let Some(lean) = &self.lean {
            return lean.delete_one(url, handle).await.into();
        }
        let builder = self
            .sdk
            .delete_message()
            .queue_url(url)
            .receipt_handle(handle);
        let counter = AttemptCounter::default();
        let result = send_counting!(builder, counter, self.count_attempts);
        self.called(&counter, result.map(|_| ()))
    }

    pub(super) fn called<T, E: aws_sdk_sqs::error::ProvideErrorMetadata, R>(
        &self,
        counter: &AttemptCounter,
        result: Result<T, aws_sdk_sqs::error::SdkError<E, R>>,
    ) -> Called<T> {
        Called {
            result: result.map_err(|e| Failure::of_sdk(&e)),
            attempts: if self.count_attempts {
                counter.attempts().max(1)
            } else {
                1
            },
        }
    }
}

/// A batch answer from the ids the service acknowledged (entry ids are places) and its failures.
pub(super) fn batch_answer<'a>(ids: impl Iterator<Item = &'a str>, failed: usize) -> BatchAnswer {
    BatchAnswer {
        succeeded: ids
            .filter_map(|id| ENTRY_IDS.iter().position(|i| *i == id))
            .collect(),
        failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_outside_the_batch_acknowledge_nothing() {
        let a = batch_answer(["2", "0", "not-ours", "11"].into_iter(), 1);
        assert_eq!(a.succeeded, [2, 0]);
        assert_eq!(a.failed, 1);
    }

    #[test]
    fn both_clients_messages_read_the_same_attributes() {
        let sdk = aws_sdk_sqs::types::Message::builder()
            .message_id("m")
            .receipt_handle("h")
            .body("b")
            .attributes(MessageSystemAttributeName::ApproximateReceiveCount, "3")
            .attributes(MessageSystemAttributeName::SentTimestamp, "17")
            .build();
        let lean: super::super::lean::wire::ReceivedMessage = serde_json::from_str(
            r#"{"MessageId":"m","ReceiptHandle":"h","Body":"b","Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"17"}}"#,
        )
        .unwrap();
        for m in [Message::from(sdk), Message::from(lean)] {
            assert_eq!(
                (m.receive_count, m.sent_ms, m.first_receive_ms),
                (3, Some(17), None)
            );
            assert_eq!(
                (
                    m.message_id.as_str(),
                    m.receipt_handle.as_str(),
                    m.body.as_str()
                ),
                ("m", "h", "b")
            );
        }
    }
}
