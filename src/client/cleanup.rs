//! `sqsbench cleanup`: delete exactly the queues a run created, found by their `sqsbench-run`
//! tag (its topics: `topic_cleanup`). SQS cannot list queues by tag, so every queue (optionally only those with a name
//! prefix) has its tags read; a queue without that exact tag is never touched. The tags are read,
//! and the matches deleted, `queues::SETUP_CONCURRENCY` at a time (a run of many queues leaves
//! many), and an account listing more than `MAX_TAG_READS` queues is refused: narrow it with
//! a name prefix.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata};
use futures_util::StreamExt;

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

/// The most queues whose tags one cleanup reads: ListQueues cannot filter by tag, so each is
/// one ListQueueTags call (20,000 take about a minute at 16 at a time and 50 ms a call).
pub(crate) const MAX_TAG_READS: usize = 20_000;

/// Finds the queues tagged `sqsbench-run = run_id`, deleting none yet; `progress` is told how
/// many of how many queues' tags have been read. Listing the queues failing, or listing more
/// than `MAX_TAG_READS`, is an error; one queue failing is reported in `failed`.
pub(crate) async fn find_tagged(
    client: &Client,
    run_id: &str,
    prefix: Option<&str>,
    progress: &dyn Fn(usize, usize),
) -> anyhow::Result<Cleanup> {
    let urls = list(client, prefix).await?;
    if urls.len() > MAX_TAG_READS {
        anyhow::bail!(
            "{} queues listed{}; cleanup reads each one's tags and stops at {MAX_TAG_READS}: narrow it with --queue-prefix (a run's queues share its scenario's names)",
            urls.len(),
            prefix.map_or(String::new(), |p| format!(" with the prefix {p:?}"))
        );
    }
    let total = urls.len();
    let mut tags = futures_util::stream::iter(urls)
        .map(|url| async move {
            let tag = run_tag(client, &url).await;
            (url, tag)
        })
        .buffered(queues::SETUP_CONCURRENCY)
        .enumerate();
    let mut out = Cleanup::default();
    while let Some((i, (url, tag))) = tags.next().await {
        match tag {
            Ok(Some(tag)) if tag == run_id => out.matched.push(url),
            Ok(_) => out.left_alone += 1,
            Err(e) => out.failed.push(format!("{url}: {e}")),
        }
        progress(i + 1, total);
    }
    Ok(out)
}

/// Deletes the queues `find_tagged` matched, `SETUP_CONCURRENCY` at a time; one that cannot be
/// deleted moves to `failed`.
pub(crate) async fn delete(client: &Client, found: &mut Cleanup) {
    let results: Vec<(String, anyhow::Result<()>)> =
        futures_util::stream::iter(std::mem::take(&mut found.matched))
            .map(|url| async move {
                let done = queues::delete(client, &url).await;
                (url, done)
            })
            .buffered(queues::SETUP_CONCURRENCY)
            .collect()
            .await;
    for (url, done) in results {
        match done {
            Ok(()) => found.matched.push(url),
            Err(e) => found.failed.push(format!("{url}: {e}")),
        }
    }
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
