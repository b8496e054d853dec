//! `sqsbench cleanup`: delete exactly the queues a run created, found by their `sqsbench-run`
//! tag (its topics: `topic_cleanup`). SQS cannot list queues by tag, so every queue (optionally only those with a name
//! prefix) has its tags read; a queue without that exact tag is never touched.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata};

use super::queues::{self, RUN_TAG};

/// What a cleanup found and did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Cleanup {
    /// Queues tagged with the run id: deleted, or only listed with `--dry-run`.
    pub matched: Vec<String>,
    /// Queues looked at and left alone (another run's, or not sqsbench's).
    pub left_alone: usize,
    /// Queues whose tags could not be read or that could not be deleted, with why.
    pub failed: Vec<String>,
}

/// Finds the queues tagged `sqsbench-run = run_id`, deleting none yet. Listing the queues
/// failing is an error; one queue failing is reported in `failed`.
pub(crate) async fn find_tagged(
    client: &Client,
    run_id: &str,
    prefix: Option<&str>,
) -> anyhow::Result<Cleanup> {
    let urls = list(client, prefix).await?;
    let mut out = Cleanup::default();
    for url in urls {
        match run_tag(client, &url).await {
            Ok(Some(tag)) if tag == run_id => out.matched.push(url),
            Ok(_) => out.left_alone += 1,
            Err(e) => out.failed.push(format!("{url}: {e}")),
        }
    }
    Ok(out)
}

/// Deletes the queues `find_tagged` matched; one that cannot be deleted moves to `failed`.
pub(crate) async fn delete(client: &Client, found: &mut Cleanup) {
    let mut deleted = Vec::new();
    for url in std::mem::take(&mut found.matched) {
        match queues::delete(client, &url).await {
            Ok(()) => deleted.push(url),
            Err(e) => found.failed.push(format!("{url}: {e}")),
        }
    }
    found.matched = deleted;
}

/// The ARNs of these queues (those gone meanwhile left out): what subscriptions name.
pub(crate) async fn arns(client: &Client, urls: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for url in urls {
        let attributes = client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await;
        if let Some(arn) = attributes
            .ok()
            .and_then(|a| a.attributes)
            .and_then(|mut a| a.remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
        {
            out.push(arn);
        }
    }
    out
}

/// Every queue URL, through the SDK's paginator (1,000 a page, SQS's largest).
async fn list(client: &Client, prefix: Option<&str>) -> anyhow::Result<Vec<String>> {
    client
        .list_queues()
        .set_queue_name_prefix(prefix.map(str::to_string))
        .max_results(1000)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|e| anyhow::anyhow!("listing queues: {}", DisplayErrorContext(&e)))
}

/// A queue's `sqsbench-run` tag; `None` when it has none or was deleted meanwhile.
async fn run_tag(client: &Client, url: &str) -> anyhow::Result<Option<String>> {
    match client.list_queue_tags().queue_url(url).send().await {
        Ok(out) => Ok(out.tags.and_then(|mut tags| tags.remove(RUN_TAG))),
        Err(e)
            if e.as_service_error().is_some_and(|s| {
                matches!(
                    s.code(),
                    Some("AWS.SimpleQueueService.NonExistentQueue" | "QueueDoesNotExist")
                )
            }) =>
        {
            Ok(None)
        }
        Err(e) => Err(anyhow::anyhow!(
            "reading its tags: {}",
            DisplayErrorContext(&e)
        )),
    }
}
