//! A fan-out consumer's side: its subscription's queue delivers SNS envelopes (unless raw
//! delivery is on), and a measured message its filter policy should have stopped is a leak,
//! judged by recomputing the attributes the message's identity drew at publish time.

use std::borrow::Cow;
use std::sync::Arc;

use super::attributes::{AttributeSpec, draw, lets_through};
use crate::emulator::filter_policy::FilterPolicy;
use crate::measure::leaks::Leaks;

pub(crate) struct Subscriber {
    pub filter: Option<Arc<FilterPolicy>>,
    /// The queue gets the SNS JSON envelope (raw_message_delivery = false).
    pub envelope: bool,
    /// Per producer id, the attributes its publisher fleet draws.
    pub attributes: Arc<Vec<Arc<Vec<AttributeSpec>>>>,
    pub seed: u64,
    pub leaks: Arc<Leaks>,
}

#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Message", borrow)]
    message: Cow<'a, str>,
}

/// The body as published: the envelope's `Message` when the queue gets envelopes, else the body
/// itself (also when it is no envelope, which then decodes as foreign).
pub(crate) fn published(body: &str, envelope: bool) -> Cow<'_, str> {
    if !envelope {
        return Cow::Borrowed(body);
    }
    match serde_json::from_str::<Envelope<'_>>(body) {
        Ok(e) => e.message,
        Err(_) => Cow::Borrowed(body),
    }
}

impl Subscriber {
    pub(crate) fn published<'a>(&self, body: &'a str) -> Cow<'a, str> {
        published(body, self.envelope)
    }

    /// Whether the subscription should get message `sequence` of `producer`.
    pub(crate) fn should_get(&self, producer: u32, sequence: u64) -> bool {
        let Some(policy) = &self.filter else {
            return true;
        };
        let Some(specs) = self.attributes.get(producer as usize) else {
            return true;
        };
        lets_through(Some(policy), &draw(specs, self.seed, producer, sequence))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subscriber(envelope: bool) -> Subscriber {
        Subscriber {
            filter: None,
            envelope,
            attributes: Arc::new(Vec::new()),
            seed: 1,
            leaks: Arc::default(),
        }
    }

    #[test]
    fn the_envelope_is_unwrapped_and_a_raw_body_left_alone() {
        let envelope =
            r#"{"Type":"Notification","MessageId":"m","Message":"SQSB1 \"x\"","Timestamp":"t"}"#;
        assert_eq!(subscriber(true).published(envelope), "SQSB1 \"x\"");
        assert_eq!(subscriber(false).published(envelope), envelope);
        assert_eq!(subscriber(true).published("not json"), "not json");
        assert!(subscriber(true).should_get(0, 0), "no filter: everything");
    }
}
