//! Quotas and faults through the real SDK: throttling as a typed error and at the modeled rate,
//! and each injected fault counted exactly as the client observes it.

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use sqsbench_emulator::{EmulatorConfig, FaultConfig, QuotaMode, QuotaTable, ThrottleStyle};

use crate::sdk::*;

fn with_faults(faults: FaultConfig) -> EmulatorConfig {
    EmulatorConfig {
        faults,
        seed: 7,
        ..EmulatorConfig::default()
    }
}

#[tokio::test]
async fn fifo_quota_throttles_with_a_typed_error() {
    let (e, c) = emulator_with(EmulatorConfig {
        quota: QuotaMode::Custom(QuotaTable {
            fifo_tps: Some(5.0),
            ..QuotaTable::default()
        }),
        ..EmulatorConfig::default()
    })
    .await;
    let url = fifo_queue(&c, "slow.fifo", &[("ContentBasedDeduplication", "true")]).await;
    let mut throttled = 0;
    for i in 0..20 {
        match c
            .send_message()
            .queue_url(&url)
            .message_body(format!("m{i}"))
            .message_group_id("g")
            .send()
            .await
        {
            Ok(_) => {}
            Err(err) => {
                assert!(
                    err.as_service_error().unwrap().is_request_throttled(),
                    "{err:?}"
                );
                assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
                throttled += 1;
            }
        }
    }
    assert!(throttled > 0);
    assert_eq!(e.injected().throttled, throttled);
    // Standard queues are never throttled under these quotas.
    let std = queue(&c, "fast").await;
    for i in 0..50 {
        c.send_message()
            .queue_url(&std)
            .message_body(format!("m{i}"))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn throttling_exception_wire_form_is_selectable() {
    let config = EmulatorConfig {
        quota: QuotaMode::Custom(QuotaTable {
            fifo_tps: Some(1.0),
            ..QuotaTable::default()
        }),
        throttle_style: ThrottleStyle::ThrottlingException,
        ..EmulatorConfig::default()
    };
    let (_e, c) = emulator_with(config).await;
    let url = fifo_queue(&c, "t.fifo", &[("ContentBasedDeduplication", "true")]).await;
    let mut codes = Vec::new();
    for i in 0..5 {
        if let Err(err) = c
            .send_message()
            .queue_url(&url)
            .message_body(format!("{i}"))
            .message_group_id("g")
            .send()
            .await
        {
            codes.push((code(&err), err.raw_response().unwrap().status().as_u16()));
        }
    }
    assert!(!codes.is_empty());
    assert!(
        codes
            .iter()
            .all(|c| c == &("ThrottlingException".to_string(), 400)),
        "{codes:?}"
    );
}

/// Offers unbatched FIFO sends well above 300/s for a bounded time and checks ~300/s pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_quota_admits_about_300_sends_per_second() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "quota.fifo", &[("ContentBasedDeduplication", "true")]).await;
    let started = Instant::now();
    let run_for = Duration::from_secs(3);
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (c, url) = (c.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut throttled, mut i) = (0u64, 0u64, 0u64);
            while started.elapsed() < run_for && i < 100_000 {
                i += 1;
                match c
                    .send_message()
                    .queue_url(&url)
                    .message_body(format!("{t}-{i}"))
                    .message_group_id("g")
                    .send()
                    .await
                {
                    Ok(_) => ok += 1,
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_request_throttled()) =>
                    {
                        throttled += 1
                    }
                    Err(e) => panic!("unexpected {e:?}"),
                }
            }
            (ok, throttled)
        }));
    }
    let (mut ok, mut throttled) = (0, 0);
    for t in tasks {
        let (o, th) = t.await.unwrap();
        ok += o;
        throttled += th;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rate = ok as f64 / elapsed;
    assert!(
        throttled > ok,
        "the offered load must exceed the quota for this test to mean anything ({ok} ok, {throttled} throttled)"
    );
    // 300/s sustained plus the initial burst of a tenth of a second.
    let expected = (300.0 * elapsed + 30.0) / elapsed;
    assert!(
        (rate - expected).abs() / expected < 0.10,
        "accepted {rate:.0}/s, expected ~{expected:.0}/s"
    );
}

/// Batches of 10 are one transaction each: offered far above the quota, ~3,000 msg/s pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_quota_admits_about_3000_batched_messages_per_second() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "batched.fifo", &[]).await;
    let started = Instant::now();
    let run_for = Duration::from_secs(3);
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (c, url) = (c.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let (mut accepted, mut throttled, mut i) = (0u64, 0u64, 0u64);
            while started.elapsed() < run_for && i < 100_000 {
                let entries = (0..10)
                    .map(|j| {
                        i += 1;
                        SendMessageBatchRequestEntry::builder()
                            .id(format!("e{j}"))
                            .message_body("m")
                            .message_group_id(format!("g{j}"))
                            .message_deduplication_id(format!("{t}-{i}"))
                            .build()
                            .unwrap()
                    })
                    .collect();
                match c
                    .send_message_batch()
                    .queue_url(&url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                {
                    Ok(out) => accepted += out.successful().len() as u64,
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_request_throttled()) =>
                    {
                        throttled += 1
                    }
                    Err(e) => panic!("unexpected {e:?}"),
                }
            }
            (accepted, throttled)
        }));
    }
    let (mut accepted, mut throttled) = (0, 0);
    for t in tasks {
        let (a, th) = t.await.unwrap();
        accepted += a;
        throttled += th;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rate = accepted as f64 / elapsed;
    assert!(
        throttled > accepted / 10,
        "the offered load must exceed the quota ({accepted} accepted, {throttled} calls throttled)"
    );
    let expected = (3000.0 * elapsed + 300.0) / elapsed;
    assert!(
        (rate - expected).abs() / expected < 0.10,
        "accepted {rate:.0} msg/s, expected ~{expected:.0}"
    );
}

#[tokio::test]
async fn error_fault_answers_internal_error_and_counts() {
    let (e, c) = emulator_with(with_faults(FaultConfig {
        error_rate: 1.0,
        ..Default::default()
    }))
    .await;
    let url = queue(&c, "errors").await;
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 500);
    assert_eq!(code(&err), "InternalError");
    assert_eq!(e.injected().errors, 1);
}

#[tokio::test]
async fn loss_fault_accepts_and_drops_every_message_counted() {
    let (e, c) = emulator_with(with_faults(FaultConfig {
        loss_rate: 0.5,
        ..Default::default()
    }))
    .await;
    let url = queue(&c, "lossy").await;
    for i in 0..40 {
        let entries = (0..10)
            .map(|j| {
                SendMessageBatchRequestEntry::builder()
                    .id(format!("e{j}"))
                    .message_body(format!("{i}-{j}"))
                    .build()
                    .unwrap()
            })
            .collect();
        let out = c
            .send_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
            .await
            .unwrap();
        assert_eq!(
            out.successful().len(),
            10,
            "lost messages are still acknowledged"
        );
    }
    let mut received = 0;
    loop {
        let got = c
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        if got.messages().is_empty() {
            break;
        }
        received += got.messages().len() as u64;
    }
    let lost = e.injected().lost;
    assert!(lost > 100 && lost < 300, "{lost}");
    assert_eq!(received + lost, 400);
}

#[tokio::test]
async fn duplicate_fault_redelivers_deleted_messages_counted_on_delivery() {
    let (e, c) = emulator_with(with_faults(FaultConfig {
        duplicate_rate: 0.3,
        ..Default::default()
    }))
    .await;
    let url = queue(&c, "dupes").await;
    for i in 0..100 {
        c.send_message()
            .queue_url(&url)
            .message_body(format!("m{i}"))
            .send()
            .await
            .unwrap();
    }
    let mut deliveries = 0u64;
    let mut distinct = std::collections::HashSet::new();
    for _ in 0..10_000 {
        let got = c
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        if got.messages().is_empty() {
            break;
        }
        for m in got.messages() {
            deliveries += 1;
            distinct.insert(m.message_id().unwrap().to_string());
            c.delete_message()
                .queue_url(&url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
    assert_eq!(distinct.len(), 100);
    let duplicates = deliveries - 100;
    assert!(duplicates > 10, "{duplicates}");
    assert_eq!(e.injected().duplicates, duplicates);
}

#[tokio::test]
async fn reorder_fault_delivers_out_of_send_order() {
    let (e, c) = emulator_with(with_faults(FaultConfig {
        reorder_rate: 0.2,
        ..Default::default()
    }))
    .await;
    let url = queue(&c, "shuffled").await;
    for i in 0..100 {
        c.send_message()
            .queue_url(&url)
            .message_body(format!("{i}"))
            .send()
            .await
            .unwrap();
    }
    let mut order = Vec::new();
    loop {
        let got = c
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        if got.messages().is_empty() {
            break;
        }
        order.extend(
            got.messages()
                .iter()
                .map(|m| m.body().unwrap().parse::<u32>().unwrap()),
        );
    }
    assert_eq!(order.len(), 100);
    let inversions = order.windows(2).filter(|w| w[0] > w[1]).count();
    assert!(inversions > 0);
    assert!(e.injected().reordered > 0);
}

#[tokio::test]
async fn fifo_disorder_fault_breaks_group_order_on_purpose() {
    let (e, c) = emulator_with(with_faults(FaultConfig {
        fifo_disorder_rate: 1.0,
        ..Default::default()
    }))
    .await;
    let url = fifo_queue(&c, "broken.fifo", &[("ContentBasedDeduplication", "true")]).await;
    for i in 0..3 {
        c.send_message()
            .queue_url(&url)
            .message_body(format!("{i}"))
            .message_group_id("g")
            .send()
            .await
            .unwrap();
    }
    let got = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(3)
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = got.messages().iter().map(|m| m.body().unwrap()).collect();
    assert_eq!(bodies, vec!["1", "0", "2"]);
    assert_eq!(e.injected().reordered, 1);
}

#[tokio::test]
async fn latency_fault_delays_every_response() {
    let (_e, c) = emulator_with(with_faults(FaultConfig {
        latency: Duration::from_millis(50),
        ..Default::default()
    }))
    .await;
    let started = Instant::now();
    queue(&c, "slow").await;
    assert!(started.elapsed() >= Duration::from_millis(50));
}
