//! A queue's approximate counts (GetQueueAttributes of ApproximateNumberOfMessages, …NotVisible
//! and …Delayed) on aws-sdk-sqs: read uncounted for the run's once-a-second backlog, and
//! counted for a scaler that calls it itself (KEDA). Depends on `hot` and aws-sdk-sqs only.

use std::collections::HashMap;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::QueueAttributeName;

use super::attempts::{AttemptCounter, send_counting};
use super::hot::{Called, QueueClient};
use super::lean::Failure;

/// The queue's three counts as it reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct QueueCounts {
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
}

const NAMES: [QueueAttributeName; 3] = [
    QueueAttributeName::ApproximateNumberOfMessages,
    QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    QueueAttributeName::ApproximateNumberOfMessagesDelayed,
];

/// The three counts from an answer's attributes, or which one is missing or not a count.
fn counts_of(
    attributes: Option<&HashMap<QueueAttributeName, String>>,
) -> Result<QueueCounts, String> {
    let count = |name: &QueueAttributeName| -> Result<u64, String> {
        let value = attributes
            .and_then(|a| a.get(name))
            .ok_or_else(|| format!("the answer has no {}", name.as_str()))?;
        value
            .parse()
            .map_err(|_| format!("{} is {value:?}, not a count", name.as_str()))
    };
    Ok(QueueCounts {
        visible: count(&NAMES[0])?,
        in_flight: count(&NAMES[1])?,
        delayed: count(&NAMES[2])?,
    })
}

/// The counts, read without counting the call (the harness's own measurement).
pub(crate) async fn read_counts(client: &Client, url: &str) -> anyhow::Result<QueueCounts> {
    let out = client
        .get_queue_attributes()
        .queue_url(url)
        .set_attribute_names(Some(NAMES.to_vec()))
        .send()
        .await?;
    counts_of(out.attributes()).map_err(anyhow::Error::msg)
}

impl QueueClient {
    /// The counts, as a call the run counts and bills (a scaler that reads the queue itself).
    pub(crate) async fn queue_counts(&self, url: &str) -> Called<QueueCounts> {
        let builder = self
            .sdk
            .get_queue_attributes()
            .queue_url(url)
            .set_attribute_names(Some(NAMES.to_vec()));
        let counter = AttemptCounter::default();
        let result = send_counting!(builder, counter, self.count_attempts);
        let called = self.called(&counter, result);
        Called {
            result: called
                .result
                .and_then(|out| counts_of(out.attributes()).map_err(|_| Failure::Response)),
            attempts: called.attempts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_read_from_the_three_attributes() {
        let mut a = HashMap::new();
        a.insert(NAMES[0].clone(), "12".to_string());
        a.insert(NAMES[1].clone(), "3".to_string());
        a.insert(NAMES[2].clone(), "0".to_string());
        assert_eq!(
            counts_of(Some(&a)),
            Ok(QueueCounts {
                visible: 12,
                in_flight: 3,
                delayed: 0
            })
        );
        a.insert(NAMES[1].clone(), "many".to_string());
        assert_eq!(
            counts_of(Some(&a)),
            Err("ApproximateNumberOfMessagesNotVisible is \"many\", not a count".to_string())
        );
        assert_eq!(
            counts_of(None),
            Err("the answer has no ApproximateNumberOfMessages".to_string())
        );
    }
}
