//! An operation's AWS JSON 1.0 reply as the query protocol's XML, and errors as SQS sends them
//! in query mode. Lists are flattened into repeated elements (`<Message>`, `<QueueUrl>`, a
//! batch's `<SendMessageBatchResultEntry>`), maps into `<Attribute><Name/><Value/></Attribute>`
//! pairs, as the SQS query API's XML shapes have them.

use std::fmt::Write;

use serde_json::{Map, Value};

use crate::error::SqsError;

const NAMESPACE: &str = "http://queue.amazonaws.com/doc/2012-11-05/";

/// The element of one item of a JSON list member.
fn item_name(action: &str, member: &str) -> String {
    match member {
        "QueueUrls" | "queueUrls" => "QueueUrl".into(),
        "Messages" => "Message".into(),
        "Successful" => format!("{action}ResultEntry"),
        "Failed" => "BatchResultErrorEntry".into(),
        "Results" => "ListMessageMoveTasksResultEntry".into(),
        "StringListValues" => "StringListValue".into(),
        "BinaryListValues" => "BinaryListValue".into(),
        other => other.into(),
    }
}

/// The element and key names of one entry of a JSON map member, when it is flattened.
fn entry_names(member: &str) -> Option<(&'static str, &'static str)> {
    match member {
        "Attributes" => Some(("Attribute", "Name")),
        "MessageAttributes" => Some(("MessageAttribute", "Name")),
        "MessageSystemAttributes" => Some(("MessageSystemAttribute", "Name")),
        "Tags" => Some(("Tag", "Key")),
        _ => None,
    }
}

/// Actions whose reply has no result (their query response is only its metadata).
const NO_RESULT: &[&str] = &[
    "DeleteMessage",
    "ChangeMessageVisibility",
    "DeleteQueue",
    "PurgeQueue",
    "SetQueueAttributes",
    "TagQueue",
    "UntagQueue",
    "AddPermission",
    "RemovePermission",
];

/// `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` from the JSON reply; an
/// action without an output has no result element, as SQS sends it.
pub(crate) fn xml(action: &str, json: &[u8], request_id: &str) -> String {
    let reply: Value = serde_json::from_slice(json).unwrap_or(Value::Null);
    let mut out = format!("<?xml version=\"1.0\"?><{action}Response xmlns=\"{NAMESPACE}\">");
    if !NO_RESULT.contains(&action) {
        let _ = write!(out, "<{action}Result>");
        if let Value::Object(members) = &reply {
            object(&mut out, action, members);
        }
        let _ = write!(out, "</{action}Result>");
    }
    let _ = write!(
        out,
        "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    );
    out
}

fn object(out: &mut String, action: &str, members: &Map<String, Value>) {
    for (name, v) in members {
        member(out, action, name, v);
    }
}

fn member(out: &mut String, action: &str, name: &str, v: &Value) {
    match v {
        Value::Null => {}
        Value::Array(items) => {
            let item = item_name(action, name);
            for i in items {
                member(out, action, &item, i);
            }
        }
        Value::Object(map) => match entry_names(name) {
            Some((entry, key)) => {
                for (k, value) in map {
                    let _ = write!(out, "<{entry}><{key}>");
                    escape_into(out, k);
                    let _ = write!(out, "</{key}>");
                    member(out, action, "Value", value);
                    let _ = write!(out, "</{entry}>");
                }
            }
            None => {
                let _ = write!(out, "<{name}>");
                object(out, action, map);
                let _ = write!(out, "</{name}>");
            }
        },
        Value::String(s) => {
            let _ = write!(out, "<{name}>");
            escape_into(out, s);
            let _ = write!(out, "</{name}>");
        }
        Value::Bool(b) => {
            let _ = write!(out, "<{name}>{b}</{name}>");
        }
        Value::Number(n) => {
            let _ = write!(out, "<{name}>{n}</{name}>");
        }
    }
}

/// XML text: markup characters as entities, and carriage returns as `&#xD;` so that an XML
/// parser's line-end normalization gives the body back byte for byte.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// `<ErrorResponse>` with the legacy query error code, the fault side and the message.
pub(crate) fn error_xml(error: &SqsError, request_id: &str) -> String {
    let fault = if error.code.sender_fault() {
        "Sender"
    } else {
        "Receiver"
    };
    let mut out = format!(
        "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>{fault}</Type><Code>{}</Code><Message>",
        error.code.legacy_code()
    );
    escape_into(&mut out, &error.message);
    let _ = write!(
        out,
        "</Message><Detail/></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_receive_reply_flattens_messages_and_their_attributes() {
        let json = br#"{"Messages":[{"MessageId":"m1","ReceiptHandle":"r1","MD5OfBody":"d","Body":"a<b&\r\n","Attributes":{"ApproximateReceiveCount":"1"},"MessageAttributes":{"colour":{"DataType":"String","StringValue":"blue"}}}]}"#;
        let got = xml("ReceiveMessage", json, "req-1");
        assert_eq!(
            got,
            "<?xml version=\"1.0\"?><ReceiveMessageResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">\
<ReceiveMessageResult><Message><Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>\
<Body>a&lt;b&amp;&#xD;\n</Body><MD5OfBody>d</MD5OfBody>\
<MessageAttribute><Name>colour</Name><Value><DataType>String</DataType><StringValue>blue</StringValue></Value></MessageAttribute>\
<MessageId>m1</MessageId><ReceiptHandle>r1</ReceiptHandle></Message></ReceiveMessageResult>\
<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ReceiveMessageResponse>"
        );
    }

    #[test]
    fn batches_lists_and_empty_replies() {
        let batch = xml(
            "DeleteMessageBatch",
            br#"{"Successful":[{"Id":"a"}],"Failed":[{"Id":"b","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"x"}]}"#,
            "r",
        );
        assert!(
            batch.contains(
                "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>"
            )
        );
        assert!(batch.contains("<BatchResultErrorEntry><Code>ReceiptHandleIsInvalid</Code><Id>b</Id><Message>x</Message><SenderFault>true</SenderFault></BatchResultErrorEntry>"));
        let queues = xml("ListQueues", br#"{"QueueUrls":["u1","u2"]}"#, "r");
        assert!(queues.contains(
            "<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult>"
        ));
        let tags = xml("ListQueueTags", br#"{"Tags":{"k":"v"}}"#, "r");
        assert!(tags.contains("<Tag><Key>k</Key><Value>v</Value></Tag>"));
        let empty = xml("DeleteMessage", b"{}", "r");
        assert!(!empty.contains("Result>"), "{empty}");
    }

    #[test]
    fn errors_carry_the_query_code_and_side() {
        let e = SqsError::new(
            ErrorCode::QueueDoesNotExist,
            "The specified queue does not exist.",
        );
        let got = error_xml(&e, "r");
        assert!(got.contains("<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message>"));
    }
}
