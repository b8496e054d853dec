//! A fan-out consumer's side: its route's queue delivers SNS envelopes (unless raw delivery is
//! on), EventBridge events (the body in `detail.sqsbench`) or a rule's transformed input; a
//! measured message its filter policy or event pattern should have stopped is a leak, judged by
//! recomputing what the message's identity drew at publish time; an event an archive replayed
//! is counted apart by its replay's name.

use std::borrow::Cow;
use std::sync::Arc;

use super::attributes::{AttributeSpec, Matcher, draw, lets_through};
use crate::measure::leaks::Leaks;
use crate::measure::replays::Replays;

/// What the route's queue gets for each message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Envelope {
    /// The body as published (SNS raw message delivery).
    Raw,
    /// SNS's JSON envelope, the body in `Message`.
    Sns,
    /// An EventBridge event or a rule's transformed input: the body wherever it was put.
    Event,
}

pub(crate) struct Subscriber {
    pub matcher: Option<Arc<Matcher>>,
    pub envelope: Envelope,
    /// Per producer id, what its publisher fleet draws.
    pub attributes: Arc<Vec<Arc<Vec<AttributeSpec>>>>,
    pub seed: u64,
    pub leaks: Arc<Leaks>,
    pub replays: Arc<Replays>,
}

#[derive(serde::Deserialize)]
struct SnsEnvelope<'a> {
    #[serde(rename = "Message", borrow)]
    message: Cow<'a, str>,
}

#[derive(serde::Deserialize)]
struct Replayed<'a> {
    #[serde(rename = "replay-name", borrow)]
    name: Option<Cow<'a, str>>,
}

/// The body as published: the envelope's `Message`, the payload inside an event, or the body
/// itself (also when it is no envelope, which then decodes as foreign).
pub(crate) fn published(body: &str, envelope: Envelope) -> Cow<'_, str> {
    match envelope {
        Envelope::Raw => Cow::Borrowed(body),
        Envelope::Sns => match serde_json::from_str::<SnsEnvelope<'_>>(body) {
            Ok(e) => e.message,
            Err(_) => Cow::Borrowed(body),
        },
        Envelope::Event => Cow::Borrowed(in_event(body)),
    }
}

/// The payload inside an event or a transformed input: from its magic to the end of the JSON
/// string it is in. The payload is ASCII without quotes or backslashes, so it is written
/// unescaped wherever a template puts it; found by search, not by parsing the whole event.
fn in_event(body: &str) -> &str {
    let Some(start) = body.find(crate::measure::payload::MAGIC) else {
        return body;
    };
    let rest = &body[start..];
    &rest[..rest.find('"').unwrap_or(rest.len())]
}

impl Subscriber {
    pub(crate) fn published<'a>(&self, body: &'a str) -> Cow<'a, str> {
        published(body, self.envelope)
    }

    /// The replay an event came from (EventBridge marks a replayed event with `replay-name`).
    pub(crate) fn replay<'a>(&self, body: &'a str) -> Option<Cow<'a, str>> {
        if self.envelope != Envelope::Event || !body.contains("\"replay-name\"") {
            return None;
        }
        serde_json::from_str::<Replayed<'_>>(body).ok()?.name
    }

    /// Whether the route should get message `sequence` of `producer`.
    pub(crate) fn should_get(&self, producer: u32, sequence: u64) -> bool {
        let Some(matcher) = &self.matcher else {
            return true;
        };
        let Some(specs) = self.attributes.get(producer as usize) else {
            return true;
        };
        lets_through(Some(matcher), &draw(specs, self.seed, producer, sequence))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subscriber(envelope: Envelope) -> Subscriber {
        Subscriber {
            matcher: None,
            envelope,
            attributes: Arc::new(Vec::new()),
            seed: 1,
            leaks: Arc::default(),
            replays: Arc::default(),
        }
    }

    #[test]
    fn the_envelope_is_unwrapped_and_a_raw_body_left_alone() {
        let envelope =
            r#"{"Type":"Notification","MessageId":"m","Message":"SQSB1 \"x\"","Timestamp":"t"}"#;
        assert_eq!(subscriber(Envelope::Sns).published(envelope), "SQSB1 \"x\"");
        assert_eq!(subscriber(Envelope::Raw).published(envelope), envelope);
        assert_eq!(subscriber(Envelope::Sns).published("not json"), "not json");
        assert!(
            subscriber(Envelope::Sns).should_get(0, 0),
            "no filter: everything"
        );
    }

    #[test]
    fn an_event_gives_its_payload_and_its_replay() {
        let event =
            r#"{"version":"0","detail-type":"t","detail":{"x":1,"sqsbench":"SQSB1 00ab .."}}"#;
        let s = subscriber(Envelope::Event);
        assert_eq!(s.published(event), "SQSB1 00ab ..");
        assert_eq!(
            s.published("Order SQSB1 00ab"),
            "SQSB1 00ab",
            "a template's text"
        );
        assert_eq!(s.replay(event), None);
        let replayed = event.replace("{\"version\"", "{\"replay-name\":\"again\",\"version\"");
        assert_eq!(s.replay(&replayed).as_deref(), Some("again"));
    }
}
