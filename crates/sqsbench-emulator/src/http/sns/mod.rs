//! SNS on the emulator's port, in the query protocol every SDK speaks to SNS (form-encoded
//! `Action=…&Version=2010-03-31`, XML answers): topics, subscriptions of SQS queues, Publish and
//! PublishBatch, whose deliveries go to the broker like sends (the faults apply to them, not the
//! queues' send quotas: SNS retries a throttled delivery). Typed actions (`SnsAction`) through the
//! one pipeline; parameters in (`params`), `topics` and the broker do the work, members out
//! (`query::xml::Members`).

pub(crate) mod params;

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;

use super::actions::{Service, ServiceAction, actions};
use super::batch::{self, BatchProblem};
use super::pipeline;
use super::query::Params;
use super::query::xml::{Members, XmlWriter};
use super::sqs::SqsAction;
use crate::broker::{Broker, now_micros};
use crate::error::Code;
use crate::model::NewMessage;
use crate::topics::publish::{Delivery, Published};
use crate::topics::{SnsCode, SnsError, SnsResult};

actions! {
    /// Every SNS action the emulator knows by name.
    SnsAction {
        CreateTopic,
        DeleteTopic,
        ListTopics,
        GetTopicAttributes,
        SetTopicAttributes,
        Subscribe,
        Unsubscribe,
        ListSubscriptions,
        ListSubscriptionsByTopic,
        GetSubscriptionAttributes,
        SetSubscriptionAttributes,
        Publish,
        PublishBatch,
        TagResource,
        UntagResource,
        ListTagsForResource,
    }
}

impl ServiceAction for SnsAction {
    type Code = SnsCode;
    const SERVICE: Service = Service::Sns;

    fn name(self) -> &'static str {
        SnsAction::name(self)
    }

    fn slot(self) -> usize {
        SqsAction::ALL.len() + self.index()
    }

    fn faultable(self) -> bool {
        matches!(self, SnsAction::Publish | SnsAction::PublishBatch)
    }

    fn injected_error() -> SnsError {
        SnsError::new(SnsCode::InternalError, "Internal Error")
    }
}

/// A query-protocol request to SNS.
pub(crate) async fn query(broker: &Arc<Broker>, params: &Params) -> Response<Full<Bytes>> {
    let name = params.action().unwrap_or("");
    let Some(action) = SnsAction::from_name(name) else {
        let e = SnsError::new(
            SnsCode::InvalidAction,
            format!("The action {name} is not valid for this web service."),
        );
        return pipeline::query_error(Service::Sns, &e);
    };
    let reply = pipeline::run(broker, action, async { answer(broker, action, params) }).await;
    pipeline::query_answer(action, reply)
}

/// The action's result members, or `None` for an action without output.
pub(crate) fn answer(
    broker: &Broker,
    action: SnsAction,
    p: &Params,
) -> SnsResult<Option<XmlWriter>> {
    let topics = &broker.topics;
    let result = Members::default();
    let members = match action {
        SnsAction::CreateTopic => {
            let arn = topics.create(p.required("Name")?, p.map("Attributes"), p.tags("Tags"))?;
            result.text("TopicArn", &arn)
        }
        SnsAction::ListTopics => {
            let (arns, next) = topics.list(p.get("NextToken"))?;
            result
                .list("Topics", arns, |m, arn| m.text("TopicArn", &arn))
                .optional("NextToken", next.as_deref())
        }
        SnsAction::GetTopicAttributes => {
            result.map("Attributes", &topics.attributes(p.required("TopicArn")?)?)
        }
        SnsAction::Subscribe => result.text("SubscriptionArn", &subscribe(broker, p)?),
        SnsAction::ListSubscriptions | SnsAction::ListSubscriptionsByTopic => {
            list_subscriptions(broker, action, p)?
        }
        SnsAction::GetSubscriptionAttributes => result.map(
            "Attributes",
            &topics.subscription_attributes(p.required("SubscriptionArn")?)?,
        ),
        SnsAction::ListTagsForResource => {
            let tags = topics.tags(p.required("ResourceArn")?)?;
            result.list("Tags", tags, |m, (k, v)| {
                m.text("Key", &k).text("Value", &v)
            })
        }
        SnsAction::TagResource => {
            topics.tag(p.required("ResourceArn")?, p.tags("Tags"))?;
            result
        }
        SnsAction::UntagResource => {
            topics.untag(p.required("ResourceArn")?, &p.strings("TagKeys"))?;
            result
        }
        SnsAction::Publish => publish(broker, p)?,
        SnsAction::PublishBatch => publish_batch(broker, p)?,
        SnsAction::DeleteTopic => {
            topics.delete(p.required("TopicArn")?)?;
            return Ok(None);
        }
        SnsAction::SetTopicAttributes => {
            let (arn, name) = (p.required("TopicArn")?, p.required("AttributeName")?);
            topics.set_attribute(arn, name, attribute_value(p))?;
            return Ok(None);
        }
        SnsAction::Unsubscribe => {
            topics.unsubscribe(p.required("SubscriptionArn")?)?;
            return Ok(None);
        }
        SnsAction::SetSubscriptionAttributes => {
            let (arn, name) = (p.required("SubscriptionArn")?, p.required("AttributeName")?);
            topics.set_subscription_attribute(arn, name, attribute_value(p))?;
            return Ok(None);
        }
    };
    Ok(Some(members.into_writer()))
}

/// The new subscription's ARN.
fn subscribe(broker: &Broker, p: &Params) -> SnsResult<String> {
    broker.topics.subscribe(
        p.required("TopicArn")?,
        p.required("Protocol")?,
        p.required("Endpoint")?,
        &p.map("Attributes"),
    )
}

/// A Set…Attributes value; an absent one reads as the empty string.
fn attribute_value(p: &Params) -> &str {
    p.get("AttributeValue").unwrap_or("")
}

fn list_subscriptions(broker: &Broker, action: SnsAction, p: &Params) -> SnsResult<Members> {
    let topics = &broker.topics;
    let topic = (action == SnsAction::ListSubscriptionsByTopic)
        .then(|| p.required("TopicArn"))
        .transpose()?;
    let (listed, next) = topics.list_subscriptions(topic, p.get("NextToken"))?;
    Ok(Members::default()
        .list("Subscriptions", listed, |m, s| {
            m.text("SubscriptionArn", &s.arn)
                .text("Owner", topics.account())
                .text("Protocol", "sqs")
                .text("Endpoint", &s.endpoint)
                .text("TopicArn", &s.topic_arn)
        })
        .optional("NextToken", next.as_deref()))
}

fn topic_arn(p: &Params) -> SnsResult<&str> {
    if p.get("PhoneNumber").is_some() {
        return Err(SnsError::invalid(
            "PhoneNumber: the sqsbench emulator publishes to topics only",
        ));
    }
    p.get("TopicArn")
        .or_else(|| p.get("TargetArn"))
        .ok_or_else(|| {
            SnsError::invalid("TopicArn or TargetArn Reason: no value for required parameter")
        })
}

fn publish(broker: &Broker, p: &Params) -> SnsResult<Members> {
    let arn = topic_arn(p)?;
    let entry = p.publication("")?;
    let published = broker
        .topics
        .publish(arn, vec![entry], now_micros())?
        .pop()
        .expect("one entry in, one result out")?;
    deliver(broker, &published);
    Ok(Members::default()
        .text("MessageId", &published.message_id)
        .optional("SequenceNumber", published.sequence_number.as_deref()))
}

fn publish_batch(broker: &Broker, p: &Params) -> SnsResult<Members> {
    let arn = topic_arn(p)?;
    let items = p.items("PublishBatchRequestEntries.member");
    let ids: Vec<String> = items
        .iter()
        .map(|item| p.get(&format!("{item}.Id")).unwrap_or("").to_string())
        .collect();
    check_batch(&ids)?;
    let parsed: Vec<SnsResult<_>> = items
        .iter()
        .map(|item| p.publication(&format!("{item}.")))
        .collect();
    let size: usize = parsed.iter().flatten().map(|e| e.size()).sum();
    if size > crate::topics::publish::MAX_MESSAGE_BYTES {
        return Err(SnsError::new(
            SnsCode::BatchRequestTooLong,
            format!(
                "The length of all the messages put together is more than the limit: {size} bytes."
            ),
        ));
    }
    let (valid, mut failed): (Vec<_>, Vec<_>) =
        ids.into_iter().zip(parsed).partition(|(_, e)| e.is_ok());
    let (valid_ids, entries): (Vec<String>, Vec<_>) = valid
        .into_iter()
        .map(|(id, e)| (id, e.expect("partitioned on is_ok")))
        .unzip();
    let mut successful = Vec::new();
    let outcomes = if entries.is_empty() {
        Vec::new()
    } else {
        broker.topics.publish(arn, entries, now_micros())?
    };
    for (id, outcome) in valid_ids.into_iter().zip(outcomes) {
        match outcome {
            Ok(published) => {
                deliver(broker, &published);
                successful.push((id, published));
            }
            Err(e) => failed.push((id, Err(e))),
        }
    }
    Ok(Members::default()
        .list("Successful", successful, |m, (id, published)| {
            m.text("Id", &id)
                .text("MessageId", &published.message_id)
                .optional("SequenceNumber", published.sequence_number.as_deref())
        })
        .list("Failed", failed, |m, (id, e)| {
            let e = e.expect_err("only failures are listed");
            m.text("Id", &id)
                .text("Code", e.code.query_code())
                .text("Message", &e.message)
                .text(
                    "SenderFault",
                    if e.code.sender_fault() {
                        "true"
                    } else {
                        "false"
                    },
                )
        }))
}

/// The rules every batch shares (`http::batch`), worded as SNS words them.
fn check_batch(ids: &[String]) -> SnsResult<()> {
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    batch::check_entry_ids(&ids).map_err(|problem| match problem {
        BatchProblem::Empty => SnsError::new(
            SnsCode::EmptyBatchRequest,
            "The batch request doesn't contain any entries",
        ),
        BatchProblem::TooMany(n) => SnsError::new(
            SnsCode::TooManyEntriesInBatchRequest,
            format!(
                "The batch request contains more entries than permissible: {n} of at most {}.",
                batch::MAX_ENTRIES
            ),
        ),
        BatchProblem::InvalidId => {
            SnsError::new(SnsCode::InvalidBatchEntryId, batch::INVALID_ID_MESSAGE)
        }
        BatchProblem::NotDistinct(id) => SnsError::new(
            SnsCode::BatchEntryIdsNotDistinct,
            format!("Two or more batch entries in the request have the same Id: {id}."),
        ),
    })
}

/// Hands each delivery to its queue; one the queue refuses (or whose queue is gone) goes to
/// the subscription's dead-letter queue when it has one, and is otherwise dropped, as SNS
/// drops it after its retries.
fn deliver(broker: &Broker, published: &Published) {
    for d in &published.deliveries {
        let delivered = broker.deliver(&d.queue_arn, message(d)).is_ok();
        if !delivered {
            let to_dead_letter = d
                .dead_letter_arn
                .as_deref()
                .is_some_and(|dlq| broker.deliver(dlq, message(d)).is_ok());
            broker.count_undelivered(to_dead_letter);
        }
    }
}

fn message(d: &Delivery) -> NewMessage {
    NewMessage {
        body: d.body.as_str().into(),
        attributes: d.attributes.clone(),
        group_id: d.group_id.clone(),
        deduplication_id: d.dedup_id.clone(),
        ..NewMessage::default()
    }
}
