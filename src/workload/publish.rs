//! A fan-out producer's side: where its messages go (a queue; an SNS topic through Publish and
//! PublishBatch with the attributes `attributes` draws; an EventBridge bus through PutEvents
//! with the source, detail-type and detail fields it draws), and which ledgers learn of each
//! acknowledged message — one per route whose filter policy or event pattern lets it through,
//! judged by the emulator's own `filter_policy` and `event_pattern` on what was drawn.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_eventbridge::operation::put_events::{PutEventsError, PutEventsOutput};
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_sns::error::SdkError;
use aws_sdk_sns::operation::publish_batch::{PublishBatchError, PublishBatchOutput};
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};

use crate::scenario::bus::BODY_FIELD;

use super::attributes::{AttributeSpec, Drawn, Matcher, detail_of, draw, lets_through, text_of};
use super::outcome::classify;
use crate::measure::ledger::LedgerHandle;
use crate::measure::recorder::{Api, Outcome};

/// Where a producer's messages go.
#[derive(Clone)]
pub(crate) enum Destination {
    Queue {
        client: crate::client::hot::QueueClient,
        /// Every lane's queue URL, in lane order (a call picks one).
        urls: Arc<[String]>,
    },
    Router {
        client: RouterClient,
        /// What this publisher fleet draws for each message.
        attributes: Arc<Vec<AttributeSpec>>,
    },
}

/// The router a fan-out publishes to.
#[derive(Clone, Debug)]
pub enum RouterClient {
    Topic {
        sns: aws_sdk_sns::Client,
        arn: String,
    },
    Bus {
        events: aws_sdk_eventbridge::Client,
        /// The bus's name (PutEvents' EventBusName).
        name: String,
    },
}

impl Destination {
    /// What the publisher draws for each message (none for a queue).
    pub(crate) fn attributes(&self) -> Option<&Arc<Vec<AttributeSpec>>> {
        match self {
            Destination::Router { attributes, .. } => Some(attributes),
            Destination::Queue { .. } => None,
        }
    }
}

/// A ledger that learns of the acknowledged messages its matcher lets through (a queue run:
/// the run's one ledger, no matcher).
#[derive(Clone)]
pub(crate) struct Route {
    pub matcher: Option<Arc<Matcher>>,
    pub ledger: LedgerHandle,
}

impl Route {
    /// The sequences of `producer` this route should get.
    pub(crate) fn sequences(
        &self,
        destination: &Destination,
        seed: u64,
        producer: u32,
        sequences: &[u64],
    ) -> Vec<u64> {
        match (&self.matcher, destination.attributes()) {
            (Some(matcher), Some(attributes)) => sequences
                .iter()
                .copied()
                .filter(|s| lets_through(Some(matcher), &draw(attributes, seed, producer, *s)))
                .collect(),
            _ => sequences.to_vec(),
        }
    }
}

/// One message to publish: its body, drawn attributes and FIFO fields.
pub(crate) struct Publication<'a> {
    pub body: &'a str,
    pub attributes: Vec<Drawn>,
    pub group: Option<String>,
    pub dedup: Option<String>,
}

fn attribute_map(drawn: Vec<Drawn>) -> Option<HashMap<String, MessageAttributeValue>> {
    if drawn.is_empty() {
        return None;
    }
    Some(
        drawn
            .into_iter()
            .map(|d| {
                let value = MessageAttributeValue::builder()
                    .data_type(d.data_type)
                    .string_value(d.value)
                    .build()
                    .expect("the data type is set");
                (d.name, value)
            })
            .collect(),
    )
}

pub(crate) fn publish_request(
    sns: &aws_sdk_sns::Client,
    arn: &str,
    p: Publication<'_>,
) -> aws_sdk_sns::operation::publish::builders::PublishFluentBuilder {
    sns.publish()
        .topic_arn(arn)
        .message(p.body)
        .set_message_attributes(attribute_map(p.attributes))
        .set_message_group_id(p.group)
        .set_message_deduplication_id(p.dedup)
}

/// One PutEvents entry: the drawn source and detail-type, and the drawn detail fields with the
/// body in `detail.sqsbench`.
pub(crate) fn event_entry(bus: &str, p: &Publication<'_>) -> PutEventsRequestEntry {
    let mut detail = detail_of(&p.attributes);
    detail.insert(
        BODY_FIELD.into(),
        serde_json::Value::String(p.body.to_string()),
    );
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source(text_of(&p.attributes, "source"))
        .detail_type(text_of(&p.attributes, "detail-type"))
        .detail(serde_json::Value::Object(detail).to_string())
        .build()
}

/// A PutEvents call's answer: the entries with an event id were acknowledged, in order.
pub(crate) fn classify_put_events<R>(
    result: Result<PutEventsOutput, SdkError<PutEventsError, R>>,
) -> Response {
    match result {
        Ok(out) => {
            let entries = out.entries();
            Response {
                api: Api::PutEvents,
                outcome: Outcome::Ok,
                acked: (0..entries.len())
                    .filter(|i| entries[*i].event_id().is_some())
                    .collect(),
                entries_failed: entries.iter().filter(|e| e.event_id().is_none()).count() as u64,
            }
        }
        Err(e) => Response::refused(Api::PutEvents, classify(&e)),
    }
}

pub(crate) fn batch_entry(id: &str, p: Publication<'_>) -> PublishBatchRequestEntry {
    PublishBatchRequestEntry::builder()
        .id(id)
        .message(p.body)
        .set_message_attributes(attribute_map(p.attributes))
        .set_message_group_id(p.group)
        .set_message_deduplication_id(p.dedup)
        .build()
        .expect("id and message are set")
}

/// How one send call ended, whichever action it was.
pub(crate) struct Response {
    pub api: Api,
    pub outcome: Outcome,
    /// Places (in the call) of the messages the queue or topic acknowledged.
    pub acked: Vec<usize>,
    /// Entries of a successful batch call that failed one by one.
    pub entries_failed: u64,
}

pub(crate) use crate::client::hot::ENTRY_IDS;

impl Response {
    /// A call that was answered: the entries it acknowledged (by id; an id outside the call
    /// acknowledges nothing) and how many failed one by one.
    pub(crate) fn answered<'a>(
        api: Api,
        acknowledged: impl Iterator<Item = &'a str>,
        failed: usize,
    ) -> Response {
        Response {
            api,
            outcome: Outcome::Ok,
            acked: acknowledged
                .filter_map(|id| ENTRY_IDS.iter().position(|e| *e == id))
                .collect(),
            entries_failed: failed as u64,
        }
    }

    /// A queue call's answer, from either client.
    pub(crate) fn of_queue(
        api: Api,
        result: Result<crate::client::lean::BatchAnswer, crate::client::lean::Failure>,
    ) -> Response {
        match result {
            Ok(answer) => Response {
                api,
                outcome: Outcome::Ok,
                acked: answer.succeeded,
                entries_failed: answer.failed as u64,
            },
            Err(failure) => Response::refused(api, super::outcome::outcome_of(&failure)),
        }
    }

    /// A call that failed as a whole.
    pub(crate) fn refused(api: Api, outcome: Outcome) -> Response {
        Response {
            api,
            outcome,
            acked: Vec::new(),
            entries_failed: 0,
        }
    }
}

/// A single-message call (SendMessage or Publish): its one message acknowledged, or not.
/// A single-message call (SendMessage or Publish): its one message acknowledged, or not.
pub(crate) fn classify_one<O, E, R>(api: Api, result: Result<O, SdkError<E, R>>) -> Response
where
    E: aws_sdk_sns::error::ProvideErrorMetadata,
{
    match result {
        Ok(_) => Response::answered(api, ENTRY_IDS.into_iter().take(1), 0),
        Err(e) => Response::refused(api, classify(&e)),
    }
}

pub(crate) fn classify_publish_batch<R>(
    result: Result<PublishBatchOutput, SdkError<PublishBatchError, R>>,
) -> Response {
    match result {
        Ok(out) => Response::answered(
            Api::PublishBatch,
            out.successful().iter().filter_map(|s| s.id()),
            out.failed().len(),
        ),
        Err(e) => Response::refused(Api::PublishBatch, classify(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::filter_policy::{FilterPolicy, Scope};
    use crate::scenario::Values;

    #[tokio::test]
    async fn a_route_gets_only_what_its_filter_lets_through() {
        let attributes = Arc::new(vec![AttributeSpec {
            name: "amount".into(),
            values: Values::Range { min: 1, max: 100 },
        }]);
        let topic = Destination::Router {
            client: RouterClient::Topic {
                sns: aws_sdk_sns::Client::from_conf(
                    aws_sdk_sns::Config::builder()
                        .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
                        .build(),
                ),
                arn: "arn".into(),
            },
            attributes: attributes.clone(),
        };
        let policy = FilterPolicy::from_json(
            &serde_json::json!({"amount": [{"numeric": [">", 50]}]}),
            Scope::MessageAttributes,
        )
        .unwrap();
        let (ledger, _owner) = crate::measure::ledger::spawn(false, None);
        let route = Route {
            matcher: Some(Arc::new(Matcher::Filter(policy))),
            ledger,
        };
        let all: Vec<u64> = (0..200).collect();
        let got = route.sequences(&topic, 9, 3, &all);
        let expected: Vec<u64> = all
            .iter()
            .copied()
            .filter(|s| draw(&attributes, 9, 3, *s)[0].value.parse::<i64>().unwrap() > 50)
            .collect();
        assert_eq!(got, expected);
        assert!(!got.is_empty() && got.len() < all.len());
    }
}
