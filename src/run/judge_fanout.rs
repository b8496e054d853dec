//! Judging a fan-out run's own parts: the topic or bus, each route's figures (a subscription's
//! or a rule's, from its own ledger, leaks and replays), integrity.json's per-route part, and
//! SNS's or EventBridge's share of the cost. Depends on `measure`, `scenario` and the engine's
//! result only.

use crate::emulator::stats::QueueFaults;
use crate::measure::fanout::{
    BusInfo, BusUse, EventBridgeCost, RouteSummary, SnsCost, TopicInfo, eventbridge_cost, sns_cost,
};
use crate::measure::fleets::Role;
use crate::measure::ledger::{Integrity, Kind, SubscriptionIntegrity};
use crate::measure::summary::RunSummary;
use crate::scenario::{Fanout, QueueType, Route, RouteKeys, Router, Scenario};
use crate::workload::engine::{EngineResult, LaneResult};

/// Adds the router and its routes to a fan-out run's summary.
pub(super) fn fanout_parts(
    summary: &mut RunSummary,
    fanout: &Fanout,
    result: &EngineResult,
    injected_on: &dyn Fn(&str) -> Option<QueueFaults>,
    replay: Option<&crate::measure::fanout::Replay>,
) {
    let routes: Vec<RouteSummary> = fanout
        .routes
        .iter()
        .zip(&result.lanes)
        .map(|(route, lane)| route_summary(summary, route, lane, injected_on))
        .collect();
    summary.messages.leaked = routes.iter().map(|s| s.leaked).sum();
    match &fanout.router {
        Router::Topic(topic) => {
            summary.topic = Some(TopicInfo {
                kind: topic.kind,
                name: topic.name.clone(),
                // Set once the summary is judged: the probes ran before the engine.
                settle: None,
            });
            summary.subscriptions = routes;
        }
        Router::Bus(bus) => {
            summary.event_bus = Some(BusInfo {
                name: bus.name.clone(),
                settle: None,
                // The archive's name is set by the caller, from what setup made.
                archive: None,
                replay: replay.cloned(),
            });
            summary.rules = routes;
        }
    }
}

/// One route's figures, with its own keys as the router was given them.
fn route_summary(
    summary: &RunSummary,
    route: &Route,
    lane: &LaneResult,
    injected_on: &dyn Fn(&str) -> Option<QueueFaults>,
) -> RouteSummary {
    let end_to_end = summary
        .fleets
        .iter()
        .find(|f| f.role == Role::Consumer && f.name == route.name())
        .map(|f| f.end_to_end_us)
        .unwrap_or_default();
    let figures = RouteSummary {
        emulator_injected: injected_on(&route.queue_name),
        replayed: lane.replayed.clone(),
        ..RouteSummary::of(
            route.name(),
            &route.queue_name,
            (&lane.tally, &lane.leaked),
            end_to_end,
            summary.measured_seconds,
        )
    };
    match &route.keys {
        RouteKeys::Subscription(s) => RouteSummary {
            filter_policy: s.filter_policy.as_ref().map(|p| p.json.clone()),
            raw_message_delivery: Some(s.raw_message_delivery),
            ..figures
        },
        RouteKeys::Rule(r) => RouteSummary {
            event_pattern: Some(r.event_pattern.json.clone()),
            input_transformer: r.input_transformer.as_ref().map(|t| {
                serde_json::json!({"InputPathsMap": t.input_paths, "InputTemplate": t.input_template})
            }),
            ..figures
        },
    }
}

/// The router's share of a fan-out run's cost: SNS's or EventBridge's. Deliveries are known
/// for measured messages; warmup's are scaled from their share.
pub(super) fn router_share(
    scenario: &Scenario,
    fanout: &Fanout,
    result: &EngineResult,
    mean_bytes: f64,
    replay: Option<&crate::measure::fanout::Replay>,
) -> (Option<SnsCost>, Option<EventBridgeCost>) {
    let c = &result.total.counters;
    let scale = if c.sent > 0 {
        c.sent_all as f64 / c.sent as f64
    } else {
        1.0
    };
    let scaled = |n: u64| (n as f64 * scale).round() as u64;
    match &fanout.router {
        Router::Topic(topic) => {
            let measured: u64 = result.lanes.iter().map(|l| l.tally.acknowledged).sum();
            let sns = sns_cost(
                &result.total,
                &scenario.cost,
                topic.kind == QueueType::Fifo,
                mean_bytes,
                scaled(measured),
            );
            (Some(sns), None)
        }
        Router::Bus(bus) => {
            let prices = &scenario.cost;
            let deliveries = fanout
                .routes
                .iter()
                .zip(&result.lanes)
                .map(|(route, lane)| {
                    let price = match fanout.queue_kind(route) {
                        QueueType::Fifo => prices.fifo_per_million,
                        QueueType::Standard => prices.standard_per_million,
                    };
                    let replayed: u64 = lane.replayed.values().sum();
                    (scaled(lane.tally.acknowledged) + replayed, price)
                })
                .collect();
            let use_ = BusUse {
                events: c.sent_all,
                mean_entry_bytes: mean_bytes + entry_overhead(fanout),
                deliveries,
                archived: bus.archive,
                replayed: replay.map_or(0, |_| {
                    result.lanes.iter().flat_map(|l| l.replayed.values()).sum()
                }),
                run_seconds: result.elapsed.as_secs_f64(),
            };
            (None, Some(eventbridge_cost(&use_, prices)))
        }
    }
}

/// The bytes an entry carries beside its body, on average over the publishers: what the
/// 64 KB chunks count besides the message.
fn entry_overhead(fanout: &Fanout) -> f64 {
    let sizes: Vec<f64> = fanout
        .attributes
        .iter()
        .map(|specs| crate::scenario::bus::drawn_bytes(specs) as f64)
        .collect();
    if sizes.is_empty() {
        0.0
    } else {
        sizes.iter().sum::<f64>() / sizes.len() as f64
    }
}

/// integrity.json's `subscriptions`: each route's integrity with its leaks.
pub(super) fn fanout_integrity(integrity: &mut Integrity, fanout: &Fanout, result: &EngineResult) {
    integrity.subscriptions = fanout
        .routes
        .iter()
        .zip(&result.lanes)
        .map(|(route, lane)| SubscriptionIntegrity {
            name: route.name().to_string(),
            leaked: Kind {
                count: lane.leaked.count,
                examples: lane.leaked.examples.clone(),
            },
            integrity: lane.integrity.clone(),
        })
        .collect();
}
