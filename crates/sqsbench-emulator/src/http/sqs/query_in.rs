//! A query-protocol request (`Action=SendMessage&QueueUrl=…&MessageAttribute.1.Name=…`) as the
//! AWS JSON 1.0 body of the same request, so both protocols share one parser (`Op::from_json`)
//! and one set of operations. Flattened lists and maps (`Attribute.N.Name`/`Value`,
//! `SendMessageBatchRequestEntry.N.…`, `AttributeName.N`) become the JSON members they are in
//! the other protocol; numeric members become numbers.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::op::SqsAction;
use crate::error::{ErrorCode, SqsError, SqsResult};

/// A flattened member and its JSON form: the query name of one item, the JSON member name, and
/// how the items combine.
struct Flattened {
    item: &'static str,
    json: &'static str,
    shape: Shape,
}

enum Shape {
    /// `X.N` → `[…]`.
    List,
    /// `X.N.{key}`/`X.N.{value}` → `{key: value}`.
    Map {
        key: &'static str,
        value: &'static str,
    },
}

const fn list(item: &'static str, json: &'static str) -> Flattened {
    Flattened {
        item,
        json,
        shape: Shape::List,
    }
}

const fn map(
    item: &'static str,
    json: &'static str,
    key: &'static str,
    value: &'static str,
) -> Flattened {
    Flattened {
        item,
        json,
        shape: Shape::Map { key, value },
    }
}

const FLATTENED: &[Flattened] = &[
    map("Attribute", "Attributes", "Name", "Value"),
    map("MessageAttribute", "MessageAttributes", "Name", "Value"),
    map(
        "MessageSystemAttribute",
        "MessageSystemAttributes",
        "Name",
        "Value",
    ),
    map("Tag", "Tags", "Key", "Value"),
    list("AttributeName", "AttributeNames"),
    list("MessageAttributeName", "MessageAttributeNames"),
    list("MessageSystemAttributeName", "MessageSystemAttributeNames"),
    list("TagKey", "TagKeys"),
    list("AWSAccountId", "AWSAccountIds"),
    list("ActionName", "Actions"),
    list("SendMessageBatchRequestEntry", "Entries"),
    list("DeleteMessageBatchRequestEntry", "Entries"),
    list("ChangeMessageVisibilityBatchRequestEntry", "Entries"),
    list("StringListValue", "StringListValues"),
    list("BinaryListValue", "BinaryListValues"),
];

/// Members that are integers in the JSON protocol.
const INTEGERS: &[&str] = &[
    "DelaySeconds",
    "MaxNumberOfMessages",
    "VisibilityTimeout",
    "WaitTimeSeconds",
    "MaxResults",
    "MaxNumberOfMessagesPerSecond",
];

/// The query parameters' tree before it becomes JSON: `A.1.B` is `A` → item 1 → `B`.
#[derive(Default)]
struct Node {
    text: Option<String>,
    children: BTreeMap<String, Node>,
}

/// The JSON body of a query request's parameters (`Action` and `Version` left out). `CreateQueue`
/// names its tags `tags` in JSON.
pub(crate) fn to_json<'p>(
    action: SqsAction,
    params: impl IntoIterator<Item = (&'p str, &'p str)>,
) -> SqsResult<Vec<u8>> {
    let mut root = Node::default();
    for (name, value) in params {
        if name == "Action" || name == "Version" {
            continue;
        }
        let mut node = &mut root;
        for part in name.split('.') {
            node = node.children.entry(part.to_string()).or_default();
        }
        node.text = Some(value.to_string());
    }
    let mut json = members(&root)?;
    if action == SqsAction::CreateQueue
        && let Some(tags) = json.remove("Tags")
    {
        json.insert("tags".into(), tags);
    }
    // A batch with no entries has no `…Entry.N` parameter at all: it is an empty batch.
    if action.is_batch() {
        json.entry("Entries").or_insert(Value::Array(Vec::new()));
    }
    Ok(serde_json::to_vec(&Value::Object(json)).expect("a JSON value always serializes"))
}

/// A node's children as JSON members.
fn members(node: &Node) -> SqsResult<Map<String, Value>> {
    let mut out = Map::new();
    for (name, child) in &node.children {
        if let Some(f) = FLATTENED.iter().find(|f| f.item == name) {
            out.insert(f.json.to_string(), flattened(f, name, child)?);
        } else if let Some(f) = FLATTENED
            .iter()
            .find(|f| f.json == name && child.children.is_empty())
        {
            // An empty list or map is sent as its member name with no value (`Entries=`).
            let empty = match f.shape {
                Shape::List => Value::Array(Vec::new()),
                Shape::Map { .. } => Value::Object(Map::new()),
            };
            out.insert(name.clone(), empty);
        } else {
            out.insert(name.clone(), value(name, child)?);
        }
    }
    Ok(out)
}

/// One member's value: text (a number where JSON has one), or a structure.
fn value(name: &str, node: &Node) -> SqsResult<Value> {
    if !node.children.is_empty() {
        return Ok(Value::Object(members(node)?));
    }
    let text = node.text.clone().unwrap_or_default();
    if INTEGERS.contains(&name) {
        return text.trim().parse::<i64>().map(Value::from).map_err(|_| {
            SqsError::new(
                ErrorCode::InvalidParameterValue,
                format!(
                    "Value {text} for parameter {name} is invalid. Reason: it must be an integer."
                ),
            )
        });
    }
    Ok(Value::String(text))
}

/// `X.1…X.N` as a list or a map, in index order; an index that is not a number from 1 is an
/// error naming the parameter.
fn flattened(f: &Flattened, name: &str, node: &Node) -> SqsResult<Value> {
    let mut items = Vec::with_capacity(node.children.len());
    for (index, item) in &node.children {
        let n = index
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                SqsError::new(
                    ErrorCode::InvalidParameterValue,
                    format!(
                        "{name}.{index} is not a valid parameter: list members are numbered from 1."
                    ),
                )
            })?;
        items.push((n, item));
    }
    items.sort_by_key(|(n, _)| *n);
    match f.shape {
        Shape::List => items
            .into_iter()
            .map(|(_, item)| value(name, item))
            .collect::<SqsResult<Vec<_>>>()
            .map(Value::Array),
        Shape::Map { key, value: v } => {
            let mut map = Map::new();
            for (n, item) in items {
                let k = item
                    .children
                    .get(key)
                    .and_then(|k| k.text.clone())
                    .ok_or_else(|| SqsError::missing(&format!("{name}.{n}.{key}")))?;
                let entry = item
                    .children
                    .get(v)
                    .map_or(Ok(Value::Null), |node| value(v, node))?;
                map.insert(k, entry);
            }
            Ok(Value::Object(map))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(action: &str, params: &[(&str, &str)]) -> Value {
        let action = SqsAction::from_name(action).unwrap();
        serde_json::from_slice(&to_json(action, params.iter().copied()).unwrap()).unwrap()
    }

    #[test]
    fn flattened_lists_and_maps_become_json_members() {
        let got = json(
            "SendMessageBatch",
            &[
                ("Action", "SendMessageBatch"),
                ("QueueUrl", "http://h/1/q"),
                ("SendMessageBatchRequestEntry.2.Id", "b"),
                ("SendMessageBatchRequestEntry.2.MessageBody", "two"),
                ("SendMessageBatchRequestEntry.1.Id", "a"),
                ("SendMessageBatchRequestEntry.1.MessageBody", "one"),
                ("SendMessageBatchRequestEntry.1.DelaySeconds", "5"),
                (
                    "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name",
                    "colour",
                ),
                (
                    "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue",
                    "blue",
                ),
                (
                    "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType",
                    "String",
                ),
            ],
        );
        assert_eq!(
            got,
            serde_json::json!({
                "QueueUrl": "http://h/1/q",
                "Entries": [
                    {"Id": "a", "MessageBody": "one", "DelaySeconds": 5,
                     "MessageAttributes": {"colour": {"StringValue": "blue", "DataType": "String"}}},
                    {"Id": "b", "MessageBody": "two"}
                ]
            })
        );
    }

    #[test]
    fn queue_attributes_names_and_tags() {
        let got = json(
            "CreateQueue",
            &[
                ("QueueName", "q.fifo"),
                ("Attribute.1.Name", "FifoQueue"),
                ("Attribute.1.Value", "true"),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "core"),
            ],
        );
        assert_eq!(
            got,
            serde_json::json!({"QueueName": "q.fifo", "Attributes": {"FifoQueue": "true"}, "tags": {"team": "core"}})
        );
        let names = json(
            "ReceiveMessage",
            &[("AttributeName.1", "All"), ("MaxNumberOfMessages", "10")],
        );
        assert_eq!(
            names,
            serde_json::json!({"AttributeNames": ["All"], "MaxNumberOfMessages": 10})
        );
    }

    #[test]
    fn bad_numbers_and_indexes_are_named() {
        let e = to_json(SqsAction::SendMessage, [("DelaySeconds", "soon")]).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameterValue);
        assert!(e.message.contains("DelaySeconds"), "{}", e.message);
        let e = to_json(SqsAction::GetQueueAttributes, [("AttributeName.x", "All")]).unwrap_err();
        assert!(e.message.contains("AttributeName.x"), "{}", e.message);
        let e = to_json(SqsAction::SetQueueAttributes, [("Attribute.1.Value", "5")]).unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingParameter);
    }

    #[test]
    fn an_empty_list_is_its_member_name_alone() {
        assert_eq!(
            json("SendMessageBatch", &[("QueueUrl", "u"), ("Entries", "")]),
            serde_json::json!({"QueueUrl": "u", "Entries": []})
        );
    }
}
