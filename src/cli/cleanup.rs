//! `sqsbench cleanup --run-id ID [--target aws|URL] [--queue-prefix P] [--dry-run]`: deletes
//! exactly the queues and SNS topics tagged with a run's id (a run whose queues were left behind
//! by a forced exit, or a distributed run's shared queue), and the subscriptions that still
//! deliver to those queues from other topics. Exit 0 when every matched queue is gone (or none
//! matched), 1 when one could not be deleted, 2 when the target cannot be used.

use clap::Args;

use super::exit;
use crate::client::{bus_cleanup, cleanup, connect_remote, topic_cleanup};
use crate::scenario::Target;

#[derive(Args)]
pub(super) struct CleanupArgs {
    /// The run id: a run's `run_id` in summary.json, or a distributed run's --run-id.
    #[arg(long, value_name = "ID")]
    run_id: String,
    /// Where the queues are: aws (the default credential chain) or an SQS-compatible endpoint URL.
    #[arg(long, value_name = "aws|URL", default_value = "aws")]
    target: String,
    /// The region (aws: else AWS_REGION or the profile's; an endpoint: us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// aws: a named profile.
    #[arg(long)]
    profile: Option<String>,
    /// Only queues whose name starts with this: fewer tag reads on an account with many queues.
    #[arg(long, value_name = "PREFIX")]
    queue_prefix: Option<String>,
    /// List the queues that would be deleted; delete nothing.
    #[arg(long)]
    dry_run: bool,
}

/// `--target`: aws or an http(s) URL; the embedded emulator has no queues outside its run.
fn target(args: &CleanupArgs) -> Result<Target, String> {
    match args.target.as_str() {
        "aws" => Ok(Target::Aws {
            region: args.region.clone(),
            profile: args.profile.clone(),
        }),
        "embedded" => Err("--target embedded: the embedded emulator's queues end with its run; name an endpoint URL or aws".into()),
        url if url.starts_with("http://") || url.starts_with("https://") => Ok(Target::Endpoint {
            url: url.to_string(),
            region: args.region.clone().unwrap_or_else(|| "us-east-1".into()),
        }),
        other => Err(format!("--target {other:?}: expected aws or an http(s) URL")),
    }
}

pub(super) fn run(args: CleanupArgs) -> u8 {
    if args.run_id.trim().is_empty() {
        eprintln!("error: --run-id is empty");
        return exit::BAD_INPUT;
    }
    let target = match target(&args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::BAD_INPUT;
        }
    };
    runtime.block_on(async move {
        let found = async {
            let connection = connect_remote(&target, false).await?;
            let sqs = &connection.client;
            let prefix = args.queue_prefix.as_deref();
            let mut queues = cleanup::find_tagged(sqs, &args.run_id, prefix, &tag_progress).await?;
            // Subscriptions name queues by ARN: read them before the queues go.
            let queue_arns = cleanup::arns(sqs, &queues.matched).await;
            let topics = topic_cleanup::delete_tagged(
                &connection.sns,
                &args.run_id,
                &queue_arns,
                args.dry_run,
            )
            .await;
            // Rules name their queues as targets: removed before the queues go.
            let buses =
                bus_cleanup::delete_tagged(&connection.events, &args.run_id, args.dry_run).await;
            if !args.dry_run {
                cleanup::delete(sqs, &mut queues).await;
            }
            anyhow::Ok((queues, topics, buses))
        };
        match found.await {
            Ok((queues, topics, buses)) => report(&args, &queues, &topics, &buses),
            Err(e) => {
                eprintln!("error: {e:#}");
                exit::BAD_INPUT
            }
        }
    })
}

/// Every 500 queues' tags read, and the last, on stderr: an account of many queues takes a while.
fn tag_progress(done: usize, total: usize) {
    if total >= 500 && (done.is_multiple_of(500) || done == total) {
        eprintln!("read the tags of {done} of {total} queues");
    }
}

fn report(
    args: &CleanupArgs,
    done: &cleanup::Cleanup,
    topics: &topic_cleanup::TopicCleanup,
    buses: &bus_cleanup::BusCleanup,
) -> u8 {
    let verb = if args.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    for url in &done.matched {
        println!("{verb} {url}");
    }
    for failure in &done.failed {
        eprintln!("error: {failure}");
    }
    println!(
        "{} {} queue(s) tagged sqsbench-run={}; {} other queue(s) left alone",
        verb,
        done.matched.len(),
        args.run_id,
        done.left_alone
    );
    for arn in &topics.matched {
        println!("{verb} topic {arn}");
    }
    for arn in &topics.unsubscribed {
        let verb = if args.dry_run {
            "would unsubscribe"
        } else {
            "unsubscribed"
        };
        println!("{verb} {arn} (it delivered to a queue of the run)");
    }
    for failure in &topics.failed {
        eprintln!("error: {failure}");
    }
    match &topics.skipped {
        Some(why) => println!("topics not checked: {why}"),
        None => println!(
            "{} {} topic(s) tagged sqsbench-run={}; {} other topic(s) left alone",
            verb,
            topics.matched.len(),
            args.run_id,
            topics.left_alone
        ),
    }
    report_buses(args, verb, buses);
    if done.failed.is_empty() && topics.failed.is_empty() && buses.failed.is_empty() {
        exit::OK
    } else {
        exit::EXPECTATION_FAILED
    }
}

/// The EventBridge part of the report: rules, archives and buses, each named.
fn report_buses(args: &CleanupArgs, verb: &str, buses: &bus_cleanup::BusCleanup) {
    for rule in &buses.rules {
        println!("{verb} rule {rule} (its targets first)");
    }
    for archive in &buses.archives {
        println!("{verb} archive {archive}");
    }
    for bus in &buses.buses {
        println!("{verb} event bus {bus}");
    }
    for failure in &buses.failed {
        eprintln!("error: {failure}");
    }
    match &buses.skipped {
        Some(why) => println!("event buses not checked: {why}"),
        None => println!(
            "{} {} rule(s) and {} event bus(es) tagged sqsbench-run={}; {} other rule(s) and bus(es) left alone",
            verb,
            buses.rules.len(),
            buses.buses.len(),
            args.run_id,
            buses.left_alone
        ),
    }
}
