//! Subscriptions of SQS queues to topics: Subscribe (idempotent for the same attributes),
//! Unsubscribe, their attributes (RawMessageDelivery, FilterPolicy and FilterPolicyScope,
//! RedrivePolicy) and the paged lists.

use std::collections::BTreeMap;

use super::{SnsCode, SnsError, SnsResult, Subscription, Topic, Topics, page};
use crate::filter_policy::{FilterPolicy, Scope};

/// SNS's default quota of filter policies per topic.
const FILTER_POLICIES_PER_TOPIC: usize = 200;

/// What ListSubscriptions shows of one subscription.
pub(crate) struct Listed {
    pub(crate) arn: String,
    pub(crate) topic_arn: String,
    pub(crate) endpoint: String,
}

impl Topics {
    pub(crate) fn subscribe(
        &self,
        topic_arn: &str,
        protocol: &str,
        endpoint: &str,
        attributes: &BTreeMap<String, String>,
    ) -> SnsResult<String> {
        if protocol != "sqs" {
            return Err(SnsError::invalid(format!(
                "Protocol Reason: the sqsbench emulator delivers to SQS queues only (protocol sqs), not {protocol}"
            )));
        }
        let queue = endpoint.strip_prefix("arn:aws:sqs:").unwrap_or("");
        if queue.split(':').count() != 3 {
            return Err(SnsError::invalid(format!(
                "SQS endpoint ARN: {endpoint} is not a queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)"
            )));
        }
        let name = self.name_of(topic_arn)?;
        let mut state = self.lock();
        let id = Topics::next_id(&mut state);
        let topic = state
            .topics
            .get_mut(name)
            .ok_or_else(|| SnsError::not_found("Topic"))?;
        if !topic.fifo && endpoint.ends_with(".fifo") {
            return Err(SnsError::invalid(
                "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
            ));
        }
        let mut new = Subscription {
            arn: format!("{}:{id}", topic.arn),
            endpoint: endpoint.into(),
            raw: false,
            scope: Scope::MessageAttributes,
            filter: None,
            redrive_policy: None,
            other: BTreeMap::new(),
        };
        // The scope first: the policy is checked under it.
        if let Some(scope) = attributes.get("FilterPolicyScope") {
            set(&mut new, "FilterPolicyScope", scope)?;
        }
        for (key, value) in attributes.iter().filter(|(k, _)| *k != "FilterPolicyScope") {
            set(&mut new, key, value)?;
        }
        if let Some(old) = topic.subscriptions.iter().find(|s| s.endpoint == endpoint) {
            return if same_settings(old, &new) {
                Ok(old.arn.clone())
            } else {
                Err(SnsError::invalid(
                    "Attributes Reason: Subscription already exists with different attributes",
                ))
            };
        }
        check_filter_quota(topic, new.filter.is_some())?;
        let arn = new.arn.clone();
        topic.subscriptions.push(new);
        Ok(arn)
    }

    pub(crate) fn unsubscribe(&self, arn: &str) -> SnsResult<()> {
        self.with_subscription(arn, |topic, index| {
            topic.subscriptions.remove(index);
            Ok(())
        })
    }

    pub(crate) fn subscription_attributes(&self, arn: &str) -> SnsResult<BTreeMap<String, String>> {
        let owner = self.account.clone();
        self.with_subscription(arn, |topic, index| {
            let s = &topic.subscriptions[index];
            let mut out = s.other.clone();
            for (key, value) in [
                ("SubscriptionArn", s.arn.as_str()),
                ("TopicArn", topic.arn.as_str()),
                ("Owner", owner.as_str()),
                ("Protocol", "sqs"),
                ("Endpoint", s.endpoint.as_str()),
                ("ConfirmationWasAuthenticated", "true"),
                ("PendingConfirmation", "false"),
                ("RawMessageDelivery", if s.raw { "true" } else { "false" }),
            ] {
                out.insert(key.into(), value.into());
            }
            out.insert(
                "SubscriptionPrincipal".into(),
                format!("arn:aws:iam::{owner}:root"),
            );
            if let Some((text, _)) = &s.filter {
                out.insert("FilterPolicy".into(), text.clone());
                out.insert("FilterPolicyScope".into(), s.scope.name().into());
            }
            if let Some(policy) = &s.redrive_policy {
                out.insert("RedrivePolicy".into(), policy.clone());
            }
            Ok(out)
        })
    }

    pub(crate) fn set_subscription_attribute(
        &self,
        arn: &str,
        name: &str,
        value: &str,
    ) -> SnsResult<()> {
        self.with_subscription(arn, |topic, index| {
            let adds_filter = name == "FilterPolicy"
                && !value.trim().is_empty()
                && topic.subscriptions[index].filter.is_none();
            check_filter_quota(topic, adds_filter)?;
            set(&mut topic.subscriptions[index], name, value)
        })
    }

    /// One page of every subscription, or of one topic's.
    pub(crate) fn list_subscriptions(
        &self,
        topic_arn: Option<&str>,
        token: Option<&str>,
    ) -> SnsResult<(Vec<Listed>, Option<String>)> {
        let only = topic_arn.map(|arn| self.name_of(arn)).transpose()?;
        let state = self.lock();
        if let Some(name) = only
            && !state.topics.contains_key(name)
        {
            return Err(SnsError::not_found("Topic"));
        }
        let listed = state
            .topics
            .iter()
            .filter(|(name, _)| only.is_none_or(|o| o == name.as_str()))
            .flat_map(|(_, topic)| {
                topic.subscriptions.iter().map(|s| Listed {
                    arn: s.arn.clone(),
                    topic_arn: topic.arn.clone(),
                    endpoint: s.endpoint.clone(),
                })
            })
            .collect();
        page(listed, token)
    }

    fn with_subscription<T>(
        &self,
        arn: &str,
        f: impl FnOnce(&mut Topic, usize) -> SnsResult<T>,
    ) -> SnsResult<T> {
        let (topic_arn, _) = arn
            .rsplit_once(':')
            .ok_or_else(|| SnsError::invalid("SubscriptionArn"))?;
        let name = self.name_of(topic_arn)?;
        let mut state = self.lock();
        let missing = || SnsError::not_found("Subscription");
        let topic = state.topics.get_mut(name).ok_or_else(missing)?;
        let index = topic
            .subscriptions
            .iter()
            .position(|s| s.arn == arn)
            .ok_or_else(missing)?;
        f(topic, index)
    }
}

fn check_filter_quota(topic: &Topic, adds_one: bool) -> SnsResult<()> {
    let policies = topic
        .subscriptions
        .iter()
        .filter(|s| s.filter.is_some())
        .count();
    if adds_one && policies >= FILTER_POLICIES_PER_TOPIC {
        return Err(SnsError::new(
            SnsCode::FilterPolicyLimitExceeded,
            format!(
                "Filter policy limit exceeded: a topic has at most {FILTER_POLICIES_PER_TOPIC} filter policies"
            ),
        ));
    }
    Ok(())
}

/// Sets one attribute of a subscription, checking its value as SNS does.
fn set(s: &mut Subscription, name: &str, value: &str) -> SnsResult<()> {
    match name {
        "RawMessageDelivery" => {
            s.raw = match value.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(SnsError::invalid(
                        "RawMessageDelivery: must be true or false",
                    ));
                }
            }
        }
        "FilterPolicy" if value.trim().is_empty() => s.filter = None,
        "FilterPolicy" => s.filter = Some((value.into(), checked(value, s.scope)?)),
        "FilterPolicyScope" => {
            let scope = Scope::from_name(value).ok_or_else(|| {
                SnsError::invalid(format!(
                    "FilterPolicyScope: Invalid filter policy scope, it must be MessageAttributes or MessageBody, not {value}"
                ))
            })?;
            if let Some((text, _)) = &s.filter {
                s.filter = Some((text.clone(), checked(text, scope)?));
            }
            s.scope = scope;
        }
        "RedrivePolicy" if value.trim().is_empty() => s.redrive_policy = None,
        "RedrivePolicy" => {
            dead_letter_target(value)?;
            s.redrive_policy = Some(value.into());
        }
        "DeliveryPolicy" | "SubscriptionRoleArn" | "ReplayPolicy" => {
            s.other.insert(name.into(), value.into());
        }
        other => {
            return Err(SnsError::invalid(format!(
                "AttributeName Reason: {other} is not a subscription attribute one can set"
            )));
        }
    }
    Ok(())
}

fn checked(text: &str, scope: Scope) -> SnsResult<FilterPolicy> {
    FilterPolicy::parse(text, scope).map_err(|e| SnsError::invalid(format!("FilterPolicy: {e}")))
}

/// The queue ARN a RedrivePolicy sends undeliverable messages to.
pub(crate) fn dead_letter_target(policy: &str) -> SnsResult<String> {
    let bad = || {
        SnsError::invalid(
            "RedrivePolicy: must be JSON such as {\"deadLetterTargetArn\": \"arn:aws:sqs:…\"}",
        )
    };
    let value: serde_json::Value = serde_json::from_str(policy).map_err(|_| bad())?;
    match value.get("deadLetterTargetArn").and_then(|v| v.as_str()) {
        Some(arn) if arn.starts_with("arn:aws:sqs:") => Ok(arn.to_string()),
        _ => Err(bad()),
    }
}

fn same_settings(a: &Subscription, b: &Subscription) -> bool {
    a.raw == b.raw
        && a.scope == b.scope
        && a.filter.as_ref().map(|f| &f.1) == b.filter.as_ref().map(|f| &f.1)
        && a.redrive_policy == b.redrive_policy
        && a.other == b.other
}
