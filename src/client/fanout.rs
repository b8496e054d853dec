//! A fan-out run's router and queues: a queue per route (`queues::prepare` with the `[queue]`
//! template, the route's name and, for a rule, its own type), then the router — an SNS topic
//! with each queue subscribed with its filter policy, or an EventBridge bus with a rule per
//! queue. Whatever is made is recorded as it is made, so an interrupted setup can remove exactly
//! that.

use std::sync::Mutex;

use super::buses::{self, Bus, RulePlan};
use super::queues::{self, Queues};
use super::topics::{self, SubscriptionPlan, Topic, TopicPlan};
use crate::scenario::bus::rule_name;
use crate::scenario::{Fanout, QueueSpec, QueueType, Route, Router};

/// The router as the run found or made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Routed {
    Topic(Topic),
    Bus(Bus),
}

/// What a fan-out setup made or found.
pub(crate) struct Ready {
    /// Per route, in `[[subscriptions]]` or `[[rules]]` order.
    pub queues: Vec<Queues>,
    pub router: Routed,
}

/// What has been made so far, for a caller that abandons the setup (a signal) to remove.
#[derive(Default)]
pub(crate) struct Made {
    pub queues: Mutex<Vec<String>>,
    pub router: Mutex<Option<Routed>>,
}

impl Made {
    fn router(&self, router: Routed) {
        *self.router.lock().unwrap_or_else(|p| p.into_inner()) = Some(router);
    }
}

/// The clients a fan-out setup talks to.
pub(crate) struct Clients<'a> {
    pub sqs: &'a aws_sdk_sqs::Client,
    pub sns: &'a aws_sdk_sns::Client,
    pub events: &'a aws_sdk_eventbridge::Client,
}

pub(crate) async fn prepare(
    clients: &Clients<'_>,
    template: &QueueSpec,
    fanout: &Fanout,
    run_id: &str,
    made: &Made,
) -> anyhow::Result<Ready> {
    let mut lanes = Vec::new();
    for route in &fanout.routes {
        let fifo = fanout.queue_kind(route) == QueueType::Fifo;
        let spec = QueueSpec {
            name: route.queue_name.clone(),
            kind: fanout.queue_kind(route),
            // AWS requires it of a FIFO rule target; a topic's queues keep the template's.
            content_based_deduplication: fifo
                && (template.content_based_deduplication || route.rule().is_some()),
            ..template.clone()
        };
        lanes.push(queues::prepare(clients.sqs, &spec, run_id, &made.queues).await?);
    }
    let router = match &fanout.router {
        Router::Topic(_) => {
            Routed::Topic(subscribe_all(clients, fanout, &lanes, run_id, made).await?)
        }
        Router::Bus(bus) => {
            let mut made_bus =
                buses::prepare(clients.events, &bus.name, bus.create, run_id).await?;
            made.router(Routed::Bus(made_bus.clone()));
            for (route, q) in fanout.routes.iter().zip(&lanes) {
                let plan = rule_plan(clients, fanout, route, q).await?;
                let added =
                    buses::add_rule(clients.sqs, clients.events, &mut made_bus, &plan, run_id)
                        .await;
                made.router(Routed::Bus(made_bus.clone()));
                added?;
            }
            if bus.archive {
                buses::archive(clients.events, &mut made_bus, run_id).await?;
                made.router(Routed::Bus(made_bus.clone()));
            }
            Routed::Bus(made_bus)
        }
    };
    Ok(Ready {
        queues: lanes,
        router,
    })
}

/// The topic, and each queue subscribed to it.
async fn subscribe_all(
    clients: &Clients<'_>,
    fanout: &Fanout,
    lanes: &[Queues],
    run_id: &str,
    made: &Made,
) -> anyhow::Result<Topic> {
    let spec = fanout.topic().expect("a topic fan-out");
    let plan = TopicPlan {
        name: spec.name.clone(),
        fifo: spec.kind == QueueType::Fifo,
        content_based_deduplication: spec.content_based_deduplication,
        create: spec.create,
    };
    let mut topic = topics::prepare(clients.sns, &plan, run_id).await?;
    made.router(Routed::Topic(topic.clone()));
    for (route, q) in fanout.routes.iter().zip(lanes) {
        let Some(s) = route.subscription() else {
            continue;
        };
        let plan = SubscriptionPlan {
            queue_arn: queues::arn(clients.sqs, &q.url).await?,
            queue_url: q.url.clone(),
            filter_policy: s.filter_policy.as_ref().map(|p| p.json.to_string()),
            raw_message_delivery: s.raw_message_delivery,
        };
        let subscribed = topics::subscribe(clients.sqs, clients.sns, &mut topic, &plan).await;
        made.router(Routed::Topic(topic.clone()));
        subscribed?;
    }
    Ok(topic)
}

/// What a rule's setup needs: its name on the bus, pattern, queue and target's shape.
async fn rule_plan<'a>(
    clients: &Clients<'_>,
    fanout: &Fanout,
    route: &'a Route,
    queue: &'a Queues,
) -> anyhow::Result<RulePlan<'a>> {
    let rule = route.rule().expect("a bus's routes are rules");
    Ok(RulePlan {
        name: rule_name(&route.queue_name),
        event_pattern: rule.event_pattern.json.to_string(),
        queue_url: &queue.url,
        queue_arn: queues::arn(clients.sqs, &queue.url).await?,
        fifo: fanout.queue_kind(route) == QueueType::Fifo,
        input_transformer: rule.input_transformer.as_ref(),
    })
}
