//! `sqsbench cleanup` for SNS: delete exactly the topics tagged with the run id (their
//! subscriptions go with them), and unsubscribe whatever still delivers to the run's own
//! tagged queues from topics sqsbench did not create. A topic without that exact tag, and a
//! subscription to any other queue, is never touched. A target without SNS (an SQS-only
//! endpoint) is noted, not an error.

use aws_sdk_sns::Client;
use aws_sdk_sns::error::DisplayErrorContext;

use super::queues::RUN_TAG;

/// What the SNS part of a cleanup found and did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct TopicCleanup {
    /// Topic ARNs tagged with the run id: deleted, or only listed with `--dry-run`.
    pub matched: Vec<String>,
    /// Topics looked at and left alone.
    pub left_alone: usize,
    /// Subscriptions of other topics that delivered to the run's queues: removed (or listed).
    pub unsubscribed: Vec<String>,
    pub failed: Vec<String>,
    /// Why topics were not looked at (the target does not answer SNS), if so.
    pub skipped: Option<String>,
}

/// Deletes the run's topics and the subscriptions feeding its queues (`queue_arns`).
pub(crate) async fn delete_tagged(
    sns: &Client,
    run_id: &str,
    queue_arns: &[String],
    dry_run: bool,
) -> TopicCleanup {
    let mut out = TopicCleanup::default();
    let topics = match list_topics(sns).await {
        Ok(topics) => topics,
        Err(e) => {
            out.skipped = Some(e);
            return out;
        }
    };
    for arn in topics {
        match run_tag(sns, &arn).await {
            Ok(Some(tag)) if tag == run_id => {
                if !dry_run && let Err(e) = sns.delete_topic().topic_arn(&arn).send().await {
                    out.failed
                        .push(format!("{arn}: deleting: {}", DisplayErrorContext(&e)));
                    continue;
                }
                out.matched.push(arn);
            }
            Ok(_) => out.left_alone += 1,
            Err(e) => out.failed.push(format!("{arn}: {e}")),
        }
    }
    unsubscribe_feeding(sns, queue_arns, dry_run, &mut out).await;
    out
}

/// Removes every remaining subscription whose endpoint is one of the run's queues.
async fn unsubscribe_feeding(
    sns: &Client,
    queue_arns: &[String],
    dry_run: bool,
    out: &mut TopicCleanup,
) {
    if queue_arns.is_empty() {
        return;
    }
    let subscriptions = match list_subscriptions(sns).await {
        Ok(s) => s,
        Err(e) => {
            out.failed.push(e);
            return;
        }
    };
    for (arn, endpoint) in subscriptions {
        // A topic deleted above may still be listed for a moment on AWS.
        if !queue_arns.contains(&endpoint)
            || out
                .matched
                .iter()
                .any(|t| arn.starts_with(&format!("{t}:")))
        {
            continue;
        }
        if !dry_run && let Err(e) = sns.unsubscribe().subscription_arn(&arn).send().await {
            out.failed
                .push(format!("{arn}: unsubscribing: {}", DisplayErrorContext(&e)));
            continue;
        }
        out.unsubscribed.push(arn);
    }
}

/// Every topic's ARN, through the SDK's paginator (also how a run finds its topic by name).
pub(crate) async fn list_topics(sns: &Client) -> Result<Vec<String>, String> {
    let topics = sns
        .list_topics()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|e| format!("listing SNS topics: {}", DisplayErrorContext(&e)))?;
    Ok(topics.into_iter().filter_map(|t| t.topic_arn).collect())
}

/// Every subscription as (its ARN, its endpoint), through the SDK's paginator.
async fn list_subscriptions(sns: &Client) -> Result<Vec<(String, String)>, String> {
    let subscriptions = sns
        .list_subscriptions()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|e| format!("listing SNS subscriptions: {}", DisplayErrorContext(&e)))?;
    Ok(subscriptions
        .into_iter()
        .filter_map(|s| Some((s.subscription_arn?, s.endpoint?)))
        .collect())
}

/// A topic's `sqsbench-run` tag; `None` when it has none or was deleted meanwhile.
async fn run_tag(sns: &Client, arn: &str) -> Result<Option<String>, String> {
    match sns.list_tags_for_resource().resource_arn(arn).send().await {
        Ok(out) => Ok(out
            .tags
            .unwrap_or_default()
            .into_iter()
            .find(|t| t.key == RUN_TAG)
            .map(|t| t.value)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(format!("reading its tags: {}", DisplayErrorContext(&e))),
    }
}
