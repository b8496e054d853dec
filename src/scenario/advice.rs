//! What a valid scenario may not mean to do, said before it runs (`validate` and `run` print it
//! as warnings): a poller whose processing can outlive its queue's visibility timeout without
//! a heartbeat, so its messages come back while it still works on them; a target-tracking
//! fleet that cannot scale out before the producers stop. Must not depend on anything outside
//! `scenario`.

use std::time::Duration;

use super::types::{ConsumerFleet, ConsumerKind, ProcessingSpec, Scaling, Scenario};
use super::units::format_duration;

/// The warnings, one line each.
pub fn warnings(s: &Scenario) -> Vec<String> {
    let mut out = visibility_warnings(s);
    out.extend(s.consumers.iter().filter_map(|c| slow_scale_out(s, c)));
    out
}

/// A target-tracking fleet whose scale-out alarm cannot fire while the producers send: it
/// needs `scale_out_datapoints` periods above the target first.
fn slow_scale_out(s: &Scenario, c: &ConsumerFleet) -> Option<String> {
    let Some(Scaling::TargetTracking(t)) = c.scaling else {
        return None;
    };
    let first = t.metric_period * t.scale_out_datapoints;
    let sending = s.run.warmup + s.run.duration;
    (first >= sending).then(|| {
        format!(
            "consumers {:?}: target tracking scales out only after {} datapoints of {} ({}) above the target, and the producers send for {}: it cannot scale out while they send (metric_period may be as low as 1s for short runs)",
            c.name,
            t.scale_out_datapoints,
            format_duration(t.metric_period),
            format_duration(first),
            format_duration(sending)
        )
    })
}

fn visibility_warnings(s: &Scenario) -> Vec<String> {
    let lanes = s.lane_specs();
    s.consumers
        .iter()
        .filter(|c| c.kind == ConsumerKind::Poller && c.visibility_heartbeat.is_none())
        .filter_map(|c| {
            let visibility = lanes[s.lanes_of(c.queue.as_deref())]
                .iter()
                .map(|q| q.visibility_timeout)
                .min()?;
            let (batch, can_take) = batch_processing(&c.processing_time, c.batch_size);
            (batch >= visibility).then(|| {
                format!(
                    "consumers {:?}: processing a batch of {} {can_take} {}, at least the queue's visibility_timeout ({}), and the fleet has no visibility_heartbeat: its messages will come back while they are processed",
                    c.name,
                    c.batch_size,
                    format_duration(batch),
                    format_duration(visibility)
                )
            })
        })
        .collect()
}

/// How long processing a full batch takes, and how that is said: a fixed time takes exactly
/// that; an exponential one's mean is what it takes on average (its tail is unbounded).
fn batch_processing(p: &ProcessingSpec, batch: u32) -> (Duration, &'static str) {
    match p {
        ProcessingSpec::Fixed(d) => (*d * batch, "takes"),
        ProcessingSpec::Exponential { mean } => (*mean * batch, "takes on average"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validate::scenario_from_text;

    fn scenario(consumer: &str) -> Scenario {
        let text = format!(
            "name = \"t\"\n[queue]\nvisibility_timeout = \"30s\"\n[[producers]]\nrate = \"10/s\"\n[[consumers]]\n{consumer}\n"
        );
        scenario_from_text(&text, &[]).expect("valid")
    }

    #[test]
    fn processing_that_outlives_the_visibility_timeout_warns_unless_heartbeating() {
        let slow = scenario("batch_size = 10\nprocessing_time = \"3s\"");
        assert_eq!(
            warnings(&slow),
            [
                "consumers \"consumers-0\": processing a batch of 10 takes 30s, at least the queue's visibility_timeout (30s), and the fleet has no visibility_heartbeat: its messages will come back while they are processed"
            ]
        );
        let beating = scenario(
            "batch_size = 10\nprocessing_time = \"3s\"\nvisibility_heartbeat = { every = \"10s\", extend_by = \"30s\" }",
        );
        assert!(warnings(&beating).is_empty());
        let quick = scenario("batch_size = 10\nprocessing_time = \"2s\"");
        assert!(warnings(&quick).is_empty());
    }

    #[test]
    fn target_tracking_that_cannot_scale_out_while_producers_send_warns() {
        // The default run sends for less than target tracking's 3 one-minute datapoints.
        let tt = "scaling = { policy = \"target_tracking\", target_backlog_per_consumer = 10 }";
        let w = warnings(&scenario(tt));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("after 3 datapoints of 60s (180s) above the target"),
            "{w:?}"
        );
        let short = "scaling = { policy = \"target_tracking\", target_backlog_per_consumer = 10, metric_period = \"1s\" }";
        assert!(warnings(&scenario(short)).is_empty());
    }
}
