//! Starting the fleets: each producer and consumer task, where producers send (the queue, or
//! the topic or bus), and each fan-out consumer's route (subscription or rule).

use crate::client::hot::QueueClient;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinSet;

use super::{Engine, SetApart};
use crate::measure::fleets::FleetMap;
use crate::measure::queues::QueueIndex;
use crate::measure::recorder::Registry;
use crate::scenario::{ConsumerFleet, Fanout, ProducerFleet, QueueType, RouteKeys};
use crate::workload::attributes::Matcher;
use crate::workload::backlog::Backlog;
use crate::workload::backoff::Backoff;
use crate::workload::clock::RunClock;
use crate::workload::consumer::{Consumer, ConsumerRun, Lane};
use crate::workload::fleet_size::{FleetSize, Running, Scaled};
use crate::workload::lambda::causes::Causes;
use crate::workload::ledgers::Ledgers;
use crate::workload::producer::Producer;
use crate::workload::publish::{Destination, Route};
use crate::workload::scaler::ScalerRun;
use crate::workload::scaling::Scaler;
use crate::workload::schedule::Schedule;
use crate::workload::subscriber::Envelope;
use crate::workload::subscriber::Subscriber;
use crate::workload::targets::{SendTargets, consumer_lanes};

/// What every task of a run shares.
pub(super) struct Tasks<'r> {
    pub(super) clock: RunClock,
    pub(super) fleets: Arc<FleetMap>,
    pub(super) registry: &'r Registry,
    pub(super) ledgers: &'r Ledgers,
    pub(super) producers_stopped: watch::Receiver<bool>,
    pub(super) consumers_stopped: watch::Receiver<bool>,
    pub(super) causes: Arc<Causes>,
    /// The queues' latest readings (what target tracking and Lambda's ramp see).
    pub(super) backlog: Arc<Backlog>,
}

/// The running fleets, and each producer's group count (to place its messages in groups).
pub(super) struct Fleets {
    pub(super) producers: JoinSet<()>,
    pub(super) consumers: JoinSet<()>,
    /// Each scaled fleet's scaler.
    pub(super) scalers: JoinSet<()>,
    /// Each consumer fleet's running consumers (those of this shard run).
    pub(super) running: Vec<Running>,
    pub(super) groups: Vec<u32>,
}

/// The consumer tasks started, each fleet's running count, and the scalers.
struct Consumers {
    tasks: JoinSet<()>,
    scalers: JoinSet<()>,
    running: Vec<Running>,
}

impl<'a> Engine<'a> {
    /// The fan-out this run's router routes, if it publishes to one.
    pub(super) fn fanout(&self) -> Option<&'a Fanout> {
        self.router.as_ref().map(|t| t.fanout)
    }

    /// Each route's filter policy or event pattern, parsed once for its ledger and its
    /// consumers (a queue run: one lane, no matcher).
    fn matchers(&self) -> Vec<Option<Arc<Matcher>>> {
        match self.fanout() {
            None => vec![None; self.lanes.len()],
            Some(fanout) => fanout
                .routes
                .iter()
                .map(|r| Matcher::of(r).map(Arc::new))
                .collect(),
        }
    }

    /// The hot calls' client, with `[run] retries` deciding whether the SDK's attempts are counted.
    fn queue_client(&self) -> QueueClient {
        QueueClient {
            sdk: self.client.clone(),
            lean: self.hot.0.clone(),
            count_attempts: self.scenario.run.retries,
        }
    }

    /// Where producer fleet `k` sends: the queue, or the topic with the fleet's attributes.
    fn destination(&self, k: usize) -> Destination {
        match &self.router {
            Some(router) => Destination::Router {
                client: router.client.clone(),
                attributes: Arc::new(router.fanout.attributes.get(k).cloned().unwrap_or_default()),
            },
            None => Destination::Queue {
                client: self.queue_client(),
                urls: self.lanes.iter().map(|l| l.queue_url.clone()).collect(),
            },
        }
    }

    /// How producer fleet `fleet` picks its queues: a `[[queues]]` run's spread over the queues
    /// its `queue` key binds it to; else the one queue (or the topic).
    fn send_targets(&self, fleet: &ProducerFleet) -> SendTargets {
        let sc = self.scenario;
        if sc.queues.is_empty() || self.router.is_some() {
            return SendTargets::one();
        }
        let lanes = sc.lanes_of(fleet.queue.as_deref());
        let shares = fleet.shares(lanes.len());
        SendTargets::new(lanes, &shares, true)
    }

    /// A fan-out consumer's route: its matcher, envelope and tallies of what is set apart.
    fn subscriber(
        &self,
        lane: usize,
        matcher: Option<Arc<Matcher>>,
        attributes_of: &Arc<Vec<Arc<Vec<crate::scenario::AttributeSpec>>>>,
        apart: &SetApart,
    ) -> Option<Arc<Subscriber>> {
        let route = self.fanout()?.routes.get(lane)?;
        let envelope = match &route.keys {
            RouteKeys::Subscription(s) if s.raw_message_delivery => Envelope::Raw,
            RouteKeys::Subscription(_) => Envelope::Sns,
            RouteKeys::Rule(_) => Envelope::Event,
        };
        Some(Arc::new(Subscriber {
            matcher,
            envelope,
            attributes: attributes_of.clone(),
            seed: self.scenario.run.seed,
            leaks: apart.leaks.clone(),
            replays: apart.replays.clone(),
        }))
    }

    /// Starts every producer and consumer task of the scenario's fleets.
    pub(super) fn spawn_fleets(&self, t: &Tasks<'_>, apart: &[SetApart]) -> Fleets {
        let matchers = self.matchers();
        // Which ledgers learn of an acknowledged message: one per lane, behind its matcher.
        let routes: Arc<[Route]> = matchers
            .iter()
            .enumerate()
            .map(|(lane, matcher)| Route {
                matcher: matcher.clone(),
                ledger: t.ledgers.handle(lane).clone(),
            })
            .collect();
        let started = self.spawn_producers(t, routes);
        let consumers = self.spawn_consumers(t, &started, &matchers, apart);
        Fleets {
            producers: started.tasks,
            consumers: consumers.tasks,
            scalers: consumers.scalers,
            running: consumers.running,
            groups: started.groups,
        }
    }

    /// Every producer task (those of this shard run): each gets the next producer id.
    fn spawn_producers(&self, t: &Tasks<'_>, routes: Arc<[Route]>) -> Producers {
        let sc = self.scenario;
        let fifo = sc.queue.kind == QueueType::Fifo;
        let mut started = Producers {
            tasks: JoinSet::new(),
            groups: Vec::new(),
            attributes_of: Vec::new(),
        };
        let mut id = 0u32;
        for (k, fleet) in sc.producers.iter().enumerate() {
            let destination = self.destination(k);
            let fleet = Arc::new(fleet.clone());
            let fleet_index = t.fleets.producer(k);
            let targets = self.send_targets(&fleet);
            for i in 0..fleet.count {
                let p = Producer {
                    destination: destination.clone(),
                    fleet: fleet.clone(),
                    fleet_index,
                    fifo,
                    schedule: Schedule::new(fleet.rate.clone(), i, fleet.count),
                    id,
                    run_id: self.run_id,
                    clock: t.clock,
                    seed: sc.run.seed,
                    recorder: t.registry.clone(),
                    routes: routes.clone(),
                    stop: t.producers_stopped.clone(),
                    retries: sc.run.retries,
                    catch_up: sc.run.drain_timeout,
                    shard: self.shard.is_part().then_some(self.shard.index),
                    targets: targets.clone(),
                };
                started.groups.push(fleet.groups);
                started
                    .attributes_of
                    .push(destination.attributes().cloned().unwrap_or_default());
                id += 1;
                if self.shard.runs(u64::from(p.id)) {
                    started.tasks.spawn(p.run());
                }
            }
        }
        started
    }

    /// Every consumer task (those of this shard run), numbered after every producer.
    fn spawn_consumers(
        &self,
        t: &Tasks<'_>,
        producers: &Producers,
        matchers: &[Option<Arc<Matcher>>],
        apart: &[SetApart],
    ) -> Consumers {
        let sc = self.scenario;
        let mut consumers = Consumers {
            tasks: JoinSet::new(),
            scalers: JoinSet::new(),
            running: Vec::new(),
        };
        let first_task = producers.groups.len() as u64;
        let mut index = 0;
        let run = self.consumer_run(t);
        let attributes_of = Arc::new(producers.attributes_of.clone());
        for (k, fleet) in sc.consumers.iter().enumerate() {
            let fleet = Arc::new(fleet.clone());
            let fleet_index = t.fleets.consumer(k);
            // A fan-out's consumer fleets are its subscriptions', in order; a queue run's read
            // the queues their `queue` key binds them to.
            let subscription = self.router.is_some().then_some(k);
            let subscriber = subscription.and_then(|lane| {
                self.subscriber(lane, matchers[lane].clone(), &attributes_of, &apart[lane])
            });
            let first_lane = match subscription {
                Some(lane) => lane,
                None => consumer_lanes(sc.lanes_of(fleet.queue.as_deref()), fleet.count, 0)[0],
            };
            let size = self.spawn_scaler(t, &fleet, first_lane, &mut consumers.scalers);
            let mut spawned = 0;
            for task in 0..fleet.count {
                let lanes = match subscription {
                    Some(lane) => vec![lane],
                    None => consumer_lanes(sc.lanes_of(fleet.queue.as_deref()), fleet.count, task),
                };
                let lane = |l: usize| self.consumer_lane(t, l, &subscriber);
                let rotation: Arc<[Lane]> = match lanes.len() {
                    1 => Arc::default(),
                    _ => lanes.iter().map(|l| lane(*l)).collect(),
                };
                let c = Consumer {
                    run: run.clone(),
                    lane: lane(lanes[0]),
                    rotation,
                    fleet: fleet.clone(),
                    fleet_index,
                    index,
                    backoff: Backoff::new(run.seed ^ 0xb0ff ^ (u64::from(index) << 32)),
                    scaled: size.clone().map(|size| Scaled { size, task }),
                };
                index += 1;
                // Consumers are numbered after every producer (`shard::split`'s order).
                if self.shard.runs(first_task + u64::from(c.index)) {
                    consumers.tasks.spawn(c.run());
                    spawned += 1;
                }
            }
            consumers.running.push(match size {
                Some(size) => Running::Scaled(size),
                None => Running::Fixed(spawned),
            });
        }
        consumers
    }

    /// What every consumer task of the run shares.
    fn consumer_run(&self, t: &Tasks<'_>) -> ConsumerRun {
        let sc = self.scenario;
        ConsumerRun {
            run_id: self.run_id,
            clock: t.clock,
            seed: sc.run.seed,
            recorder: t.registry.clone(),
            stop: t.consumers_stopped.clone(),
            shards: self.shard.count,
            fleets: t.fleets.clone(),
            calls: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            causes: t.causes.clone(),
            crashes: sc
                .consumers
                .iter()
                .any(|c| c.crash_rate > 0.0)
                .then(Default::default),
        }
    }

    /// Lane `l` as a consumer task reads it.
    fn consumer_lane(&self, t: &Tasks<'_>, l: usize, subscriber: &Option<Arc<Subscriber>>) -> Lane {
        let sc = self.scenario;
        Lane {
            client: self.queue_client(),
            queue_url: self.lanes[l].queue_url.clone(),
            fifo: sc.queue.kind == QueueType::Fifo,
            ledger: t.ledgers.handle(l).clone(),
            subscriber: subscriber.clone(),
            queue: (!sc.queues.is_empty()).then_some(l as QueueIndex),
        }
    }

    /// A scaled fleet's size, with its scaler started (watching the fleet's first queue);
    /// none for a fleet of fixed size.
    fn spawn_scaler(
        &self,
        t: &Tasks<'_>,
        fleet: &ConsumerFleet,
        lane: usize,
        scalers: &mut JoinSet<()>,
    ) -> Option<Arc<FleetSize>> {
        let scaler = Scaler::new(fleet.scaling.as_ref()?);
        let size = Arc::new(FleetSize::new(scaler.current()));
        scalers.spawn(
            ScalerRun {
                scaler,
                size: size.clone(),
                client: self.queue_client(),
                queue_url: self.lanes[lane].queue_url.clone(),
                lane,
                backlog: t.backlog.clone(),
                clock: t.clock,
                recorder: t.registry.clone(),
                stop: t.consumers_stopped.clone(),
            }
            .run(),
        );
        Some(size)
    }
}

/// The producer tasks started, each producer's group count (by id), and each one's attributes
/// (what a fan-out's consumers check their filters against).
struct Producers {
    tasks: JoinSet<()>,
    groups: Vec<u32>,
    attributes_of: Vec<Arc<Vec<crate::scenario::AttributeSpec>>>,
}
