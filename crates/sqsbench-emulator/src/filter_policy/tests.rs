//! The policy examples of AWS's filter policy documentation, the refusals and the limits, and
//! properties: the operators agree with plain comparisons on random messages, `$or` is a
//! disjunction, `anything-but` a negation, and the two scopes agree on flat policies.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn attrs(pairs: &[(&'static str, &'static str, &'static str)]) -> Vec<Attribute<'static>> {
    pairs
        .iter()
        .map(|&(name, data_type, value)| Attribute {
            name,
            data_type,
            value,
        })
        .collect()
}

fn by_attributes(policy: Value, message: &[(&'static str, &'static str, &'static str)]) -> bool {
    FilterPolicy::from_json(&policy, Scope::MessageAttributes)
        .unwrap()
        .matches_attributes(&attrs(message))
}

fn by_body(policy: Value, body: Value) -> bool {
    FilterPolicy::from_json(&policy, Scope::MessageBody)
        .unwrap()
        .matches_body(&body)
}

fn refusal(policy: Value, scope: Scope) -> String {
    FilterPolicy::from_json(&policy, scope).unwrap_err().0
}

#[test]
fn exact_string_and_numeric_values() {
    let p = json!({"customer_interests": ["rugby", "football", "baseball"]});
    assert!(by_attributes(
        p.clone(),
        &[("customer_interests", "String", "rugby")]
    ));
    assert!(!by_attributes(
        p.clone(),
        &[("customer_interests", "String", "Rugby")]
    ));
    assert!(!by_attributes(p, &[("store", "String", "example_corp")]));
    let p = json!({"price_usd": [301.5]});
    assert!(by_attributes(
        p.clone(),
        &[("price_usd", "Number", "301.50")]
    ));
    assert!(by_attributes(
        p.clone(),
        &[("price_usd", "Number.float", "3.015e2")]
    ));
    // Numbers compare as numbers, never as text, and a String attribute is not a number.
    assert!(!by_attributes(p, &[("price_usd", "String", "301.5")]));
}

#[test]
fn string_arrays_match_on_any_element() {
    let p = json!({"customer_interests": ["rugby"]});
    let m = [(
        "customer_interests",
        "String.Array",
        r#"["soccer", "rugby"]"#,
    )];
    assert!(by_attributes(p, &m));
    let p = json!({"sizes": [{"numeric": [">", 10]}]});
    assert!(by_attributes(
        p.clone(),
        &[("sizes", "String.Array", "[1, 20]")]
    ));
    assert!(!by_attributes(p, &[("sizes", "String.Array", "[1, 2]")]));
}

#[test]
fn binary_attributes_match_only_exists() {
    let m = [("blob", "Binary", "AAEC")];
    assert!(by_attributes(json!({"blob": [{"exists": true}]}), &m));
    assert!(!by_attributes(json!({"blob": ["AAEC"]}), &m));
    assert!(!by_attributes(json!({"blob": [{"anything-but": "x"}]}), &m));
}

#[test]
fn prefix_suffix_and_ignore_case() {
    let m = [("customer_interests", "String", "baseball")];
    assert!(by_attributes(
        json!({"customer_interests": [{"prefix": "bas"}]}),
        &m
    ));
    assert!(!by_attributes(
        json!({"customer_interests": [{"prefix": "ball"}]}),
        &m
    ));
    assert!(by_attributes(
        json!({"customer_interests": [{"suffix": "ball"}]}),
        &m
    ));
    assert!(by_attributes(
        json!({"customer_interests": [{"equals-ignore-case": "BaseBall"}]}),
        &m
    ));
}

#[test]
fn anything_but_values_prefixes_and_suffixes() {
    let p = json!({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]});
    assert!(by_attributes(
        p.clone(),
        &[("customer_interests", "String", "baseball")]
    ));
    assert!(!by_attributes(
        p.clone(),
        &[("customer_interests", "String", "rugby")]
    ));
    // anything-but needs the attribute to be there.
    assert!(!by_attributes(p, &[]));
    let p = json!({"price": [{"anything-but": [100, 500]}]});
    assert!(by_attributes(p.clone(), &[("price", "Number", "101")]));
    assert!(!by_attributes(p, &[("price", "Number", "100.000")]));
    let p = json!({"event": [{"anything-but": {"prefix": "order-"}}]});
    assert!(by_attributes(p.clone(), &[("event", "String", "refund-1")]));
    assert!(!by_attributes(p, &[("event", "String", "order-1")]));
    let p = json!({"file": [{"anything-but": {"suffix": ".tmp"}}]});
    assert!(!by_attributes(p, &[("file", "String", "a.tmp")]));
}

#[test]
fn numeric_comparisons_and_ranges() {
    let m = |v: &'static str| [("price_usd", "Number", v)];
    let p = json!({"price_usd": [{"numeric": [">=", 100, "<", 200]}]});
    assert!(by_attributes(p.clone(), &m("100")));
    assert!(by_attributes(p.clone(), &m("199.99999")));
    assert!(!by_attributes(p.clone(), &m("200")));
    assert!(!by_attributes(p, &m("99")));
    let p = json!({"price_usd": [{"numeric": ["=", 0]}]});
    assert!(
        by_attributes(p.clone(), &m("0.000001")),
        "five decimal digits of accuracy"
    );
    assert!(!by_attributes(p, &m("0.00001")));
    // Out of SNS's range: present, but no number matches it.
    let p = json!({"price_usd": [{"numeric": [">", 0]}]});
    assert!(!by_attributes(p, &m("2e9")));
}

#[test]
fn exists_checks_presence_only() {
    let p = json!({"store": [{"exists": false}]});
    assert!(by_attributes(p.clone(), &[("other", "String", "x")]));
    assert!(!by_attributes(p, &[("store", "String", "x")]));
    let p = json!({"store": [{"exists": true}]});
    assert!(by_attributes(p, &[("store", "Number", "1")]));
}

#[test]
fn cidr_blocks() {
    let p = json!({"source_ip": [{"cidr": "10.0.0.0/24"}]});
    assert!(by_attributes(
        p.clone(),
        &[("source_ip", "String", "10.0.0.255")]
    ));
    assert!(!by_attributes(
        p.clone(),
        &[("source_ip", "String", "10.0.1.0")]
    ));
    assert!(!by_attributes(p, &[("source_ip", "String", "::1")]));
    let p = json!({"source_ip": [{"cidr": "2001:db8::/32"}]});
    assert!(by_attributes(
        p,
        &[("source_ip", "String", "2001:db8:1::7")]
    ));
}

#[test]
fn keys_are_anded_and_values_ored() {
    let p = json!({"store": ["example_corp"], "event": ["order_placed", "order_cancelled"]});
    assert!(by_attributes(
        p.clone(),
        &[
            ("store", "String", "example_corp"),
            ("event", "String", "order_cancelled")
        ]
    ));
    assert!(!by_attributes(p, &[("store", "String", "example_corp")]));
}

#[test]
fn or_across_keys() {
    let p = json!({
        "source": ["aws.cloudwatch"],
        "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]
    });
    let m = |second: (&'static str, &'static str, &'static str)| {
        [("source", "String", "aws.cloudwatch"), second]
    };
    assert!(by_attributes(
        p.clone(),
        &m(("metricName", "String", "CPUUtilization"))
    ));
    assert!(by_attributes(
        p.clone(),
        &m(("namespace", "String", "AWS/EC2"))
    ));
    assert!(!by_attributes(p, &m(("namespace", "String", "AWS/S3"))));
}

#[test]
fn message_body_scope_with_nested_keys() {
    let p = json!({"order": {"status": ["paid"], "total": [{"numeric": [">", 100]}]}});
    assert!(by_body(
        p.clone(),
        json!({"order": {"status": "paid", "total": 150}})
    ));
    assert!(!by_body(
        p.clone(),
        json!({"order": {"status": "paid", "total": 50}})
    ));
    assert!(!by_body(p.clone(), json!({"status": "paid", "total": 150})));
    // An array of objects matches when one of them does.
    assert!(by_body(
        p,
        json!({"order": [{"status": "new"}, {"status": "paid", "total": 101}]})
    ));
    let p = json!({"flags": [true], "note": [null]});
    assert!(by_body(
        p.clone(),
        json!({"flags": [false, true], "note": null})
    ));
    assert!(!by_body(p, json!({"flags": "true", "note": null})));
    let absent = json!({"order": {"coupon": [{"exists": false}]}});
    assert!(by_body(absent, json!({})));
}

#[test]
fn a_body_that_is_not_a_json_object_matches_nothing_in_the_body_scope() {
    let p =
        FilterPolicy::from_json(&json!({"a": [{"exists": false}]}), Scope::MessageBody).unwrap();
    assert!(!p.matches(&[], "plain text"));
    assert!(!p.matches(&[], "[1]"));
    assert!(p.matches(&[], r#"{"b": 1}"#));
}

#[test]
fn refusals_say_why() {
    let a = Scope::MessageAttributes;
    let cases = [
        (json!(["x"]), "must be a JSON object"),
        (json!({"k": "x"}), "must be in an array"),
        (json!({"k": []}), "empty arrays"),
        (json!({"k": [["x"]]}), "match value"),
        (json!({"k": {"n": ["x"]}}), "does not support nested"),
        (
            json!({"k": [{"shout": "x"}]}),
            "unrecognized match type shout",
        ),
        (json!({"k": [{"prefix": 1}]}), "prefix takes a string"),
        (
            json!({"k": [{"exists": "yes"}]}),
            "exists takes true or false",
        ),
        (
            json!({"k": [{"numeric": [">", "1"]}]}),
            "followed by a number",
        ),
        (
            json!({"k": [{"numeric": ["~", 1]}]}),
            "unrecognized numeric range operator",
        ),
        (
            json!({"k": [{"numeric": [">", 5, "<", 1]}]}),
            "must be less than",
        ),
        (
            json!({"k": [{"numeric": [">", 1, ">", 2]}]}),
            "one lower and one upper",
        ),
        (
            json!({"k": [{"numeric": [">", 1, "<"]}]}),
            "one operator and a number",
        ),
        (json!({"k": [2e9]}), "between -1000000000 and 1000000000"),
        (json!({"k": [{"anything-but": ["a", 1]}]}), "not a mix"),
        (json!({"k": [{"anything-but": []}]}), "non-empty list"),
        (json!({"k": [{"cidr": "10.0.0.0/33"}]}), "not a CIDR block"),
        (
            json!({"k": [{"prefix": "a", "suffix": "b"}]}),
            "exactly one operator",
        ),
        (json!({"$or": [{"a": ["x"]}]}), "at least two"),
        (
            json!({"a": ["x"], "b": ["x"], "c": ["x"], "d": ["x"], "e": ["x"], "f": ["x"]}),
            "more than 5 keys",
        ),
    ];
    for (policy, reason) in cases {
        let got = refusal(policy.clone(), a);
        assert!(got.contains(reason), "{policy}: {got:?} lacks {reason:?}");
    }
    assert!(
        FilterPolicy::parse("{", a)
            .unwrap_err()
            .0
            .contains("not valid JSON")
    );
    let big = format!(r#"{{"k": ["{}"]}}"#, "x".repeat(MAX_POLICY_BYTES));
    assert!(
        FilterPolicy::parse(&big, a)
            .unwrap_err()
            .0
            .contains("too large")
    );
}

#[test]
fn complexity_is_the_product_of_the_arrays() {
    let values = |n: usize| Value::Array((0..n).map(|i| json!(i)).collect());
    let fits = json!({"a": values(10), "b": values(15)});
    assert!(FilterPolicy::from_json(&fits, Scope::MessageAttributes).is_ok());
    let over = json!({"a": values(10), "b": values(16)});
    assert!(refusal(over, Scope::MessageAttributes).contains("160 combinations"));
    // $or branches add up: 10 × (10 + 6) = 160.
    let or = json!({"a": values(10), "$or": [{"b": values(10)}, {"c": values(6)}]});
    assert!(refusal(or, Scope::MessageAttributes).contains("160 combinations"));
    // Nested keys count as keys.
    let nested = json!({"a": {"b": ["x"], "c": ["x"], "d": ["x"]}, "e": {"f": ["x"], "g": ["x"], "h": ["x"]}});
    assert!(refusal(nested, Scope::MessageBody).contains("more than 5 keys"));
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "ab", "abc", "b", "ba", "order", "Order", ""])
        .prop_map(String::from)
}

/// Numbers with at most five decimal digits, inside SNS's range.
fn amount() -> impl Strategy<Value = f64> {
    (-100_000_000i64..100_000_000i64).prop_map(|n| n as f64 / 1e5)
}

fn text_attr<'a>(name: &'static str, value: &'a str) -> Vec<Attribute<'a>> {
    vec![Attribute {
        name,
        data_type: "String",
        value,
    }]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn string_operators_agree_with_str_methods(value in word(), arg in word()) {
        let m = text_attr("k", &value);
        let check = |op: Value| FilterPolicy::from_json(&json!({"k": [op]}), Scope::MessageAttributes).unwrap().matches_attributes(&m);
        prop_assert_eq!(check(json!(arg)), value == arg);
        prop_assert_eq!(check(json!({"prefix": arg})), value.starts_with(&arg));
        prop_assert_eq!(check(json!({"suffix": arg})), value.ends_with(&arg));
        prop_assert_eq!(check(json!({"equals-ignore-case": arg})), value.eq_ignore_ascii_case(&arg));
        prop_assert_eq!(check(json!({"anything-but": arg})), value != arg);
        prop_assert_eq!(check(json!({"anything-but": {"prefix": arg}})), !value.starts_with(&arg));
    }

    #[test]
    fn numeric_ranges_agree_with_comparisons(x in amount(), low in amount(), high in amount()) {
        let text = x.to_string();
        let m = vec![Attribute { name: "n", data_type: "Number", value: &text }];
        let check = |range: Value| FilterPolicy::from_json(&json!({"n": [{"numeric": range}]}), Scope::MessageAttributes).unwrap().matches_attributes(&m);
        prop_assert_eq!(check(json!([">", low])), x > low);
        prop_assert_eq!(check(json!(["<=", low])), x <= low);
        prop_assert_eq!(check(json!(["=", low])), x == low);
        if low < high {
            prop_assert_eq!(check(json!([">=", low, "<", high])), x >= low && x < high);
        }
    }

    #[test]
    fn or_is_a_disjunction_and_keys_a_conjunction(a in word(), b in word(), va in word(), vb in word()) {
        let m = vec![
            Attribute { name: "x", data_type: "String", value: &va },
            Attribute { name: "y", data_type: "String", value: &vb },
        ];
        let check = |p: Value| FilterPolicy::from_json(&p, Scope::MessageAttributes).unwrap().matches_attributes(&m);
        prop_assert_eq!(check(json!({"$or": [{"x": [a]}, {"y": [b]}]})), va == a || vb == b);
        prop_assert_eq!(check(json!({"x": [a], "y": [b]})), va == a && vb == b);
    }

    #[test]
    fn anything_but_is_the_negation_of_a_list_when_present(value in word(), list in prop::collection::vec(word(), 1..4)) {
        let m = text_attr("k", &value);
        let check = |op: Value| FilterPolicy::from_json(&json!({"k": op}), Scope::MessageAttributes).unwrap().matches_attributes(&m);
        prop_assert_eq!(check(json!([{"anything-but": list}])), !check(json!(list)));
    }

    #[test]
    fn the_two_scopes_agree_on_flat_policies(value in word(), n in amount(), arg in word(), low in amount()) {
        let number = n.to_string();
        let m = vec![
            Attribute { name: "s", data_type: "String", value: &value },
            Attribute { name: "n", data_type: "Number", value: &number },
        ];
        let body = json!({"s": value, "n": n});
        for policy in [
            json!({"s": [arg.clone()]}),
            json!({"s": [{"prefix": arg.clone()}], "n": [{"numeric": [">", low]}]}),
            json!({"$or": [{"s": [{"anything-but": arg.clone()}]}, {"n": [low]}]}),
            json!({"missing": [{"exists": false}], "n": [{"exists": true}]}),
        ] {
            let a = FilterPolicy::from_json(&policy, Scope::MessageAttributes).unwrap().matches_attributes(&m);
            let b = FilterPolicy::from_json(&policy, Scope::MessageBody).unwrap().matches_body(&body);
            prop_assert_eq!(a, b, "{}", policy);
        }
    }

    #[test]
    fn any_json_is_refused_or_accepted_without_panicking(text in "[\\[\\]{}\"a-c:,0-9 .$-]{0,40}") {
        for scope in [Scope::MessageAttributes, Scope::MessageBody] {
            if let Ok(p) = FilterPolicy::parse(&text, scope) {
                let _ = p.matches(&[], &text);
            }
        }
    }
}
