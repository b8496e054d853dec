//! One function per SQS operation on queues — create, URL, list, attributes, tags, purge, delete
//! — and `dispatch`, which hands every operation to its function: here, in `messages` (the
//! operations that carry messages) or in `admin_ops`. Typed input (`op`) → broker call → JSON
//! output.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;

use super::admin_ops;
use super::messages::{
    change_visibility, delete_messages, receive_message, send_message, send_message_batch,
};
use super::op::{Op, QueueAction};
use super::wire::*;
use crate::broker::Broker;
use crate::error::{ErrorCode, SqsError, SqsResult};

/// Carries out one request.
pub(crate) async fn dispatch(broker: &Arc<Broker>, origin: &Origin<'_>, op: Op<'_>) -> Reply {
    match op {
        Op::CreateQueue(input) => create_queue(broker, origin, input),
        Op::GetQueueUrl(input) => {
            let name = required(input.queue_name, "QueueName")?;
            broker.queue(&name)?;
            json(&QueueUrlOutput {
                queue_url: origin.url(broker, &name),
            })
        }
        Op::ListQueues(input) => list_queues(broker, origin, input),
        Op::SendMessage(input) => send_message(broker, origin, input),
        Op::SendMessageBatch(input) => send_message_batch(broker, origin, input),
        Op::ReceiveMessage(input) => receive_message(broker, input).await,
        Op::Delete { batch, input } => delete_messages(broker, batch, input),
        Op::ChangeVisibility { batch, input } => change_visibility(broker, batch, input),
        Op::Queue(action, input) => queue_operation(broker, origin, action, input),
        Op::Permission { add, input } => admin_ops::permission(broker, add, input),
        Op::StartMoveTask(input) => admin_ops::start_move_task(broker, input),
        Op::CancelMoveTask(input) => admin_ops::cancel_move_task(broker, input),
        Op::ListMoveTasks(input) => admin_ops::list_move_tasks(broker, input),
    }
}

fn create_queue(broker: &Broker, origin: &Origin<'_>, input: CreateQueueInput) -> Reply {
    let name = required(input.queue_name, "QueueName")?;
    broker.create_queue(
        &name,
        &input.attributes.unwrap_or_default(),
        &input.tags.unwrap_or_default(),
    )?;
    json(&QueueUrlOutput {
        queue_url: origin.url(broker, &name),
    })
}

fn list_queues(broker: &Broker, origin: &Origin<'_>, input: ListQueuesInput) -> Reply {
    let names = broker.list_queues(input.queue_name_prefix.as_deref().unwrap_or(""));
    let (page, next) = paginate(names, input.max_results, input.next_token.as_deref())?;
    json(&ListQueuesOutput {
        queue_urls: page.iter().map(|n| origin.url(broker, n)).collect(),
        next_token: next,
    })
}

/// Pages a sorted name list; the token is the base64 of the last name returned.
fn paginate(
    names: Vec<String>,
    max_results: Option<i64>,
    token: Option<&str>,
) -> SqsResult<(Vec<String>, Option<String>)> {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let Some(max) = max_results else {
        // Without MaxResults SQS returns up to 1,000 and no token.
        return Ok((names.into_iter().take(1000).collect(), None));
    };
    if !(1..=1000).contains(&max) {
        return Err(SqsError::invalid_parameter(format!(
            "Value {max} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."
        )));
    }
    let after = match token {
        Some(t) => Some(
            engine
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| SqsError::invalid_parameter("Invalid NextToken value."))?,
        ),
        None => None,
    };
    let rest: Vec<String> = names
        .into_iter()
        .filter(|n| after.as_ref().is_none_or(|a| n > a))
        .collect();
    let more = rest.len() > max as usize;
    let page: Vec<String> = rest.into_iter().take(max as usize).collect();
    let next = if more {
        page.last().map(|n| engine.encode(n))
    } else {
        None
    };
    Ok((page, next))
}

fn queue_operation(
    broker: &Broker,
    origin: &Origin<'_>,
    action: QueueAction,
    input: QueueUrlInput,
) -> Reply {
    let cell = broker.queue_by_url(&required(input.queue_url, "QueueUrl")?)?;
    match action {
        QueueAction::GetQueueAttributes => {
            let names = input.attribute_names.unwrap_or_default();
            let all = broker.attributes(&cell);
            let attributes = if names.iter().any(|n| n == "All") {
                all
            } else {
                let mut picked = BTreeMap::new();
                for name in names {
                    match all.get(&name) {
                        Some(v) => {
                            picked.insert(name, v.clone());
                        }
                        None if is_known_attribute(&name) => {}
                        None => {
                            return Err(SqsError::new(
                                ErrorCode::InvalidAttributeName,
                                format!("Unknown Attribute {name}."),
                            ));
                        }
                    }
                }
                picked
            };
            json(&AttributesOutput { attributes })
        }
        QueueAction::SetQueueAttributes => {
            broker.set_attributes(&cell, &required(input.attributes, "Attributes")?)?;
            empty()
        }
        QueueAction::DeleteQueue => {
            broker.delete_queue(&cell.name)?;
            empty()
        }
        QueueAction::PurgeQueue => {
            broker.purge(&cell)?;
            empty()
        }
        QueueAction::TagQueue => {
            let tags = required(input.tags, "Tags")?;
            broker.add_tags(&cell, tags)?;
            empty()
        }
        QueueAction::UntagQueue => {
            let keys = required(input.tag_keys, "TagKeys")?;
            broker.with_tags(&cell, |t| {
                keys.iter().for_each(|k| {
                    t.remove(k);
                })
            });
            empty()
        }
        QueueAction::ListQueueTags => json(&TagsOutput {
            tags: broker.with_tags(&cell, |t| t.clone()),
        }),
        QueueAction::ListDeadLetterSourceQueues => {
            let names = broker.dead_letter_sources(&cell.name);
            let (page, next) = paginate(names, input.max_results, input.next_token.as_deref())?;
            json(&DeadLetterSourcesOutput {
                queue_urls: page.iter().map(|n| origin.url(broker, n)).collect(),
                next_token: next,
            })
        }
    }
}

fn is_known_attribute(name: &str) -> bool {
    matches!(
        name,
        "Policy"
            | "RedrivePolicy"
            | "RedriveAllowPolicy"
            | "KmsMasterKeyId"
            | "KmsDataKeyReusePeriodSeconds"
            | "SqsManagedSseEnabled"
            | "FifoQueue"
            | "ContentBasedDeduplication"
            | "DeduplicationScope"
            | "FifoThroughputLimit"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_walks_every_name_once() {
        let names: Vec<String> = (0..25).map(|i| format!("q{i:02}")).collect();
        let mut token = None;
        let mut seen = Vec::new();
        loop {
            let (page, next) = paginate(names.clone(), Some(10), token.as_deref()).unwrap();
            seen.extend(page);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, names);
        assert!(paginate(names, Some(0), None).is_err());
    }
}
