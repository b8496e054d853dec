//! AWS JSON 1.0 shapes of the SQS operations: request inputs (members optional, so a missing
//! required member becomes MissingParameter rather than a parse error) and response outputs
//! (absent members omitted, as SQS does).

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::broker::Broker;
use crate::error::{ErrorCode, SqsError, SqsResult};
use crate::model::message::{AsciiText, MessageId, write_hex};
use crate::model::{AttributeValue, MessageAttribute};

pub(crate) type StringMap = BTreeMap<String, String>;

/// An MD5 digest, serialized as 32 lowercase hex digits straight from the stack (responses carry
/// one or more per message; a `String` each was an allocation each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct HexDigest(pub [u8; 16]);

impl HexDigest {
    /// The 32 lowercase hex digits.
    pub(crate) fn text(&self) -> AsciiText<32> {
        let mut text = [0u8; 32];
        write_hex(&self.0, &mut text);
        AsciiText::from_ascii(text)
    }
}

impl Serialize for HexDigest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text())
    }
}

fn message_id_text<S: serde::Serializer>(id: &MessageId, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(id.text().as_str())
}

/// Takes a required member or reports it missing by its wire name.
/// What a request handler produces: a JSON body, or an error to encode.
pub(crate) type Reply = SqsResult<Vec<u8>>;

/// Serializes into a buffer sized up front: growing one from empty cost several reallocations
/// per response in profiles.
pub(crate) fn json<T: Serialize>(value: &T) -> Reply {
    let mut out = Vec::with_capacity(1024);
    serde_json::to_writer(&mut out, value)
        .map_err(|e| SqsError::new(ErrorCode::InternalError, e.to_string()))?;
    Ok(out)
}

pub(crate) fn empty() -> Reply {
    Ok(b"{}".to_vec())
}

/// Where the request came in, for building queue URLs the client can use.
pub(crate) struct Origin<'a> {
    pub host: &'a str,
    /// The `X-Amzn-Trace-Id` header: a sent message's AWSTraceHeader unless it sets its own.
    pub trace: Option<&'a str>,
}

impl Origin<'_> {
    pub(crate) fn url(&self, broker: &Broker, name: &str) -> String {
        format!("http://{}/{}/{}", self.host, broker.config.account, name)
    }
}

pub(crate) fn required<T>(value: Option<T>, name: &str) -> SqsResult<T> {
    value.ok_or_else(|| SqsError::missing(name))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateQueueInput {
    pub queue_name: Option<String>,
    pub attributes: Option<StringMap>,
    #[serde(rename = "tags")]
    pub tags: Option<StringMap>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct QueueNameInput {
    pub queue_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct QueueUrlInput {
    pub queue_url: Option<String>,
    pub attribute_names: Option<Vec<String>>,
    pub attributes: Option<StringMap>,
    pub tags: Option<StringMap>,
    pub tag_keys: Option<Vec<String>>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PermissionInput {
    pub queue_url: Option<String>,
    pub label: Option<String>,
    #[serde(rename = "AWSAccountIds")]
    pub aws_account_ids: Option<Vec<String>>,
    pub actions: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StartMoveTaskInput {
    pub source_arn: Option<String>,
    pub destination_arn: Option<String>,
    pub max_number_of_messages_per_second: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TaskHandleInput {
    pub task_handle: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListMoveTasksInput {
    pub source_arn: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListQueuesInput {
    pub queue_name_prefix: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeValueInput {
    pub data_type: Option<String>,
    pub string_value: Option<String>,
    pub binary_value: Option<String>,
}

impl AttributeValueInput {
    pub(crate) fn into_model(self, name: &str) -> SqsResult<MessageAttribute> {
        let data_type = self.data_type.unwrap_or_default();
        let value = match (self.string_value, self.binary_value) {
            (Some(s), None) => AttributeValue::Text(s),
            (None, Some(b)) => AttributeValue::Binary(
                base64::engine::general_purpose::STANDARD
                    .decode(b.as_bytes())
                    .map_err(|_| {
                        SqsError::invalid_parameter(format!(
                            "The message attribute '{name}' has an invalid base64 BinaryValue."
                        ))
                    })?,
            ),
            (None, None) => {
                return Err(SqsError::invalid_parameter(format!(
                    "The message attribute '{name}' must contain non-empty message attribute value."
                )));
            }
            (Some(_), Some(_)) => {
                return Err(SqsError::invalid_parameter(format!(
                    "The message attribute '{name}' must contain exactly one of StringValue or BinaryValue."
                )));
            }
        };
        Ok(MessageAttribute { data_type, value })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendMessageInput<'a> {
    pub queue_url: Option<String>,
    #[serde(flatten, borrow)]
    pub message: MessageFields<'a>,
}

/// The fields SendMessage and a SendMessageBatch entry share. The id and body are borrowed
/// from the request when they hold no JSON escapes: the body is copied once, straight into the
/// stored message.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MessageFields<'a> {
    #[serde(borrow, default, deserialize_with = "borrowed")]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "borrowed")]
    pub message_body: Option<Cow<'a, str>>,
    pub delay_seconds: Option<i64>,
    pub message_attributes: Option<BTreeMap<String, AttributeValueInput>>,
    pub message_system_attributes: Option<BTreeMap<String, AttributeValueInput>>,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendMessageBatchInput<'a> {
    pub queue_url: Option<String>,
    #[serde(borrow)]
    pub entries: Option<Vec<MessageFields<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReceiveMessageInput {
    pub queue_url: Option<String>,
    pub attribute_names: Option<Vec<String>>,
    pub message_system_attribute_names: Option<Vec<String>>,
    pub message_attribute_names: Option<Vec<String>>,
    pub max_number_of_messages: Option<i64>,
    pub visibility_timeout: Option<i64>,
    pub wait_time_seconds: Option<i64>,
    pub receive_request_attempt_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct HandleEntry<'a> {
    #[serde(borrow, default, deserialize_with = "borrowed")]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "borrowed")]
    pub receipt_handle: Option<Cow<'a, str>>,
    pub visibility_timeout: Option<i64>,
}

/// Borrows its strings from the request body (they are copied only when they hold JSON
/// escapes): a DeleteMessageBatch otherwise allocated twenty of them.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct HandleInput<'a> {
    #[serde(borrow, default, deserialize_with = "borrowed")]
    pub queue_url: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "borrowed")]
    pub receipt_handle: Option<Cow<'a, str>>,
    pub visibility_timeout: Option<i64>,
    #[serde(borrow)]
    pub entries: Option<Vec<HandleEntry<'a>>>,
}

/// An optional string borrowed from the request body when it has no JSON escapes (serde
/// borrows a bare `Cow<str>` field, but copies one inside an `Option`).
fn borrowed<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    #[derive(Deserialize)]
    struct Text<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<Text>::deserialize(deserializer)?.map(|t| t.0))
}

// ---- outputs ----

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct QueueUrlOutput {
    pub queue_url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListQueuesOutput {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queue_urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct DeadLetterSourcesOutput {
    #[serde(rename = "queueUrls")]
    pub queue_urls: Vec<String>,
    #[serde(rename = "NextToken", skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributesOutput {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: StringMap,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TaskHandleOutput {
    pub task_handle: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MovedOutput {
    pub approximate_number_of_messages_moved: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListMoveTasksOutput {
    pub results: Vec<MoveTaskEntry>,
}

/// One ListMessageMoveTasks result; members SQS leaves out when the task has none.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MoveTaskEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_handle: Option<String>,
    pub status: &'static str,
    pub source_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_number_of_messages_per_second: Option<u32>,
    pub approximate_number_of_messages_moved: u64,
    pub approximate_number_of_messages_to_move: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    pub started_timestamp: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TagsOutput {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: StringMap,
}

#[derive(Serialize, Default)]
pub(crate) struct SendResultOutput {
    #[serde(rename = "Id", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "MessageId", serialize_with = "message_id_text")]
    pub message_id: MessageId,
    #[serde(rename = "MD5OfMessageBody")]
    pub md5_of_message_body: HexDigest,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<HexDigest>,
    #[serde(
        rename = "MD5OfMessageSystemAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_system_attributes: Option<HexDigest>,
    #[serde(rename = "SequenceNumber", skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchFailure {
    pub id: String,
    pub sender_fault: bool,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IdOnly<'a> {
    pub id: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchOutput<T: Serialize> {
    pub successful: Vec<T>,
    /// Left out when empty, as SQS sends it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<BatchFailure>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeValueOutput<'a> {
    pub data_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binary_value: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct MessageOutput<'a> {
    #[serde(rename = "MessageId", serialize_with = "message_id_text")]
    pub message_id: MessageId,
    #[serde(rename = "ReceiptHandle")]
    pub receipt_handle: &'a str,
    #[serde(rename = "MD5OfBody")]
    pub md5_of_body: HexDigest,
    #[serde(rename = "Body")]
    pub body: &'a str,
    #[serde(rename = "Attributes", skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<&'static str, String>,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<String>,
    #[serde(
        rename = "MessageAttributes",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub message_attributes: BTreeMap<&'a str, AttributeValueOutput<'a>>,
}

#[derive(Serialize)]
pub(crate) struct ReceiveOutput<'a> {
    #[serde(rename = "Messages", skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<MessageOutput<'a>>,
}

#[derive(Serialize)]
pub(crate) struct ErrorBody<'a> {
    #[serde(rename = "__type")]
    pub error_type: String,
    pub message: &'a str,
}
