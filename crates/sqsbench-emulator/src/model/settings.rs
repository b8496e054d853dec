//! Queue attributes: the settable ones parsed and range-checked into `Settings`, and the full
//! attribute map rendered back for GetQueueAttributes.

use std::collections::BTreeMap;

use crate::error::{ErrorCode, SqsError, SqsResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeduplicationScope {
    Queue,
    MessageGroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ThroughputLimit {
    PerQueue,
    PerMessageGroupId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Redrive {
    pub target_arn: String,
    pub max_receive_count: u32,
}

/// The settable attributes of a queue, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub fifo: bool,
    pub delay_seconds: u32,
    pub maximum_message_size: u32,
    pub retention_seconds: u32,
    pub receive_wait_seconds: u32,
    pub visibility_timeout: u32,
    pub redrive: Option<Redrive>,
    pub content_based_deduplication: bool,
    pub deduplication_scope: DeduplicationScope,
    pub throughput_limit: ThroughputLimit,
    /// Attributes kept verbatim (Policy, KMS, SSE, RedriveAllowPolicy): SQS stores them, the
    /// emulator has no behaviour for them.
    pub passthrough: BTreeMap<String, String>,
}

impl Settings {
    pub(crate) fn new(fifo: bool) -> Self {
        let mut passthrough = BTreeMap::new();
        passthrough.insert("SqsManagedSseEnabled".to_string(), "true".to_string());
        Settings {
            fifo,
            delay_seconds: 0,
            maximum_message_size: 1_048_576,
            retention_seconds: 345_600,
            receive_wait_seconds: 0,
            visibility_timeout: 30,
            redrive: None,
            content_based_deduplication: false,
            deduplication_scope: DeduplicationScope::Queue,
            throughput_limit: ThroughputLimit::PerQueue,
            passthrough,
        }
    }

    /// High-throughput FIFO needs both attributes set; any other mix is normal mode.
    pub(crate) fn high_throughput(&self) -> bool {
        self.fifo
            && self.deduplication_scope == DeduplicationScope::MessageGroup
            && self.throughput_limit == ThroughputLimit::PerMessageGroupId
    }

    /// Applies attributes as CreateQueue or SetQueueAttributes would (the same rules for both).
    pub(crate) fn apply(&mut self, attributes: &BTreeMap<String, String>) -> SqsResult<()> {
        let mut next = self.clone();
        for (name, value) in attributes {
            next.apply_one(name, value)?;
        }
        if next.throughput_limit == ThroughputLimit::PerMessageGroupId
            && next.deduplication_scope != DeduplicationScope::MessageGroup
        {
            return Err(invalid_value(
                "FifoThroughputLimit",
                "perMessageGroupId",
                "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.",
            ));
        }
        *self = next;
        Ok(())
    }

    fn apply_one(&mut self, name: &str, value: &str) -> SqsResult<()> {
        self.check_fifo_only(name)?;
        match name {
            // Accepted in any case (`True`), at creation and later, as SQS does; a FIFO queue
            // stays one.
            "FifoQueue" => {
                if !boolean(name, value)? {
                    return Err(SqsError::new(
                        ErrorCode::InvalidAttributeValue,
                        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
                    ));
                }
            }
            "DelaySeconds" => self.delay_seconds = ranged(name, value, 0, 900)?,
            "MaximumMessageSize" => {
                self.maximum_message_size = ranged(name, value, 1024, 1_048_576)?
            }
            "MessageRetentionPeriod" => {
                self.retention_seconds = ranged(name, value, 60, 1_209_600)?
            }
            "ReceiveMessageWaitTimeSeconds" => {
                self.receive_wait_seconds = ranged(name, value, 0, 20)?
            }
            "VisibilityTimeout" => self.visibility_timeout = ranged(name, value, 0, 43_200)?,
            "RedrivePolicy" => self.redrive = parse_redrive(value)?,
            "ContentBasedDeduplication" => self.content_based_deduplication = boolean(name, value)?,
            "DeduplicationScope" => {
                self.deduplication_scope = match value {
                    "queue" => DeduplicationScope::Queue,
                    "messageGroup" => DeduplicationScope::MessageGroup,
                    _ => {
                        let allowed = "Allowed values: queue, messageGroup.";
                        return Err(invalid_value(name, value, allowed));
                    }
                }
            }
            "FifoThroughputLimit" => {
                self.throughput_limit = match value {
                    "perQueue" => ThroughputLimit::PerQueue,
                    "perMessageGroupId" => ThroughputLimit::PerMessageGroupId,
                    _ => {
                        let allowed = "Allowed values: perQueue, perMessageGroupId.";
                        return Err(invalid_value(name, value, allowed));
                    }
                }
            }
            _ => self.apply_passthrough(name, value)?,
        }
        Ok(())
    }

    /// The attributes only a FIFO queue has are refused on a standard one, two of them with
    /// their own message, as SQS words it.
    fn check_fifo_only(&self, name: &str) -> SqsResult<()> {
        let fifo_only = matches!(
            name,
            "FifoQueue"
                | "ContentBasedDeduplication"
                | "DeduplicationScope"
                | "FifoThroughputLimit"
        );
        if !fifo_only || self.fifo {
            return Ok(());
        }
        Err(match name {
            "DeduplicationScope" | "FifoThroughputLimit" => SqsError::new(
                ErrorCode::InvalidAttributeName,
                format!("You can specify the {name} only when FifoQueue is set to true."),
            ),
            _ => invalid_name(name),
        })
    }

    /// The attributes kept as given and rendered back (policies, encryption), each checked
    /// where SQS checks it; an empty value removes one. Any other name is not an attribute.
    fn apply_passthrough(&mut self, name: &str, value: &str) -> SqsResult<()> {
        match name {
            // Switching KMS off takes its reuse period with it, as SQS reports it.
            "KmsMasterKeyId" if value.is_empty() => {
                self.passthrough.remove(name);
                self.passthrough.remove("KmsDataKeyReusePeriodSeconds");
            }
            "KmsDataKeyReusePeriodSeconds" if !value.is_empty() => {
                ranged(name, value, 60, 86_400)?;
                self.passthrough.insert(name.to_string(), value.to_string());
            }
            "Policy" if !value.is_empty() => {
                super::policy::check(value)?;
                self.passthrough.insert(name.to_string(), value.to_string());
            }
            "Policy"
            | "RedriveAllowPolicy"
            | "KmsMasterKeyId"
            | "KmsDataKeyReusePeriodSeconds"
            | "SqsManagedSseEnabled" => {
                if value.is_empty() {
                    self.passthrough.remove(name);
                } else {
                    self.passthrough.insert(name.to_string(), value.to_string());
                }
            }
            _ => return Err(invalid_name(name)),
        }
        Ok(())
    }

    /// Compares requested attributes with the current ones: CreateQueue on an existing name is
    /// idempotent only when every requested attribute already has that value.
    pub(crate) fn matches(&self, attributes: &BTreeMap<String, String>) -> bool {
        let current = self.render();
        attributes
            .iter()
            .all(|(name, value)| match current.get(name) {
                Some(v) if BOOLEANS.contains(&name.as_str()) => v.eq_ignore_ascii_case(value),
                Some(v) => v == value,
                None => false,
            })
    }

    /// The settable attributes as SQS reports them (all values are strings).
    pub(crate) fn render(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        out.insert("DelaySeconds".into(), self.delay_seconds.to_string());
        out.insert(
            "MaximumMessageSize".into(),
            self.maximum_message_size.to_string(),
        );
        out.insert(
            "MessageRetentionPeriod".into(),
            self.retention_seconds.to_string(),
        );
        out.insert(
            "ReceiveMessageWaitTimeSeconds".into(),
            self.receive_wait_seconds.to_string(),
        );
        out.insert(
            "VisibilityTimeout".into(),
            self.visibility_timeout.to_string(),
        );
        if let Some(r) = &self.redrive {
            out.insert(
                "RedrivePolicy".into(),
                format!(
                    "{{\"deadLetterTargetArn\":\"{}\",\"maxReceiveCount\":{}}}",
                    r.target_arn, r.max_receive_count
                ),
            );
        }
        if self.fifo {
            out.insert("FifoQueue".into(), "true".into());
            out.insert(
                "ContentBasedDeduplication".into(),
                self.content_based_deduplication.to_string(),
            );
            out.insert(
                "DeduplicationScope".into(),
                match self.deduplication_scope {
                    DeduplicationScope::Queue => "queue",
                    DeduplicationScope::MessageGroup => "messageGroup",
                }
                .into(),
            );
            out.insert(
                "FifoThroughputLimit".into(),
                match self.throughput_limit {
                    ThroughputLimit::PerQueue => "perQueue",
                    ThroughputLimit::PerMessageGroupId => "perMessageGroupId",
                }
                .into(),
            );
        }
        for (k, v) in &self.passthrough {
            out.insert(k.clone(), v.clone());
        }
        out
    }
}

fn invalid_name(name: &str) -> SqsError {
    SqsError::new(
        ErrorCode::InvalidAttributeName,
        format!("Unknown Attribute {name}."),
    )
}

fn invalid_value(name: &str, value: &str, reason: &str) -> SqsError {
    SqsError::new(
        ErrorCode::InvalidAttributeValue,
        format!("Invalid value for the parameter {name}. Value {value}. Reason: {reason}"),
    )
}

fn ranged(name: &str, value: &str, min: u32, max: u32) -> SqsResult<u32> {
    match value.trim().parse::<u32>() {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(invalid_value(
            name,
            value,
            &format!("Must be an integer from {min} to {max}."),
        )),
    }
}

/// `true` or `false` in any case, as SQS accepts them (boto3 users write `str(True)`).
fn boolean(name: &str, value: &str) -> SqsResult<bool> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid_value(name, value, "Must be true or false."))
    }
}

/// Attributes whose values are booleans: compared without regard to case.
const BOOLEANS: &[&str] = &[
    "FifoQueue",
    "ContentBasedDeduplication",
    "SqsManagedSseEnabled",
];

fn parse_redrive(value: &str) -> SqsResult<Option<Redrive>> {
    if value.is_empty() {
        return Ok(None);
    }
    let bad = |reason: &str| invalid_value("RedrivePolicy", value, reason);
    let json: serde_json::Value =
        serde_json::from_str(value).map_err(|_| bad("Redrive policy is not a valid JSON map."))?;
    let target_arn = json
        .get("deadLetterTargetArn")
        .and_then(|v| v.as_str())
        .ok_or_else(|| {
            bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
        })?
        .to_string();
    let count = match json.get("maxReceiveCount") {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.parse::<u64>().ok(),
        _ => {
            return Err(bad(
                "Redrive policy does not contain mandatory attribute: maxReceiveCount.",
            ));
        }
    };
    match count {
        Some(c) if (1..=1000).contains(&c) => Ok(Some(Redrive {
            target_arn,
            max_receive_count: c as u32,
        })),
        _ => Err(bad(
            "Value of maxReceiveCount must be an integer from 1 to 1000.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ranges_are_enforced_with_attribute_value_errors() {
        let mut s = Settings::new(false);
        let err = s
            .apply(&map(&[("VisibilityTimeout", "43201")]))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidAttributeValue);
        s.apply(&map(&[("VisibilityTimeout", "5"), ("DelaySeconds", "900")]))
            .unwrap();
        assert_eq!((s.visibility_timeout, s.delay_seconds), (5, 900));
    }

    #[test]
    fn fifo_only_attributes_are_refused_on_standard_queues() {
        let mut s = Settings::new(false);
        let err = s
            .apply(&map(&[("ContentBasedDeduplication", "true")]))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidAttributeName);
        assert!(s.apply(&map(&[("Bogus", "1")])).is_err());
    }

    #[test]
    fn fifo_queue_is_true_in_any_case_and_only_on_fifo_queues() {
        let mut fifo = Settings::new(true);
        fifo.apply(&map(&[("FifoQueue", "True")])).unwrap();
        assert!(fifo.matches(&map(&[("FifoQueue", "TRUE")])));
        let err = fifo.apply(&map(&[("FifoQueue", "false")])).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidAttributeValue);
        let mut standard = Settings::new(false);
        let err = standard.apply(&map(&[("FifoQueue", "false")])).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidAttributeName);
    }

    #[test]
    fn booleans_in_any_case_and_fifo_only_attributes_named() {
        let mut fifo = Settings::new(true);
        fifo.apply(&map(&[("ContentBasedDeduplication", "True")]))
            .unwrap();
        assert!(fifo.content_based_deduplication);
        assert!(fifo.matches(&map(&[("ContentBasedDeduplication", "TRUE")])));
        fifo.apply(&map(&[("ContentBasedDeduplication", "FALSE")]))
            .unwrap();
        assert!(!fifo.content_based_deduplication);
        assert!(
            fifo.apply(&map(&[("ContentBasedDeduplication", "yes")]))
                .is_err()
        );
        let err = fifo.apply(&map(&[("FifoQueue", "False")])).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."
        );
        let mut standard = Settings::new(false);
        for name in ["FifoThroughputLimit", "DeduplicationScope"] {
            let err = standard.apply(&map(&[(name, "queue")])).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidAttributeName);
            assert_eq!(
                err.message,
                format!("You can specify the {name} only when FifoQueue is set to true.")
            );
        }
    }

    #[test]
    fn high_throughput_can_be_switched_off_again() {
        let mut s = Settings::new(true);
        let on = [
            ("DeduplicationScope", "messageGroup"),
            ("FifoThroughputLimit", "perMessageGroupId"),
        ];
        let off = [
            ("DeduplicationScope", "queue"),
            ("FifoThroughputLimit", "perQueue"),
        ];
        s.apply(&map(&on)).unwrap();
        assert!(s.high_throughput());
        s.apply(&map(&off)).unwrap();
        assert!(!s.high_throughput());
        assert_eq!(s.deduplication_scope, DeduplicationScope::Queue);
    }

    #[test]
    fn high_throughput_needs_both_attributes() {
        let mut s = Settings::new(true);
        assert!(
            s.apply(&map(&[("FifoThroughputLimit", "perMessageGroupId")]))
                .is_err()
        );
        s.apply(&map(&[
            ("DeduplicationScope", "messageGroup"),
            ("FifoThroughputLimit", "perMessageGroupId"),
        ]))
        .unwrap();
        assert!(s.high_throughput());
    }

    #[test]
    fn redrive_policy_round_trips() {
        let mut s = Settings::new(false);
        let policy = r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"}"#;
        s.apply(&map(&[("RedrivePolicy", policy)])).unwrap();
        assert_eq!(s.redrive.as_ref().unwrap().max_receive_count, 3);
        let rendered = s.render();
        assert!(rendered["RedrivePolicy"].contains("\"maxReceiveCount\":3"));
        assert!(s.matches(&map(&[("VisibilityTimeout", "30")])));
        assert!(!s.matches(&map(&[("VisibilityTimeout", "31")])));
    }

    #[test]
    fn switching_kms_off_removes_its_attributes() {
        let mut s = Settings::new(false);
        s.apply(&map(&[
            ("KmsMasterKeyId", "alias/aws/sqs"),
            ("KmsDataKeyReusePeriodSeconds", "600"),
        ]))
        .unwrap();
        assert_eq!(s.render()["KmsDataKeyReusePeriodSeconds"], "600");
        s.apply(&map(&[("KmsMasterKeyId", "")])).unwrap();
        let rendered = s.render();
        assert!(!rendered.contains_key("KmsMasterKeyId"));
        assert!(!rendered.contains_key("KmsDataKeyReusePeriodSeconds"));
        let err = s
            .apply(&map(&[("KmsDataKeyReusePeriodSeconds", "59")]))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidAttributeValue);
        let err = s.apply(&map(&[("Policy", "not json")])).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidAttributeValue);
    }
}
