//! The terms a filter policy is checked in: its scope, AWS's limits on a policy, and the error
//! for one refused. A leaf of `filter_policy`, so that parsing and the public type both use it
//! without importing each other.

/// What a subscription's policy is matched against (`FilterPolicyScope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    MessageAttributes,
    MessageBody,
}

impl Scope {
    /// The attribute value SNS uses for this scope.
    pub fn name(self) -> &'static str {
        match self {
            Scope::MessageAttributes => "MessageAttributes",
            Scope::MessageBody => "MessageBody",
        }
    }

    pub fn from_name(name: &str) -> Option<Scope> {
        match name {
            "MessageAttributes" => Some(Scope::MessageAttributes),
            "MessageBody" => Some(Scope::MessageBody),
            _ => None,
        }
    }
}

/// Why a policy was refused, worded for a user (SNS prefixes it with
/// `Invalid parameter: FilterPolicy: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

/// AWS's limits on a policy document.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;
pub const MAX_KEYS: usize = 5;
pub const MAX_COMBINATIONS: u64 = 150;
