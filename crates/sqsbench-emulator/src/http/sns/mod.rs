//! SNS on the emulator's port, in the query protocol every SDK speaks to SNS (form-encoded
//! `Action=…&Version=2010-03-31`, XML answers): topics, subscriptions of SQS queues, Publish and
//! PublishBatch, whose deliveries go to the broker like sends (the faults apply to them, not
//! the queues' send quotas: SNS retries a throttled delivery). Also STS `GetCallerIdentity`,
//! which SNS frameworks (tomodachi) call on the same endpoint to learn the account.
//! Thin: parameters in (`params`), `topics` and the broker do the work, XML out (`xml`).

pub(crate) mod params;
pub(crate) mod xml;

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

use super::op::Action;
use super::query::XML_TYPE;
use crate::broker::{Broker, now_micros};
use crate::model::NewMessage;
use crate::stats::Outcome;
use crate::topics::publish::{Delivery, Published};
use crate::topics::{SnsCode, SnsError, SnsResult};
use params::Params;
use xml::{Members, SNS_NAMESPACE};

const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
const MAX_BATCH_ENTRIES: usize = 10;

pub(crate) const ACTIONS: &[&str] = &[
    "CreateTopic",
    "DeleteTopic",
    "ListTopics",
    "GetTopicAttributes",
    "SetTopicAttributes",
    "Subscribe",
    "Unsubscribe",
    "ListSubscriptions",
    "ListSubscriptionsByTopic",
    "GetSubscriptionAttributes",
    "SetSubscriptionAttributes",
    "Publish",
    "PublishBatch",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    "GetCallerIdentity",
];

/// Whether a query action is SNS's (or STS's) rather than SQS's: no name is shared.
pub(crate) fn serves(action: &str) -> bool {
    ACTIONS.contains(&action)
}

/// Each SNS action's slot in the request counts (after SQS's) and its name.
pub(crate) fn counted_actions() -> impl Iterator<Item = (usize, &'static str)> {
    ACTIONS
        .iter()
        .enumerate()
        .map(|(i, name)| (Action::ALL.len() + i, *name))
}

fn count(broker: &Broker, action: &str, reply: &SnsResult<Option<Members>>) {
    let outcome = match reply {
        Ok(_) => Outcome::Ok,
        Err(e) if e.code == SnsCode::Throttled => Outcome::Throttled,
        Err(_) => Outcome::Error,
    };
    if let Some(i) = ACTIONS.iter().position(|a| *a == action) {
        broker.requests.count(Action::ALL.len() + i, outcome);
    }
}

pub(crate) fn handle(
    broker: &Arc<Broker>,
    action: &str,
    pairs: &[(String, String)],
) -> Response<Full<Bytes>> {
    let id = super::request_id();
    let id = id.as_str();
    let namespace = if action == "GetCallerIdentity" {
        STS_NAMESPACE
    } else {
        SNS_NAMESPACE
    };
    let reply = answer(broker, action, &Params::new(pairs));
    count(broker, action, &reply);
    match reply {
        Ok(result) => super::respond_as(
            StatusCode::OK,
            XML_TYPE,
            xml::response(action, namespace, result, id).into_bytes(),
            id,
        ),
        Err(e) => super::respond_as(
            StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
            XML_TYPE,
            xml::error(&e, id).into_bytes(),
            id,
        ),
    }
}

/// The action's result members, or `None` for an action without output.
fn answer(broker: &Broker, action: &str, p: &Params) -> SnsResult<Option<Members>> {
    let topics = &broker.topics;
    let result = Members::default();
    Ok(Some(match action {
        "CreateTopic" => {
            let arn = topics.create(p.required("Name")?, p.map("Attributes"), p.tags("Tags"))?;
            result.text("TopicArn", &arn)
        }
        "ListTopics" => {
            let (arns, next) = topics.list(p.get("NextToken"))?;
            result
                .list("Topics", arns, |m, arn| m.text("TopicArn", &arn))
                .optional("NextToken", next.as_deref())
        }
        "GetTopicAttributes" => {
            result.map("Attributes", &topics.attributes(p.required("TopicArn")?)?)
        }
        "Subscribe" => {
            let arn = topics.subscribe(
                p.required("TopicArn")?,
                p.required("Protocol")?,
                p.required("Endpoint")?,
                &p.map("Attributes"),
            )?;
            result.text("SubscriptionArn", &arn)
        }
        "ListSubscriptions" | "ListSubscriptionsByTopic" => {
            let topic = (action == "ListSubscriptionsByTopic")
                .then(|| p.required("TopicArn"))
                .transpose()?;
            let (listed, next) = topics.list_subscriptions(topic, p.get("NextToken"))?;
            result
                .list("Subscriptions", listed, |m, s| {
                    m.text("SubscriptionArn", &s.arn)
                        .text("Owner", topics.account())
                        .text("Protocol", "sqs")
                        .text("Endpoint", &s.endpoint)
                        .text("TopicArn", &s.topic_arn)
                })
                .optional("NextToken", next.as_deref())
        }
        "GetSubscriptionAttributes" => result.map(
            "Attributes",
            &topics.subscription_attributes(p.required("SubscriptionArn")?)?,
        ),
        "ListTagsForResource" => {
            let tags = topics.tags(p.required("ResourceArn")?)?;
            result.list("Tags", tags, |m, (k, v)| {
                m.text("Key", &k).text("Value", &v)
            })
        }
        "TagResource" => {
            topics.tag(p.required("ResourceArn")?, p.tags("Tags"))?;
            result
        }
        "UntagResource" => {
            topics.untag(p.required("ResourceArn")?, &p.strings("TagKeys"))?;
            result
        }
        "Publish" => publish(broker, p)?,
        "PublishBatch" => publish_batch(broker, p)?,
        "GetCallerIdentity" => {
            let account = topics.account();
            result
                .text("Arn", &format!("arn:aws:iam::{account}:root"))
                .text("UserId", account)
                .text("Account", account)
        }
        _ => return without_output(broker, action, p).map(|()| None),
    }))
}

fn without_output(broker: &Broker, action: &str, p: &Params) -> SnsResult<()> {
    let topics = &broker.topics;
    let value = || p.get("AttributeValue").unwrap_or("");
    match action {
        "DeleteTopic" => topics.delete(p.required("TopicArn")?),
        "SetTopicAttributes" => topics.set_attribute(
            p.required("TopicArn")?,
            p.required("AttributeName")?,
            value(),
        ),
        "Unsubscribe" => topics.unsubscribe(p.required("SubscriptionArn")?),
        "SetSubscriptionAttributes" => topics.set_subscription_attribute(
            p.required("SubscriptionArn")?,
            p.required("AttributeName")?,
            value(),
        ),
        other => Err(SnsError::new(
            SnsCode::InvalidAction,
            format!("The action {other} is not valid for this web service."),
        )),
    }
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

/// The `error_rate` fault, as SNS answers it.
fn injected_failure(broker: &Broker) -> SnsResult<()> {
    if broker.faults.fail_request() {
        return Err(SnsError::new(SnsCode::InternalError, "Internal Error"));
    }
    Ok(())
}

fn publish(broker: &Broker, p: &Params) -> SnsResult<Members> {
    let arn = topic_arn(p)?;
    let entry = p.publication("")?;
    injected_failure(broker)?;
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
    injected_failure(broker)?;
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
                .text("Code", e.code.name())
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

fn check_batch(ids: &[String]) -> SnsResult<()> {
    if ids.is_empty() {
        return Err(SnsError::new(
            SnsCode::EmptyBatchRequest,
            "The batch request doesn't contain any entries",
        ));
    }
    if ids.len() > MAX_BATCH_ENTRIES {
        return Err(SnsError::new(
            SnsCode::TooManyEntriesInBatchRequest,
            format!(
                "The batch request contains more entries than permissible: {} of at most {MAX_BATCH_ENTRIES}.",
                ids.len()
            ),
        ));
    }
    for id in ids {
        let valid = !id.is_empty()
            && id.len() <= 80
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(SnsError::new(
                SnsCode::InvalidBatchEntryId,
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
            ));
        }
    }
    if let Some((i, _)) = ids
        .iter()
        .enumerate()
        .find(|(i, id)| ids[..*i].contains(id))
    {
        return Err(SnsError::new(
            SnsCode::BatchEntryIdsNotDistinct,
            format!(
                "Two or more batch entries in the request have the same Id: {}.",
                ids[i]
            ),
        ));
    }
    Ok(())
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
