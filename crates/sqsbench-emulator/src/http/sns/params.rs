//! A query request's parameters as SNS lays them out, on the shared decoding (`query::Params`):
//! plain members, maps as `Name.entry.N.key`/`.value` (MessageAttributes: `.Name`/`.Value.DataType`…),
//! and lists as `Name.member.N`.

use std::collections::BTreeMap;

use base64::Engine;

use crate::http::query::Params;
use crate::model::{AttributeValue, MessageAttribute};
use crate::topics::publish::Publication;
use crate::topics::{SnsError, SnsResult};

impl Params {
    pub(crate) fn required(&self, name: &str) -> SnsResult<&str> {
        self.get(name)
            .ok_or_else(|| SnsError::invalid(format!("{name}: the parameter is required")))
    }

    /// A `key`/`value` map (topic and subscription attributes).
    pub(crate) fn map(&self, name: &str) -> BTreeMap<String, String> {
        self.pairs(&format!("{name}.entry"), "key", "value")
    }

    /// A list of `Key`/`Value` structures (tags).
    pub(crate) fn tags(&self, name: &str) -> BTreeMap<String, String> {
        self.pairs(&format!("{name}.member"), "Key", "Value")
    }

    /// A list of strings (`TagKeys.member.N`).
    pub(crate) fn strings(&self, name: &str) -> Vec<String> {
        self.values(&format!("{name}.member"))
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
