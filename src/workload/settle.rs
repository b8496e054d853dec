//! Before a fan-out run's traffic: probes each route until its filter policy or event pattern
//! behaves. On AWS a new or changed filter policy can take up to 15 minutes to take effect, and
//! a new rule a while; measured before then, `missing` and `leaked` would be artefacts of
//! propagation. A round publishes marked probes (this run's id, producer `PROBE_PRODUCER`, no
//! intended time, so the run's consumers delete a late one unmeasured) with values drawn as the
//! publishers draw theirs, then reads every route's queue: the round settles when each got
//! exactly the probes its matcher lets through. Probes are counted here, apart from the run.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use aws_sdk_sns::types::PublishBatchRequestEntry;
use tokio::sync::watch;

use super::attributes::{AttributeSpec, Drawn, Matcher, draw, lets_through};
use super::engine::Lane;
use super::publish::{Publication, RouterClient, batch_entry, event_entry};
use super::subscriber::{Envelope, published};
use crate::measure::fanout::Settle;
use crate::measure::payload::Payload;
use crate::scenario::{Fanout, QueueType, RouteKeys};

/// The producer id probes carry: above any real producer's (at most 64 fleets × 10,000 tasks).
pub(crate) const PROBE_PRODUCER: u32 = 0x00ff_ffff;
/// Probes per round: one PublishBatch.
const PER_ROUND: u64 = 10;
/// How long a round waits for its probes, and then for any that should not come.
const ROUND_WAIT: Duration = Duration::from_secs(10);
const LEAK_WAIT: Duration = Duration::from_secs(1);

pub(crate) struct Probes<'a> {
    pub sqs: &'a aws_sdk_sqs::Client,
    pub router: &'a RouterClient,
    pub lanes: &'a [Lane],
    pub fanout: &'a Fanout,
    pub run_id: u64,
    pub seed: u64,
}

/// One route as the probes judge it.
struct Judge {
    matcher: Option<Matcher>,
    envelope: Envelope,
}

impl Probes<'_> {
    /// Rounds until every subscription behaves, `limit` passes or an interrupt comes.
    pub(crate) async fn settle(
        &self,
        limit: Duration,
        interrupt: &mut watch::Receiver<bool>,
    ) -> Settle {
        let started = Instant::now();
        let judges = self.judges();
        let mut settle = Settle::default();
        // Every probe's attributes (by sequence), so a late one is judged by what it carried.
        let mut published: BTreeMap<u64, Vec<Drawn>> = BTreeMap::new();
        while started.elapsed() < limit || settle.rounds == 0 {
            let round = tokio::select! {
                r = self.round(settle.rounds as u64, &judges, &mut published, &mut settle) => r,
                Ok(_) = interrupt.wait_for(|stop| *stop) => Err("interrupted".to_string()),
            };
            settle.rounds += 1;
            match round {
                Ok(()) => {
                    settle.settled = true;
                    settle.last_problem.clear();
                    break;
                }
                Err(problem) => settle.last_problem = problem,
            }
            if *interrupt.borrow() {
                break;
            }
        }
        settle.seconds = crate::round::tenths(started.elapsed().as_secs_f64());
        settle
    }

    fn judges(&self) -> Vec<Judge> {
        self.fanout
            .routes
            .iter()
            .map(|r| Judge {
                matcher: Matcher::of(r),
                envelope: match &r.keys {
                    RouteKeys::Subscription(s) if s.raw_message_delivery => Envelope::Raw,
                    RouteKeys::Subscription(_) => Envelope::Sns,
                    RouteKeys::Rule(_) => Envelope::Event,
                },
            })
            .collect()
    }

    /// The attributes probe `sequence` draws: as publisher fleet `sequence % fleets` would.
    fn attributes(&self, sequence: u64) -> Vec<Drawn> {
        let fleets = &self.fanout.attributes;
        let specs: &[AttributeSpec] = match fleets.len() {
            0 => &[],
            n => &fleets[(sequence % n as u64) as usize],
        };
        draw(specs, self.seed, PROBE_PRODUCER, sequence)
    }

    /// One round: publish, then read every subscription; `Err` says what misbehaved.
    async fn round(
        &self,
        round: u64,
        judges: &[Judge],
        published: &mut BTreeMap<u64, Vec<Drawn>>,
        settle: &mut Settle,
    ) -> Result<(), String> {
        let sequences: Vec<u64> = (round * PER_ROUND..(round + 1) * PER_ROUND).collect();
        for s in &sequences {
            published.insert(*s, self.attributes(*s));
        }
        self.publish(&sequences, published).await?;
        settle.probes_published += sequences.len() as u64;
        for ((judge, lane), s) in judges.iter().zip(self.lanes).zip(&self.fanout.routes) {
            let should = |seq: &u64| {
                published
                    .get(seq)
                    .is_some_and(|drawn| lets_through(judge.matcher.as_ref(), drawn))
            };
            let expected: BTreeSet<u64> = sequences.iter().copied().filter(should).collect();
            let got = self.read(lane, judge, &expected, settle).await?;
            if let Some(leak) = got.iter().find(|seq| !should(seq)) {
                return Err(format!(
                    "{}: probe {leak} arrived although its filter should stop it",
                    s.name()
                ));
            }
            let missing = expected.difference(&got).count();
            if missing > 0 {
                return Err(format!(
                    "{}: {missing} of {} probes its filter lets through did not arrive within {} s",
                    s.name(),
                    expected.len(),
                    ROUND_WAIT.as_secs()
                ));
            }
        }
        Ok(())
    }

    async fn publish(
        &self,
        sequences: &[u64],
        published: &BTreeMap<u64, Vec<Drawn>>,
    ) -> Result<(), String> {
        let fifo = self
            .fanout
            .topic()
            .is_some_and(|t| t.kind == QueueType::Fifo);
        let bodies: Vec<String> = sequences
            .iter()
            .map(|s| {
                let mut body = String::new();
                Payload {
                    run: self.run_id,
                    producer: PROBE_PRODUCER,
                    sequence: *s,
                    group: 0,
                    intended_us: 0,
                    sent_us: 0,
                }
                .encode_into(0, &mut body);
                body
            })
            .collect();
        let publication = |i: usize| {
            let s = sequences[i];
            Publication {
                body: &bodies[i],
                attributes: published.get(&s).cloned().unwrap_or_default(),
                group: fifo.then(|| "sqsbench-probe".to_string()),
                dedup: fifo.then(|| format!("probe-{:x}-{s}", self.run_id)),
            }
        };
        let refused = match self.router {
            RouterClient::Topic { sns, arn } => {
                let entries: Vec<PublishBatchRequestEntry> = (0..sequences.len())
                    .map(|i| batch_entry(&sequences[i].to_string(), publication(i)))
                    .collect();
                let out = sns
                    .publish_batch()
                    .topic_arn(arn)
                    .set_publish_batch_request_entries(Some(entries))
                    .send()
                    .await
                    .map_err(|e| {
                        format!(
                            "publishing probes: {}",
                            aws_sdk_sns::error::DisplayErrorContext(&e)
                        )
                    })?;
                out.failed().len()
            }
            RouterClient::Bus { events, name } => {
                let entries = (0..sequences.len())
                    .map(|i| event_entry(name, &publication(i)))
                    .collect();
                let out = events
                    .put_events()
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .map_err(|e| {
                        format!(
                            "putting probe events: {}",
                            aws_sdk_eventbridge::error::DisplayErrorContext(&e)
                        )
                    })?;
                out.failed_entry_count.max(0) as usize
            }
        };
        if refused > 0 {
            return Err(format!("{refused} probes were refused by the router"));
        }
        Ok(())
    }

    /// Reads probes from the lane until `expected` arrived (or the round's wait passed), then
    /// once more for any that should not come; deletes every probe read.
    async fn read(
        &self,
        lane: &Lane,
        judge: &Judge,
        expected: &BTreeSet<u64>,
        settle: &mut Settle,
    ) -> Result<BTreeSet<u64>, String> {
        let deadline = Instant::now() + ROUND_WAIT;
        let mut got = BTreeSet::new();
        let mut last_look = false;
        loop {
            let all_in = expected.is_subset(&got);
            if (all_in && last_look) || Instant::now() >= deadline {
                return Ok(got);
            }
            last_look = all_in;
            let wait = if all_in {
                LEAK_WAIT
            } else {
                Duration::from_secs(1)
            };
            let out = self
                .sqs
                .receive_message()
                .queue_url(&lane.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(wait.as_secs() as i32)
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "reading probes: {}",
                        aws_sdk_sqs::error::DisplayErrorContext(&e)
                    )
                })?;
            for m in out.messages() {
                let body = published(m.body().unwrap_or(""), judge.envelope);
                let Ok(p) = Payload::decode(&body, self.run_id) else {
                    continue;
                };
                if p.producer != PROBE_PRODUCER {
                    continue;
                }
                settle.probes_received += 1;
                got.insert(p.sequence);
                if let Some(handle) = m.receipt_handle() {
                    // A probe left behind is deleted unmeasured by the run's consumers.
                    let _ = self
                        .sqs
                        .delete_message()
                        .queue_url(&lane.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Probes;
    use crate::client::{self, fanout::Made};
    use crate::scenario::validate::scenario_from_text;
    use crate::workload::engine::Lane;

    const SCENARIO: &str = r#"
name = "settle"
[topic]
[[publishers]]
rate = "10/s"
attributes = { amount = { range = [1, 100] } }
[[subscriptions]]
name = "big"
filter_policy = { amount = [{ numeric = [">", 50] }] }
[[subscriptions]]
name = "all"
"#;

    /// Sets up the scenario's topic and queues on an embedded emulator, subscribed as
    /// `applied` says (the filter SNS really applies), and probes them by `SCENARIO`'s filters.
    async fn probe(applied: &str, limit: Duration) -> (crate::measure::fanout::Settle, String) {
        let scenario = scenario_from_text(SCENARIO, &[]).unwrap();
        let applied = scenario_from_text(applied, &[]).unwrap();
        let connection = client::connect(&scenario).await.unwrap();
        let (sqs, sns) = (&connection.client, &connection.sns);
        let made = Made::default();
        let fanout = applied.fanout.as_ref().unwrap();
        let clients = client::fanout::Clients {
            sqs,
            sns,
            events: &connection.events,
        };
        let ready = client::fanout::prepare(&clients, &scenario.queue, fanout, "r", &made)
            .await
            .unwrap();
        let lanes: Vec<Lane> = ready
            .queues
            .iter()
            .map(|q| Lane {
                queue_url: q.url.clone(),
                dead_letter_url: None,
            })
            .collect();
        let policy = sqs
            .get_queue_attributes()
            .queue_url(&lanes[0].queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::Policy)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap_or_default()
            .remove(&aws_sdk_sqs::types::QueueAttributeName::Policy)
            .unwrap_or_default();
        let probes = Probes {
            sqs,
            router: &crate::workload::publish::RouterClient::Topic {
                sns: sns.clone(),
                arn: match &ready.router {
                    client::fanout::Routed::Topic(t) => t.arn.clone(),
                    client::fanout::Routed::Bus(_) => unreachable!("a topic scenario"),
                },
            },
            lanes: &lanes,
            fanout: scenario.fanout.as_ref().unwrap(),
            run_id: 5,
            seed: 1,
        };
        let (_keep, mut interrupt) = tokio::sync::watch::channel(false);
        (probes.settle(limit, &mut interrupt).await, policy)
    }

    #[tokio::test]
    async fn filters_that_behave_settle_in_one_round_and_the_topic_may_send() {
        let (settle, policy) = probe(SCENARIO, Duration::from_secs(30)).await;
        assert!(settle.settled, "{settle:?}");
        assert_eq!((settle.rounds, settle.probes_published), (1, 10));
        assert!(
            settle.probes_received >= 10,
            "the unfiltered queue got every probe"
        );
        assert!(policy.contains("sns.amazonaws.com") && policy.contains("aws:SourceArn"));
    }

    #[tokio::test]
    async fn a_filter_not_yet_applied_does_not_settle_and_says_where() {
        // SNS still lets everything through to "big": its probes leak until the limit.
        let unfiltered = SCENARIO.replace(
            "filter_policy = { amount = [{ numeric = [\">\", 50] }] }\n",
            "",
        );
        let (settle, _) = probe(&unfiltered, Duration::from_secs(3)).await;
        assert!(!settle.settled);
        assert!(settle.rounds >= 1);
        assert!(
            settle.last_problem.starts_with("big: probe"),
            "{}",
            settle.last_problem
        );
    }
}
