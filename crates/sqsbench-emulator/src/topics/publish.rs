//! What one publication fans out to: checked as SNS checks it (body, size, attributes,
//! MessageStructure, the FIFO rules), deduplicated on FIFO topics for five minutes, then one
//! `Delivery` per subscription whose filter policy matches: the envelope, or the raw body with
//! the attributes as SQS message attributes.

use sha2::{Digest, Sha256};

use super::envelope::{Notification, envelope};
use super::{SnsError, SnsResult, Subscription, Topic, Topics};
use crate::filter_policy::Attribute;
use crate::model::message::{MICROS_PER_SEC, Micros, hex};
use crate::model::{AttributeValue, MessageAttribute};

/// SNS's largest message: body and attributes together.
pub(crate) const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// How long a FIFO topic remembers a deduplication id.
const DEDUP_WINDOW: Micros = 5 * 60 * MICROS_PER_SEC;
const MAX_SUBJECT_CHARS: usize = 100;

/// One message to publish, as a Publish call or a batch entry carries it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Publication {
    pub(crate) message: String,
    pub(crate) subject: Option<String>,
    /// `MessageStructure=json`: the message is a JSON object of per-protocol messages.
    pub(crate) structure_json: bool,
    pub(crate) attributes: Vec<(String, MessageAttribute)>,
    pub(crate) group_id: Option<String>,
    pub(crate) dedup_id: Option<String>,
}

impl Publication {
    /// Bytes counted against SNS's size limit: the message and every attribute's name, type
    /// and value.
    pub(crate) fn size(&self) -> usize {
        self.message.len()
            + self
                .attributes
                .iter()
                .map(|(name, a)| name.len() + a.data_type.len() + value_len(&a.value))
                .sum::<usize>()
    }
}

/// What a successful publication returns and fans out to.
#[derive(Debug)]
pub(crate) struct Published {
    pub(crate) message_id: String,
    pub(crate) sequence_number: Option<String>,
    pub(crate) deliveries: Vec<Delivery>,
}

/// One message for one subscribed queue.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) queue_arn: String,
    pub(crate) body: String,
    pub(crate) attributes: Vec<(String, MessageAttribute)>,
    pub(crate) group_id: Option<String>,
    pub(crate) dedup_id: Option<String>,
    /// Where the message goes when the queue cannot take it (the RedrivePolicy's target).
    pub(crate) dead_letter_arn: Option<String>,
}

impl Topics {
    /// Publishes each entry in turn; an entry that fails does not stop the others (a batch
    /// reports them one by one).
    pub(crate) fn publish(
        &self,
        topic_arn: &str,
        entries: Vec<Publication>,
        now: Micros,
    ) -> SnsResult<Vec<SnsResult<Published>>> {
        let name = self.name_of(topic_arn)?;
        let mut state = self.lock();
        let mut ids = Vec::with_capacity(entries.len());
        for _ in &entries {
            ids.push(Topics::next_id(&mut state));
        }
        let state = &mut *state;
        let topic = state
            .topics
            .get_mut(name)
            .ok_or_else(|| SnsError::not_found("Topic"))?;
        let quotas_on = state.regional.is_some();
        let per_group = topic.fifo
            && topic
                .attributes
                .get("FifoThroughputScope")
                .is_some_and(|s| s == "MessageGroup");
        let messages = entries.len() as u32;
        let regional = state.regional.as_mut().filter(|_| !topic.fifo || per_group);
        if regional.is_some_and(|bucket| !bucket.try_take_n(messages, now))
            || (quotas_on
                && topic.fifo
                && !per_group
                && !topic.quota.admit(false, "", messages, now))
        {
            return Err(SnsError::throttled());
        }
        Ok(entries
            .into_iter()
            .zip(ids)
            .map(|(entry, id)| {
                let group = entry.group_id.as_deref().unwrap_or("");
                if quotas_on && per_group && !topic.quota.admit(true, group, 1, now) {
                    return Err(SnsError::throttled());
                }
                publish_one(topic, entry, id, now)
            })
            .collect())
    }
}

fn publish_one(topic: &mut Topic, p: Publication, id: String, now: Micros) -> SnsResult<Published> {
    check(topic.fifo, &p)?;
    let message = message_for_sqs(&p)?;
    let dedup = if topic.fifo {
        Some(dedup_id(topic, &p, &message)?)
    } else {
        None
    };
    if let Some(key) = &dedup {
        topic.dedup.retain(|_, (expiry, _, _)| *expiry > now);
        if let Some((_, first_id, sequence)) = topic.dedup.get(key) {
            return Ok(Published {
                message_id: first_id.clone(),
                sequence_number: Some(sequence_text(*sequence)),
                deliveries: Vec::new(),
            });
        }
    }
    let sequence = topic.fifo.then(|| {
        topic.sequence += 1;
        topic.sequence
    });
    if let (Some(key), Some(seq)) = (&dedup, sequence) {
        topic
            .dedup
            .insert(key.clone(), (now + DEDUP_WINDOW, id.clone(), seq));
    }
    let sequence_number = sequence.map(sequence_text);
    let view: Vec<Attribute<'_>> = p
        .attributes
        .iter()
        .map(|(n, a)| attribute_view(n, a))
        .collect();
    let deliveries = topic
        .subscriptions
        .iter()
        .filter(|s| {
            s.filter
                .as_ref()
                .is_none_or(|(_, f)| f.matches(&view, &message))
        })
        .map(|s| {
            let notification = Notification {
                message_id: &id,
                topic_arn: &topic.arn,
                subscription_arn: &s.arn,
                subject: p.subject.as_deref(),
                message: &message,
                timestamp: now,
                sequence_number: sequence_number.as_deref(),
                attributes: &p.attributes,
            };
            delivery(s, &notification, &p, dedup.as_deref())
        })
        .collect();
    Ok(Published {
        message_id: id,
        sequence_number,
        deliveries,
    })
}

fn delivery(
    s: &Subscription,
    n: &Notification<'_>,
    p: &Publication,
    dedup: Option<&str>,
) -> Delivery {
    let (body, attributes) = if s.raw {
        (n.message.to_string(), p.attributes.clone())
    } else {
        (envelope(n), Vec::new())
    };
    let fifo_queue = s.endpoint.ends_with(".fifo");
    Delivery {
        queue_arn: s.endpoint.clone(),
        body,
        attributes,
        group_id: p.group_id.clone().filter(|_| fifo_queue),
        dedup_id: dedup.map(str::to_string).filter(|_| fifo_queue),
        dead_letter_arn: s
            .redrive_policy
            .as_deref()
            .and_then(|policy| super::subscriptions::dead_letter_target(policy).ok()),
    }
}

/// How the filter policy sees an attribute: a Binary one by its type alone.
fn attribute_view<'a>(name: &'a str, a: &'a MessageAttribute) -> Attribute<'a> {
    let value = match &a.value {
        AttributeValue::Text(text) => text.as_str(),
        AttributeValue::Binary(_) => "",
    };
    Attribute {
        name,
        data_type: &a.data_type,
        value,
    }
}

fn sequence_text(n: u64) -> String {
    format!("{:020}", 10_000_000_000_000_000_000u64.wrapping_add(n))
}

fn check(fifo: bool, p: &Publication) -> SnsResult<()> {
    if p.message.is_empty() {
        return Err(SnsError::invalid("Empty message"));
    }
    let size = p.size();
    if size > MAX_MESSAGE_BYTES {
        return Err(SnsError::invalid(format!(
            "Message too long: {size} bytes with its attributes, at most {MAX_MESSAGE_BYTES}"
        )));
    }
    if p.subject
        .as_ref()
        .is_some_and(|s| s.is_empty() || s.chars().count() > MAX_SUBJECT_CHARS)
    {
        return Err(SnsError::invalid("Subject: must be 1 to 100 characters"));
    }
    for (name, a) in &p.attributes {
        check_attribute(name, a)?;
    }
    match (fifo, &p.group_id, &p.dedup_id) {
        (true, None, _) => Err(SnsError::invalid(
            "The MessageGroupId parameter is required for FIFO topics",
        )),
        (false, _, Some(_)) => Err(SnsError::invalid(
            "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
        )),
        _ => Ok(()),
    }
}

fn value_len(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::Text(t) => t.len(),
        AttributeValue::Binary(b) => b.len(),
    }
}

fn check_attribute(name: &str, a: &MessageAttribute) -> SnsResult<()> {
    let base = a.data_type.split('.').next().unwrap_or("");
    let ok = match (base, &a.value) {
        ("String", AttributeValue::Text(t)) if a.data_type == "String.Array" => {
            matches!(serde_json::from_str(t), Ok(serde_json::Value::Array(_)))
        }
        ("String", AttributeValue::Text(_)) => true,
        ("Number", AttributeValue::Text(t)) => t.trim().parse::<f64>().is_ok_and(f64::is_finite),
        ("Binary", AttributeValue::Binary(_)) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(SnsError::new(
            super::SnsCode::ParameterValueInvalid,
            format!(
                "The message attribute '{name}' has an invalid message attribute type or value for {}: the type prefixes are String, String.Array, Number and Binary",
                a.data_type
            ),
        ))
    }
}

/// The message an SQS subscriber gets: with `MessageStructure=json`, the `sqs` entry, else
/// the `default` one.
fn message_for_sqs(p: &Publication) -> SnsResult<String> {
    if !p.structure_json {
        return Ok(p.message.clone());
    }
    let no_default =
        || SnsError::invalid("Message Structure - No default entry in JSON message body");
    let value: serde_json::Value = serde_json::from_str(&p.message)
        .map_err(|_| SnsError::invalid("Message Structure - JSON message body failed to parse"))?;
    value
        .get("default")
        .and_then(|v| v.as_str())
        .ok_or_else(no_default)?;
    Ok(value
        .get("sqs")
        .or_else(|| value.get("default"))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string())
}

/// A FIFO publication's deduplication id: its own, or the SHA-256 of the message when the
/// topic deduplicates by content.
fn dedup_id(topic: &Topic, p: &Publication, message: &str) -> SnsResult<String> {
    if let Some(id) = &p.dedup_id {
        return Ok(id.clone());
    }
    if topic
        .attributes
        .get("ContentBasedDeduplication")
        .is_some_and(|v| v == "true")
    {
        return Ok(hex(&Sha256::digest(message.as_bytes())));
    }
    Err(SnsError::invalid(
        "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    ))
}
