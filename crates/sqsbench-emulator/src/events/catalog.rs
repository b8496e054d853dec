//! The catalog of EventBridge: buses (with `default`), their rules and each rule's targets, and
//! the tags of buses and rules, as their API actions read and change them. Part of `Events`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::types::{Bus, Rule};
use super::{
    Events, EventsCode, EventsError, EventsResult, bus_of, bus_of_mut, epoch_seconds, quota,
    rule_of, rule_of_mut, targets,
};
use crate::event_pattern::EventPattern;
use crate::model::message::Micros;

impl Events {
    // ----- buses -----

    pub(crate) fn create_bus(
        &self,
        name: &str,
        description: Option<&str>,
        tags: BTreeMap<String, String>,
        now: Micros,
    ) -> EventsResult<String> {
        crate::names::check_event_bus_name(name).map_err(EventsError::validation)?;
        let mut state = self.lock();
        if state.buses.contains_key(name) {
            return Err(EventsError::exists(format!("Event bus {name}")));
        }
        if state.buses.len() >= quota::BUSES {
            return Err(EventsError::new(
                EventsCode::LimitExceeded,
                format!(
                    "The requested resource exceeds the maximum number allowed: {} event buses.",
                    quota::BUSES
                ),
            ));
        }
        let arn = self.arn("event-bus", name);
        state.buses.insert(
            name.to_owned(),
            Bus {
                name: name.to_owned(),
                arn: arn.clone(),
                description: description.map(str::to_owned),
                tags,
                rules: BTreeMap::new(),
                created: now,
            },
        );
        Ok(arn)
    }

    pub(crate) fn delete_bus(&self, name: &str) -> EventsResult<()> {
        if name == "default" {
            return Err(EventsError::validation("Cannot delete event bus default."));
        }
        self.lock().buses.remove(name);
        Ok(())
    }

    pub(crate) fn describe_bus(&self, name: Option<&str>) -> EventsResult<Value> {
        let state = self.lock();
        let bus = bus_of(&state, name)?;
        let mut out = json!({"Name": bus.name, "Arn": bus.arn, "CreationTime": epoch_seconds(bus.created), "LastModifiedTime": epoch_seconds(bus.created)});
        if let Some(d) = &bus.description {
            out["Description"] = json!(d);
        }
        Ok(out)
    }

    pub(crate) fn list_buses(&self, prefix: Option<&str>) -> Value {
        let state = self.lock();
        let buses: Vec<Value> = state
            .buses
            .values()
            .filter(|b| b.name.starts_with(prefix.unwrap_or("")))
            .map(
                |b| json!({"Name": b.name, "Arn": b.arn, "CreationTime": epoch_seconds(b.created)}),
            )
            .collect();
        json!({"EventBuses": buses})
    }

    // ----- rules -----

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn put_rule(
        &self,
        bus: Option<&str>,
        name: &str,
        pattern: Option<&str>,
        schedule: Option<&str>,
        enabled: Option<bool>,
        description: Option<&str>,
        tags: BTreeMap<String, String>,
    ) -> EventsResult<String> {
        crate::names::check_rule_name(name).map_err(EventsError::validation)?;
        if schedule.is_some() {
            return Err(EventsError::validation(
                "ScheduleExpression is not supported by the sqsbench emulator: its rules match event patterns only (use EventBridge Scheduler for schedules).",
            ));
        }
        let text = pattern.ok_or_else(|| {
            EventsError::validation(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.",
            )
        })?;
        let checked = EventPattern::parse(text)
            .map_err(|e| EventsError::new(EventsCode::InvalidEventPattern, e.to_string()))?;
        let mut state = self.lock();
        let limit = quota::rules_per_bus(&self.region);
        let bus = bus_of_mut(&mut state, bus)?;
        let arn = self.rule_arn(&bus.name, name);
        match bus.rules.get_mut(name) {
            Some(rule) => {
                rule.pattern_text = text.to_owned();
                rule.pattern = checked;
                rule.enabled = enabled.unwrap_or(rule.enabled);
                rule.description = description.map(str::to_owned).or(rule.description.take());
                rule.tags.extend(tags);
            }
            None => {
                if bus.rules.len() >= limit {
                    return Err(EventsError::new(
                        EventsCode::LimitExceeded,
                        format!(
                            "The requested resource exceeds the maximum number allowed: {limit} rules on event bus {}.",
                            bus.name
                        ),
                    ));
                }
                bus.rules.insert(
                    name.to_owned(),
                    Rule {
                        name: name.to_owned(),
                        arn: arn.clone(),
                        pattern_text: text.to_owned(),
                        pattern: checked,
                        enabled: enabled.unwrap_or(true),
                        description: description.map(str::to_owned),
                        tags,
                        targets: Vec::new(),
                    },
                );
            }
        }
        Ok(arn)
    }

    pub(crate) fn describe_rule(&self, bus: Option<&str>, name: &str) -> EventsResult<Value> {
        let state = self.lock();
        let bus = bus_of(&state, bus)?;
        Ok(rule_json(bus, rule_of(bus, name)?))
    }

    pub(crate) fn list_rules(
        &self,
        bus: Option<&str>,
        prefix: Option<&str>,
    ) -> EventsResult<Value> {
        let state = self.lock();
        let bus = bus_of(&state, bus)?;
        let rules: Vec<Value> = bus
            .rules
            .values()
            .filter(|r| r.name.starts_with(prefix.unwrap_or("")))
            .map(|r| rule_json(bus, r))
            .collect();
        Ok(json!({"Rules": rules}))
    }

    pub(crate) fn delete_rule(&self, bus: Option<&str>, name: &str) -> EventsResult<()> {
        let mut state = self.lock();
        let bus = bus_of_mut(&mut state, bus)?;
        if bus.rules.get(name).is_some_and(|r| !r.targets.is_empty()) {
            return Err(EventsError::validation(
                "Rule can't be deleted since it has targets.",
            ));
        }
        bus.rules.remove(name);
        Ok(())
    }

    pub(crate) fn set_enabled(
        &self,
        bus: Option<&str>,
        name: &str,
        enabled: bool,
    ) -> EventsResult<()> {
        let mut state = self.lock();
        let bus = bus_of_mut(&mut state, bus)?;
        rule_of_mut(bus, name)?.enabled = enabled;
        Ok(())
    }

    // ----- targets -----

    /// Adds or replaces targets; returns the entries refused as (id, code, message).
    pub(crate) fn put_targets(
        &self,
        bus: Option<&str>,
        rule: &str,
        given: &[Value],
    ) -> EventsResult<Vec<(String, &'static str, String)>> {
        if given.is_empty() {
            return Err(EventsError::validation(
                "1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1.",
            ));
        }
        let mut state = self.lock();
        let bus = bus_of_mut(&mut state, bus)?;
        let rule = rule_of_mut(bus, rule)?;
        let mut failed = Vec::new();
        for entry in given {
            let id = entry
                .get("Id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            match targets::parse(entry) {
                Ok(target) => {
                    let replacing = rule.targets.iter().position(|t| t.id == target.id);
                    match replacing {
                        Some(at) => rule.targets[at] = target,
                        None if rule.targets.len() >= quota::TARGETS_PER_RULE => failed.push((
                            id,
                            "LimitExceededException",
                            format!("The requested resource exceeds the maximum number allowed: {} targets per rule.", quota::TARGETS_PER_RULE),
                        )),
                        None => rule.targets.push(target),
                    }
                }
                Err((code, message)) => failed.push((id, code, message)),
            }
        }
        Ok(failed)
    }

    pub(crate) fn remove_targets(
        &self,
        bus: Option<&str>,
        rule: &str,
        ids: &[&str],
    ) -> EventsResult<()> {
        let mut state = self.lock();
        let bus = bus_of_mut(&mut state, bus)?;
        rule_of_mut(bus, rule)?
            .targets
            .retain(|t| !ids.contains(&t.id.as_str()));
        Ok(())
    }

    pub(crate) fn list_targets(&self, bus: Option<&str>, rule: &str) -> EventsResult<Value> {
        let state = self.lock();
        let bus = bus_of(&state, bus)?;
        let targets: Vec<&Value> = rule_of(bus, rule)?
            .targets
            .iter()
            .map(|t| &t.given)
            .collect();
        Ok(json!({"Targets": targets}))
    }

    // ----- tags: buses and rules only, as on AWS -----

    pub(crate) fn tag(&self, arn: &str, tags: BTreeMap<String, String>) -> EventsResult<()> {
        self.with_tags(arn, |t| t.extend(tags))
    }

    pub(crate) fn untag(&self, arn: &str, keys: &[&str]) -> EventsResult<()> {
        self.with_tags(arn, |t| t.retain(|k, _| !keys.contains(&k.as_str())))
    }

    pub(crate) fn tags(&self, arn: &str) -> EventsResult<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        self.with_tags(arn, |t| out = t.clone())?;
        Ok(out)
    }

    fn with_tags(
        &self,
        arn: &str,
        f: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> EventsResult<()> {
        let mut state = self.lock();
        for bus in state.buses.values_mut() {
            if bus.arn == arn {
                f(&mut bus.tags);
                return Ok(());
            }
            if let Some(rule) = bus.rules.values_mut().find(|r| r.arn == arn) {
                f(&mut rule.tags);
                return Ok(());
            }
        }
        if arn.starts_with("arn:aws:events:")
            && !arn.contains(":event-bus/")
            && !arn.contains(":rule/")
        {
            return Err(EventsError::validation(format!(
                "{arn}: only event buses and rules can be tagged."
            )));
        }
        Err(EventsError::not_found(format!("Resource {arn}")))
    }
}

fn rule_json(bus: &Bus, rule: &Rule) -> Value {
    let mut out = Map::new();
    out.insert("Name".into(), json!(rule.name));
    out.insert("Arn".into(), json!(rule.arn));
    out.insert("EventPattern".into(), json!(rule.pattern_text));
    out.insert(
        "State".into(),
        json!(if rule.enabled { "ENABLED" } else { "DISABLED" }),
    );
    out.insert("EventBusName".into(), json!(bus.name));
    if let Some(d) = &rule.description {
        out.insert("Description".into(), json!(d));
    }
    Value::Object(out)
}
