//! A query request's parameters as SNS lays them out: plain members, maps as
//! `Name.entry.N.key`/`.value` (MessageAttributes: `.Name`/`.Value.DataType`…), and lists as
//! `Name.member.N`.

use std::collections::BTreeMap;

use base64::Engine;

use crate::model::{AttributeValue, MessageAttribute};
use crate::topics::publish::Publication;
use crate::topics::{SnsError, SnsResult};

pub(crate) struct Params(BTreeMap<String, String>);

impl Params {
    pub(crate) fn new(pairs: &[(String, String)]) -> Params {
        Params(pairs.iter().cloned().collect())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub(crate) fn required(&self, name: &str) -> SnsResult<&str> {
        self.get(name)
            .ok_or_else(|| SnsError::invalid(format!("{name}: the parameter is required")))
    }

    /// The prefixes `{list}.N` of a list's or map's items, in index order.
    pub(crate) fn items(&self, list: &str) -> Vec<String> {
        let head = format!("{list}.");
        let mut indexes: Vec<u32> = self
            .0
            .range(head.clone()..)
            .take_while(|(k, _)| k.starts_with(&head))
            .filter_map(|(k, _)| k[head.len()..].split('.').next()?.parse().ok())
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes.into_iter().map(|i| format!("{head}{i}")).collect()
    }

    /// A `key`/`value` map (topic and subscription attributes).
    pub(crate) fn map(&self, name: &str) -> BTreeMap<String, String> {
        self.pairs(&format!("{name}.entry"), "key", "value")
    }

    /// A list of `Key`/`Value` structures (tags).
    pub(crate) fn tags(&self, name: &str) -> BTreeMap<String, String> {
        self.pairs(&format!("{name}.member"), "Key", "Value")
    }

    fn pairs(&self, list: &str, key: &str, value: &str) -> BTreeMap<String, String> {
        self.items(list)
            .into_iter()
            .filter_map(|item| {
                let k = self.get(&format!("{item}.{key}"))?;
                let v = self.get(&format!("{item}.{value}")).unwrap_or("");
                Some((k.to_string(), v.to_string()))
            })
            .collect()
    }

    /// A list of strings (`TagKeys.member.N`).
    pub(crate) fn strings(&self, name: &str) -> Vec<String> {
        self.items(&format!("{name}.member"))
            .iter()
            .filter_map(|item| self.get(item).map(str::to_string))
            .collect()
    }

    /// The message of a Publish call (`prefix` ""), or of a batch entry (`prefix`
    /// `PublishBatchRequestEntries.member.N.`).
    pub(crate) fn publication(&self, prefix: &str) -> SnsResult<Publication> {
        let field = |name: &str| self.get(&format!("{prefix}{name}")).map(str::to_string);
        Ok(Publication {
            message: field("Message")
                .ok_or_else(|| SnsError::invalid("Message: the parameter is required"))?,
            subject: field("Subject"),
            structure_json: field("MessageStructure").as_deref() == Some("json"),
            attributes: self.message_attributes(&format!("{prefix}MessageAttributes.entry"))?,
            group_id: field("MessageGroupId"),
            dedup_id: field("MessageDeduplicationId"),
        })
    }

    fn message_attributes(&self, list: &str) -> SnsResult<Vec<(String, MessageAttribute)>> {
        let mut out = Vec::new();
        for item in self.items(list) {
            let get = |name: &str| self.get(&format!("{item}.{name}"));
            let name = get("Name")
                .ok_or_else(|| SnsError::invalid("MessageAttributes: an entry has no Name"))?;
            let data_type = get("Value.DataType").ok_or_else(|| {
                SnsError::invalid(format!(
                    "The message attribute '{name}' must contain non-empty message attribute type"
                ))
            })?;
            let value = match (get("Value.StringValue"), get("Value.BinaryValue")) {
                (Some(text), _) => AttributeValue::Text(text.to_string()),
                (None, Some(encoded)) => AttributeValue::Binary(
                    base64::engine::general_purpose::STANDARD
                        .decode(encoded)
                        .map_err(|_| {
                            SnsError::invalid(format!(
                                "The message attribute '{name}' has an invalid binary value"
                            ))
                        })?,
                ),
                (None, None) => {
                    return Err(SnsError::invalid(format!(
                        "The message attribute '{name}' must contain non-empty message attribute value"
                    )));
                }
            };
            out.push((
                name.to_string(),
                MessageAttribute {
                    data_type: data_type.to_string(),
                    value,
                },
            ));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}
