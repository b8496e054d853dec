//! SNS topics and their SQS subscriptions, the state behind the emulator's SNS API: topics
//! (standard and FIFO, attributes, tags), subscriptions (raw delivery, filter policy and its
//! scope, redrive policy), and what a publish fans out to (`publish`: which queues get which
//! message, as an envelope or raw). Pure: time is passed in and deliveries are returned, never
//! sent; the wire layer (`http::sns`) hands them to the broker. Depends on `filter_policy`,
//! `quota`'s token buckets, `config` and the model's message types; never on the broker or
//! the wire.
//!
//! One lock over all topics: the emulator serves from one thread, so it is never contended,
//! and a publish holds it only while it evaluates the filters.

pub(crate) mod envelope;
pub(crate) mod error;
pub(crate) mod publish;
pub(crate) mod quota;
pub(crate) mod subscriptions;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use rustc_hash::FxHashMap;

use crate::config::QuotaMode;
use crate::filter_policy::{FilterPolicy, Scope};
use crate::model::message::{Micros, uuid_text};
use crate::quota::TokenBucket;
use crate::splitmix::finalize;
pub(crate) use error::{SnsCode, SnsError, SnsResult};
use quota::FifoQuota;

/// At most this many topics or subscriptions per List call, as SNS pages them.
pub(crate) const PAGE: usize = 100;

/// The topics of one emulator.
pub(crate) struct Topics {
    state: Mutex<State>,
    region: String,
    account: String,
}

struct State {
    topics: BTreeMap<String, Topic>,
    ids: u64,
    /// The account's Publish rate for the region (`None`: quotas off).
    regional: Option<TokenBucket>,
}

pub(crate) struct Topic {
    pub(crate) arn: String,
    pub(crate) fifo: bool,
    /// Settable attributes as last set (DisplayName, Policy, ContentBasedDeduplication, …).
    pub(crate) attributes: BTreeMap<String, String>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) subscriptions: Vec<Subscription>,
    /// FIFO topics: deduplication ids seen in the last five minutes → (expiry, message id).
    pub(crate) dedup: FxHashMap<String, (Micros, String, u64)>,
    pub(crate) sequence: u64,
    pub(crate) quota: FifoQuota,
}

pub(crate) struct Subscription {
    pub(crate) arn: String,
    /// The queue's ARN.
    pub(crate) endpoint: String,
    pub(crate) raw: bool,
    pub(crate) scope: Scope,
    /// The policy as the user wrote it, and checked.
    pub(crate) filter: Option<(String, FilterPolicy)>,
    pub(crate) redrive_policy: Option<String>,
    /// Other attributes kept as set (DeliveryPolicy, SubscriptionRoleArn).
    pub(crate) other: BTreeMap<String, String>,
}

/// Topic attributes a user may set; the rest are read-only or computed.
const SETTABLE: &[&str] = &[
    "DisplayName",
    "Policy",
    "DeliveryPolicy",
    "KmsMasterKeyId",
    "TracingConfig",
    "SignatureVersion",
    "ContentBasedDeduplication",
    "ArchivePolicy",
    "FifoThroughputScope",
    "DataProtectionPolicy",
];

impl Topics {
    pub(crate) fn new(region: &str, account: &str, quotas: &QuotaMode, now: Micros) -> Topics {
        Topics {
            state: Mutex::new(State {
                topics: BTreeMap::new(),
                ids: 0,
                regional: quota::regional(quotas, region, now),
            }),
            region: region.into(),
            account: account.into(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn arn(&self, name: &str) -> String {
        format!("arn:aws:sns:{}:{}:{name}", self.region, self.account)
    }

    pub(crate) fn account(&self) -> &str {
        &self.account
    }

    /// Creates a topic, or returns the ARN of the one of that name if its attributes agree.
    pub(crate) fn create(
        &self,
        name: &str,
        attributes: BTreeMap<String, String>,
        tags: BTreeMap<String, String>,
    ) -> SnsResult<String> {
        let fifo = check_name(name, &attributes)?;
        for (key, value) in &attributes {
            check_attribute(fifo, key, value)?;
        }
        let mut state = self.lock();
        if let Some(topic) = state.topics.get(name) {
            let same = attributes
                .iter()
                .all(|(k, v)| k == "FifoTopic" || topic.attributes.get(k) == Some(v));
            return if same {
                Ok(topic.arn.clone())
            } else {
                Err(SnsError::invalid(
                    "Attributes Reason: Topic already exists with different attributes",
                ))
            };
        }
        let mut attributes = attributes;
        attributes.remove("FifoTopic");
        let arn = self.arn(name);
        state.topics.insert(
            name.to_string(),
            Topic {
                arn: arn.clone(),
                fifo,
                attributes,
                tags,
                subscriptions: Vec::new(),
                dedup: FxHashMap::default(),
                sequence: 0,
                quota: FifoQuota::default(),
            },
        );
        Ok(arn)
    }

    /// Deletes a topic and its subscriptions; deleting a topic that is not there succeeds, as
    /// on SNS.
    pub(crate) fn delete(&self, arn: &str) -> SnsResult<()> {
        let name = self.name_of(arn)?;
        self.lock().topics.remove(name);
        Ok(())
    }

    /// One page of topic ARNs, and the token of the next page.
    pub(crate) fn list(&self, token: Option<&str>) -> SnsResult<(Vec<String>, Option<String>)> {
        let state = self.lock();
        let arns: Vec<String> = state.topics.values().map(|t| t.arn.clone()).collect();
        page(arns, token)
    }

    pub(crate) fn attributes(&self, arn: &str) -> SnsResult<BTreeMap<String, String>> {
        self.with_topic(arn, |topic| {
            let mut out = topic.attributes.clone();
            out.insert("TopicArn".into(), topic.arn.clone());
            out.insert("Owner".into(), self.account.clone());
            out.entry("DisplayName".into()).or_default();
            out.entry("Policy".into())
                .or_insert_with(|| default_policy(&topic.arn, &self.account));
            let confirmed = topic.subscriptions.len().to_string();
            out.insert("SubscriptionsConfirmed".into(), confirmed);
            out.insert("SubscriptionsPending".into(), "0".into());
            out.insert("SubscriptionsDeleted".into(), "0".into());
            out.insert("EffectiveDeliveryPolicy".into(), DELIVERY_POLICY.into());
            if topic.fifo {
                out.insert("FifoTopic".into(), "true".into());
                out.entry("ContentBasedDeduplication".into())
                    .or_insert_with(|| "false".into());
            }
            Ok(out)
        })
    }

    pub(crate) fn set_attribute(&self, arn: &str, name: &str, value: &str) -> SnsResult<()> {
        self.with_topic(arn, |topic| {
            check_attribute(topic.fifo, name, value)?;
            if name == "FifoTopic" {
                return Err(SnsError::invalid(
                    "AttributeName Reason: FifoTopic can only be set when the topic is created",
                ));
            }
            topic.attributes.insert(name.into(), value.into());
            Ok(())
        })
    }

    pub(crate) fn tags(&self, arn: &str) -> SnsResult<BTreeMap<String, String>> {
        self.with_topic(arn, |topic| Ok(topic.tags.clone()))
    }

    pub(crate) fn tag(&self, arn: &str, tags: BTreeMap<String, String>) -> SnsResult<()> {
        self.with_topic(arn, |topic| {
            topic.tags.extend(tags);
            if topic.tags.len() > 50 {
                return Err(SnsError::new(
                    SnsCode::InvalidParameter,
                    "Could not complete request: tag quota of per resource exceeded",
                ));
            }
            Ok(())
        })
    }

    pub(crate) fn untag(&self, arn: &str, keys: &[String]) -> SnsResult<()> {
        self.with_topic(arn, |topic| {
            for key in keys {
                topic.tags.remove(key);
            }
            Ok(())
        })
    }

    /// Runs `f` on the topic with this ARN, or answers NotFound.
    fn with_topic<T>(&self, arn: &str, f: impl FnOnce(&mut Topic) -> SnsResult<T>) -> SnsResult<T> {
        let name = self.name_of(arn)?;
        let mut state = self.lock();
        let topic = state
            .topics
            .get_mut(name)
            .ok_or_else(|| SnsError::not_found("Topic"))?;
        f(topic)
    }

    /// The topic name of an ARN in this emulator's region and account.
    fn name_of<'a>(&self, arn: &'a str) -> SnsResult<&'a str> {
        let prefix = self.arn("");
        match arn.strip_prefix(&prefix) {
            Some(name) if !name.is_empty() && !name.contains(':') => Ok(name),
            _ => Err(SnsError::invalid(format!(
                "TopicArn: {arn} is not a topic ARN of this emulator ({prefix}<name>)"
            ))),
        }
    }

    /// A fresh uuid-formatted id (message and subscription ids).
    fn next_id(state: &mut State) -> String {
        state.ids += 1;
        let n = state.ids;
        uuid_text(((finalize(n ^ 0x5e75) as u128) << 64) | finalize(n) as u128)
            .as_str()
            .to_string()
    }
}

/// Checks a new topic's name against its FifoTopic attribute; whether it is FIFO.
fn check_name(name: &str, attributes: &BTreeMap<String, String>) -> SnsResult<bool> {
    let fifo = attributes.get("FifoTopic").is_some_and(|v| v == "true");
    if !crate::names::is_topic_name(name) {
        return Err(SnsError::invalid(
            "Topic Name: names may have up to 256 letters, digits, hyphens and underscores (and .fifo at the end of a FIFO topic's)",
        ));
    }
    if fifo != name.ends_with(".fifo") {
        return Err(SnsError::invalid(
            "Topic Name: a FIFO topic's name must end with .fifo, and only a FIFO topic's (set FifoTopic=true)",
        ));
    }
    Ok(fifo)
}

fn check_attribute(fifo: bool, name: &str, value: &str) -> SnsResult<()> {
    let boolean = || value == "true" || value == "false";
    match name {
        "FifoTopic" if boolean() => Ok(()),
        "ContentBasedDeduplication" if !fifo => Err(SnsError::invalid(
            "Attributes Reason: ContentBasedDeduplication is only for FIFO topics",
        )),
        "ContentBasedDeduplication" if boolean() => Ok(()),
        "FifoThroughputScope" if !fifo => Err(SnsError::invalid(
            "Attributes Reason: FifoThroughputScope is only for FIFO topics",
        )),
        "FifoThroughputScope" if value == "Topic" || value == "MessageGroup" => Ok(()),
        "FifoThroughputScope" => Err(SnsError::invalid(format!(
            "Attributes Reason: FifoThroughputScope must be Topic or MessageGroup, not {value}"
        ))),
        "FifoTopic" | "ContentBasedDeduplication" => Err(SnsError::invalid(format!(
            "Attributes Reason: {name} must be true or false, not {value}"
        ))),
        other if SETTABLE.contains(&other) => Ok(()),
        other => Err(SnsError::invalid(format!(
            "AttributeName Reason: {other} is not a topic attribute one can set"
        ))),
    }
}

/// Splits `items` into SNS's pages: the token is the index of the first item of the next page.
pub(crate) fn page<T>(items: Vec<T>, token: Option<&str>) -> SnsResult<(Vec<T>, Option<String>)> {
    let start = match token {
        None | Some("") => 0,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|&i| i <= items.len())
            .ok_or_else(|| SnsError::invalid("NextToken"))?,
    };
    let end = (start + PAGE).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((
        items.into_iter().skip(start).take(end - start).collect(),
        next,
    ))
}

const DELIVERY_POLICY: &str = r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}"#;

/// The policy SNS gives a new topic: its owner may do everything with it.
fn default_policy(arn: &str, account: &str) -> String {
    serde_json::json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}
