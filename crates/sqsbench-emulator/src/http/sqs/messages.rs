//! The SQS operations that carry messages: SendMessage and its batch, ReceiveMessage (with the
//! attributes a client asked for), DeleteMessage and ChangeMessageVisibility with their batch
//! forms. Typed input (`op`) → broker call → JSON output; the batch rules (`http::batch`) are
//! checked here, before anything reaches the broker.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;

use super::wire::*;
use crate::broker::Broker;
use crate::error::{Code, ErrorCode, SqsError, SqsResult};
use crate::http::batch::{self, BatchProblem};
use crate::model::message::{attributes_md5, hex};
use crate::model::{
    AttributeValue, Delivery, Message, MessageAttribute, NewMessage, ReceiveRequest, SendReceipt,
};

/// A message to store, and whether its AWSTraceHeader was sent as a system attribute (only then
/// is the system attributes' digest answered: the header is not part of the request's shape).
fn new_message(fields: MessageFields, trace: Option<&str>) -> SqsResult<(NewMessage, bool)> {
    let explicit = fields.message_system_attributes.is_some();
    let body = Arc::from(&*required(fields.message_body, "MessageBody")?);
    let mut attributes = Vec::new();
    for (name, value) in fields.message_attributes.unwrap_or_default() {
        let attribute = value.into_model(&name)?;
        attributes.push((name, attribute));
    }
    let mut trace_header = None;
    for (name, value) in fields.message_system_attributes.unwrap_or_default() {
        if name != "AWSTraceHeader" {
            return Err(SqsError::invalid_parameter(format!(
                "Message system attribute name '{name}' is invalid."
            )));
        }
        match value.into_model(&name)?.value {
            AttributeValue::Text(t) => trace_header = Some(t),
            AttributeValue::Binary(_) => {
                return Err(SqsError::invalid_parameter(
                    "AWSTraceHeader must be a String.",
                ));
            }
        }
    }
    let message = NewMessage {
        body,
        delay_seconds: fields.delay_seconds,
        attributes,
        trace_header: trace_header.or_else(|| trace.map(str::to_string)),
        group_id: fields.message_group_id,
        deduplication_id: fields.message_deduplication_id,
        body_md5: None,
    };
    Ok((message, explicit))
}

fn send_output(id: Option<String>, r: &SendReceipt, explicit: bool) -> SendResultOutput {
    SendResultOutput {
        id,
        message_id: r.message_id,
        md5_of_message_body: HexDigest(r.body_md5),
        md5_of_message_attributes: r.attributes_md5.map(HexDigest),
        md5_of_message_system_attributes: r.trace_md5.filter(|_| explicit).map(HexDigest),
        sequence_number: r.sequence_number.map(|n| n.to_string()),
    }
}

pub(super) fn send_message(broker: &Broker, origin: &Origin<'_>, input: SendMessageInput) -> Reply {
    let cell = broker.queue_by_url(&required(input.queue_url, "QueueUrl")?)?;
    let (message, explicit) = new_message(input.message, origin.trace)?;
    let mut results = broker.send(&cell, vec![(String::new(), message)], false)?;
    let (_, result) = results.pop().expect("one entry in, one result out");
    json(&send_output(None, &result?, explicit))
}

/// Checks the rules every batch shares (`http::batch`), worded as SQS words them, without
/// copying the ids: callers move them out of the entries afterwards (every entry has one once
/// this passes).
fn check_batch<'a>(ids: impl Iterator<Item = Option<&'a str>>) -> SqsResult<()> {
    let ids: Vec<&str> = ids
        .map(|id| id.ok_or_else(|| SqsError::missing("Entries.N.Id")))
        .collect::<SqsResult<_>>()?;
    batch::check_entry_ids(&ids).map_err(|problem| match problem {
        BatchProblem::Empty => SqsError::new(
            ErrorCode::EmptyBatchRequest,
            "There should be at least one SendMessageBatchRequestEntry in the request.",
        ),
        BatchProblem::TooMany(n) => SqsError::new(
            ErrorCode::TooManyEntriesInBatchRequest,
            format!("Maximum number of entries per request are 10. You have sent {n}."),
        ),
        BatchProblem::InvalidId => {
            SqsError::new(ErrorCode::InvalidBatchEntryId, batch::INVALID_ID_MESSAGE)
        }
        BatchProblem::NotDistinct(id) => SqsError::new(
            ErrorCode::BatchEntryIdsNotDistinct,
            format!("Id {id} repeated."),
        ),
    })
}

fn failure(id: String, e: SqsError) -> BatchFailure {
    BatchFailure {
        id,
        sender_fault: e.code.sender_fault(),
        code: e.code.query_code(),
        message: e.message,
    }
}

pub(super) fn send_message_batch(
    broker: &Broker,
    origin: &Origin<'_>,
    input: SendMessageBatchInput,
) -> Reply {
    let cell = broker.queue_by_url(&required(input.queue_url, "QueueUrl")?)?;
    let entries = required(input.entries, "Entries")?;
    check_batch(entries.iter().map(|e| e.id.as_deref()))?;
    let mut failed = Vec::new();
    let mut accepted = Vec::with_capacity(entries.len());
    let mut explicit = Vec::with_capacity(entries.len());
    for mut fields in entries {
        let id = fields.id.take().unwrap_or_default().into_owned();
        match new_message(fields, origin.trace) {
            Ok((m, sent_trace)) => {
                accepted.push((id, m));
                explicit.push(sent_trace);
            }
            Err(e) => failed.push(failure(id, e)),
        }
    }
    let mut successful = Vec::with_capacity(accepted.len());
    if !accepted.is_empty() {
        for ((id, result), sent_trace) in broker
            .send(&cell, accepted, true)?
            .into_iter()
            .zip(explicit)
        {
            match result {
                Ok(r) => successful.push(send_output(Some(id), &r, sent_trace)),
                Err(e) => failed.push(failure(id, e)),
            }
        }
    }
    super::json_text::send_batch_output(&BatchOutput { successful, failed })
        .map_err(|e| SqsError::new(ErrorCode::InternalError, e.to_string()))
}

pub(super) async fn receive_message(broker: &Broker, input: ReceiveMessageInput) -> Reply {
    let cell = broker.queue_by_url(&required(input.queue_url, "QueueUrl")?)?;
    let max = input.max_number_of_messages.unwrap_or(1);
    if !(1..=10).contains(&max) {
        return Err(SqsError::invalid_parameter(format!(
            "Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
        )));
    }
    let wait = match input.wait_time_seconds {
        Some(w) if !(0..=20).contains(&w) => {
            return Err(SqsError::invalid_parameter(format!(
                "Value {w} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."
            )));
        }
        Some(w) => w as u64,
        None => broker.default_wait_seconds(&cell),
    };
    let visibility = match input.visibility_timeout {
        Some(v) if !(0..=43_200).contains(&v) => {
            return Err(SqsError::invalid_parameter(format!(
                "Value {v} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
            )));
        }
        v => v.map(|v| v as u32),
    };
    let request = ReceiveRequest {
        max: max as usize,
        visibility_timeout: visibility,
        attempt_id: input.receive_request_attempt_id,
        long_poll: wait > 0,
        break_order: false,
    };
    let delivered = broker
        .receive(&cell, request, Duration::from_secs(wait))
        .await?;
    let mut system: Vec<String> = input.attribute_names.unwrap_or_default();
    system.extend(input.message_system_attribute_names.unwrap_or_default());
    let wanted_attributes = input.message_attribute_names.unwrap_or_default();
    let messages: Vec<MessageOutput> = delivered
        .iter()
        .map(|d| message_output(d, &system, &wanted_attributes))
        .collect();
    // Bodies (escaping can grow them) plus ids, handles and digests.
    let capacity = 64
        + messages
            .iter()
            .map(|m| m.body.len() * 5 / 4 + 256)
            .sum::<usize>();
    super::json_text::receive_output(&ReceiveOutput { messages }, capacity)
        .map_err(|e| SqsError::new(ErrorCode::InternalError, e.to_string()))
}

fn message_output<'a>(d: &'a Delivery, system: &[String], wanted: &[String]) -> MessageOutput<'a> {
    let m = &d.message;
    let (attributes, md5) = select_attributes(m, wanted);
    MessageOutput {
        message_id: m.id,
        receipt_handle: &d.receipt_handle,
        md5_of_body: HexDigest(m.body_md5),
        body: &m.body,
        attributes: system_attributes(m, system),
        md5_of_message_attributes: md5,
        message_attributes: attributes,
    }
}

fn select_attributes<'a>(
    m: &'a Message,
    wanted: &[String],
) -> (BTreeMap<&'a str, AttributeValueOutput<'a>>, Option<String>) {
    let all = wanted.iter().any(|w| w == "All" || w == ".*");
    // `Prefix.*` is a plain prefix: `Hel.*` selects `Hello` and `Help.Me` alike.
    let keep = |name: &str| {
        all || wanted
            .iter()
            .any(|w| w == name || w.strip_suffix(".*").is_some_and(|p| name.starts_with(p)))
    };
    let chosen: Vec<&(String, MessageAttribute)> =
        m.attributes.iter().filter(|(n, _)| keep(n)).collect();
    if chosen.is_empty() {
        return (BTreeMap::new(), None);
    }
    let md5 = if chosen.len() == m.attributes.len() {
        m.attributes_md5
    } else {
        let subset: Vec<(String, MessageAttribute)> = chosen.iter().map(|a| (*a).clone()).collect();
        attributes_md5(&subset)
    };
    let engine = base64::engine::general_purpose::STANDARD;
    let out = chosen
        .into_iter()
        .map(|(name, a)| {
            let value = match &a.value {
                AttributeValue::Text(s) => AttributeValueOutput {
                    data_type: &a.data_type,
                    string_value: Some(s),
                    binary_value: None,
                },
                AttributeValue::Binary(b) => AttributeValueOutput {
                    data_type: &a.data_type,
                    string_value: None,
                    binary_value: Some(engine.encode(b)),
                },
            };
            (name.as_str(), value)
        })
        .collect();
    (out, md5.map(|d| hex(&d)))
}

/// A made-up but well-formed IAM user id: SQS reports the sender's.
const SENDER_ID: &str = "AIDAIENQZJOLO23YVJ4VO";

fn system_attributes(m: &Message, requested: &[String]) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    if requested.is_empty() {
        return out;
    }
    let all = requested.iter().any(|r| r == "All");
    let want = |name: &str| all || requested.iter().any(|r| r == name);
    let ms = |micros: u64| (micros / 1000).to_string();
    if want("SenderId") {
        out.insert("SenderId", SENDER_ID.to_string());
    }
    if want("SentTimestamp") {
        out.insert("SentTimestamp", ms(m.sent_at));
    }
    if want("ApproximateReceiveCount") {
        out.insert("ApproximateReceiveCount", m.receive_count.to_string());
    }
    if want("ApproximateFirstReceiveTimestamp") {
        out.insert(
            "ApproximateFirstReceiveTimestamp",
            ms(m.first_received_at.unwrap_or(m.sent_at)),
        );
    }
    if let Some(n) = m.sequence_number.filter(|_| want("SequenceNumber")) {
        out.insert("SequenceNumber", n.to_string());
    }
    if let Some(d) = m
        .deduplication_id
        .as_ref()
        .filter(|_| want("MessageDeduplicationId"))
    {
        out.insert("MessageDeduplicationId", d.to_string());
    }
    if let Some(g) = m.group_id.as_ref().filter(|_| want("MessageGroupId")) {
        out.insert("MessageGroupId", g.to_string());
    }
    if let Some(t) = m.trace_header.as_ref().filter(|_| want("AWSTraceHeader")) {
        out.insert("AWSTraceHeader", t.to_string());
    }
    if let Some(s) = m
        .dead_letter_source_arn
        .as_ref()
        .filter(|_| want("DeadLetterQueueSourceArn"))
    {
        out.insert("DeadLetterQueueSourceArn", s.to_string());
    }
    out
}

fn batch_reply<'a>(ids: Vec<Cow<'a, str>>, results: Vec<SqsResult<()>>) -> Reply {
    let mut successful = Vec::with_capacity(results.len());
    let mut failed = Vec::new();
    for (id, r) in ids.into_iter().zip(results) {
        match r {
            Ok(()) => successful.push(IdOnly { id }),
            Err(e) => failed.push(failure(id.into_owned(), e)),
        }
    }
    json(&BatchOutput { successful, failed })
}

/// (entry id, receipt handle, visibility timeout) of each entry, or of the single request.
type HandleEntries<'a> = Vec<(Cow<'a, str>, Cow<'a, str>, Option<i64>)>;

fn handle_entries<'a>(batch: bool, input: &mut HandleInput<'a>) -> SqsResult<HandleEntries<'a>> {
    if batch {
        let entries = required(input.entries.take(), "Entries")?;
        check_batch(entries.iter().map(|e| e.id.as_deref()))?;
        entries
            .into_iter()
            .map(|e| {
                Ok((
                    e.id.unwrap_or_default(),
                    required(e.receipt_handle, "ReceiptHandle")?,
                    e.visibility_timeout,
                ))
            })
            .collect()
    } else {
        Ok(vec![(
            Cow::Borrowed(""),
            required(input.receipt_handle.take(), "ReceiptHandle")?,
            input.visibility_timeout,
        )])
    }
}

pub(super) fn delete_messages(broker: &Broker, batch: bool, mut input: HandleInput) -> Reply {
    let cell = broker.queue_by_url(&required(input.queue_url.take(), "QueueUrl")?)?;
    let entries = handle_entries(batch, &mut input)?;
    let handles: Vec<&str> = entries.iter().map(|(_, h, _)| &**h).collect();
    let results = broker.delete(&cell, &handles)?;
    if batch {
        batch_reply(entries.into_iter().map(|(id, _, _)| id).collect(), results)
    } else {
        results.into_iter().next().expect("one entry")?;
        empty()
    }
}

pub(super) fn change_visibility(broker: &Broker, batch: bool, mut input: HandleInput) -> Reply {
    let cell = broker.queue_by_url(&required(input.queue_url.take(), "QueueUrl")?)?;
    let entries = handle_entries(batch, &mut input)?;
    let mut checked = Vec::with_capacity(entries.len());
    for (_, handle, timeout) in &entries {
        checked.push((&**handle, required(*timeout, "VisibilityTimeout")?));
    }
    let results = broker.change_visibility(&cell, &checked)?;
    if batch {
        batch_reply(entries.into_iter().map(|(id, _, _)| id).collect(), results)
    } else {
        results.into_iter().next().expect("one entry")?;
        empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::http::sqs::op::parse;

    #[test]
    fn borrowed_inputs_read_escaped_and_plain_strings_alike() {
        let body = br#"{"QueueUrl":"http://h/1/q","Entries":[{"Id":"a","ReceiptHandle":"plain"},{"Id":"b\u0031","ReceiptHandle":"with \"quotes\" \n"}]}"#;
        let input: HandleInput = parse(body).unwrap();
        let entries = input.entries.unwrap();
        assert!(matches!(
            entries[0].receipt_handle,
            Some(Cow::Borrowed("plain"))
        ));
        assert_eq!(entries[1].id.as_deref(), Some("b1"));
        assert_eq!(
            entries[1].receipt_handle.as_deref(),
            Some("with \"quotes\" \n")
        );

        let body = br#"{"QueueUrl":"u","Entries":[{"Id":"m0","MessageBody":"line\nbreak"},{"Id":"m1","MessageBody":"plain"}]}"#;
        let input: SendMessageBatchInput = parse(body).unwrap();
        let entries = input.entries.unwrap();
        assert_eq!(entries[0].message_body.as_deref(), Some("line\nbreak"));
        assert_eq!(
            &*new_message(
                MessageFields {
                    id: None,
                    ..entries.into_iter().nth(1).unwrap()
                },
                None
            )
            .unwrap()
            .0
            .body,
            "plain"
        );

        let input: SendMessageInput =
            parse(br#"{"QueueUrl":"u","MessageBody":"tab\there"}"#).unwrap();
        assert_eq!(input.message.message_body.as_deref(), Some("tab\there"));
    }
    use crate::model::message::md5_of;

    #[test]
    fn digests_serialize_as_lowercase_hex_like_hex() {
        for body in [&b"hello"[..], b"", b"\xff\x00 any bytes"] {
            let digest = md5_of(body);
            assert_eq!(
                serde_json::to_string(&HexDigest(digest)).unwrap(),
                format!("\"{}\"", hex(&digest))
            );
        }
        assert_eq!(
            serde_json::to_string(&HexDigest(md5_of(b"hello"))).unwrap(),
            "\"5d41402abc4b2a76b9719d911017c592\""
        );
    }

    #[test]
    fn batch_rules() {
        assert_eq!(
            check_batch(std::iter::empty()).unwrap_err().code,
            ErrorCode::EmptyBatchRequest
        );
        let eleven: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        assert_eq!(
            check_batch(eleven.iter().map(|s| Some(s.as_str())))
                .unwrap_err()
                .code,
            ErrorCode::TooManyEntriesInBatchRequest
        );
        assert_eq!(
            check_batch([Some("a"), Some("a")].into_iter())
                .unwrap_err()
                .code,
            ErrorCode::BatchEntryIdsNotDistinct
        );
        assert_eq!(
            check_batch([Some("a b")].into_iter()).unwrap_err().code,
            ErrorCode::InvalidBatchEntryId
        );
    }
}
