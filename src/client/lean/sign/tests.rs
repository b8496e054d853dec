//! The signer against aws-sigv4 (the SDK's own signer), the oracle: every header it adds must be
//! byte for byte what aws-sigv4 adds to the same request at the same second.

use super::*;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use proptest::prelude::*;

#[derive(Debug)]
struct Case {
    credentials: Credentials,
    region: String,
    uri: http::Uri,
    target: String,
    body: Vec<u8>,
}

impl Case {
    fn host(&self) -> &str {
        self.uri.authority().unwrap().as_str()
    }

    fn signer(&self) -> Signer {
        let provider = SharedCredentialsProvider::new(self.credentials.clone());
        Signer::new(self.region.clone(), &self.uri, provider).unwrap()
    }

    /// What aws-sigv4 adds to this request at `second`.
    fn oracle(&self, second: u64) -> HeaderMap {
        let identity = Identity::from(self.credentials.clone());
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("sqs")
            .time(UNIX_EPOCH + Duration::from_secs(second))
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let mut request = http::Request::post(self.uri.clone())
            .header("host", self.host())
            .header("content-type", CONTENT_TYPE)
            .header("x-amz-target", &self.target)
            .body(())
            .unwrap();
        let uri = self.uri.to_string();
        let headers = request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap()));
        let signable =
            SignableRequest::new("POST", &uri, headers, SignableBody::Bytes(&self.body)).unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(&mut request);
        request.headers().clone()
    }

    /// What the signer adds, with its key made at `keyed_at` and re-stamped for `second`.
    fn ours(&self, keyed_at: u64, second: u64) -> HeaderMap {
        let signer = self.signer();
        let keyed =
            Keyed::new(self.credentials.clone(), keyed_at, &self.region).at(second, &self.region);
        let mut headers = HeaderMap::new();
        headers.insert(X_AMZ_DATE, keyed.amz_date.clone());
        if let Some(token) = &keyed.token {
            headers.insert(X_AMZ_SECURITY_TOKEN, token.clone());
        }
        let authorization = signer.authorization(&keyed, &self.target, &self.body);
        headers.insert(AUTHORIZATION, HeaderValue::try_from(authorization).unwrap());
        headers
    }
}

fn added(headers: &HeaderMap) -> Vec<(String, String)> {
    ["x-amz-date", "x-amz-security-token", "authorization"]
        .iter()
        .filter_map(|name| {
            let value = headers.get(*name)?.to_str().unwrap().to_string();
            Some((name.to_string(), value))
        })
        .collect()
}

fn cases() -> impl Strategy<Value = Case> {
    let path = (
        prop::collection::vec("[a-zA-Z0-9_~-][a-zA-Z0-9._~-]{0,8}", 0..4),
        any::<bool>(),
    )
        .prop_map(|(segments, slash)| match (segments.is_empty(), slash) {
            (false, true) => format!("/{}/", segments.join("/")),
            _ => format!("/{}", segments.join("/")),
        });
    (
        "[A-Z0-9]{16,20}",
        "[a-zA-Z0-9/+]{20,40}",
        prop::option::of("[a-zA-Z0-9/+=]{16,80}"),
        "[a-z]{2}-[a-z]{4,9}-[1-9]",
        ("[a-z0-9.-]{1,20}", prop::option::of(1u16..)),
        path,
        prop::sample::select(vec![
            "AmazonSQS.SendMessageBatch",
            "AmazonSQS.ReceiveMessage",
            "AmazonSQS.DeleteMessageBatch",
        ]),
        prop::collection::vec(any::<u8>(), 0..600),
    )
        .prop_map(
            |(akid, secret, token, region, (host, port), path, target, body)| {
                let authority = match port {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                };
                Case {
                    credentials: Credentials::new(akid, secret, token, None, "test"),
                    region,
                    uri: format!("http://{authority}{path}").parse().unwrap(),
                    target: target.to_string(),
                    body,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_signature_is_the_sdks(
        case in cases(),
        keyed_at in 0u64..4_102_444_800,
        later in 0u64..(3 * SECONDS_PER_DAY),
    ) {
        let second = keyed_at + later;
        prop_assert_eq!(added(&case.ours(keyed_at, second)), added(&case.oracle(second)));
    }
}

#[test]
fn a_restamped_key_within_the_day_is_the_days_key() {
    let case = Case {
        credentials: Credentials::new("AKID", "secret", None, None, "test"),
        region: "eu-west-1".into(),
        uri: "https://sqs.eu-west-1.amazonaws.com".parse().unwrap(),
        target: "AmazonSQS.ReceiveMessage".into(),
        body: b"{}".to_vec(),
    };
    let midnight = 1_796_515_200; // 2026-12-06T00:00:00Z
    let keyed = Keyed::new(case.credentials.clone(), midnight, &case.region);
    let later = keyed.at(midnight + 3_600, &case.region);
    assert_eq!(later.amz_date, "20261206T010000Z");
    let signer = case.signer();
    assert_eq!(
        signer.authorization(&later, &case.target, &case.body),
        case.oracle(midnight + 3_600)["authorization"]
    );
    let next_day = keyed.at(midnight + SECONDS_PER_DAY, &case.region);
    assert_eq!(
        signer.authorization(&next_day, &case.target, &case.body),
        case.oracle(midnight + SECONDS_PER_DAY)["authorization"]
    );
}

#[tokio::test]
async fn a_request_is_signed_and_expiring_credentials_are_fetched_again() {
    let soon = SystemTime::now() + Duration::from_secs(30);
    let provider = SharedCredentialsProvider::new(Credentials::new(
        "AKID",
        "secret",
        Some("token".into()),
        Some(soon),
        "test",
    ));
    let uri: http::Uri = "http://127.0.0.1:9/".parse().unwrap();
    let signer = Signer::new("us-east-1".into(), &uri, provider).unwrap();
    let mut headers = HeaderMap::new();
    signer
        .sign(&mut headers, "AmazonSQS.SendMessage", b"{}")
        .await
        .unwrap();
    let auth = headers["authorization"].to_str().unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKID/"),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/sqs/aws4_request"));
    assert_eq!(headers["x-amz-security-token"], "token");
    // Within a minute of expiring: not fresh, so the next call asks the provider again.
    let cached = signer.current.load_full().unwrap();
    assert!(!fresh(&cached.credentials, SystemTime::now()));
}

#[test]
fn an_endpoint_path_sigv4_would_rewrite_is_refused_with_the_way_out() {
    let provider = SharedCredentialsProvider::new(Credentials::new("A", "s", None, None, "t"));
    for endpoint in [
        "http://h/a%20b",
        "http://h/a/../b",
        "http://h/./b",
        "http://h/a//b",
        "http://h/?x=1",
    ] {
        let uri: http::Uri = endpoint.parse().unwrap();
        let err = Signer::new("r".into(), &uri, provider.clone())
            .err()
            .unwrap();
        assert!(err.contains("client = \"sdk\""), "{endpoint}: {err}");
    }
}
