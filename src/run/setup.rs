//! Everything before traffic: the budget checked against the estimate, the results directory
//! made with the resolved scenario in it, the target connected, the queues (and a fan-out's
//! topic and subscriptions) made or found, the filters settled and the agreed start reached.
//! What the run made is remembered, as it is the only thing the run may remove.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use super::distributed::InterruptedBeforeTraffic;
use super::distributed::{Distributed, run_ids, shared_queues, wait_for_start};
use super::options::{RunOptions, since_epoch, utc_stamp};
use super::shape::Shape;
use super::shutdown::LastWords;
use crate::client;
use crate::measure::fanout::Settle;
use crate::measure::summary::{
    QueueInfo, ResultsKind, RunSummary, SCHEMA_VERSION, ScenarioInfo, TargetInfo,
};
use crate::report::results_dir::File;
use crate::report::{atomic, results};
use crate::scenario::{Scenario, Target, estimate, render};
use crate::workload::engine::Lane;
use sha2::{Digest, Sha256};

/// How long one queue deletion may take at the end, so an unanswering target cannot hold an
/// interrupted run past its 10 s.
const DELETE_TIMEOUT: Duration = Duration::from_secs(3);

/// A run ready for traffic.
pub(super) struct Ready {
    pub dir: PathBuf,
    /// The payloads' numeric run id (the text one is in `head`).
    pub run_id: u64,
    /// The summary's parts known before traffic.
    pub head: RunSummary,
    pub connection: client::Connection,
    pub prepared: Prepared,
    pub settle: Option<Settle>,
    pub estimate: Option<estimate::Estimate>,
    /// When traffic began, and the time since the epoch the run was started at.
    pub began: SystemTime,
    pub started: Duration,
}

/// Prepares the run; on any error before traffic, what was made is removed again.
pub(super) async fn prepare(
    scenario: &Scenario,
    shape: Shape<'_>,
    options: &RunOptions,
    interrupt: &mut watch::Receiver<bool>,
) -> anyhow::Result<Ready> {
    let estimate = estimate::estimate(scenario);
    check_budget(scenario, estimate.as_ref())?;
    let now = since_epoch();
    let d = &options.distributed;
    let (run_id, run_id_text) = run_ids(d, scenario, now);
    let stamp = utc_stamp(now.as_secs());
    let dir = results::create_dir(options.out.as_deref(), &scenario.name, &stamp)?;
    let resolved = render::to_toml(scenario);
    let set = set_up(scenario, shape, &dir, &resolved, &run_id_text, interrupt, d).await;
    let (connection, prepared) = set.inspect_err(|_| remove_unstarted(&dir))?;
    let settle = settle(shape, scenario, &connection, &prepared, run_id, interrupt).await;
    let head = summary_head(
        scenario,
        &run_id_text,
        now.as_secs(),
        &resolved,
        &connection,
    );
    options.last_words.begin(dir.clone(), head.clone());
    options.last_words.created_queues(&prepared.created);
    Ok(Ready {
        dir,
        run_id,
        head,
        connection,
        prepared,
        settle,
        estimate,
        began: SystemTime::now(),
        started: now,
    })
}

/// A run that never started leaves no half-made results directory behind, or says it could not
/// remove it.
fn remove_unstarted(dir: &Path) {
    if let Err(e) = std::fs::remove_dir_all(dir) {
        eprintln!(
            "warning: could not remove the unused results directory {}: {e}",
            dir.display()
        );
    }
}

fn check_budget(scenario: &Scenario, estimate: Option<&estimate::Estimate>) -> anyhow::Result<()> {
    if let (Target::Aws { .. }, Some(budget)) = (&scenario.target, scenario.run.budget_usd) {
        match estimate {
            None => anyhow::bail!(
                "run.budget_usd = {budget}: a closed-loop rate (\"max\") cannot be estimated, so the budget cannot be checked; use an open-loop rate"
            ),
            Some(e) if e.usd > budget => anyhow::bail!(
                "run.budget_usd = {budget}: the estimated cost ${:.6} exceeds it, so nothing was sent ({})",
                e.usd,
                e.describe(scenario.price_per_million())
            ),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Connects and prepares the queues, unless a signal comes first; then the queues made so far
/// are deleted (a shard deletes none: others may use them) and the run ends before any traffic.
/// A shard other than 0 does not create the queue: it waits for shard 0's, until the start
/// plus the grace.
/// Everything before traffic: the resolved scenario written, the target connected and its
/// queues ready, the agreed start reached. On an error the caller removes the directory.
async fn set_up(
    scenario: &Scenario,
    shape: Shape<'_>,
    dir: &Path,
    resolved: &str,
    run_id: &str,
    interrupt: &mut watch::Receiver<bool>,
    d: &Distributed,
) -> anyhow::Result<(client::Connection, Prepared)> {
    atomic::write(&dir.join(File::Scenario.name()), resolved)?;
    let ready = start(scenario, shape, run_id, interrupt, d).await?;
    wait_for_start(d, interrupt).await?;
    Ok(ready)
}

async fn start(
    scenario: &Scenario,
    shape: Shape<'_>,
    run_id: &str,
    interrupt: &mut watch::Receiver<bool>,
    d: &Distributed,
) -> anyhow::Result<(client::Connection, Prepared)> {
    let made = client::fanout::Made::default();
    let connection = tokio::select! {
        c = client::connect(scenario) => c?,
        Ok(_) = interrupt.wait_for(|stop| *stop) => return Err(InterruptedBeforeTraffic.into()),
    };
    let prepare = async {
        match shape {
            Shape::Fanout(f) => {
                let clients = client::fanout::Clients {
                    sqs: &connection.client,
                    sns: &connection.sns,
                    events: &connection.events,
                };
                client::fanout::prepare(&clients, &scenario.queue, f, run_id, &made)
                    .await
                    .map(Prepared::fanout)
            }
            Shape::Shard(shard) if shard.index > 0 => {
                shared_queues(&connection.client, scenario, run_id, d)
                    .await
                    .map(Prepared::queue)
            }
            _ if !scenario.queues.is_empty() => {
                let specs = scenario.lane_specs();
                client::queues::prepare_many(&connection.client, &specs, run_id, &made.queues)
                    .await
                    .map(Prepared::queues)
            }
            _ => client::queues::prepare(&connection.client, &scenario.queue, run_id, &made.queues)
                .await
                .map(Prepared::queue),
        }
    };
    let prepared = tokio::select! {
        q = prepare => Some(q),
        Ok(_) = interrupt.wait_for(|stop| *stop) => None,
    };
    match prepared {
        Some(Ok(ready)) => Ok((connection, ready)),
        failed => {
            // What was made before the failure or the signal goes; a shard's queues are shared.
            if !shape.sharded() {
                let partial = Prepared::made(made);
                for problem in partial.remove(&connection, &LastWords::default()).await {
                    eprintln!("warning: {problem}");
                }
            }
            match failed {
                Some(Err(e)) => Err(e),
                _ => Err(InterruptedBeforeTraffic.into()),
            }
        }
    }
}

/// What a run sends to and reads from, and what it made (the only things it may remove).
pub(crate) struct Prepared {
    /// The queue, or each subscription's.
    pub lanes: Vec<Lane>,
    /// URLs of the queues this run created.
    pub created: Vec<String>,
    /// A fan-out run's topic or bus, with the subscriptions or rules it made.
    pub router: Option<client::fanout::Routed>,
}

impl Prepared {
    pub(super) fn queue(q: client::queues::Queues) -> Prepared {
        Prepared {
            lanes: vec![Lane {
                queue_url: q.url,
                dead_letter_url: q.dead_letter_url,
            }],
            created: q.created,
            router: None,
        }
    }

    /// A `[[queues]]` run's queues, one lane each.
    fn queues(queues: Vec<client::queues::Queues>) -> Prepared {
        let created = queues.iter().flat_map(|q| q.created.clone()).collect();
        Prepared {
            lanes: queues
                .into_iter()
                .map(|q| Lane {
                    queue_url: q.url,
                    dead_letter_url: q.dead_letter_url,
                })
                .collect(),
            created,
            router: None,
        }
    }

    fn fanout(ready: client::fanout::Ready) -> Prepared {
        let created = ready
            .queues
            .iter()
            .flat_map(|q| q.created.clone())
            .collect();
        Prepared {
            lanes: ready
                .queues
                .into_iter()
                .map(|q| Lane {
                    queue_url: q.url,
                    dead_letter_url: q.dead_letter_url,
                })
                .collect(),
            created,
            router: Some(ready.router),
        }
    }

    /// What an abandoned setup had made.
    fn made(made: client::fanout::Made) -> Prepared {
        Prepared {
            lanes: Vec::new(),
            created: made.queues.into_inner().unwrap_or_else(|p| p.into_inner()),
            router: made.router.into_inner().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Removes what the run made: the topic's subscriptions or the bus's rules (and the topic
    /// or bus, if it made it), then its queues; returns what could not be removed.
    pub(super) async fn remove(
        &self,
        connection: &client::Connection,
        words: &LastWords,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(router) = &self.router {
            let (what, removal) = match router {
                client::fanout::Routed::Topic(topic) => (
                    format!("topic {}", topic.arn),
                    futures_util::future::Either::Left(client::topics::tear_down(
                        &connection.sns,
                        topic,
                    )),
                ),
                client::fanout::Routed::Bus(bus) => (
                    format!("event bus {}", bus.name),
                    futures_util::future::Either::Right(client::buses::tear_down(
                        &connection.events,
                        bus,
                    )),
                ),
            };
            match tokio::time::timeout(DELETE_TIMEOUT, removal).await {
                Ok(p) => problems.extend(p),
                Err(_) => problems.push(format!(
                    "{what}: no answer within {} s while removing it",
                    DELETE_TIMEOUT.as_secs()
                )),
            }
        }
        problems.extend(delete_queues(&connection.client, &self.created, words).await);
        problems
    }
}

/// Deletes the queues this run created, each within `DELETE_TIMEOUT`, up to
/// `SETUP_CONCURRENCY` at once (a run of many queues has many); returns what could not be
/// deleted, naming each queue's URL.
async fn delete_queues(
    client: &aws_sdk_sqs::Client,
    urls: &[String],
    words: &LastWords,
) -> Vec<String> {
    use futures_util::StreamExt;
    let delete_one = async |url: &String| match tokio::time::timeout(
        DELETE_TIMEOUT,
        client::queues::delete(client, url),
    )
    .await
    {
        Ok(Ok(())) => {
            words.queue_deleted(url);
            None
        }
        Ok(Err(e)) => Some(format!("could not delete {url}: {e:#}")),
        Err(_) => Some(format!(
            "could not delete {url}: no answer within {} s",
            DELETE_TIMEOUT.as_secs()
        )),
    };
    futures_util::stream::iter(urls.iter().rev())
        .map(delete_one)
        .buffered(client::queues::SETUP_CONCURRENCY)
        .filter_map(|problem| async move { problem })
        .collect()
        .await
}

/// A fan-out run's settle probes, unless `[topic] settle = "0s"`.
async fn settle(
    shape: Shape<'_>,
    scenario: &Scenario,
    connection: &client::Connection,
    prepared: &Prepared,
    run_id: u64,
    interrupt: &mut watch::Receiver<bool>,
) -> Option<Settle> {
    let (fanout, router) = (shape.fanout()?, prepared.router.as_ref()?);
    if fanout.settle().is_zero() {
        return None;
    }
    let probes = crate::workload::settle::Probes {
        sqs: &connection.client,
        router: &router_client(connection, router),
        lanes: &prepared.lanes,
        fanout,
        run_id,
        seed: scenario.run.seed,
    };
    Some(probes.settle(fanout.settle(), interrupt).await)
}

/// The client a fan-out's publishers (and probes) publish with.
pub(super) fn router_client(
    connection: &client::Connection,
    router: &client::fanout::Routed,
) -> crate::workload::publish::RouterClient {
    match router {
        client::fanout::Routed::Topic(t) => crate::workload::publish::RouterClient::Topic {
            sns: connection.sns.clone(),
            arn: t.arn.clone(),
        },
        client::fanout::Routed::Bus(b) => crate::workload::publish::RouterClient::Bus {
            events: connection.events.clone(),
            name: b.name.clone(),
        },
    }
}

/// The summary's parts known before any traffic.
fn summary_head(
    scenario: &Scenario,
    run_id: &str,
    started_secs: u64,
    resolved: &str,
    connection: &client::Connection,
) -> RunSummary {
    RunSummary {
        schema_version: SCHEMA_VERSION,
        kind: Some(ResultsKind::Run),
        sqsbench_version: env!("CARGO_PKG_VERSION").to_string(),
        run_id: run_id.to_string(),
        started_at: utc_stamp(started_secs),
        scenario: ScenarioInfo {
            name: scenario.name.clone(),
            sha256: Sha256::digest(resolved.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            warmup_seconds: Some(scenario.run.warmup.as_secs_f64()),
            duration_seconds: Some(scenario.run.duration.as_secs_f64()),
        },
        target: TargetInfo {
            kind: connection.kind,
            endpoint: connection.endpoint.clone(),
            region: connection.region.clone(),
            client: scenario.client,
            worker_threads: tokio::runtime::Handle::try_current()
                .ok()
                .map(|h| h.metrics().num_workers() as u32),
        },
        queue: QueueInfo {
            kind: scenario.queue.kind,
            name: scenario.queue.name.clone(),
        },
        ..RunSummary::default()
    }
}
