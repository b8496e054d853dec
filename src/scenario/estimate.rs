//! What a scenario will cost before it runs: requests per API from its schedule and fleets,
//! billed in 64 KiB chunks at the scenario's prices. Receives are the uncertain part: a receive
//! per send batch (more when the consumer batch is smaller), plus the empty long polls idle
//! consumers make; short polling (wait_time = 0) is estimated at 100 empty polls a second per
//! idle consumer, and a consumer polling several queues in rotation at one short poll per queue
//! and one long poll a second. Control-plane calls (create, tag, attributes, delete) are a handful and left
//! out, as they are from the counted cost.

use super::types::{ConsumerFleet, DeleteMode, ProcessingSpec, Scaling, Scenario};
use crate::price;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Estimate {
    pub messages: f64,
    pub send_requests: f64,
    pub receive_requests: f64,
    /// Of the receives, those expected to come back empty.
    pub empty_receives: f64,
    pub delete_requests: f64,
    /// Heartbeats' ChangeMessageVisibilityBatch calls.
    pub visibility_requests: f64,
    /// KEDA scalers' GetQueueAttributes reads (one per polling interval).
    pub attribute_requests: f64,
    /// Requests × 64 KiB chunks.
    pub billed_requests: f64,
    /// A fan-out: the publishes SNS bills (standard: × 64 KiB chunks; FIFO: requests) and SNS's
    /// share of `usd` (FIFO topics: with payload and deliveries).
    pub sns_publishes: f64,
    pub sns_usd: f64,
    /// What `sns_publishes` counts: "SNS publishes", or "EventBridge events" (an EventBridge
    /// fan-out's events, each 64 KB chunk one, with their deliveries to the rules' queues).
    pub router_units: &'static str,
    pub usd: f64,
}

impl Estimate {
    pub(crate) fn usd_per_million_messages(&self) -> f64 {
        price::per_million_messages(self.usd, self.messages)
    }

    /// The requests per API the run will make, as `validate` prints them.
    pub(crate) fn plan(&self) -> String {
        let sends = if self.sns_publishes > 0.0 && self.router_units.starts_with("EventBridge") {
            format!("{:.0} PutEvents", self.send_requests)
        } else if self.sns_publishes > 0.0 {
            format!("{:.0} publish", self.sns_publishes)
        } else {
            format!("{:.0} send", self.send_requests)
        };
        format!(
            "planned: {:.0} messages; about {sends}, {:.0} receive (~{:.0} of them empty) and {:.0} delete requests",
            self.messages, self.receive_requests, self.empty_receives, self.delete_requests
        )
    }

    pub(crate) fn describe(&self, price_per_million: f64) -> String {
        if self.sns_publishes > 0.0 {
            return format!(
                "estimated cost: {:.0} {} (${:.6}) + {:.0} billed SQS requests (receive {:.0} of which ~{:.0} empty, delete {:.0}) × ${price_per_million}/M, every {} taken to get every message (an upper bound) = ${:.6} (${:.4} per million messages)",
                self.sns_publishes,
                self.router_units,
                self.sns_usd,
                self.billed_requests,
                self.receive_requests,
                self.empty_receives,
                self.delete_requests,
                if self.router_units.starts_with("EventBridge") {
                    "rule"
                } else {
                    "subscription"
                },
                self.usd,
                self.usd_per_million_messages()
            );
        }
        let reads = if self.attribute_requests > 0.0 {
            format!(", scaler reads {:.0}", self.attribute_requests)
        } else {
            String::new()
        };
        format!(
            "estimated cost: {:.0} billed requests (send {:.0}, receive {:.0} of which ~{:.0} empty, delete {:.0}, visibility {:.0}{reads}) × ${price_per_million}/M = ${:.6} (${:.4} per million messages)",
            self.billed_requests,
            self.send_requests,
            self.receive_requests,
            self.empty_receives,
            self.delete_requests,
            self.visibility_requests,
            self.usd,
            self.usd_per_million_messages()
        )
    }
}

/// The cost estimate line, or why there is none.
pub(crate) fn cost_line(s: &Scenario) -> String {
    match estimate(s) {
        Some(e) => e.describe(s.price_per_million()),
        None => "estimated cost: unknown (a fleet runs closed loop at rate = \"max\")".into(),
    }
}

/// None when a fleet runs closed loop (`rate = "max"`): its message count is unknown.
pub(crate) fn estimate(s: &Scenario) -> Option<Estimate> {
    match &s.fanout {
        Some(fanout) => fanout_estimate(s, fanout),
        None => queue_estimate(s),
    }
}

/// A fan-out: the publishers' calls at SNS's prices, and each subscription's queue as if its
/// consumers alone read every message (its filter's share is only known once drawn).
fn fanout_estimate(s: &Scenario, fanout: &super::types::Fanout) -> Option<Estimate> {
    let sends = queue_estimate(&Scenario {
        consumers: Vec::new(),
        fanout: None,
        ..s.clone()
    })?;
    let mut e = Estimate {
        messages: sends.messages,
        ..Estimate::default()
    };
    for c in &s.consumers {
        let one = queue_estimate(&Scenario {
            consumers: vec![c.clone()],
            fanout: None,
            ..s.clone()
        })?;
        e.receive_requests += one.receive_requests;
        e.empty_receives += one.empty_receives;
        e.delete_requests += one.delete_requests;
    }
    e.billed_requests = e.receive_requests + e.delete_requests;
    let bytes = s
        .producers
        .iter()
        .map(|p| p.message_size.mean())
        .sum::<f64>()
        / s.producers.len().max(1) as f64;
    let c = &s.cost;
    if fanout.bus().is_some() {
        let overhead = fanout
            .attributes
            .iter()
            .map(|a| super::bus::drawn_bytes(a) as f64)
            .fold(0.0, f64::max);
        let chunks = price::chunks(bytes + overhead);
        let events = e.messages * chunks;
        // Each rule's queue taken to get every event: EventBridge's SendMessage to it.
        let deliveries: f64 = fanout
            .routes
            .iter()
            .map(|r| {
                let per_million = match fanout.queue_kind(r) {
                    super::types::QueueType::Fifo => c.fifo_per_million,
                    super::types::QueueType::Standard => c.standard_per_million,
                };
                price::usd(e.messages * chunks, per_million)
            })
            .sum();
        e.sns_publishes = events;
        e.sns_usd = price::usd(events, c.eventbridge_per_million) + deliveries;
        e.router_units = "EventBridge events (and their deliveries)";
        e.send_requests = sends.send_requests;
        e.usd = price::usd(e.billed_requests, s.price_per_million()) + e.sns_usd;
        return Some(e);
    }
    e.router_units = "SNS publishes";
    let fifo_topic = fanout
        .topic()
        .is_some_and(|t| t.kind == super::types::QueueType::Fifo);
    (e.sns_publishes, e.sns_usd) = if fifo_topic {
        let gb = e.messages * bytes / 1e9;
        let deliveries = e.messages * s.consumers.len() as f64;
        let usd = price::usd(sends.send_requests, c.sns_fifo_per_million)
            + gb * c.sns_fifo_per_gb_published
            + price::usd(deliveries, c.sns_fifo_per_million_delivered)
            + gb * s.consumers.len() as f64 * c.sns_fifo_per_gb_delivered;
        (sends.send_requests, usd)
    } else {
        (
            sends.billed_requests,
            price::usd(sends.billed_requests, c.sns_standard_per_million),
        )
    };
    e.usd = price::usd(e.billed_requests, s.price_per_million()) + e.sns_usd;
    Some(e)
}

fn queue_estimate(s: &Scenario) -> Option<Estimate> {
    let total = s.run.warmup + s.run.duration;
    let seconds = total.as_secs_f64();
    let mut e = Estimate::default();
    // A receive returns at most 10, however large a Lambda-style batch gathers.
    let receive_batch = s
        .consumers
        .iter()
        .map(|c| c.batch_size.min(10))
        .max()
        .unwrap_or(10)
        .max(1) as f64;
    let mut batch_arrivals = 0.0;
    for p in &s.producers {
        let messages = p.planned_messages(total)?;
        let batch = p.batch_size.max(1) as f64;
        let sends = (messages / batch).ceil();
        let chunks = price::chunks(batch * p.message_size.mean());
        e.messages += messages;
        e.send_requests += sends;
        e.billed_requests += sends * chunks;
        batch_arrivals += sends;
        if !s.consumers.is_empty() {
            // Each send batch is taken by ceil(batch / receive batch) receives.
            e.receive_requests += sends * (batch / receive_batch).ceil();
        }
    }
    let failure = s
        .consumers
        .iter()
        .map(|c| c.failure_rate)
        .fold(0.0, f64::max)
        .min(0.99);
    // A failed message is received again after its visibility timeout.
    e.receive_requests /= 1.0 - failure;
    let full_receives = e.receive_requests;
    for c in &s.consumers {
        let polls_per_idle_second = idle_polls_per_second(s, c);
        // Polls this fleet could make if idle, less those that find a message.
        let share = c.count as f64 / s.consumers.iter().map(|c| c.count).sum::<u32>().max(1) as f64;
        let idle =
            (c.count as f64 * polls_per_idle_second * seconds - batch_arrivals * share).max(0.0);
        e.empty_receives += idle;
        e.delete_requests += match c.delete {
            DeleteMode::Batch => full_receives * share,
            DeleteMode::Single => e.messages * share,
        };
        let per_receive = e.messages / full_receives.max(1.0);
        e.visibility_requests += full_receives * share * heartbeats_per_batch(c, per_receive);
        if let Some(Scaling::Keda(k)) = c.scaling {
            e.attribute_requests += (seconds / k.polling_interval.as_secs_f64()).floor();
        }
    }
    e.receive_requests += e.empty_receives;
    e.billed_requests +=
        e.receive_requests + e.delete_requests + e.visibility_requests + e.attribute_requests;
    e.usd = price::usd(e.billed_requests, s.price_per_million());
    Some(e)
}

/// The ChangeMessageVisibilityBatch calls a poller with a heartbeat makes on a batch of
/// `messages` (at most ten: one call a beat): a beat every `every` before the work ends, the
/// mean work for an exponential processing time.
fn heartbeats_per_batch(c: &ConsumerFleet, messages: f64) -> f64 {
    let Some(beat) = c.visibility_heartbeat else {
        return 0.0;
    };
    let per_message = match &c.processing_time {
        ProcessingSpec::Fixed(d) => d.as_secs_f64(),
        ProcessingSpec::Exponential { mean } => mean.as_secs_f64(),
    };
    let work = per_message * messages;
    ((work / beat.every.as_secs_f64()).ceil() - 1.0).max(0.0)
}

/// The receives one idle task of fleet `c` makes a second: a long poll per `wait_time`, or 100
/// short polls; a task polling k queues in rotation makes k short polls and one long poll of at
/// most a second (`workload::targets::Rotation`).
fn idle_polls_per_second(s: &Scenario, c: &ConsumerFleet) -> f64 {
    let wait = c.wait_time.as_secs_f64();
    if wait == 0.0 {
        return 100.0;
    }
    let queues = s.lanes_of(c.queue.as_deref()).len();
    let per_task = queues.div_ceil(c.count.max(1) as usize);
    match per_task {
        0 | 1 => 1.0 / wait,
        k => (k + 1) as f64 / wait.min(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validate::scenario_from_text;

    fn of(text: &str) -> Estimate {
        estimate(&scenario_from_text(text, &[]).unwrap()).unwrap()
    }

    #[test]
    fn consumers_rotating_over_many_queues_make_a_short_poll_per_queue_and_a_long_one() {
        let idle = |consumers: &str| {
            of(&format!(
                "name = \"m\"\n[[queues]]\nname = \"t-{{i}}\"\ncount = 100\n[run]\nduration = \"10s\"\n\
                 [[producers]]\nrate = \"1/s\"\n[[consumers]]\n{consumers}"
            ))
            .empty_receives
        };
        // One task per queue: 100 long polls of 20 s each over 10 s, less the arrivals.
        assert!((idle("count = 100\n") - (100.0 * 10.0 / 20.0 - 10.0)).abs() < 1e-9);
        // Four tasks of 25 queues each: 26 polls a second each.
        assert!((idle("count = 4\n") - (4.0 * 26.0 * 10.0 - 10.0)).abs() < 1e-9);
    }

    #[test]
    fn aligned_batches_cost_three_requests_per_batch() {
        let e = of(r#"
name = "e"
[run]
duration = "10s"
[[producers]]
rate = "1000/s"
batch_size = 10
message_size = "1KiB"
[[consumers]]
count = 2
batch_size = 10
wait_time = "20s"
"#);
        assert_eq!(e.messages, 10_000.0);
        assert_eq!(
            (e.send_requests, e.receive_requests, e.delete_requests),
            (1000.0, 1000.0, 1000.0)
        );
        assert_eq!(e.empty_receives, 0.0);
        assert!((e.usd - 3000.0 * 0.40 / 1e6).abs() < 1e-12);
    }

    #[test]
    fn large_batches_bill_by_64_kib_chunks_at_fifo_prices() {
        let e = of(r#"
name = "e"
[queue]
type = "fifo"
[run]
duration = "10s"
[[producers]]
rate = "10/s"
batch_size = 10
message_size = "100KiB"
"#);
        // 10 sends of 10 × 100 KiB = 16 chunks each; no consumers, so nothing else.
        assert_eq!(e.billed_requests, 160.0);
        assert!((e.usd - 160.0 * 0.50 / 1e6).abs() < 1e-12);
    }

    #[test]
    fn idle_long_polls_are_counted_and_prices_can_be_overridden() {
        let e = of(r#"
name = "e"
[run]
duration = "10s"
[[producers]]
rate = "1/s"
batch_size = 1
[[consumers]]
count = 4
wait_time = "1s"
[cost]
standard_per_million = 1.0
"#);
        // 4 consumers × 1 poll/s × 10 s = 40 polls, 10 of which find a message.
        assert_eq!((e.receive_requests, e.empty_receives), (40.0, 30.0));
        assert!((e.usd - e.billed_requests / 1e6).abs() < 1e-12);
    }

    #[test]
    fn heartbeats_are_a_call_per_beat_before_the_work_ends() {
        // 10 messages, one per receive, 4 s of work each: beats at 1 s, 2 s and 3 s.
        let e = of("name = \"h\"\n[run]\nwarmup = \"0s\"\nduration = \"2s\"\n\
                    [[producers]]\nrate = \"5/s\"\nbatch_size = 1\n\
                    [[consumers]]\nbatch_size = 1\nprocessing_time = \"4s\"\n\
                    visibility_heartbeat = { every = \"1s\", extend_by = \"2s\" }\n");
        assert_eq!(e.visibility_requests, 30.0);
    }

    #[test]
    fn a_closed_loop_cannot_be_estimated() {
        let s = scenario_from_text("name = \"e\"\n[[producers]]\nrate = \"max\"\n", &[]).unwrap();
        assert!(estimate(&s).is_none());
    }

    #[test]
    fn a_fanout_bills_publishes_at_sns_prices_and_every_subscription_reads() {
        let queue = of(
            "name = \"q\"\n[run]\nduration = \"10s\"\n[[producers]]\nrate = \"100/s\"\nbatch_size = 10\n[[consumers]]\n",
        );
        let fanout = of(
            "name = \"f\"\n[topic]\n[run]\nduration = \"10s\"\n[[publishers]]\nrate = \"100/s\"\nbatch_size = 10\n[[subscriptions]]\nname = \"a\"\n[[subscriptions]]\nname = \"b\"\n",
        );
        assert_eq!(fanout.sns_publishes, queue.send_requests);
        assert!((fanout.sns_usd - 100.0 * 0.50 / 1e6).abs() < 1e-12);
        assert_eq!(fanout.receive_requests, 2.0 * queue.receive_requests);
        assert_eq!(fanout.delete_requests, 2.0 * queue.delete_requests);
        let sqs = fanout.billed_requests * 0.40 / 1e6;
        assert!((fanout.usd - sqs - fanout.sns_usd).abs() < 1e-12);
    }

    /// A Lambda-style fleet gathers batches of up to 10,000, but each receive returns at most
    /// 10: the plan counts receives of 10, and the 1 % failures come back once more each.
    #[test]
    fn lambda_batches_are_received_ten_at_a_time() {
        let s = scenario_from_text(include_str!("../../scenarios/lambda-batch.toml"), &[]).unwrap();
        assert_eq!(s.consumers[0].batch_size, 100);
        let e = estimate(&s).unwrap();
        assert_eq!((e.messages, e.send_requests), (20_000.0, 2_000.0));
        assert_eq!(e.receive_requests.round(), 2_020.0);
        assert!(
            e.plan()
                .contains("about 2000 send, 2020 receive (~0 of them empty) and 2020 delete"),
            "{}",
            e.plan()
        );
    }
}
