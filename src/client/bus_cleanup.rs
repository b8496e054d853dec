//! `sqsbench cleanup` for EventBridge: on every bus, the rules tagged with the run id lose their
//! targets and are deleted; then the buses tagged with it lose the run's archive (found by the
//! name the run gives it, on that bus) and are deleted. A rule or bus without that exact tag is
//! never touched, nor an archive of another name. A target without EventBridge (an SQS-only
//! endpoint) is noted, not an error.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::DisplayErrorContext;

use super::queues::RUN_TAG;

/// What the EventBridge part of a cleanup found and did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct BusCleanup {
    /// Rules (`bus/rule`) tagged with the run id: deleted, or only listed with `--dry-run`.
    pub rules: Vec<String>,
    /// Buses tagged with the run id, and the archives found on them by the run's name.
    pub buses: Vec<String>,
    pub archives: Vec<String>,
    /// Rules and buses looked at and left alone.
    pub left_alone: usize,
    pub failed: Vec<String>,
    /// Why buses were not looked at (the target does not answer EventBridge), if so.
    pub skipped: Option<String>,
}

/// Deletes the run's rules (their targets first), archives and buses.
pub(crate) async fn delete_tagged(events: &Client, run_id: &str, dry_run: bool) -> BusCleanup {
    let mut out = BusCleanup::default();
    let buses = match list_buses(events).await {
        Ok(buses) => buses,
        Err(e) => {
            out.skipped = Some(e);
            return out;
        }
    };
    for (bus, bus_arn) in &buses {
        rules_of(events, bus, run_id, dry_run, &mut out).await;
        if bus == "default" {
            continue;
        }
        match tag_of(events, bus_arn).await {
            Ok(Some(tag)) if tag == run_id => {
                archives_of(events, bus_arn, run_id, dry_run, &mut out).await;
                if !dry_run && let Err(e) = events.delete_event_bus().name(bus).send().await {
                    out.failed
                        .push(format!("bus {bus}: deleting: {}", DisplayErrorContext(&e)));
                    continue;
                }
                out.buses.push(bus.clone());
            }
            Ok(_) => out.left_alone += 1,
            Err(e) => out.failed.push(format!("bus {bus}: {e}")),
        }
    }
    out
}

/// The run's rules on `bus`: targets removed, then the rule.
async fn rules_of(events: &Client, bus: &str, run_id: &str, dry_run: bool, out: &mut BusCleanup) {
    let rules = match list_rules(events, bus).await {
        Ok(r) => r,
        Err(e) => {
            out.failed.push(format!("bus {bus}: listing rules: {e}"));
            return;
        }
    };
    for (rule, arn) in rules {
        match tag_of(events, &arn).await {
            Ok(Some(tag)) if tag == run_id => {
                if !dry_run && let Err(e) = delete_rule(events, bus, &rule).await {
                    out.failed.push(format!("rule {bus}/{rule}: {e}"));
                    continue;
                }
                out.rules.push(format!("{bus}/{rule}"));
            }
            Ok(_) => out.left_alone += 1,
            Err(e) => out.failed.push(format!("rule {bus}/{rule}: {e}")),
        }
    }
}

/// Removes every target of the rule, then the rule.
async fn delete_rule(events: &Client, bus: &str, rule: &str) -> Result<(), String> {
    let targets = events
        .list_targets_by_rule()
        .rule(rule)
        .event_bus_name(bus)
        .send()
        .await
        .map_err(|e| format!("listing targets: {}", DisplayErrorContext(&e)))?;
    let ids: Vec<String> = targets
        .targets()
        .iter()
        .map(|t| t.id().to_string())
        .collect();
    if !ids.is_empty() {
        events
            .remove_targets()
            .rule(rule)
            .event_bus_name(bus)
            .set_ids(Some(ids))
            .send()
            .await
            .map_err(|e| format!("removing targets: {}", DisplayErrorContext(&e)))?;
    }
    events
        .delete_rule()
        .name(rule)
        .event_bus_name(bus)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("deleting: {}", DisplayErrorContext(&e)))
}

/// The archive the run made on this bus (named `sqsbench-<run id>`, cut to 48 characters).
async fn archives_of(
    events: &Client,
    bus_arn: &str,
    run_id: &str,
    dry_run: bool,
    out: &mut BusCleanup,
) {
    let mut name = format!("sqsbench-{run_id}");
    name.truncate(48);
    let listed = events
        .list_archives()
        .event_source_arn(bus_arn)
        .name_prefix(&name)
        .send()
        .await;
    let archives = match listed {
        Ok(l) => l.archives.unwrap_or_default(),
        Err(e) => {
            out.failed.push(format!(
                "listing archives of {bus_arn}: {}",
                DisplayErrorContext(&e)
            ));
            return;
        }
    };
    for a in archives
        .iter()
        .filter(|a| a.archive_name() == Some(name.as_str()))
    {
        if !dry_run && let Err(e) = events.delete_archive().archive_name(&name).send().await {
            out.failed.push(format!(
                "archive {name}: deleting: {}",
                DisplayErrorContext(&e)
            ));
            continue;
        }
        out.archives
            .push(a.archive_name().unwrap_or_default().to_string());
    }
}

/// Every bus, by name and ARN.
async fn list_buses(events: &Client) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = events
            .list_event_buses()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| format!("listing event buses: {}", DisplayErrorContext(&e)))?;
        for b in page.event_buses() {
            if let (Some(name), Some(arn)) = (b.name(), b.arn()) {
                out.push((name.to_string(), arn.to_string()));
            }
        }
        token = page.next_token;
        if token.is_none() {
            return Ok(out);
        }
    }
}

/// Every rule on the bus, by name and ARN.
async fn list_rules(events: &Client, bus: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = events
            .list_rules()
            .event_bus_name(bus)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(&e).to_string())?;
        for r in page.rules() {
            if let (Some(name), Some(arn)) = (r.name(), r.arn()) {
                out.push((name.to_string(), arn.to_string()));
            }
        }
        token = page.next_token;
        if token.is_none() {
            return Ok(out);
        }
    }
}

/// The resource's `sqsbench-run` tag, if it has one.
async fn tag_of(events: &Client, arn: &str) -> Result<Option<String>, String> {
    let tags = events
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| format!("reading tags: {}", DisplayErrorContext(&e)))?;
    Ok(tags
        .tags()
        .iter()
        .find(|t| t.key() == RUN_TAG)
        .map(|t| t.value().to_string()))
}
