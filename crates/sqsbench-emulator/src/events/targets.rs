//! A PutTargets entry → `Target`, or the entry's failure as EventBridge reports it
//! (`FailedEntries`: the target id, an error code and a message). Only SQS queues are targets
//! here; a FIFO queue needs `SqsParameters.MessageGroupId`, and its deduplication is the
//! queue's content-based deduplication, which EventBridge requires of a FIFO target ("If you
//! specify an SQS FIFO queue as a target, the queue must have content-based deduplication
//! enabled", Target.SqsParameters in the EventBridge API Reference:
//! <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html>).

use serde_json::Value;

use super::input::{Path, Shape};
use super::types::{RetryPolicy, Target};

/// A refused entry: (error code, message).
pub(crate) type Refusal = (&'static str, String);

pub(crate) fn parse(given: &Value) -> Result<Target, Refusal> {
    let text = |key: &str| given.get(key).and_then(Value::as_str);
    let invalid = |message: String| ("ValidationException", message);
    let id = text("Id").ok_or_else(|| invalid("Parameter Id is required.".into()))?;
    let arn = text("Arn").ok_or_else(|| invalid("Parameter Arn is required.".into()))?;
    if !arn.starts_with("arn:aws:sqs:") {
        return Err(invalid(format!(
            "Target {arn}: the sqsbench emulator delivers to SQS queues only."
        )));
    }
    let shape = shape(given).map_err(invalid)?;
    let group_id = given
        .pointer("/SqsParameters/MessageGroupId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if arn.ends_with(".fifo") && group_id.is_none() {
        return Err(invalid(format!(
            "Target {id}: SqsParameters.MessageGroupId is required for a FIFO queue."
        )));
    }
    Ok(Target {
        id: id.to_owned(),
        arn: arn.to_owned(),
        given: given.clone(),
        shape,
        group_id,
        retry: retry(given.get("RetryPolicy")).map_err(invalid)?,
        dead_letter_arn: given
            .pointer("/DeadLetterConfig/Arn")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn shape(given: &Value) -> Result<Shape, String> {
    let input = given.get("Input").and_then(Value::as_str);
    let path = given.get("InputPath").and_then(Value::as_str);
    let transformer = given.get("InputTransformer");
    match (input, path, transformer) {
        (None, None, None) => Ok(Shape::Event),
        (Some(text), None, None) => {
            serde_json::from_str::<Value>(text)
                .map_err(|_| "Input is not valid JSON text.".to_string())?;
            Ok(Shape::Constant(text.to_owned()))
        }
        (None, Some(path), None) => Ok(Shape::Path(Path::parse(path).map_err(|e| e.message)?)),
        (None, None, Some(t)) => {
            let template = t
                .get("InputTemplate")
                .and_then(Value::as_str)
                .ok_or("InputTransformer.InputTemplate is required.")?;
            let mut paths = Vec::new();
            if let Some(map) = t.get("InputPathsMap").and_then(Value::as_object) {
                if map.len() > 100 {
                    return Err("InputTransformer.InputPathsMap has more than 100 entries.".into());
                }
                for (name, path) in map {
                    let path = path.as_str().ok_or("InputPathsMap values are JSONPaths.")?;
                    paths.push((name.clone(), Path::parse(path).map_err(|e| e.message)?));
                }
            }
            Ok(Shape::Transformer {
                paths,
                template: template.to_owned(),
            })
        }
        _ => Err("Only one of Input, InputPath and InputTransformer may be given.".into()),
    }
}

fn retry(given: Option<&Value>) -> Result<RetryPolicy, String> {
    let mut policy = RetryPolicy::default();
    let Some(given) = given else {
        return Ok(policy);
    };
    if let Some(n) = given.get("MaximumRetryAttempts") {
        policy.max_attempts =
            n.as_u64()
                .filter(|n| *n <= 185)
                .ok_or("RetryPolicy.MaximumRetryAttempts is from 0 to 185.")? as u32;
    }
    if let Some(n) = given.get("MaximumEventAgeInSeconds") {
        policy.max_age_secs = n
            .as_u64()
            .filter(|n| (60..=86_400).contains(n))
            .ok_or("RetryPolicy.MaximumEventAgeInSeconds is from 60 to 86400.")?
            as u32;
    }
    Ok(policy)
}
