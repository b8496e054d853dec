//! `verify` against requests signed by the SDK's own signer (aws-sigv4): what it signs passes,
//! and each of AWS's refusals comes for its reason.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials as SdkCredentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use hyper::HeaderMap;
use proptest::prelude::*;

use super::*;
use crate::error::AuthCode::*;

const HOST: &str = "127.0.0.1:9324";

fn keys() -> Credentials {
    Credentials::parse(
        "[default]\naws_access_key_id=AKIDRIGHT\naws_secret_access_key=right-secret\n[temp]\naws_access_key_id=ASIATEMP\naws_secret_access_key=temp-secret\naws_session_token=the-token\n",
    )
    .unwrap()
}

/// A request as the server receives it, signed by aws-sigv4 at `at` for `service`.
struct Signed {
    method: &'static str,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Signed {
    fn request(&self) -> canonical::Request<'_> {
        canonical::Request {
            method: self.method,
            path: &self.path,
            query: self.query.as_deref(),
            headers: &self.headers,
            body: &self.body,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn signed(
    key: (&str, &str, Option<&str>),
    service: &str,
    at: SystemTime,
    method: &'static str,
    path: &str,
    query: Option<&str>,
    extra: &[(&'static str, &str)],
    body: &[u8],
    presign: Option<Duration>,
) -> Signed {
    let identity =
        SdkCredentials::new(key.0, key.1, key.2.map(str::to_string), None, "test").into();
    let mut settings = SigningSettings::default();
    if let Some(expires) = presign {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires);
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(at)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let uri = match query {
        Some(q) => format!("http://{HOST}{path}?{q}"),
        None => format!("http://{HOST}{path}"),
    };
    let signable = SignableRequest::new(
        method,
        uri,
        extra.iter().copied(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut headers = HeaderMap::new();
    headers.insert("host", HOST.parse().unwrap());
    for (name, value) in extra.iter().copied().chain(instructions.headers()) {
        headers.append(
            hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let mut query = query.map(str::to_string);
    for (name, value) in instructions.params() {
        let pair = format!(
            "{name}={}",
            percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
        );
        query = Some(match query {
            Some(q) if !q.is_empty() => format!("{q}&{pair}"),
            _ => pair,
        });
    }
    Signed {
        method,
        path: path.to_string(),
        query,
        headers,
        body: body.to_vec(),
    }
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

const NOW: u64 = 1_796_472_000; // 2026-12-05T12:00:00Z

fn json_send(key: (&str, &str, Option<&str>), when: SystemTime) -> Signed {
    signed(
        key,
        "sqs",
        when,
        "POST",
        "/",
        None,
        &[
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", "AmazonSQS.SendMessage"),
        ],
        br#"{"QueueUrl":"http://127.0.0.1:9324/000000000000/q","MessageBody":"hi"}"#,
        None,
    )
}

fn code(result: Result<String, AuthError>) -> Option<AuthCode> {
    result.err().map(|e| e.code)
}

#[test]
fn what_the_sdk_signs_passes_and_names_its_service() {
    let r = json_send(("AKIDRIGHT", "right-secret", None), at(NOW));
    assert_eq!(verify(&keys(), &r.request(), at(NOW)), Ok("sqs".into()));
    let form = signed(
        ("AKIDRIGHT", "right-secret", None),
        "sns",
        at(NOW),
        "POST",
        "/",
        None,
        &[(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        b"Action=Publish&Version=2010-03-31&Message=a%20b",
        None,
    );
    assert_eq!(verify(&keys(), &form.request(), at(NOW)), Ok("sns".into()));
}

#[test]
fn each_refusal_for_its_reason() {
    let now = at(NOW);
    let missing = json_send(("AKIDRIGHT", "right-secret", None), now);
    let mut unsigned = missing.headers.clone();
    unsigned.remove("authorization");
    let bare = canonical::Request {
        headers: &unsigned,
        ..missing.request()
    };
    assert_eq!(
        code(verify(&keys(), &bare, now)),
        Some(MissingAuthenticationToken)
    );
    let unknown = json_send(("AKIDWHO", "right-secret", None), now);
    assert_eq!(
        code(verify(&keys(), &unknown.request(), now)),
        Some(InvalidClientTokenId)
    );
    let wrong = json_send(("AKIDRIGHT", "wrong-secret", None), now);
    let refused = verify(&keys(), &wrong.request(), now).unwrap_err();
    assert_eq!(refused.code, SignatureDoesNotMatch);
    assert!(
        refused
            .message
            .starts_with("The request signature we calculated does not match")
    );
    // 15 minutes either way is allowed; a second more is not.
    for (skew, ok) in [(-900i64, true), (900, true), (-901, false), (901, false)] {
        let when = at(NOW.checked_add_signed(skew).unwrap());
        let r = json_send(("AKIDRIGHT", "right-secret", None), when);
        let got = verify(&keys(), &r.request(), now);
        assert_eq!(got.is_ok(), ok, "{skew}: {got:?}");
        if !ok {
            assert_eq!(code(got), Some(RequestExpired));
        }
    }
    let mut garbled = missing.headers.clone();
    garbled.insert(
        "authorization",
        "AWS4-HMAC-SHA256 Signature=ab".parse().unwrap(),
    );
    let garbled = canonical::Request {
        headers: &garbled,
        ..missing.request()
    };
    assert_eq!(
        code(verify(&keys(), &garbled, now)),
        Some(IncompleteSignature)
    );
}

#[test]
fn a_profile_with_a_session_token_requires_it() {
    let now = at(NOW);
    let with = json_send(("ASIATEMP", "temp-secret", Some("the-token")), now);
    assert_eq!(verify(&keys(), &with.request(), now), Ok("sqs".into()));
    let without = json_send(("ASIATEMP", "temp-secret", None), now);
    assert_eq!(
        code(verify(&keys(), &without.request(), now)),
        Some(InvalidClientTokenId)
    );
    let other = json_send(("ASIATEMP", "temp-secret", Some("another")), now);
    assert_eq!(
        code(verify(&keys(), &other.request(), now)),
        Some(InvalidClientTokenId)
    );
    let unasked = json_send(("AKIDRIGHT", "right-secret", Some("the-token")), now);
    assert_eq!(
        code(verify(&keys(), &unasked.request(), now)),
        Some(InvalidClientTokenId)
    );
}

#[test]
fn presigned_urls_hold_until_they_expire() {
    let url = |key: (&str, &str, Option<&str>)| {
        signed(
            key,
            "sqs",
            at(NOW),
            "GET",
            "/000000000000/q",
            Some("Action=ReceiveMessage&MaxNumberOfMessages=2"),
            &[],
            b"",
            Some(Duration::from_secs(300)),
        )
    };
    let good = url(("AKIDRIGHT", "right-secret", None));
    assert!(good.headers.get("authorization").is_none());
    assert_eq!(
        verify(&keys(), &good.request(), at(NOW + 300)),
        Ok("sqs".into())
    );
    assert_eq!(
        code(verify(&keys(), &good.request(), at(NOW + 301))),
        Some(RequestExpired)
    );
    let temp = url(("ASIATEMP", "temp-secret", Some("the-token")));
    assert_eq!(verify(&keys(), &temp.request(), at(NOW)), Ok("sqs".into()));
    let bad = url(("AKIDRIGHT", "wrong-secret", None));
    assert_eq!(
        code(verify(&keys(), &bad.request(), at(NOW))),
        Some(SignatureDoesNotMatch)
    );
    // A parameter changed after signing.
    let mut tampered = url(("AKIDRIGHT", "right-secret", None));
    tampered.query = tampered
        .query
        .map(|q| q.replace("MaxNumberOfMessages=2", "MaxNumberOfMessages=9"));
    assert_eq!(
        code(verify(&keys(), &tampered.request(), at(NOW))),
        Some(SignatureDoesNotMatch)
    );
}

/// Path segments and query values with characters that need encoding, as a client sends them.
fn encoded(raw: &str) -> String {
    percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the SDK's signer signs — any path, query and body, in either place — verifies,
    /// and one changed body byte does not.
    #[test]
    fn the_sdk_s_signatures_verify_and_a_changed_byte_does_not(
        segments in proptest::collection::vec("[a-zA-Z0-9 _.~%-]{1,12}", 0..3),
        params in proptest::collection::vec(("[a-zA-Z][a-zA-Z0-9.]{0,8}", "[ -~]{0,12}"), 0..4),
        body in proptest::collection::vec(any::<u8>(), 1..200),
        presign in any::<bool>(),
        flip in any::<proptest::sample::Index>(),
    ) {
        let path = format!("/{}", segments.iter().map(|s| encoded(s)).collect::<Vec<_>>().join("/"));
        let query: Vec<String> = params.iter().map(|(n, v)| format!("{n}={}", encoded(v))).collect();
        let query = (!query.is_empty()).then(|| query.join("&"));
        let r = signed(
            ("AKIDRIGHT", "right-secret", None),
            "sqs",
            at(NOW),
            "POST",
            &path,
            query.as_deref(),
            &[("content-type", "application/x-www-form-urlencoded")],
            &body,
            presign.then_some(Duration::from_secs(60)),
        );
        prop_assert_eq!(verify(&keys(), &r.request(), at(NOW)), Ok("sqs".to_string()));
        if !presign {
            let mut changed = r.body.clone();
            let i = flip.index(changed.len());
            changed[i] ^= 1;
            let tampered = canonical::Request { body: &changed, ..r.request() };
            prop_assert_eq!(code(verify(&keys(), &tampered, at(NOW))), Some(SignatureDoesNotMatch));
        }
    }
}
