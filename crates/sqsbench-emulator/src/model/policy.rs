//! The queue's `Policy` document as AddPermission and RemovePermission edit it: one `Allow`
//! statement per label, in the shape SQS writes (`SQSDefaultPolicy`, `SQS:` actions, account
//! root principals; a single principal or action as a string, several as a list). The emulator
//! stores the policy and enforces nothing. Pure: depends on serde_json and the error table only.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{ErrorCode, SqsError, SqsResult};

/// SQS's limit on the actions of one AddPermission statement.
const MAX_ACTIONS: usize = 7;

/// One AddPermission request.
pub(crate) struct Grant<'a> {
    pub label: &'a str,
    pub account_ids: &'a [String],
    pub actions: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Statement<'a> {
    sid: &'a str,
    effect: &'static str,
    principal: Principal,
    action: Value,
    resource: &'a str,
}

#[derive(Serialize)]
struct Principal {
    #[serde(rename = "AWS")]
    aws: Value,
}

/// A string for one item, a list for several, as SQS writes them.
fn one_or_many(items: Vec<String>) -> Value {
    match <[String; 1]>::try_from(items) {
        Ok([one]) => Value::String(one),
        Err(items) => Value::Array(items.into_iter().map(Value::String).collect()),
    }
}

/// The policy with the grant's statement added; `is_action` says which action names exist.
pub(crate) fn add(
    policy: Option<&str>,
    queue_arn: &str,
    grant: &Grant<'_>,
    is_action: impl Fn(&str) -> bool,
) -> SqsResult<String> {
    check_label(grant.label)?;
    if grant.account_ids.is_empty() {
        return Err(SqsError::missing("AWSAccountIds"));
    }
    if grant.actions.is_empty() {
        return Err(SqsError::missing("Actions"));
    }
    if grant.actions.len() > MAX_ACTIONS {
        return Err(SqsError::new(
            ErrorCode::OverLimit,
            format!(
                "{} Actions were found, maximum allowed is {MAX_ACTIONS}.",
                grant.actions.len()
            ),
        ));
    }
    if let Some(bad) = grant.actions.iter().find(|a| *a != "*" && !is_action(a)) {
        return Err(SqsError::invalid_parameter(format!(
            "Value SQS:{bad} for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions. "
        )));
    }
    let mut document = parse(policy, queue_arn)?;
    let statements = statements(&mut document);
    if statements.iter().any(|s| sid(s) == Some(grant.label)) {
        return Err(SqsError::invalid_parameter(format!(
            "Value {} for parameter Label is invalid. Reason: Already exists.",
            grant.label
        )));
    }
    let partition = queue_arn.split(':').nth(1).unwrap_or("aws");
    let statement = Statement {
        sid: grant.label,
        effect: "Allow",
        principal: Principal {
            aws: one_or_many(
                grant
                    .account_ids
                    .iter()
                    .map(|id| format!("arn:{partition}:iam::{id}:root"))
                    .collect(),
            ),
        },
        action: one_or_many(grant.actions.iter().map(|a| format!("SQS:{a}")).collect()),
        resource: queue_arn,
    };
    statements.push(serde_json::to_value(statement).expect("a statement always serializes"));
    Ok(Value::Object(document).to_string())
}

/// The policy without the label's statement; `None` once no statement is left (SQS then drops
/// the attribute).
pub(crate) fn remove(
    policy: Option<&str>,
    queue_arn: &str,
    label: &str,
) -> SqsResult<Option<String>> {
    let mut document = parse(policy, queue_arn)?;
    let statements = statements(&mut document);
    let before = statements.len();
    statements.retain(|s| sid(s) != Some(label));
    if statements.len() == before {
        return Err(SqsError::invalid_parameter(format!(
            "Value {label} for parameter Label is invalid. Reason: can't find label."
        )));
    }
    Ok((!statements.is_empty()).then(|| Value::Object(document).to_string()))
}

/// A Policy attribute value must be a JSON object (SetQueueAttributes and CreateQueue).
pub(crate) fn check(text: &str) -> SqsResult<()> {
    object(text).map(|_| ())
}

fn object(text: &str) -> SqsResult<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(document)) => Ok(document),
        _ => Err(SqsError::new(
            ErrorCode::InvalidAttributeValue,
            "Invalid value for the parameter Policy.",
        )),
    }
}

fn check_label(label: &str) -> SqsResult<()> {
    if crate::names::is_word(label, crate::names::ID_MAX) {
        Ok(())
    } else {
        Err(SqsError::invalid_parameter(format!(
            "Value {label} for parameter Label is invalid. Reason: A label can only contain alphanumeric characters, hyphens and underscores, and be at most 80 characters long."
        )))
    }
}

fn parse(policy: Option<&str>, queue_arn: &str) -> SqsResult<Map<String, Value>> {
    match policy {
        Some(text) => object(text),
        None => {
            let mut document = Map::new();
            document.insert("Version".into(), "2008-10-17".into());
            document.insert("Id".into(), format!("{queue_arn}/SQSDefaultPolicy").into());
            Ok(document)
        }
    }
}

/// The document's statements as a list: IAM also allows a single statement object.
fn statements(document: &mut Map<String, Value>) -> &mut Vec<Value> {
    let entry = document
        .entry("Statement")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        let one = entry.take();
        *entry = Value::Array(if one.is_null() { vec![] } else { vec![one] });
    }
    entry.as_array_mut().expect("made a list above")
}

fn sid(statement: &Value) -> Option<&str> {
    statement.get("Sid").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:sqs:us-east-1:000000000000:q";

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn grant<'a>(label: &'a str, accounts: &'a [String], actions: &'a [String]) -> Grant<'a> {
        Grant {
            label,
            account_ids: accounts,
            actions,
        }
    }

    fn known(action: &str) -> bool {
        matches!(action, "SendMessage" | "ReceiveMessage" | "DeleteMessage")
    }

    #[test]
    fn grants_become_statements_shaped_as_sqs_writes_them() {
        let one = strings(&["111122223333"]);
        let send = strings(&["SendMessage"]);
        let policy = add(None, ARN, &grant("send", &one, &send), known).unwrap();
        let two = strings(&["111122223333", "444455556666"]);
        let both = strings(&["SendMessage", "ReceiveMessage"]);
        let policy = add(Some(&policy), ARN, &grant("both", &two, &both), known).unwrap();
        let doc: Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(doc["Version"], "2008-10-17");
        assert_eq!(doc["Id"], format!("{ARN}/SQSDefaultPolicy"));
        let s = &doc["Statement"];
        assert_eq!(s[0]["Sid"], "send");
        assert_eq!(s[0]["Effect"], "Allow");
        assert_eq!(s[0]["Principal"]["AWS"], "arn:aws:iam::111122223333:root");
        assert_eq!(s[0]["Action"], "SQS:SendMessage");
        assert_eq!(s[0]["Resource"], ARN);
        assert_eq!(
            s[1]["Principal"]["AWS"],
            serde_json::json!([
                "arn:aws:iam::111122223333:root",
                "arn:aws:iam::444455556666:root"
            ])
        );
        assert_eq!(
            s[1]["Action"],
            serde_json::json!(["SQS:SendMessage", "SQS:ReceiveMessage"])
        );
    }

    #[test]
    fn removing_the_last_label_drops_the_policy() {
        let one = strings(&["111122223333"]);
        let all = strings(&["*"]);
        let policy = add(None, ARN, &grant("a", &one, &all), known).unwrap();
        let policy = add(Some(&policy), ARN, &grant("b", &one, &all), known).unwrap();
        let left = remove(Some(&policy), ARN, "a").unwrap().unwrap();
        assert!(!left.contains("\"a\"") && left.contains("\"b\""));
        assert_eq!(remove(Some(&left), ARN, "b").unwrap(), None);
    }

    #[test]
    fn labels_actions_and_accounts_are_checked() {
        let one = strings(&["111122223333"]);
        let send = strings(&["SendMessage"]);
        let policy = add(None, ARN, &grant("a", &one, &send), known).unwrap();
        let again = add(Some(&policy), ARN, &grant("a", &one, &send), known).unwrap_err();
        assert!(again.message.ends_with("Reason: Already exists."));
        let missing = remove(Some(&policy), ARN, "nope").unwrap_err();
        assert!(missing.message.contains("can't find label"));
        assert_eq!(
            remove(None, ARN, "a").unwrap_err().code,
            ErrorCode::InvalidParameterValue
        );
        let bad = add(None, ARN, &grant("a b", &one, &send), known).unwrap_err();
        assert_eq!(bad.code, ErrorCode::InvalidParameterValue);
        let unknown = add(None, ARN, &grant("a", &one, &strings(&["Fly"])), known).unwrap_err();
        assert!(
            unknown
                .message
                .starts_with("Value SQS:Fly for parameter ActionName")
        );
        let eight = strings(&["SendMessage"; 8]);
        assert_eq!(
            add(None, ARN, &grant("a", &one, &eight), known)
                .unwrap_err()
                .code,
            ErrorCode::OverLimit
        );
        assert_eq!(
            add(None, ARN, &grant("a", &[], &send), known)
                .unwrap_err()
                .code,
            ErrorCode::MissingParameter
        );
    }

    #[test]
    fn a_policy_set_by_hand_is_extended_even_with_a_single_statement_object() {
        let own = r#"{"Version":"2012-10-17","Statement":{"Sid":"mine","Effect":"Deny"}}"#;
        let one = strings(&["111122223333"]);
        let send = strings(&["SendMessage"]);
        let policy = add(Some(own), ARN, &grant("a", &one, &send), known).unwrap();
        let doc: Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(doc["Version"], "2012-10-17");
        assert_eq!(doc["Statement"][0]["Sid"], "mine");
        assert_eq!(doc["Statement"][1]["Sid"], "a");
        assert_eq!(
            check("[1]").unwrap_err().code,
            ErrorCode::InvalidAttributeValue
        );
    }
}
