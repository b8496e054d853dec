//! The SNS side of a fan-out run: the topic (found, or created and tagged with the run id), the
//! queue Policy that lets the topic send to each subscribed queue (on AWS every delivery is
//! refused without it), the subscriptions (filter policy, raw delivery), and at the end the
//! removal of exactly what the run made: its subscriptions, and the topic only if it created it.

use anyhow::{Context, bail};
use aws_sdk_sns::error::DisplayErrorContext;
use aws_sdk_sqs::types::QueueAttributeName as A;

use super::queues::RUN_TAG;

/// The topic a run publishes to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TopicPlan {
    pub name: String,
    pub fifo: bool,
    pub content_based_deduplication: bool,
    /// Create it when absent (deleted at the end only if this run created it).
    pub create: bool,
}

/// One queue to subscribe.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SubscriptionPlan {
    pub queue_url: String,
    pub queue_arn: String,
    /// The policy's JSON text, MessageAttributes scope.
    pub filter_policy: Option<String>,
    pub raw_message_delivery: bool,
}

/// A topic as the run found or made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Topic {
    pub arn: String,
    pub created: bool,
    /// The subscriptions this run made, to remove at the end.
    pub subscriptions: Vec<String>,
}

/// Finds the topic by name, or creates it (tagged `sqsbench-run`) when the plan allows.
pub(crate) async fn prepare(
    sns: &aws_sdk_sns::Client,
    plan: &TopicPlan,
    run_id: &str,
) -> anyhow::Result<Topic> {
    if let Some(arn) = find(sns, &plan.name).await? {
        return Ok(Topic {
            arn,
            created: false,
            subscriptions: Vec::new(),
        });
    }
    if !plan.create {
        bail!(
            "topic {} does not exist and [topic] create = false",
            plan.name
        );
    }
    let mut request = sns.create_topic().name(&plan.name).tags(
        aws_sdk_sns::types::Tag::builder()
            .key(RUN_TAG)
            .value(run_id)
            .build()
            .context("building the run tag")?,
    );
    if plan.fifo {
        request = request.attributes("FifoTopic", "true");
        if plan.content_based_deduplication {
            request = request.attributes("ContentBasedDeduplication", "true");
        }
    }
    let out = request.send().await.map_err(|e| {
        anyhow::anyhow!("creating topic {}: {}", plan.name, DisplayErrorContext(&e))
    })?;
    Ok(Topic {
        arn: out.topic_arn.context("CreateTopic returned no ARN")?,
        created: true,
        subscriptions: Vec::new(),
    })
}

/// The topic of that name, looked up in the listing (SNS has no lookup by name).
async fn find(sns: &aws_sdk_sns::Client, name: &str) -> anyhow::Result<Option<String>> {
    let suffix = format!(":{name}");
    let arns = super::topic_cleanup::list_topics(sns)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(arns.into_iter().find(|arn| arn.ends_with(&suffix)))
}

/// A queue Policy that lets this topic, and only it, send to the queue.
pub(crate) fn queue_policy(queue_arn: &str, topic_arn: &str) -> String {
    super::queues::send_policy(
        queue_arn,
        "sns.amazonaws.com",
        topic_arn,
        ("sqsbench-fanout", "sqsbench-topic-may-send"),
    )
}

/// Lets the topic deliver to the queue, then subscribes it; the subscription is added to
/// `topic.subscriptions` as soon as it exists.
pub(crate) async fn subscribe(
    sqs: &aws_sdk_sqs::Client,
    sns: &aws_sdk_sns::Client,
    topic: &mut Topic,
    plan: &SubscriptionPlan,
) -> anyhow::Result<String> {
    sqs.set_queue_attributes()
        .queue_url(&plan.queue_url)
        .attributes(A::Policy, queue_policy(&plan.queue_arn, &topic.arn))
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "letting the topic send to {}: {}",
                plan.queue_url,
                aws_sdk_sqs::error::DisplayErrorContext(&e)
            )
        })?;
    let mut request = sns
        .subscribe()
        .topic_arn(&topic.arn)
        .protocol("sqs")
        .endpoint(&plan.queue_arn)
        .return_subscription_arn(true);
    if plan.raw_message_delivery {
        request = request.attributes("RawMessageDelivery", "true");
    }
    if let Some(policy) = &plan.filter_policy {
        request = request
            .attributes("FilterPolicyScope", "MessageAttributes")
            .attributes("FilterPolicy", policy);
    }
    let arn = request
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "subscribing {} to {}: {}",
                plan.queue_arn,
                topic.arn,
                DisplayErrorContext(&e)
            )
        })?
        .subscription_arn
        .context("Subscribe returned no subscription ARN")?;
    topic.subscriptions.push(arn.clone());
    Ok(arn)
}

/// Removes what the run made: its subscriptions, then the topic if it created it. Returns
/// what could not be removed, each named.
pub(crate) async fn tear_down(sns: &aws_sdk_sns::Client, topic: &Topic) -> Vec<String> {
    let mut problems = Vec::new();
    for arn in &topic.subscriptions {
        if let Err(e) = sns.unsubscribe().subscription_arn(arn).send().await {
            let gone = e
                .as_service_error()
                .is_some_and(|s| s.is_not_found_exception());
            if !(gone && topic.created) {
                problems.push(format!(
                    "subscription {arn} not removed: {}",
                    DisplayErrorContext(&e)
                ));
            }
        }
    }
    if topic.created
        && let Err(e) = sns.delete_topic().topic_arn(&topic.arn).send().await
    {
        problems.push(format!(
            "topic {} not deleted: {}",
            topic.arn,
            DisplayErrorContext(&e)
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_policy_admits_only_the_topic() {
        let policy: serde_json::Value = serde_json::from_str(&queue_policy(
            "arn:aws:sqs:us-east-1:1:q",
            "arn:aws:sns:us-east-1:1:t",
        ))
        .unwrap();
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Principal"]["Service"], "sns.amazonaws.com");
        assert_eq!(statement["Action"], "sqs:SendMessage");
        assert_eq!(statement["Resource"], "arn:aws:sqs:us-east-1:1:q");
        assert_eq!(
            statement["Condition"]["ArnEquals"]["aws:SourceArn"],
            "arn:aws:sns:us-east-1:1:t"
        );
    }
}
