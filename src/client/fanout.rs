//! A fan-out run's SNS and SQS parts: a queue per subscription (`queues::prepare` with the
//! `[queue]` template and the subscription's name), the topic, and each queue subscribed with
//! its filter policy. Whatever is made is recorded as it is made, so an interrupted setup can
//! remove exactly that.

use std::sync::Mutex;

use super::queues::{self, Queues};
use super::topics::{self, SubscriptionPlan, Topic, TopicPlan};
use crate::scenario::{Fanout, QueueSpec, QueueType};

/// What a fan-out setup made or found.
pub(crate) struct Ready {
    /// Per subscription, in `[[subscriptions]]` order.
    pub queues: Vec<Queues>,
    pub topic: Topic,
}

/// What has been made so far, for a caller that abandons the setup (a signal) to remove.
#[derive(Default)]
pub(crate) struct Made {
    pub queues: Mutex<Vec<String>>,
    pub topic: Mutex<Option<Topic>>,
}

impl Made {
    fn topic(&self, topic: &Topic) {
        *self.topic.lock().unwrap_or_else(|p| p.into_inner()) = Some(topic.clone());
    }
}

pub(crate) async fn prepare(
    sqs: &aws_sdk_sqs::Client,
    sns: &aws_sdk_sns::Client,
    template: &QueueSpec,
    fanout: &Fanout,
    run_id: &str,
    made: &Made,
) -> anyhow::Result<Ready> {
    let mut lanes = Vec::new();
    for s in &fanout.subscriptions {
        let spec = QueueSpec {
            name: s.queue_name.clone(),
            ..template.clone()
        };
        lanes.push(queues::prepare(sqs, &spec, run_id, &made.queues).await?);
    }
    let plan = TopicPlan {
        name: fanout.topic.name.clone(),
        fifo: fanout.topic.kind == QueueType::Fifo,
        content_based_deduplication: fanout.topic.content_based_deduplication,
        create: fanout.topic.create,
    };
    let mut topic = topics::prepare(sns, &plan, run_id).await?;
    made.topic(&topic);
    for (s, q) in fanout.subscriptions.iter().zip(&lanes) {
        let plan = SubscriptionPlan {
            queue_arn: queues::arn(sqs, &q.url).await?,
            queue_url: q.url.clone(),
            filter_policy: s.keys.filter_policy.as_ref().map(|p| p.json.to_string()),
            raw_message_delivery: s.keys.raw_message_delivery,
        };
        topics::subscribe(sqs, sns, &mut topic, &plan).await?;
        made.topic(&topic);
    }
    Ok(Ready {
        queues: lanes,
        topic,
    })
}
