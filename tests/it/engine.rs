//! The run loop (`workload::engine`) against the emulator: an interrupt stops it at once,
//! whatever phase it is in, and says so; a drain whose messages are all deleted ends by itself.

use sqsbench::measure::timeline::Discard;
use sqsbench::scenario::validate::scenario_from_text;
use sqsbench::workload::engine::{Engine, EngineResult, Lane};
use tokio::sync::watch;

use crate::support::*;

const SCENARIO: &str = "name = \"engine\"\n[run]\nwarmup = \"0s\"\nduration = \"2s\"\ndrain_timeout = \"20s\"\n\
[[producers]]\nrate = \"200/s\"\nbatch_size = 10\n[[consumers]]\nwait_time = \"1s\"\n";

/// Runs SCENARIO's loop on a fresh emulator queue, with the interrupt already set or not.
async fn run_loop(queue_name: &str, interrupted: bool) -> EngineResult {
    let (_emulator, client) = emulator().await;
    let url = queue(&client, queue_name).await;
    let scenario = scenario_from_text(SCENARIO, &[]).unwrap();
    let (_tx, interrupt) = watch::channel(interrupted);
    let engine = Engine {
        client,
        hot: sqsbench::workload::engine::HotCalls::sdk(),
        lanes: vec![Lane {
            queue_url: url,
            dead_letter_url: None,
        }],
        router: None,
        scenario: &scenario,
        run_id: 7,
        interrupt,
        budget_usd: None,
        price_per_million: 0.4,
        shard: sqsbench::workload::shard::Shard::ALL,
        start_at: None,
        journal: None,
    };
    engine.run(&mut Discard, &mut |_| {}).await
}

#[tokio::test]
async fn an_interrupt_stops_the_run_loop_at_once_and_is_reported() {
    let result = run_loop("engine-interrupt", true).await;
    assert!(result.interrupted);
    assert!(!result.drained && !result.stopped_by_budget);
    assert!(
        result.elapsed < std::time::Duration::from_secs(2),
        "stopped before the send window ended: {:?}",
        result.elapsed
    );
}

#[tokio::test]
async fn a_drain_ends_by_itself_once_every_message_is_deleted() {
    let result = run_loop("engine-drain", false).await;
    assert!(
        result.drained,
        "the drain ended by itself, not by its 20 s timeout"
    );
    assert!(!result.interrupted);
    assert!(result.elapsed < std::time::Duration::from_secs(20));
    let accounting = &result.integrity.accounting;
    assert!(accounting.holds && accounting.lost == 0, "{accounting:?}");
    assert!(accounting.sent >= 300, "{accounting:?}");
}

/// A request that reaches no server (the emulator has stopped: connection refused) is a
/// connection failure, apart from timeouts, and is not billed.
#[tokio::test]
async fn a_refused_connection_is_classified_connect_not_timeout() {
    let (emulator, client) = crate::support::emulator().await;
    let url = crate::support::queue(&client, "connect-outcome").await;
    emulator.shutdown().await;
    let refused = client
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        sqsbench::workload::outcome::classify(&refused),
        sqsbench::measure::recorder::Outcome::Connect
    );
}
