//! Every scenario key, defined once: its section, type, codec (bounds), what it is when absent
//! and its doc line (`section!`). The struct, its reader, its rendering and its lines in
//! `scenarios/reference.toml` follow from here; rules that tie keys together are in `validate`.
//! Adding a key touches its section here and, if it has one, its rule in `validate`.
//! (`[emulator]` is defined by the emulator, in `emulator::settings`.)

use std::collections::BTreeMap;
use std::time::Duration;

use super::codecs::{Attributes, Deduplications, Processing, Rates, Sizes};
use super::heartbeat::{Heartbeat, Heartbeats};
use super::keys::{
    Addr, Bool, Choice, Opt, Rate, Text, derived, dur, int, nested, num, or, required, section,
    spelled, unset,
};
use super::pattern::{PatternSpec, Patterns, TransformerSpec, Transformers};
use super::policy::{Policies, PolicySpec};
use super::scaling::{Scaling, Scalings};
use super::shares::{Skew, Skews, Weights};
use super::values::{
    ConsumerKind, Deduplication, DeleteMode, ProcessingSpec, QueueType, RateSpec, SizeSpec,
};

const SECOND: Duration = Duration::from_secs(1);

pub(crate) const TARGET_KINDS: Choice<TargetKind> = Choice {
    what: "a target kind",
    names: &[
        ("embedded", TargetKind::Embedded),
        ("endpoint", TargetKind::Endpoint),
        ("aws", TargetKind::Aws),
    ],
};

/// Which client makes the hot calls (SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientKind {
    /// hyper + aws-sigv4: a fraction of the SDK's CPU per call.
    #[default]
    Lean,
    /// aws-sdk-sqs, the reference.
    Sdk,
}

pub(crate) const CLIENT_KINDS: Choice<ClientKind> = Choice {
    what: "a client",
    names: &[("lean", ClientKind::Lean), ("sdk", ClientKind::Sdk)],
};

spelled!(ClientKind, CLIENT_KINDS);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetKind {
    #[default]
    Embedded,
    Endpoint,
    Aws,
}

pub(crate) const QUEUE_TYPES: Choice<QueueType> = Choice {
    what: "a queue type",
    names: &[("standard", QueueType::Standard), ("fifo", QueueType::Fifo)],
};

pub(crate) const DELETE_MODES: Choice<DeleteMode> = Choice {
    what: "a delete mode",
    names: &[("batch", DeleteMode::Batch), ("single", DeleteMode::Single)],
};

spelled!(TargetKind, TARGET_KINDS);
spelled!(QueueType, QUEUE_TYPES);
pub(crate) const CONSUMER_KINDS: Choice<ConsumerKind> = Choice {
    what: "a consumer kind",
    names: &[
        ("poller", ConsumerKind::Poller),
        ("lambda", ConsumerKind::Lambda),
    ],
};

spelled!(DeleteMode, DELETE_MODES);
spelled!(ConsumerKind, CONSUMER_KINDS);

section! {
    /// `[target]` as written; `validate` turns it into a `Target`.
    pub struct TargetKeys / TargetRead {
        /// the in-process emulator, any SQS-compatible endpoint, or AWS
        kind: TargetKind = TARGET_KINDS, or(TargetKind::Embedded);
        /// kind = "endpoint": LocalStack, fauxqs, ElasticMQ, `sqsbench serve`
        endpoint: Option<String> = Opt(Text), unset("\"http://127.0.0.1:4566\"");
        /// endpoint: the signing region (default us-east-1); aws: the region
        region: Option<String> = Opt(Text), unset("\"us-east-1\"");
        /// kind = "aws": a named profile (else the default credential chain)
        profile: Option<String> = Opt(Text), unset("\"bench\"");
        /// the hot calls' client: "lean" (hyper + aws-sigv4) or "sdk" (aws-sdk-sqs, the reference)
        client: ClientKind = CLIENT_KINDS, or(ClientKind::Lean);
    }
}

section! {
    /// `[queue.dead_letter]`: a DLQ `<name>-dlq` wired by RedrivePolicy.
    pub struct DeadLetter / DeadLetterRead {
        /// receives before a message moves to the DLQ
        max_receive_count: u32 = int(1, 1000), required("is required in [queue.dead_letter]", "5");
    }
}

section! {
    /// `[queue]`: the queue under test.
    pub struct QueueSpec / QueueRead {
        /// standard or FIFO
        kind as "type": QueueType = QUEUE_TYPES, or(QueueType::Standard);
        /// the full name, ".fifo" appended for FIFO queues
        name: String = Text, derived("\"sqsbench-<name>\"", String::new());
        /// create when absent (deleted at the end only if this run created it)
        create: bool = Bool, or(true);
        /// how long a received message stays invisible
        visibility_timeout: Duration = dur().at_most(Duration::from_secs(43_200), "must be at most 12h"),
            or(Duration::from_secs(30));
        /// FIFO only
        content_based_deduplication: bool = Bool, or(false);
        /// FIFO only: DeduplicationScope=messageGroup + FifoThroughputLimit=perMessageGroupId
        high_throughput: bool = Bool, or(false);
        /// passed to CreateQueue verbatim, e.g. { SqsManagedSseEnabled = "true" }
        attributes: BTreeMap<String, String> = Attributes, or(BTreeMap::new());
        /// a dead-letter queue
        dead_letter: Option<DeadLetter> = Opt(nested::<DeadLetter>()),
            unset("{ max_receive_count = 5 }");
    }
}

section! {
    /// `[topic]`: the SNS topic a fan-out scenario's publishers publish to.
    pub struct TopicSpec / TopicRead {
        /// standard or FIFO (FIFO topics deliver to FIFO queues)
        kind as "type": QueueType = QUEUE_TYPES, or(QueueType::Standard);
        /// the full name, ".fifo" appended for FIFO topics
        name: String = Text, derived("\"sqsbench-<name>\"", String::new());
        /// create when absent (deleted at the end only if this run created it)
        create: bool = Bool, or(true);
        /// FIFO only
        content_based_deduplication: bool = Bool, or(false);
        /// before traffic, probe each subscription until its filter behaves, for at most this
        /// (filter policy changes take up to 15 minutes on AWS); "0s" skips the probes
        settle: Duration = dur().at_most(Duration::from_secs(3600), "must be at most 1h"),
            or(Duration::from_secs(900));
    }
}

section! {
    /// `[[subscriptions]]`: a queue subscribed to the topic, and its consumers.
    pub struct SubscriptionKeys / SubscriptionRead {
        /// names the subscription, its queue (<[queue] name>-<name>) and its consumer fleet
        name: String = Text, required("is required (it names the subscription's queue and figures)", "\"billing\"");
        /// MessageAttributes scope; none: the subscription gets every message
        filter_policy: Option<PolicySpec> = Opt(Policies), unset("{ event = [\"order_paid\"] }");
        /// the body as published (false: the SNS JSON envelope, which consumers unwrap)
        raw_message_delivery: bool = Bool, or(false);
    }
}

section! {
    /// `[event_bus]`: the EventBridge bus an EventBridge scenario's `[[event_publishers]]` put
    /// events on.
    pub struct BusSpec / BusRead {
        /// "default" (the account's default bus, never created or deleted) or a custom bus
        name: String = Text, derived("\"sqsbench-<name>\"", String::new());
        /// create when absent (deleted at the end only if this run created it)
        create: bool = Bool, or(true);
        /// before traffic, probe each rule until it behaves, for at most this (a new rule can
        /// take a while to take effect on AWS); "0s" skips the probes
        settle: Duration = dur().at_most(Duration::from_secs(3600), "must be at most 1h"),
            or(Duration::from_secs(300));
        /// archive every event the bus receives during the run (the archive is deleted at the end)
        archive: bool = Bool, or(false);
        /// with archive = true: this far into the run, replay the archive's events from the run's
        /// start; replayed deliveries are counted apart by replay name, never as duplicates
        replay_after: Option<Duration> = Opt(dur().above_zero()), unset("\"20s\"");
    }
}

section! {
    /// `[[rules]]`: a rule on the bus, its target queue (<[queue] name>-<name>), and the queue's
    /// consumers.
    pub struct RuleKeys / RuleRead {
        /// names the rule, its queue (<[queue] name>-<name>) and its consumer fleet
        name: String = Text, required("is required (it names the rule, its queue and figures)", "\"big-orders\"");
        /// the rule's event pattern as a TOML table, on source, detail-type and detail
        event_pattern: PatternSpec = Patterns,
            required("is required (the events the rule matches)", "{ detail = { orderValue = [{ numeric = [\">\", 100] }] } }");
        /// the target queue's type; a FIFO queue gets content-based deduplication, which AWS
        /// requires of a FIFO target
        kind as "type": QueueType = QUEUE_TYPES, or(QueueType::Standard);
        /// what the queue gets instead of the event: InputPathsMap and InputTemplate, which must
        /// carry the event's detail (or detail.sqsbench) so the message can be identified
        input_transformer: Option<TransformerSpec> = Opt(Transformers),
            unset("{ input_paths = { body = \"$.detail.sqsbench\" }, input_template = \"<body>\" }");
    }
}

section! {
    /// `[run]`: phases, seed and repetition.
    pub struct RunSpec / RunRead {
        /// the measured phase
        duration: Duration = dur().above_zero(), or(Duration::from_secs(60));
        /// sent and received before the measured phase, not counted
        warmup: Duration = dur(), or(Duration::ZERO);
        /// after producers stop, how long consumers may catch up
        drain_timeout: Duration = dur(), or(Duration::from_secs(30));
        /// every random choice derives from it
        seed: u64 = int(0, i64::MAX), or(1);
        /// runs of the scenario; compare uses their spread as the noise band
        repeat: u32 = int(1, 1000), or(1);
        /// target "aws": refuse to start when the estimate exceeds it, stop when the counted cost
        /// reaches it
        budget_usd: Option<f64> = Opt(num(0.0, 1e9)), unset("5.0");
        /// SDK retries (off: throttles and errors are measured, not hidden)
        retries: bool = Bool, or(false);
        /// live metrics (OpenMetrics) at http://ADDR/metrics while the run goes; --metrics wins
        metrics: Option<std::net::SocketAddr> = Opt(Addr), unset("\"0.0.0.0:9464\"");
        /// the run's worker threads (default: one per core); fewer leave cores to a target on
        /// this machine, and on 2 cores 1 halves the lean client's CPU per message
        threads: Option<u32> = Opt(int(1, 1024)), unset("1");
    }
}

section! {
    /// `[[producers]]`: one fleet of sending tasks.
    pub struct ProducerFleet / ProducerFleetRead {
        /// names the fleet in results
        name: String = Text, derived("\"producers-<index>\"", String::new());
        /// concurrent tasks, each with one call in flight
        count: u32 = int(1, 10_000), or(1);
        /// the fleet's total offered rate, open loop; "max" = closed loop; steps hold the last
        /// rate, a ramp holds its end
        rate: RateSpec = Rates, required("is required (e.g. \"1000/s\", or \"max\" for closed loop)", "\"1000/s\"");
        /// 1 = SendMessage, 2..10 = SendMessageBatch
        batch_size: u32 = int(1, 10), or(1);
        /// bytes per message
        message_size: SizeSpec = Sizes, or(SizeSpec::Fixed(1024));
        /// MessageGroupId count: FIFO groups, or fair-queue groups on standard queues
        groups: u32 = int(1, 1_000_000), or(1);
        /// "content" needs FIFO with content-based deduplication; a duplicate_rate repeats
        /// earlier messages on purpose
        deduplication: Deduplication = Deduplications, or(Deduplication::Unique);
        /// [[queues]] scenarios: the queue, or the set (its "{i}" name), the fleet sends to;
        /// absent: the only [[queues]] entry
        queue: Option<String> = Opt(Text), unset("\"tenant-{i}\"");
        /// a set: each queue's share of the fleet's sends, in the set's order (default: even)
        weights: Option<Vec<f64>> = Opt(Weights), unset("[5, 1, 1]");
        /// a set: Zipf-skewed shares, queue k (from 1) getting 1/k^s (a hot tenant first)
        skew: Option<Skew> = Opt(Skews), unset("{ zipf = 1.1 }");
    }
}

section! {
    /// `[[consumers]]`: one fleet of receive loops.
    pub struct ConsumerFleet / ConsumerFleetRead {
        /// names the fleet in results
        name: String = Text, derived("\"consumers-<index>\"", String::new());
        /// concurrent receive loops ("lambda": concurrent invocations)
        count: u32 = int(1, 10_000), or(1);
        /// "poller" receives and processes message by message; "lambda" gathers batches and
        /// invokes, as an SQS event source mapping does
        kind: ConsumerKind = CONSUMER_KINDS, or(ConsumerKind::Poller);
        /// MaxNumberOfMessages (poller: at most 10); lambda: BatchSize, gathered from receives of
        /// up to 10 (at most 10,000 on standard queues, 10 on FIFO)
        batch_size: u32 = int(1, 10_000), or(10);
        /// lambda: MaximumBatchingWindowInSeconds, gathering time from the first message (not
        /// on FIFO; a batch_size above 10 needs at least 1s)
        batch_window: Duration = dur().at_most(Duration::from_secs(300), "MaximumBatchingWindowInSeconds is at most 300s"),
            or(Duration::ZERO);
        /// lambda: partial batch responses; without them any failure returns the whole batch
        report_batch_item_failures: bool = Bool, or(false);
        /// long polling (0s = short polling)
        wait_time: Duration = dur().at_most(Duration::from_secs(20), "long polling waits at most 20s"),
            or(Duration::from_secs(20));
        /// the fleet starts this long after the run (a backlog builds first)
        start_delay: Duration = dur().at_most(Duration::from_secs(3600), "must be at most 1h"),
            or(Duration::ZERO);
        /// simulated work per message (lambda: per batch invocation)
        processing_time: ProcessingSpec = Processing, or(ProcessingSpec::Fixed(Duration::ZERO));
        /// fraction left undeleted (visibility expiry → redelivery → DLQ); lambda: of messages
        /// the function fails on
        failure_rate: f64 = num(0.0, 1.0), or(0.0);
        /// DeleteMessageBatch or DeleteMessage
        delete: DeleteMode = DELETE_MODES, or(DeleteMode::Batch);
        /// poller: while a batch is processed, set its visibility to extend_by from now every
        /// `every` (ChangeMessageVisibilityBatch, counted and billed), up to SQS's 12h ceiling
        visibility_heartbeat: Option<Heartbeat> = Opt(Heartbeats), unset("{ every = \"20s\", extend_by = \"30s\" }");
        /// poller: the chance a task crashes while processing a batch (per batch): the batch is
        /// left undeleted, its visibility unchanged, and the task comes back after restart_delay
        crash_rate: f64 = num(0.0, 1.0), or(0.0);
        /// lambda: the function's memory in MB (128 to 10,240): its invocations' GB-seconds are
        /// counted and priced ([cost] lambda_per_gb_second, lambda_per_million_requests)
        memory: Option<u32> = Opt(int(128, 10_240)), unset("1024");
        /// poller: how long a crashed task stays down
        restart_delay: Duration = dur().at_most(Duration::from_secs(3600), "must be at most 1h"),
            or(5 * SECOND);
        /// [[queues]] scenarios: the queue, or the set (its "{i}" name), the fleet reads; tasks
        /// spread over a set's queues, and a task with several polls them in rotation
        queue: Option<String> = Opt(Text), unset("\"tenant-{i}\"");
        /// the fleet's size follows its queue: "target_tracking" or "keda" (pollers), "lambda"
        /// (kind = "lambda"); the fleet runs up to the policy's max, and count is then unused
        scaling: Option<Scaling> = Opt(Scalings), unset("{ policy = \"keda\", queue_length = 10, max = 20 }");
    }
}

section! {
    /// `[expect]`: checked at the end; a failure exits 1 and is listed in summary.json.
    pub struct Expectations / ExpectationsRead {
        /// received per second over the measured phase
        min_throughput: Option<f64> = Opt(Rate), unset("\"900/s\"");
        /// end-to-end p99 from the intended send time
        max_e2e_p99: Option<Duration> = Opt(dur()), unset("\"5s\"");
        /// duplicate deliveries
        max_duplicates: Option<u64> = Opt(int(0, i64::MAX)), unset("0");
        /// FIFO order violations
        max_order_violations: Option<u64> = Opt(int(0, i64::MAX)), unset("0");
        /// messages sent and never received
        max_lost: Option<u64> = Opt(int(0, i64::MAX)), unset("0");
        /// fan-out: expected by a subscription or rule and never received, summed over them
        max_missing: Option<u64> = Opt(int(0, i64::MAX)), unset("0");
        /// fan-out: measured messages that reached a subscription whose filter (or a rule whose
        /// event pattern) should have stopped them, summed over the subscriptions or rules
        max_leaked: Option<u64> = Opt(int(0, i64::MAX)), unset("0");
        /// measured messages moved to the dead-letter queue
        max_dead_lettered: Option<u64> = Opt(int(0, i64::MAX)), unset("0");
        /// throttled calls
        max_throttled: Option<u64> = Opt(int(0, i64::MAX)), unset("0");
        /// measured messages whose send failed, or that a producer behind schedule never sent
        max_send_failed: Option<u64> = Opt(int(0, i64::MAX)), unset("0");
        /// (errors + timeouts + connection failures) / calls, over every API
        max_error_rate: Option<f64> = Opt(num(0.0, 1.0)), unset("0.01");
        /// the counted cost in USD
        max_cost_usd: Option<f64> = Opt(num(0.0, 1e9)), unset("1.0");
        /// the largest backlog (visible + in flight, as the queue reported it each second)
        max_backlog: Option<u64> = Opt(int(0, i64::MAX)), unset("10000");
        /// from the end of the producers' last peak rate until the backlog drained
        max_drain_time: Option<Duration> = Opt(dur()), unset("\"2m\"");
    }
}

section! {
    /// `[cost]`: SQS request prices in USD per million requests (each 64 KiB of payload is one
    /// request), and SNS's; us-east-1 beyond the free tier by default.
    pub struct Prices / PricesRead {
        /// standard queues
        standard_per_million: f64 = num(0.0, 1e6), or(0.40);
        /// FIFO queues
        fifo_per_million: f64 = num(0.0, 1e6), or(0.50);
        /// SNS standard topics: publishes, each 64 KiB of a request's payload one publish
        /// (deliveries to SQS are free)
        sns_standard_per_million: f64 = num(0.0, 1e6), or(0.50);
        /// SNS FIFO topics: publish requests (Publish and PublishBatch calls)
        sns_fifo_per_million: f64 = num(0.0, 1e6), or(0.30);
        /// SNS FIFO topics: USD per GB of payload published
        sns_fifo_per_gb_published: f64 = num(0.0, 1e6), or(0.017);
        /// SNS FIFO topics: USD per million messages delivered to subscriptions
        sns_fifo_per_million_delivered: f64 = num(0.0, 1e6), or(0.01);
        /// SNS FIFO topics: USD per GB of payload delivered
        sns_fifo_per_gb_delivered: f64 = num(0.0, 1e6), or(0.001);
        /// EventBridge: custom events put on a bus, each 64 KB of an entry one event
        eventbridge_per_million: f64 = num(0.0, 1e6), or(1.00);
        /// EventBridge archives: USD per GB of events archived
        eventbridge_archive_per_gb: f64 = num(0.0, 1e6), or(0.10);
        /// EventBridge archives: USD per GB-month stored (counted for the run's length)
        eventbridge_archive_per_gb_month: f64 = num(0.0, 1e6), or(0.023);
        /// EventBridge replays: USD per million events replayed
        eventbridge_replay_per_million: f64 = num(0.0, 1e6), or(1.00);
        /// Lambda-style fleets with `memory`: USD per GB-second of invocation (x86, us-east-1)
        lambda_per_gb_second: f64 = num(0.0, 1e6), or(0.0000166667);
        /// Lambda-style fleets with `memory`: USD per million invocations
        lambda_per_million_requests: f64 = num(0.0, 1e6), or(0.20);
    }
}

section! {
    /// `[search]`: a capacity search. Offered rates rise geometrically from `from` until a step
    /// fails, then bisect between the last passing and the first failing rate.
    pub struct SearchSpec / SearchRead {
        /// the first offered rate (every producer fleet is set to it)
        from: f64 = Rate, required("needs `from`, the first offered rate (e.g. from = \"100/s\")", "\"100/s\"");
        /// the highest rate tried
        to: f64 = Rate, or(100_000.0);
        /// geometric steps until a step fails, then bisection
        factor: f64 = num(1.1, 10.0), or(2.0);
        /// stop when (failing − passing) / passing is at most this
        precision: f64 = num(0.005, 0.5), or(0.05);
        /// the measured phase of each step (its warmup is [run] warmup)
        step_duration: Duration = dur().above_zero(), or(10 * SECOND);
        /// a step fails above this end-to-end p99
        max_e2e_p99: Option<Duration> = Opt(dur()), unset("\"1s\"");
        /// a step fails when more than this fraction of its calls was throttled (0 = any)
        max_throttled_fraction: f64 = num(0.0, 1.0), or(0.0);
        /// a step fails when more than this fraction of its calls failed
        max_error_fraction: f64 = num(0.0, 1.0), or(0.0);
        /// a step fails when producers sent, or consumers received, less than this fraction of
        /// the offered rate (they fell behind)
        min_achieved_fraction: f64 = num(0.0, 1.0), or(0.95);
        /// at most this many steps
        max_steps: u32 = int(1, 100), or(20);
    }
}
