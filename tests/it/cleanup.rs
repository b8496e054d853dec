//! `sqsbench cleanup` against a live emulator: it deletes exactly the queues tagged with the
//! run id, lists them first with `--dry-run`, and refuses a target it cannot use.

use std::collections::BTreeSet;
use std::process::{Command, Output};

use crate::support;

fn cleanup(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .arg("cleanup")
        .args(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ACCESS_KEY_ID")
        .output()
        .expect("sqsbench runs")
}

/// The binary run off the runtime's threads, so the in-process emulator keeps answering.
async fn cleanup_off_runtime(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cleanup(&args)
    })
    .await
    .unwrap()
}

async fn tagged(client: &aws_sdk_sqs::Client, name: &str, run: Option<&str>) -> String {
    let mut request = client.create_queue().queue_name(name);
    if let Some(run) = run {
        request = request.tags("sqsbench-run", run);
    }
    request.send().await.unwrap().queue_url.unwrap()
}

async fn names(client: &aws_sdk_sqs::Client) -> Vec<String> {
    let urls = support::queue_urls(client).await;
    let mut names: Vec<String> = urls
        .iter()
        .map(|u| u.rsplit('/').next().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_deletes_exactly_the_queues_of_the_run() {
    let (emulator, client) = support::emulator().await;
    let endpoint = emulator.endpoint();
    tagged(&client, "sqsbench-orders", Some("launch-42")).await;
    tagged(&client, "sqsbench-orders-dlq", Some("launch-42")).await;
    tagged(&client, "sqsbench-other", Some("launch-43")).await;
    tagged(&client, "someone-elses", None).await;
    // A tag that only starts like the run id is another run's.
    tagged(&client, "sqsbench-near", Some("launch-420")).await;

    let args = ["--run-id", "launch-42", "--target", endpoint.as_str()];
    let dry = {
        let mut a = args.to_vec();
        a.push("--dry-run");
        cleanup_off_runtime(&a).await
    };
    let said = String::from_utf8_lossy(&dry.stdout).to_string();
    assert_eq!(dry.status.code(), Some(0), "{said}");
    assert!(
        said.contains(
            "would delete 2 queue(s) tagged sqsbench-run=launch-42; 3 other queue(s) left alone"
        ),
        "{said}"
    );
    assert_eq!(names(&client).await.len(), 5, "a dry run deletes nothing");

    let done = cleanup_off_runtime(&args).await;
    let said = String::from_utf8_lossy(&done.stdout).to_string();
    assert_eq!(done.status.code(), Some(0), "{said}");
    let deleted: Vec<&str> = said
        .lines()
        .filter(|l| l.starts_with("deleted http"))
        .collect();
    assert_eq!(deleted.len(), 2, "{said}");
    assert!(
        deleted.iter().all(|l| l.contains("/sqsbench-orders")),
        "{said}"
    );
    assert_eq!(
        names(&client).await,
        ["someone-elses", "sqsbench-near", "sqsbench-other"],
        "only the run's queues are gone"
    );

    // With a prefix only the queues under it are read; again nothing of another run is touched.
    let prefixed = [
        "--run-id",
        "launch-43",
        "--target",
        endpoint.as_str(),
        "--queue-prefix",
        "sqsbench-o",
    ];
    let done = cleanup_off_runtime(&prefixed).await;
    assert_eq!(done.status.code(), Some(0));
    assert_eq!(names(&client).await, ["someone-elses", "sqsbench-near"]);
    emulator.shutdown().await;
}

#[test]
fn cleanup_refuses_a_target_it_cannot_use() {
    for (target, said) in [
        (
            "embedded",
            "the embedded emulator's queues end with its run",
        ),
        ("ftp://example", "expected aws or an http(s) URL"),
    ] {
        let out = cleanup(&["--run-id", "r", "--target", target]);
        assert_eq!(out.status.code(), Some(2), "{target}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(said),
            "{target}"
        );
    }
    let out = cleanup(&["--run-id", " ", "--target", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    // Nothing listens on port 9 of loopback: listing fails before anything is deleted.
    let out = cleanup(&["--run-id", "r", "--target", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("listing queues"));
}

/// Topics tagged with the run id go (their subscriptions with them), and so does a subscription
/// of someone else's topic that delivers to one of the run's queues; everything else stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_deletes_the_topics_of_the_run_and_what_feeds_its_queues() {
    use crate::support::{queue_arn, sns};
    let (emulator, client) = support::emulator().await;
    let endpoint = emulator.endpoint();
    let topics = sns(&endpoint);
    let tag = |run: &str| {
        aws_sdk_sns::types::Tag::builder()
            .key("sqsbench-run")
            .value(run)
            .build()
            .unwrap()
    };
    let ours = topics
        .create_topic()
        .name("sqsbench-fanout")
        .tags(tag("launch-42"))
        .send()
        .await
        .unwrap();
    let other_run = topics
        .create_topic()
        .name("sqsbench-other")
        .tags(tag("launch-43"))
        .send()
        .await
        .unwrap();
    let theirs = topics
        .create_topic()
        .name("someone-elses")
        .send()
        .await
        .unwrap();
    let our_queue = queue_arn(
        &client,
        &tagged(&client, "sqsbench-billing", Some("launch-42")).await,
    )
    .await;
    let their_queue = queue_arn(&client, &tagged(&client, "their-queue", None).await).await;
    for (topic, queue) in [
        (&ours.topic_arn, &our_queue),
        (&theirs.topic_arn, &our_queue),
        (&theirs.topic_arn, &their_queue),
        (&other_run.topic_arn, &their_queue),
    ] {
        topics
            .subscribe()
            .set_topic_arn(topic.clone())
            .protocol("sqs")
            .endpoint(queue)
            .send()
            .await
            .unwrap();
    }
    let args = ["--run-id", "launch-42", "--target", endpoint.as_str()];
    let dry = cleanup_off_runtime(&[&args[..], &["--dry-run"]].concat()).await;
    let said = String::from_utf8_lossy(&dry.stdout).to_string();
    assert_eq!(dry.status.code(), Some(0), "{said}");
    assert!(
        said.contains(
            "would delete 1 topic(s) tagged sqsbench-run=launch-42; 2 other topic(s) left alone"
        ),
        "{said}"
    );
    assert!(
        said.contains("would unsubscribe arn:aws:sns:us-east-1:000000000000:someone-elses:"),
        "{said}"
    );
    assert_eq!(
        topics
            .list_subscriptions()
            .send()
            .await
            .unwrap()
            .subscriptions()
            .len(),
        4
    );

    let done = cleanup_off_runtime(&args).await;
    let said = String::from_utf8_lossy(&done.stdout).to_string();
    assert_eq!(done.status.code(), Some(0), "{said}");
    let left: BTreeSet<String> = topics
        .list_topics()
        .send()
        .await
        .unwrap()
        .topics()
        .iter()
        .filter_map(|t| t.topic_arn.clone())
        .collect();
    assert_eq!(
        left,
        BTreeSet::from([other_run.topic_arn.unwrap(), theirs.topic_arn.unwrap()])
    );
    let subscriptions = topics.list_subscriptions().send().await.unwrap();
    let endpoints: Vec<_> = subscriptions
        .subscriptions()
        .iter()
        .filter_map(|s| s.endpoint.clone())
        .collect();
    assert_eq!(
        endpoints,
        [their_queue.clone(), their_queue],
        "only subscriptions to other queues remain"
    );
    assert_eq!(names(&client).await, ["their-queue"]);
    emulator.shutdown().await;
}

/// The run's queue and topic sort after a full first page (1,000 queues, 100 topics): cleanup
/// finds them only if it reads every page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_reads_every_page_of_queues_and_topics() {
    let (emulator, client) = support::emulator().await;
    let endpoint = emulator.endpoint();
    let topics = support::sns(&endpoint);
    for i in 0..1000 {
        tagged(&client, &format!("aaa-filler-{i:04}"), None).await;
    }
    for i in 0..100 {
        topics
            .create_topic()
            .name(format!("aaa-filler-{i:03}"))
            .send()
            .await
            .unwrap();
    }
    tagged(&client, "sqsbench-paged", Some("launch-7")).await;
    topics
        .create_topic()
        .name("sqsbench-paged")
        .tags(
            aws_sdk_sns::types::Tag::builder()
                .key("sqsbench-run")
                .value("launch-7")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let dry = cleanup_off_runtime(&[
        "--run-id",
        "launch-7",
        "--target",
        endpoint.as_str(),
        "--dry-run",
    ])
    .await;
    let said = String::from_utf8_lossy(&dry.stdout).to_string();
    assert_eq!(dry.status.code(), Some(0), "{said}");
    for expected in [
        "would delete 1 queue(s) tagged sqsbench-run=launch-7; 1000 other queue(s) left alone",
        "would delete 1 topic(s) tagged sqsbench-run=launch-7; 100 other topic(s) left alone",
    ] {
        assert!(said.contains(expected), "{expected:?} in {said}");
    }
    emulator.shutdown().await;
}

/// A run of many queues leaves many: cleanup reads every listed queue's tags (several at a time,
/// saying how far it is) and deletes the run's 600 among 700, and no other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_finds_every_queue_of_a_run_of_many() {
    let (emulator, client) = support::emulator().await;
    let endpoint = emulator.endpoint();
    for i in 0..700 {
        let run = (i < 600).then_some("many-1");
        tagged(&client, &format!("tenant-{i}"), run).await;
    }
    let done = cleanup_off_runtime(&["--run-id", "many-1", "--target", endpoint.as_str()]).await;
    let (said, progress) = (
        String::from_utf8_lossy(&done.stdout).to_string(),
        String::from_utf8_lossy(&done.stderr).to_string(),
    );
    assert_eq!(done.status.code(), Some(0), "{said}{progress}");
    assert!(
        said.contains(
            "deleted 600 queue(s) tagged sqsbench-run=many-1; 100 other queue(s) left alone"
        ),
        "{said}"
    );
    assert!(
        progress.contains("read the tags of 500 of 700 queues")
            && progress.contains("read the tags of 700 of 700 queues"),
        "{progress}"
    );
    let left = names(&client).await;
    assert_eq!(left.len(), 100);
    assert!(
        left.iter()
            .all(|n| n["tenant-".len()..].parse::<u32>().unwrap() >= 600)
    );
}
