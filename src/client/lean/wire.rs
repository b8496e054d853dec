//! The JSON bodies of the hot calls (SQS's JSON protocol, `application/x-amz-json-1.0`):
//! requests serialized from borrowed fields, responses read borrowing the body where it has no
//! escapes. Only the fields sqsbench sends or reads are here.
//! Depends on serde only.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendBatch<'a> {
    pub queue_url: &'a str,
    pub entries: &'a [SendEntry<'a>],
}

impl SendBatch<'_> {
    /// The body serde_json would write, byte for byte, written faster: a string with nothing
    /// to escape (every payload body) is copied whole. serde_json's per-byte escaping was 2.6 %
    /// of a lean run's CPU at 256 B (`perf`, closed loop through serve).
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"QueueUrl\":");
        string(out, self.queue_url);
        out.extend_from_slice(b",\"Entries\":[");
        for (i, e) in self.entries.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"{\"Id\":" } else { b",{\"Id\":" });
            string(out, e.id);
            out.extend_from_slice(b",\"MessageBody\":");
            string(out, e.message_body);
            if let Some(group) = e.message_group_id {
                out.extend_from_slice(b",\"MessageGroupId\":");
                string(out, group);
            }
            if let Some(dedup) = e.message_deduplication_id {
                out.extend_from_slice(b",\"MessageDeduplicationId\":");
                string(out, dedup);
            }
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }
}

/// A JSON string. The check folds without stopping early, so it compiles to vector code.
fn string(out: &mut Vec<u8>, s: &str) {
    let plain = s.bytes().fold(true, |plain, b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    });
    if plain {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, s).expect("a str always serializes");
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendEntry<'a> {
    pub id: &'a str,
    pub message_body: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_group_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_deduplication_id: Option<&'a str>,
}

/// SendMessage: one entry's fields beside the queue URL.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendOne<'a> {
    pub queue_url: &'a str,
    #[serde(flatten)]
    pub entry: SendOneFields<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendOneFields<'a> {
    pub message_body: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_group_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_deduplication_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Receive<'a> {
    pub queue_url: &'a str,
    pub max_number_of_messages: u32,
    pub wait_time_seconds: u32,
    pub message_system_attribute_names: &'a [&'a str],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteBatch<'a> {
    pub queue_url: &'a str,
    pub entries: &'a [DeleteEntry<'a>],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteEntry<'a> {
    pub id: &'a str,
    pub receipt_handle: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteOne<'a> {
    pub queue_url: &'a str,
    pub receipt_handle: &'a str,
}

/// A batch call's answer: the acknowledged entries (`SendResultEntry`, `DeleteResultEntry`) and
/// the failed ones, only counted: a failed entry is one not acknowledged.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchResult<E> {
    #[serde(default = "Vec::new")]
    pub successful: Vec<E>,
    #[serde(default)]
    pub failed: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendResultEntry<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(rename = "MD5OfMessageBody", borrow, default)]
    pub md5_of_message_body: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendOneResult<'a> {
    #[serde(rename = "MD5OfMessageBody", borrow, default)]
    pub md5_of_message_body: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteResultEntry<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ReceiveResult {
    pub messages: Vec<ReceivedMessage>,
}

/// Owned: a message outlives the response it came in (it is processed, then deleted).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReceivedMessage {
    #[serde(default)]
    pub message_id: String,
    #[serde(default)]
    pub receipt_handle: String,
    #[serde(rename = "MD5OfBody", default)]
    pub md5_of_body: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub attributes: SystemAttributes,
    #[serde(rename = "MD5OfMessageAttributes", default)]
    pub md5_of_message_attributes: Option<String>,
    #[serde(default)]
    pub message_attributes: Option<HashMap<String, AttributeValue>>,
}

/// The system attributes sqsbench asks for, as numbers (SQS sends them as strings): read into
/// fields rather than a map, which cost a hash and three allocations per message.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct SystemAttributes {
    #[serde(deserialize_with = "number")]
    pub approximate_receive_count: Option<u64>,
    #[serde(deserialize_with = "number")]
    pub approximate_first_receive_timestamp: Option<u64>,
    #[serde(deserialize_with = "number")]
    pub sent_timestamp: Option<u64>,
}

/// A number sent as a string; one that does not parse is absent, as the SDK's callers see it.
/// Read by a visitor: serde's `Cow<str>` always allocates, three times per received message.
fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct Number;
    impl serde::de::Visitor<'_> for Number {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number as a string")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Option<u64>, E> {
            Ok(text.parse().ok())
        }
    }
    d.deserialize_str(Number)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeValue {
    pub data_type: String,
    #[serde(default)]
    pub string_value: Option<String>,
    /// Base64 on the wire.
    #[serde(default)]
    pub binary_value: Option<String>,
}

/// The fields of an error body the SDK reads its code from.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ErrorBody<'a> {
    #[serde(borrow)]
    pub code: Option<Cow<'a, str>>,
    #[serde(rename = "__type", borrow)]
    pub type_: Option<Cow<'a, str>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_request_has_the_sdks_field_names_and_omits_absent_fifo_fields() {
        let entries = [
            SendEntry {
                id: "0",
                message_body: "a\"b",
                message_group_id: None,
                message_deduplication_id: None,
            },
            SendEntry {
                id: "1",
                message_body: "c",
                message_group_id: Some("g1"),
                message_deduplication_id: Some("d"),
            },
        ];
        let json = serde_json::to_string(&SendBatch {
            queue_url: "http://q",
            entries: &entries,
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"QueueUrl":"http://q","Entries":[{"Id":"0","MessageBody":"a\"b"},{"Id":"1","MessageBody":"c","MessageGroupId":"g1","MessageDeduplicationId":"d"}]}"#
        );
        let one = serde_json::to_string(&SendOne {
            queue_url: "u",
            entry: SendOneFields {
                message_body: "b",
                message_group_id: None,
                message_deduplication_id: None,
            },
        })
        .unwrap();
        assert_eq!(one, r#"{"QueueUrl":"u","MessageBody":"b"}"#);
    }

    proptest::proptest! {
        #[test]
        fn a_batch_body_is_byte_for_byte_serde_jsons(
            url in "\\PC{0,40}",
            entries in proptest::collection::vec(
                ("[0-9]{1,2}", "(\\PC|[\"\\\\\u{0}-\u{1f}\u{7f}]){0,60}",
                 proptest::option::of("\\PC{0,8}"), proptest::option::of("[a-z\"]{0,8}")),
                0..10,
            ),
        ) {
            let entries: Vec<SendEntry> = entries
                .iter()
                .map(|(id, body, group, dedup)| SendEntry {
                    id,
                    message_body: body,
                    message_group_id: group.as_deref(),
                    message_deduplication_id: dedup.as_deref(),
                })
                .collect();
            let batch = SendBatch { queue_url: &url, entries: &entries };
            let mut ours = Vec::new();
            batch.write_json(&mut ours);
            proptest::prop_assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&batch).unwrap()
            );
        }
    }

    #[test]
    fn a_receive_result_reads_messages_and_their_attributes() {
        let body = br#"{"Messages":[{"MessageId":"m","ReceiptHandle":"h","MD5OfBody":"x","Body":"hi\n","Attributes":{"ApproximateReceiveCount":"2"}}]}"#;
        let r: ReceiveResult = serde_json::from_slice(body).unwrap();
        assert_eq!(r.messages[0].body, "hi\n");
        assert_eq!(r.messages[0].attributes.approximate_receive_count, Some(2));
        let odd = br#"{"Messages":[{"Attributes":{"ApproximateReceiveCount":"x","SentTimestamp":"1\u00372"}}]}"#;
        let odd: ReceiveResult = serde_json::from_slice(odd).unwrap();
        assert_eq!(odd.messages[0].attributes.approximate_receive_count, None);
        assert_eq!(odd.messages[0].attributes.sent_timestamp, Some(172));
        let empty: ReceiveResult = serde_json::from_slice(b"{}").unwrap();
        assert!(empty.messages.is_empty());
    }
}
