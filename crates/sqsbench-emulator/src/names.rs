//! AWS's name rules, written once. The emulator checks what clients send against them (queue and
//! topic names, permission labels, batch entry ids), and the harness validates scenarios with the
//! same functions, so a name a scenario may use is one the emulator accepts, and AWS with it.
//! Pure: depends on nothing.

/// The longest SQS queue name, `.fifo` included.
pub const QUEUE_NAME_MAX: usize = 80;
/// The longest SNS topic name, `.fifo` included.
pub const TOPIC_NAME_MAX: usize = 256;
/// The longest batch entry id and permission label.
pub const ID_MAX: usize = 80;
/// What a FIFO queue's or topic's name ends with.
pub const FIFO_SUFFIX: &str = ".fifo";

/// AWS's most common name rule: 1 to `max` characters, each an ASCII letter or digit, `-` or `_`.
/// Batch entry ids and permission labels follow it as they are (`max` 80).
pub fn is_word(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// An SQS queue name: a word, with `.fifo` after it for a FIFO queue, at most 80 long in all.
/// Whether it must end in `.fifo` is the queue type's rule, not the name's.
pub fn is_queue_name(name: &str) -> bool {
    name.len() <= QUEUE_NAME_MAX && is_word(stem(name), QUEUE_NAME_MAX)
}

/// An SNS topic name: a word, with `.fifo` after it for a FIFO topic, at most 256 long in all.
pub fn is_topic_name(name: &str) -> bool {
    name.len() <= TOPIC_NAME_MAX && is_word(stem(name), TOPIC_NAME_MAX)
}

/// The longest message attribute name.
pub const ATTRIBUTE_NAME_MAX: usize = 256;

/// Which letters and digits a message attribute name may use. SNS documents ASCII ones; SQS
/// accepts those of any script (`attr.1øßä`), as a capture of the real service shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letters {
    Ascii,
    AnyScript,
}

/// Why `name` is not a message attribute name, in a sentence a scenario error can carry.
pub fn attribute_name_problem(name: &str, letters: Letters) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let allowed = |c: char| {
        matches!(c, '_' | '-' | '.')
            || match letters {
                Letters::Ascii => c.is_ascii_alphanumeric(),
                Letters::AnyScript => c.is_alphanumeric(),
            }
    };
    if name.is_empty() || name.len() > ATTRIBUTE_NAME_MAX {
        Some("an attribute name is 1-256 characters")
    } else if !name.chars().all(allowed) {
        Some("an attribute name is letters, digits, '_', '-' or '.'")
    } else if lower.starts_with("aws.") || lower.starts_with("amazon.") {
        Some("names starting with AWS. or Amazon. are reserved")
    } else if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        Some("an attribute name cannot start or end with '.', or hold '..'")
    } else {
        None
    }
}

/// The name without its `.fifo`.
fn stem(name: &str) -> &str {
    name.strip_suffix(FIFO_SUFFIX).unwrap_or(name)
}

/// The longest EventBridge rule name, and event bus name.
pub const RULE_NAME_MAX: usize = 64;
pub const EVENT_BUS_NAME_MAX: usize = 256;

/// An EventBridge rule name: 1 to 64 of ASCII letters, digits, `.`, `-` and `_` (the
/// `[\.\-_A-Za-z0-9]+` of PutRule's Name), or why not.
pub fn check_rule_name(name: &str) -> Result<(), String> {
    let fits = name.len() <= RULE_NAME_MAX
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    fits.then_some(()).ok_or_else(|| {
        format!("Rule name {name:?} is not valid: 1 to {RULE_NAME_MAX} of letters, digits, '.', '-' and '_'.")
    })
}

/// A custom event bus name: 1 to 256 of ASCII letters, digits, `/`, `.`, `-` and `_`
/// (CreateEventBus's `[/\.\-_A-Za-z0-9]+`), or why not.
pub fn check_event_bus_name(name: &str) -> Result<(), String> {
    let fits = name.len() <= EVENT_BUS_NAME_MAX
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_'));
    fits.then_some(()).ok_or_else(|| {
        format!("Event bus name {name:?} is not valid: 1 to {EVENT_BUS_NAME_MAX} of letters, digits, '/', '.', '-' and '_'.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn queue_and_topic_names() {
        assert!(is_queue_name("orders"));
        assert!(is_queue_name("orders-1_b.fifo"));
        assert!(!is_queue_name(""));
        assert!(
            !is_queue_name(".fifo"),
            "a FIFO suffix needs a name before it"
        );
        assert!(!is_queue_name("a.b"));
        assert!(!is_queue_name("a b"));
        assert!(is_queue_name(&"q".repeat(80)));
        assert!(!is_queue_name(&"q".repeat(81)));
        assert!(is_queue_name(&format!("{}.fifo", "q".repeat(75))));
        assert!(!is_queue_name(&format!("{}.fifo", "q".repeat(76))));
        assert!(is_topic_name(&"t".repeat(256)));
        assert!(!is_topic_name(&"t".repeat(257)));
        assert!(is_topic_name(&format!("{}.fifo", "t".repeat(251))));
    }

    #[test]
    fn attribute_names() {
        for good in ["amount", "a.b-c_1", "AWSx"] {
            assert_eq!(attribute_name_problem(good, Letters::Ascii), None, "{good}");
        }
        for bad in ["", ".a", "a.", "a..b", "AWS.x", "amazon.y", "sp ace"] {
            assert!(
                attribute_name_problem(bad, Letters::AnyScript).is_some(),
                "{bad}"
            );
        }
        assert!(attribute_name_problem("attr.1øßä", Letters::Ascii).is_some());
        assert_eq!(
            attribute_name_problem("attr.1øßä", Letters::AnyScript),
            None
        );
        assert!(attribute_name_problem(&"a".repeat(257), Letters::AnyScript).is_some());
    }

    proptest! {
        #[test]
        fn a_word_is_exactly_its_characters_and_length(name in "[a-zA-Z0-9_\\-. é]{0,90}") {
            let expected = (1..=80).contains(&name.len())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            prop_assert_eq!(is_word(&name, ID_MAX), expected);
        }
    }
}
