//! What a target receives for one event: the envelope itself, a constant `Input`, the part an
//! `InputPath` selects, or an `InputTransformer`'s template filled from its `InputPathsMap`
//! (and the reserved `aws.events.*` variables). Pure: the event and the rule in, text out.

use serde_json::Value;

use super::error::{EventsError, EventsResult};

/// How a target shapes the event it is sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    Event,
    Constant(String),
    Path(Path),
    Transformer {
        paths: Vec<(String, Path)>,
        template: String,
    },
}

/// A JSONPath of the simple kind EventBridge's examples use: `$`, `$.a.b`, `$.a[0]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path(Vec<Step>);

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

impl Path {
    pub(crate) fn parse(text: &str) -> EventsResult<Path> {
        let bad = || EventsError::validation(format!("{text} is not a valid JSONPath."));
        let rest = text.strip_prefix('$').ok_or_else(bad)?;
        let mut steps = Vec::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '.' => {
                    let mut key = String::new();
                    while let Some(&n) = chars.peek() {
                        if n == '.' || n == '[' {
                            break;
                        }
                        key.push(n);
                        chars.next();
                    }
                    if key.is_empty() {
                        return Err(bad());
                    }
                    steps.push(Step::Key(key));
                }
                '[' => {
                    let inner: String = chars.by_ref().take_while(|&n| n != ']').collect();
                    let quoted = inner
                        .strip_prefix('\'')
                        .and_then(|s| s.strip_suffix('\''))
                        .map(str::to_owned);
                    match quoted {
                        Some(key) => steps.push(Step::Key(key)),
                        None => steps.push(Step::Index(inner.parse().map_err(|_| bad())?)),
                    }
                }
                _ => return Err(bad()),
            }
        }
        Ok(Path(steps))
    }

    pub(crate) fn select<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        self.0.iter().try_fold(value, |at, step| match step {
            Step::Key(k) => at.get(k),
            Step::Index(i) => at.get(*i),
        })
    }
}

/// The names and values the reserved `aws.events.*` variables take for one delivery.
pub(crate) struct Reserved<'a> {
    pub(crate) rule_arn: &'a str,
    pub(crate) rule_name: &'a str,
    pub(crate) ingestion_time: &'a str,
}

/// The message body for `event` as `shape` makes it.
pub(crate) fn body(shape: &Shape, event: &Value, reserved: &Reserved<'_>) -> String {
    match shape {
        Shape::Event => event.to_string(),
        Shape::Constant(text) => text.clone(),
        Shape::Path(path) => path
            .select(event)
            .map_or_else(String::new, Value::to_string),
        Shape::Transformer { paths, template } => {
            let lookup = |name: &str| -> Option<Value> {
                match name {
                    "aws.events.rule-arn" => Some(Value::from(reserved.rule_arn)),
                    "aws.events.rule-name" => Some(Value::from(reserved.rule_name)),
                    "aws.events.event.ingestion-time" => Some(Value::from(reserved.ingestion_time)),
                    "aws.events.event" | "aws.events.event.json" => Some(event.clone()),
                    _ => paths
                        .iter()
                        .find(|(n, _)| n == name)
                        .and_then(|(_, p)| p.select(event).cloned()),
                }
            };
            fill(template, &lookup)
        }
    }
}

/// Replaces each `<name>` of the template: inside a JSON string with the value's text, elsewhere
/// with its JSON; an unknown or unmatched name with nothing inside a string and `null` outside.
fn fill(template: &str, lookup: &dyn Fn(&str) -> Option<Value>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
            && is_name(&rest[1..end])
        {
            let value = lookup(&rest[1..end]);
            match (in_string, value) {
                (true, Some(Value::String(s))) => {
                    let quoted = Value::from(s).to_string();
                    out.push_str(&quoted[1..quoted.len() - 1]);
                }
                (true, Some(other)) => {
                    let quoted = Value::from(other.to_string()).to_string();
                    out.push_str(&quoted[1..quoted.len() - 1]);
                }
                (true, None) => {}
                (false, Some(v)) => out.push_str(&v.to_string()),
                (false, None) => out.push_str("null"),
            }
            rest = &rest[end + 1..];
            continue;
        }
        match c {
            '\\' if in_string && !escaped => escaped = true,
            '"' if !escaped => in_string = !in_string,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reserved() -> Reserved<'static> {
        Reserved {
            rule_arn: "arn:aws:events:us-east-1:000000000000:rule/r",
            rule_name: "r",
            ingestion_time: "2026-12-06T00:00:00Z",
        }
    }

    fn event() -> Value {
        json!({"source": "aws.ec2", "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "n": 5, "tags": ["a", "b"]}})
    }

    #[test]
    fn paths_select_keys_and_indexes() {
        let e = event();
        assert_eq!(Path::parse("$").unwrap().select(&e), Some(&e));
        assert_eq!(
            Path::parse("$.detail.tags[1]").unwrap().select(&e),
            Some(&json!("b"))
        );
        assert_eq!(
            Path::parse("$.detail['instance-id']").unwrap().select(&e),
            Some(&json!("i-0123456789"))
        );
        assert_eq!(Path::parse("$.detail.missing").unwrap().select(&e), None);
        assert!(Path::parse("detail").is_err());
        assert!(Path::parse("$..a").is_err());
    }

    /// The input transformer examples of AWS's documentation
    /// (eb-transform-target-input.html): a string template and a JSON one.
    #[test]
    fn templates_fill_inside_and_outside_strings() {
        let paths = vec![
            (
                "instance".to_string(),
                Path::parse("$.detail.instance-id").unwrap(),
            ),
            ("state".to_string(), Path::parse("$.detail.state").unwrap()),
            ("n".to_string(), Path::parse("$.detail.n").unwrap()),
        ];
        let shape = |template: &str| Shape::Transformer {
            paths: paths.clone(),
            template: template.into(),
        };
        assert_eq!(
            body(
                &shape("\"instance <instance> is in <state>\""),
                &event(),
                &reserved()
            ),
            "\"instance i-0123456789 is in RUNNING\""
        );
        assert_eq!(
            body(
                &shape(
                    "{\"instance\": <instance>, \"n\": <n>, \"rule\": \"<aws.events.rule-name>\", \"gone\": <nope>}"
                ),
                &event(),
                &reserved()
            ),
            "{\"instance\": \"i-0123456789\", \"n\": 5, \"rule\": \"r\", \"gone\": null}"
        );
        assert_eq!(
            body(&shape("{\"n\": \"count <n>\"}"), &event(), &reserved()),
            "{\"n\": \"count 5\"}"
        );
        // Not a variable: left as written.
        assert_eq!(
            body(&shape("a < b > c"), &event(), &reserved()),
            "a < b > c"
        );
    }

    #[test]
    fn the_other_shapes() {
        assert_eq!(
            body(&Shape::Event, &event(), &reserved()),
            event().to_string()
        );
        assert_eq!(
            body(&Shape::Constant("{\"x\":1}".into()), &event(), &reserved()),
            "{\"x\":1}"
        );
        assert_eq!(
            body(
                &Shape::Path(Path::parse("$.detail.state").unwrap()),
                &event(),
                &reserved()
            ),
            "\"RUNNING\""
        );
    }
}
