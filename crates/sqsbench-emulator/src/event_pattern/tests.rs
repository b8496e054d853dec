//! The pattern corpus (`tests/corpus/event-patterns.json`: examples of AWS's EventBridge
//! documentation, each cited, with expected matches and refusals), the size quota, and
//! properties: operators agree with plain comparisons on random events, `$or` is a
//! disjunction, `anything-but` a negation of the exact match, wildcards agree with a
//! reference matcher.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const CORPUS: &str = include_str!("../../tests/corpus/event-patterns.json");

/// The envelope fields an event of the corpus leaves out, filled in as PutEvents would.
pub(crate) fn completed(event: &Value) -> Value {
    let mut out = json!({
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "Corpus Event",
        "source": "corpus.test",
        "account": "000000000000",
        "time": "2026-12-06T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {}
    });
    for (k, v) in event.as_object().expect("a corpus event is an object") {
        out[k] = v.clone();
    }
    out
}

#[test]
fn the_corpus_matches_as_documented() {
    let corpus: Value = serde_json::from_str(CORPUS).unwrap();
    let mut checked = 0;
    for case in corpus["cases"].as_array().unwrap() {
        let pattern = EventPattern::from_json(&case["pattern"])
            .unwrap_or_else(|e| panic!("{}: {e}", case["source"]));
        // The text form too, as PutRule receives it.
        let text = serde_json::to_string(&case["pattern"]).unwrap();
        assert_eq!(EventPattern::parse(&text).unwrap(), pattern);
        for e in case["events"].as_array().unwrap() {
            let event = completed(&e["event"]);
            assert_eq!(
                pattern.matches(&event),
                e["matches"].as_bool().unwrap(),
                "{}: {} against {}",
                case["source"],
                case["pattern"],
                e["event"]
            );
            checked += 1;
        }
    }
    for case in corpus["invalid"].as_array().unwrap() {
        let error = EventPattern::from_json(&case["pattern"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "Event pattern is not valid. Reason: {}",
                case["error"].as_str().unwrap()
            ),
            "{}",
            case["pattern"]
        );
        checked += 1;
    }
    assert!(checked >= 150, "the corpus has {checked} triples");
}

#[test]
fn the_size_quota_counts_characters() {
    let value = "é".repeat(MAX_PATTERN_CHARS - 20);
    let fits = format!(r#"{{"a":["{}"]}}"#, &value[..(MAX_PATTERN_CHARS - 30) * 2]);
    assert!(fits.chars().count() <= MAX_PATTERN_CHARS);
    assert!(EventPattern::parse(&fits).is_ok());
    let over = format!(r#"{{"a":["{}"]}}"#, "x".repeat(MAX_PATTERN_CHARS));
    let error = EventPattern::parse(&over).unwrap_err().to_string();
    assert!(error.contains("quota is 2048"), "{error}");
    assert!(
        EventPattern::parse("{not json")
            .unwrap_err()
            .to_string()
            .starts_with("Event pattern is not valid. Reason: Filter is not valid JSON")
    );
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-c]{0,4}".prop_map(Value::from),
        (-20i64..20).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn event_with(value: Option<Value>) -> Value {
    match value {
        Some(v) => json!({"detail": {"f": v}}),
        None => json!({"detail": {}}),
    }
}

/// A reference glob matcher: exponential but obviously right, for short strings.
fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

proptest! {
    #[test]
    fn exact_values_match_equal_leaves(want in leaf(), got in proptest::option::of(leaf())) {
        let p = EventPattern::from_json(&json!({"detail": {"f": [want.clone()]}})).unwrap();
        let expected = got.as_ref().is_some_and(|g| g == &want || (g.as_f64().is_some() && g.as_f64() == want.as_f64()));
        prop_assert_eq!(p.matches(&event_with(got)), expected);
    }

    #[test]
    fn anything_but_is_the_negation_of_equality_where_the_field_exists(
        but in "[a-c]{0,3}", got in proptest::option::of(leaf())
    ) {
        let but_p = EventPattern::from_json(&json!({"detail": {"f": [{"anything-but": but.clone()}]}})).unwrap();
        let eq_p = EventPattern::from_json(&json!({"detail": {"f": [but]}})).unwrap();
        let event = event_with(got.clone());
        prop_assert_eq!(but_p.matches(&event), got.is_some() && !eq_p.matches(&event));
    }

    #[test]
    fn numeric_ranges_agree_with_comparisons(low in -10i64..10, width in 1i64..10, x in -30i64..30) {
        let p = EventPattern::from_json(&json!({"detail": {"f": [{"numeric": [">=", low, "<", low + width]}]}})).unwrap();
        prop_assert_eq!(p.matches(&event_with(Some(json!(x)))), x >= low && x < low + width);
        prop_assert!(!p.matches(&event_with(Some(json!(x.to_string())))));
    }

    #[test]
    fn prefix_and_suffix_agree_with_str(p in "[ab]{0,3}", s in "[ab]{0,5}", upper in any::<bool>()) {
        let value = if upper { s.to_uppercase() } else { s.clone() };
        let event = event_with(Some(json!(value)));
        let prefix = EventPattern::from_json(&json!({"detail": {"f": [{"prefix": p}]}})).unwrap();
        prop_assert_eq!(prefix.matches(&event), value.starts_with(&p));
        let folded = EventPattern::from_json(&json!({"detail": {"f": [{"suffix": {"equals-ignore-case": p}}]}})).unwrap();
        prop_assert_eq!(folded.matches(&event), s.ends_with(&p));
    }

    #[test]
    fn wildcards_agree_with_a_reference_glob(pattern in "[ab*]{0,6}", text in "[ab]{0,6}") {
        prop_assume!(!pattern.contains("**"));
        let p = EventPattern::from_json(&json!({"detail": {"f": [{"wildcard": pattern.clone()}]}})).unwrap();
        let chars: Vec<char> = pattern.chars().collect();
        let text_chars: Vec<char> = text.chars().collect();
        prop_assert_eq!(p.matches(&event_with(Some(json!(text)))), glob(&chars, &text_chars));
    }

    #[test]
    fn or_is_a_disjunction(a in "[xy]", b in "[xy]", got_a in "[xy]", got_b in "[xy]") {
        let either = EventPattern::from_json(&json!({"$or": [{"a": [a.clone()]}, {"b": [b.clone()]}]})).unwrap();
        let event = json!({"a": got_a, "b": got_b});
        prop_assert_eq!(either.matches(&event), a == got_a || b == got_b);
    }

    #[test]
    fn exists_is_decided_by_leaves(got in proptest::option::of(leaf())) {
        let yes = EventPattern::from_json(&json!({"detail": {"f": [{"exists": true}]}})).unwrap();
        let no = EventPattern::from_json(&json!({"detail": {"f": [{"exists": false}]}})).unwrap();
        let event = event_with(got.clone());
        prop_assert_eq!(yes.matches(&event), got.is_some());
        prop_assert_eq!(no.matches(&event), got.is_none());
    }

    #[test]
    fn parsing_never_panics(text in ".{0,64}") {
        let _ = EventPattern::parse(&text);
    }
}
