//! `[event_bus] replay_after`: this far into the run, replay the bus's archive from the run's
//! start onto the bus, once. What the replay sends again is counted apart per rule by replay
//! name (`workload::subscriber`), never as duplicates. Depends on the client's bus calls only.

use std::time::{Duration, SystemTime};

use super::setup::Ready;
use crate::client::fanout::Routed;
use crate::measure::fanout::Replay;
use crate::scenario::Fanout;

/// Waits `replay_after` (from `began`), then starts the replay; never ends for a run without
/// one, so a caller races it with the run.
pub(super) async fn when_due(fanout: Option<&Fanout>, ready: &Ready) -> Replay {
    let due = fanout
        .and_then(|f| f.bus())
        .and_then(|b| b.replay_after)
        .zip(match &ready.prepared.router {
            Some(Routed::Bus(bus)) if bus.archive.is_some() => Some(bus),
            _ => None,
        });
    let Some((after, bus)) = due else {
        return std::future::pending().await;
    };
    let waited = ready.began.elapsed().unwrap_or_default();
    tokio::time::sleep(after.saturating_sub(waited)).await;
    let now = SystemTime::now();
    // A second before the start: EventBridge's replay window is whole seconds.
    let from = ready.began - Duration::from_secs(1);
    let started =
        crate::client::buses::replay(&ready.connection.events, bus, from, now, &ready.head.run_id)
            .await;
    let at_seconds = crate::round::tenths(ready.began.elapsed().unwrap_or_default().as_secs_f64());
    match started {
        Ok(name) => Replay {
            name,
            at_seconds,
            failed: None,
        },
        Err(e) => Replay {
            name: String::new(),
            at_seconds,
            failed: Some(format!("{e:#}")),
        },
    }
}
