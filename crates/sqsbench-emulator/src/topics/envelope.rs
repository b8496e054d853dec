//! The JSON envelope SNS wraps a notification in when it delivers to a queue without raw
//! message delivery: Type, MessageId, TopicArn, Subject, Message, Timestamp, the signature
//! fields, UnsubscribeURL, SequenceNumber (FIFO topics) and MessageAttributes as
//! `{"Type": …, "Value": …}` (a Binary value in base64).

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::model::message::{MICROS_PER_SEC, Micros};
use crate::model::{AttributeValue, MessageAttribute};

/// One notification, as one subscription receives it.
pub(crate) struct Notification<'a> {
    pub(crate) message_id: &'a str,
    pub(crate) topic_arn: &'a str,
    pub(crate) subscription_arn: &'a str,
    pub(crate) subject: Option<&'a str>,
    pub(crate) message: &'a str,
    pub(crate) timestamp: Micros,
    pub(crate) sequence_number: Option<&'a str>,
    pub(crate) attributes: &'a [(String, MessageAttribute)],
}

/// The envelope's JSON text; the endpoint URLs name the topic's region.
pub(crate) fn envelope(n: &Notification<'_>) -> String {
    let region = n.topic_arn.split(':').nth(3).unwrap_or("us-east-1");
    let service = format!("https://sns.{region}.amazonaws.com");
    let mut out = Map::new();
    out.insert("Type".into(), json!("Notification"));
    out.insert("MessageId".into(), json!(n.message_id));
    if let Some(sequence) = n.sequence_number {
        out.insert("SequenceNumber".into(), json!(sequence));
    }
    out.insert("TopicArn".into(), json!(n.topic_arn));
    if let Some(subject) = n.subject {
        out.insert("Subject".into(), json!(subject));
    }
    out.insert("Message".into(), json!(n.message));
    out.insert("Timestamp".into(), json!(timestamp(n.timestamp)));
    out.insert("SignatureVersion".into(), json!("1"));
    // Not a real signature: nothing can sign as SNS. Clients that verify envelopes must not
    // be pointed at an emulator.
    out.insert("Signature".into(), json!("RU1VTEFUT1I="));
    out.insert(
        "SigningCertURL".into(),
        json!(format!("{service}/SimpleNotificationService-emulator.pem")),
    );
    out.insert(
        "UnsubscribeURL".into(),
        json!(format!(
            "{service}/?Action=Unsubscribe&SubscriptionArn={}",
            n.subscription_arn
        )),
    );
    if !n.attributes.is_empty() {
        out.insert("MessageAttributes".into(), attributes(n.attributes));
    }
    Value::Object(out).to_string()
}

fn attributes(attributes: &[(String, MessageAttribute)]) -> Value {
    let mut out = Map::new();
    for (name, a) in attributes {
        let value = match &a.value {
            AttributeValue::Text(text) => text.clone(),
            AttributeValue::Binary(bytes) => {
                base64::engine::general_purpose::STANDARD.encode(bytes)
            }
        };
        out.insert(name.clone(), json!({"Type": a.data_type, "Value": value}));
    }
    Value::Object(out)
}

/// `2026-12-02T16:00:00.123Z`, as SNS writes Timestamp.
pub(crate) fn timestamp(micros: Micros) -> String {
    let at = std::time::UNIX_EPOCH
        + std::time::Duration::from_micros(micros - micros % (MICROS_PER_SEC / 1000));
    humantime::format_rfc3339_millis(at).to_string()
}
