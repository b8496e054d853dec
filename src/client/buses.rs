//! The EventBridge side of a fan-out run: the bus (found, or created and tagged with the run
//! id; `default` is only ever found), each rule (tagged) with its queue as the one target and
//! the queue Policy that lets that rule, and only it, send (on AWS every delivery is refused
//! without it), the run's archive and replay, and at the end the removal of exactly what the run
//! made: its targets and rules, its archive, and the bus only if it created it.

use anyhow::{Context, bail};
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::types::{
    InputTransformer, ReplayDestination, RuleState, SqsParameters, Tag, Target,
};
use aws_sdk_sqs::types::QueueAttributeName as A;

use super::queues::RUN_TAG;
use crate::scenario::TransformerSpec;

/// The one target a run puts on each of its rules.
pub(crate) const TARGET_ID: &str = "sqsbench";
/// The message group a FIFO target puts every event in (SqsParameters.MessageGroupId).
pub(crate) const FIFO_GROUP: &str = "sqsbench";
/// EventBridge's longest archive name.
const ARCHIVE_NAME_MAX: usize = 48;

/// A bus as the run found or made it, and what it made on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bus {
    pub name: String,
    pub arn: String,
    pub created: bool,
    /// The rules this run made (their names), to remove with their target at the end.
    pub rules: Vec<String>,
    /// The archive this run made (name, ARN).
    pub archive: Option<(String, String)>,
}

/// One rule to make, with its queue as its target.
pub(crate) struct RulePlan<'a> {
    pub name: String,
    pub event_pattern: String,
    pub queue_url: &'a str,
    pub queue_arn: String,
    pub fifo: bool,
    pub input_transformer: Option<&'a TransformerSpec>,
}

fn run_tag(run_id: &str) -> anyhow::Result<Tag> {
    Tag::builder()
        .key(RUN_TAG)
        .value(run_id)
        .build()
        .context("building the run tag")
}

/// Finds the bus by name, or creates it (tagged `sqsbench-run`) when `create` allows.
pub(crate) async fn prepare(
    events: &Client,
    name: &str,
    create: bool,
    run_id: &str,
) -> anyhow::Result<Bus> {
    let found = |arn: String, created| Bus {
        name: name.to_string(),
        arn,
        created,
        rules: Vec::new(),
        archive: None,
    };
    match events.describe_event_bus().name(name).send().await {
        Ok(out) => {
            return Ok(found(
                out.arn.context("DescribeEventBus returned no ARN")?,
                false,
            ));
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) => {}
        Err(e) => bail!("looking up event bus {name}: {}", DisplayErrorContext(&e)),
    }
    if !create || name == "default" {
        bail!("event bus {name} does not exist and [event_bus] create = false");
    }
    let out = events
        .create_event_bus()
        .name(name)
        .tags(run_tag(run_id)?)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("creating event bus {name}: {}", DisplayErrorContext(&e)))?;
    Ok(found(
        out.event_bus_arn
            .context("CreateEventBus returned no ARN")?,
        true,
    ))
}

/// A queue Policy that lets this rule, and only it, send to the queue.
pub(crate) fn queue_policy(queue_arn: &str, rule_arn: &str) -> String {
    super::queues::send_policy(
        queue_arn,
        "events.amazonaws.com",
        rule_arn,
        ("sqsbench-eventbridge", "sqsbench-rule-may-send"),
    )
}

/// Makes the rule (added to `bus.rules` as soon as it exists), lets it send to its queue, and
/// targets the queue.
pub(crate) async fn add_rule(
    sqs: &aws_sdk_sqs::Client,
    events: &Client,
    bus: &mut Bus,
    plan: &RulePlan<'_>,
    run_id: &str,
) -> anyhow::Result<()> {
    let out = events
        .put_rule()
        .name(&plan.name)
        .event_bus_name(&bus.name)
        .event_pattern(&plan.event_pattern)
        .state(RuleState::Enabled)
        .description("made by sqsbench for one run")
        .tags(run_tag(run_id)?)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("making rule {}: {}", plan.name, DisplayErrorContext(&e)))?;
    bus.rules.push(plan.name.clone());
    let rule_arn = out.rule_arn.context("PutRule returned no ARN")?;
    sqs.set_queue_attributes()
        .queue_url(plan.queue_url)
        .attributes(A::Policy, queue_policy(&plan.queue_arn, &rule_arn))
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "letting rule {} send to {}: {}",
                plan.name,
                plan.queue_url,
                aws_sdk_sqs::error::DisplayErrorContext(&e)
            )
        })?;
    let out = events
        .put_targets()
        .rule(&plan.name)
        .event_bus_name(&bus.name)
        .targets(target(plan)?)
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "targeting {} from rule {}: {}",
                plan.queue_arn,
                plan.name,
                DisplayErrorContext(&e)
            )
        })?;
    if let Some(failed) = out.failed_entries().first() {
        bail!(
            "targeting {} from rule {}: {} {}",
            plan.queue_arn,
            plan.name,
            failed.error_code().unwrap_or("refused"),
            failed.error_message().unwrap_or("")
        );
    }
    Ok(())
}

fn target(plan: &RulePlan<'_>) -> anyhow::Result<Target> {
    let transformer = match plan.input_transformer {
        None => None,
        Some(t) => Some(
            InputTransformer::builder()
                .set_input_paths_map(Some(t.input_paths.clone().into_iter().collect()))
                .input_template(&t.input_template)
                .build()
                .context("building the input transformer")?,
        ),
    };
    Target::builder()
        .id(TARGET_ID)
        .arn(&plan.queue_arn)
        .set_sqs_parameters(plan.fifo.then(|| {
            SqsParameters::builder()
                .message_group_id(FIFO_GROUP)
                .build()
        }))
        .set_input_transformer(transformer)
        .build()
        .context("building the rule's target")
}

/// An archive of every event the bus receives, kept a day (deleted at the end).
pub(crate) async fn archive(events: &Client, bus: &mut Bus, run_id: &str) -> anyhow::Result<()> {
    let mut name = format!("sqsbench-{run_id}");
    name.truncate(ARCHIVE_NAME_MAX);
    let out = events
        .create_archive()
        .archive_name(&name)
        .event_source_arn(&bus.arn)
        .retention_days(1)
        .description("made by sqsbench for one run")
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("making archive {name}: {}", DisplayErrorContext(&e)))?;
    bus.archive = Some((
        name,
        out.archive_arn.context("CreateArchive returned no ARN")?,
    ));
    Ok(())
}

/// Replays the archive's events from `from` to `to` onto the bus; returns the replay's name.
pub(crate) async fn replay(
    events: &Client,
    bus: &Bus,
    from: std::time::SystemTime,
    to: std::time::SystemTime,
    run_id: &str,
) -> anyhow::Result<String> {
    let (_, archive_arn) = bus.archive.as_ref().context("the bus has no archive")?;
    let mut name = format!("sqsbench-{run_id}");
    name.truncate(64);
    events
        .start_replay()
        .replay_name(&name)
        .event_source_arn(archive_arn)
        .event_start_time(from.into())
        .event_end_time(to.into())
        .destination(
            ReplayDestination::builder()
                .arn(&bus.arn)
                .build()
                .context("building the replay's destination")?,
        )
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("starting replay {name}: {}", DisplayErrorContext(&e)))?;
    Ok(name)
}

/// Removes what the run made: each rule's target and the rule, the archive, then the bus if it
/// created it. Returns what could not be removed, each named.
pub(crate) async fn tear_down(events: &Client, bus: &Bus) -> Vec<String> {
    let mut problems = Vec::new();
    for rule in &bus.rules {
        let removed = events
            .remove_targets()
            .rule(rule)
            .event_bus_name(&bus.name)
            .ids(TARGET_ID)
            .send()
            .await;
        let deleted = match removed {
            Ok(_) => events
                .delete_rule()
                .name(rule)
                .event_bus_name(&bus.name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| DisplayErrorContext(&e).to_string()),
            Err(e) => Err(DisplayErrorContext(&e).to_string()),
        };
        if let Err(e) = deleted {
            problems.push(format!("rule {rule} on {} not removed: {e}", bus.name));
        }
    }
    if let Some((name, _)) = &bus.archive
        && let Err(e) = events.delete_archive().archive_name(name).send().await
    {
        problems.push(format!(
            "archive {name} not deleted: {}",
            DisplayErrorContext(&e)
        ));
    }
    if bus.created
        && let Err(e) = events.delete_event_bus().name(&bus.name).send().await
    {
        problems.push(format!(
            "event bus {} not deleted: {}",
            bus.name,
            DisplayErrorContext(&e)
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_policy_admits_only_the_rule() {
        let policy: serde_json::Value = serde_json::from_str(&queue_policy(
            "arn:aws:sqs:us-east-1:1:q",
            "arn:aws:events:us-east-1:1:rule/b/r",
        ))
        .unwrap();
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Principal"]["Service"], "events.amazonaws.com");
        assert_eq!(statement["Action"], "sqs:SendMessage");
        assert_eq!(
            statement["Condition"]["ArnEquals"]["aws:SourceArn"],
            "arn:aws:events:us-east-1:1:rule/b/r"
        );
    }
}
