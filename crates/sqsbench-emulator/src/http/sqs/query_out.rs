//! An SQS operation's AWS JSON 1.0 reply as the query protocol's XML result, written with the
//! shared `XmlWriter`. Lists are flattened into repeated elements (`<Message>`, `<QueueUrl>`, a
//! batch's `<SendMessageBatchResultEntry>`), maps into `<Attribute><Name/><Value/></Attribute>`
//! pairs, as the SQS query API's XML shapes have them.

use serde_json::{Map, Value};

use super::op::SqsAction;
use crate::http::query::xml::XmlWriter;

/// The element of one item of a JSON list member.
fn item_name(action: SqsAction, member: &str) -> String {
    match member {
        "QueueUrls" | "queueUrls" => "QueueUrl".into(),
        "Messages" => "Message".into(),
        "Successful" => format!("{}ResultEntry", action.name()),
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

/// Whether the action's query response has a result element: those without an output have
/// only their metadata, as SQS sends them.
fn has_result(action: SqsAction) -> bool {
    !matches!(
        action,
        SqsAction::DeleteMessage
            | SqsAction::ChangeMessageVisibility
            | SqsAction::DeleteQueue
            | SqsAction::PurgeQueue
            | SqsAction::SetQueueAttributes
            | SqsAction::TagQueue
            | SqsAction::UntagQueue
            | SqsAction::AddPermission
            | SqsAction::RemovePermission
    )
}

/// The `<ActionResult>` members of the JSON reply, or `None` for an action without a result.
pub(crate) fn result(action: SqsAction, json: &[u8]) -> Option<XmlWriter> {
    if !has_result(action) {
        return None;
    }
    let mut out = XmlWriter::default();
    if let Ok(Value::Object(members)) = serde_json::from_slice(json) {
        object(&mut out, action, &members);
    }
    Some(out)
}

fn object(out: &mut XmlWriter, action: SqsAction, members: &Map<String, Value>) {
    for (name, v) in members {
        member(out, action, name, v);
    }
}

fn member(out: &mut XmlWriter, action: SqsAction, name: &str, v: &Value) {
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
                    out.open(entry).text(key, k);
                    member(out, action, "Value", value);
                    out.close(entry);
                }
            }
            None => {
                out.open(name);
                object(out, action, map);
                out.close(name);
            }
        },
        Value::String(s) => {
            out.text(name, s);
        }
        Value::Bool(b) => {
            out.plain(name, b);
        }
        Value::Number(n) => {
            out.plain(name, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::actions::Service;
    use crate::http::query::xml::document;

    fn xml(action: &str, json: &[u8], request_id: &str) -> String {
        let action = SqsAction::from_name(action).unwrap();
        document(
            Service::Sqs,
            action.name(),
            result(action, json),
            request_id,
        )
    }

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
}
