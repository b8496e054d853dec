//! SNS subscription filter policies, as AWS documents them: exact string, numeric and
//! boolean/null matches, `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (values,
//! prefix, suffix), `numeric` comparisons and ranges, `exists`, `cidr`, `$or`, and nested keys
//! in the MessageBody scope; with AWS's limits (256 KB, five keys, 150 combinations) and a
//! reason for every policy it refuses.
//!
//! One implementation for both sides of a fan-out run: the emulator filters deliveries with it,
//! and the harness evaluates the same policy on the attributes it published to know which
//! messages each subscription should get. Pure: depends on `serde_json` only, never on the
//! broker, the wire or a clock.

mod eval;
mod parse;
mod terms;
#[cfg(test)]
mod tests;

use serde_json::Value;

pub use eval::Attribute;
pub use terms::{MAX_COMBINATIONS, MAX_KEYS, MAX_POLICY_BYTES, PolicyError, Scope};

/// A checked filter policy, ready to match messages.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPolicy {
    scope: Scope,
    root: parse::Node,
}

impl FilterPolicy {
    /// Parses and checks a policy document (JSON text).
    pub fn parse(text: &str, scope: Scope) -> Result<FilterPolicy, PolicyError> {
        if text.len() > MAX_POLICY_BYTES {
            return Err(PolicyError(format!(
                "Filter policy is too large: {} bytes, at most {MAX_POLICY_BYTES}.",
                text.len()
            )));
        }
        let value: Value = serde_json::from_str(text)
            .map_err(|e| PolicyError(format!("Filter policy is not valid JSON: {e}")))?;
        FilterPolicy::from_json(&value, scope)
    }

    /// Checks a policy already parsed as JSON (a scenario's inline table).
    pub fn from_json(value: &Value, scope: Scope) -> Result<FilterPolicy, PolicyError> {
        let root = parse::policy(value, scope)?;
        Ok(FilterPolicy { scope, root })
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether a message with these attributes and this body passes the policy: the
    /// attributes are looked at in the MessageAttributes scope, the body in the MessageBody
    /// scope (a body that is not a JSON object matches nothing there).
    pub fn matches(&self, attributes: &[Attribute<'_>], body: &str) -> bool {
        match self.scope {
            Scope::MessageAttributes => self.matches_attributes(attributes),
            Scope::MessageBody => match serde_json::from_str::<Value>(body) {
                Ok(value @ Value::Object(_)) => self.matches_body(&value),
                _ => false,
            },
        }
    }

    pub fn matches_attributes(&self, attributes: &[Attribute<'_>]) -> bool {
        eval::node(&self.root, &eval::Subject::Attributes(attributes))
    }

    pub fn matches_body(&self, body: &Value) -> bool {
        eval::node(&self.root, &eval::Subject::Body(body))
    }
}
