//! The run's queues: find or create the queue (and its dead-letter queue), tag what sqsbench
//! created with the run id, and at the end delete exactly those — never a queue sqsbench did
//! not create.

use std::sync::Mutex;

use anyhow::{Context, bail};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::QueueAttributeName as A;

use crate::scenario::{QueueSpec, QueueType};

/// The tag every queue sqsbench creates carries, with the run id as its value.
pub(crate) const RUN_TAG: &str = "sqsbench-run";

pub(crate) struct Queues {
    pub url: String,
    pub dead_letter_url: Option<String>,
    /// URLs of the queues this run created (the only ones it may delete).
    pub created: Vec<String>,
}

fn dead_letter_name(spec: &QueueSpec) -> String {
    match spec.name.strip_suffix(".fifo") {
        Some(base) => format!("{base}-dlq.fifo"),
        None => format!("{}-dlq", spec.name),
    }
}

async fn existing(client: &Client, name: &str) -> anyhow::Result<Option<String>> {
    match client.get_queue_url().queue_name(name).send().await {
        Ok(out) => Ok(out.queue_url),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_queue_does_not_exist()) =>
        {
            Ok(None)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("looking up queue {name}"))),
    }
}

/// How many times a throttled CreateQueue is tried again, its pause doubling from 100 ms (about
/// 25 s in all, capped at 5 s a pause): SQS documents no CreateQueue rate.
const CREATE_TRIES: u32 = 10;

async fn create(
    client: &Client,
    name: &str,
    attributes: Vec<(A, String)>,
    run_id: &str,
) -> anyhow::Result<String> {
    let mut pause = std::time::Duration::from_millis(100);
    for attempt in 1.. {
        let mut request = client.create_queue().queue_name(name).tags(RUN_TAG, run_id);
        for (k, v) in &attributes {
            request = request.attributes(k.clone(), v.clone());
        }
        let error = match request.send().await {
            Ok(out) => return out.queue_url.context("CreateQueue returned no URL"),
            Err(e) => e,
        };
        let service = error.as_service_error();
        if service.is_some_and(|s| s.is_queue_deleted_recently()) {
            bail!(
                "queue {name} was deleted less than 60 s ago, and SQS refuses a deleted queue's name for 60 s: wait a minute and run again, or rename the queue"
            );
        }
        let code = service.and_then(|s| s.meta().code()).unwrap_or_default();
        if !code.contains("Throttl") || attempt >= CREATE_TRIES {
            return Err(anyhow::Error::new(error).context(format!("creating queue {name}")));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_secs(5));
    }
    unreachable!("the loop returns")
}

/// How many queues are set up at once for a run of many (`[[queues]]`): each a lookup and a
/// CreateQueue (two with a dead-letter queue). SQS documents no CreateQueue rate, so the
/// concurrency is bounded and a throttled create backs off (`CREATE_TRIES`).
pub(crate) const SETUP_CONCURRENCY: usize = 16;

/// A queue Policy that lets one AWS service send to the queue, and only from `source_arn` (an
/// SNS topic, an EventBridge rule): on AWS every delivery is refused without it. `id` and `sid`
/// name the policy and its statement.
pub(crate) fn send_policy(
    queue_arn: &str,
    service: &str,
    source_arn: &str,
    (id, sid): (&str, &str),
) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Id": id,
        "Statement": [{
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}
        }]
    })
    .to_string()
}

/// Resolves or creates every queue of a `[[queues]]` run, `SETUP_CONCURRENCY` at a time, in
/// `specs`' order; each one created is pushed to `made_so_far` at once (see `prepare`).
pub(crate) async fn prepare_many(
    client: &Client,
    specs: &[QueueSpec],
    run_id: &str,
    made_so_far: &Mutex<Vec<String>>,
) -> anyhow::Result<Vec<Queues>> {
    use futures_util::{StreamExt, TryStreamExt};
    futures_util::stream::iter(specs)
        .map(|spec| prepare(client, spec, run_id, made_so_far))
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await
}

/// Resolves or creates the queues of a run. Each queue it creates is also pushed to
/// `made_so_far` at once, so a caller that abandons this future (a signal) can still delete it.
pub(crate) async fn prepare(
    client: &Client,
    spec: &QueueSpec,
    run_id: &str,
    made_so_far: &Mutex<Vec<String>>,
) -> anyhow::Result<Queues> {
    let fifo = spec.kind == QueueType::Fifo;
    let mut created = Vec::new();
    let made = |url: &String| {
        made_so_far
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(url.clone());
    };
    let mut base = Vec::new();
    if fifo {
        base.push((A::FifoQueue, "true".to_string()));
        if spec.content_based_deduplication {
            base.push((A::ContentBasedDeduplication, "true".to_string()));
        }
        if spec.high_throughput {
            base.push((A::DeduplicationScope, "messageGroup".to_string()));
            base.push((A::FifoThroughputLimit, "perMessageGroupId".to_string()));
        }
    }
    let mut dead_letter_url = None;
    let mut redrive = None;
    if let Some(dl) = &spec.dead_letter {
        let name = dead_letter_name(spec);
        let url = match existing(client, &name).await? {
            Some(url) => url,
            None if spec.create => {
                let url = create(client, &name, base.clone(), run_id).await?;
                made(&url);
                created.push(url.clone());
                url
            }
            None => bail!("dead-letter queue {name} does not exist and [queue] create = false"),
        };
        let arn = arn(client, &url).await?;
        redrive = Some(format!(
            "{{\"deadLetterTargetArn\":\"{arn}\",\"maxReceiveCount\":{}}}",
            dl.max_receive_count
        ));
        dead_letter_url = Some(url);
    }
    let url = match existing(client, &spec.name).await? {
        Some(url) => url,
        None if spec.create => {
            let mut attributes = base;
            attributes.push((
                A::VisibilityTimeout,
                spec.visibility_timeout.as_secs().to_string(),
            ));
            if let Some(r) = redrive {
                attributes.push((A::RedrivePolicy, r));
            }
            for (k, v) in &spec.attributes {
                attributes.push((A::from(k.as_str()), v.clone()));
            }
            let url = create(client, &spec.name, attributes, run_id).await?;
            made(&url);
            created.push(url.clone());
            url
        }
        None => bail!(
            "queue {} does not exist and [queue] create = false",
            spec.name
        ),
    };
    Ok(Queues {
        url,
        dead_letter_url,
        created,
    })
}

/// Deletes one queue this run created.
/// A queue's ARN.
pub(crate) async fn arn(client: &Client, url: &str) -> anyhow::Result<String> {
    client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::QueueArn)
        .send()
        .await
        .with_context(|| format!("reading the ARN of {url}"))?
        .attributes
        .and_then(|mut a| a.remove(&A::QueueArn))
        .with_context(|| format!("{url} has no QueueArn"))
}

pub(crate) async fn delete(client: &Client, url: &str) -> anyhow::Result<()> {
    client
        .delete_queue()
        .queue_url(url)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("{}", aws_sdk_sqs::error::DisplayErrorContext(&e)))
}
