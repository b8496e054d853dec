//! `--auth sigv4` and `--tls` with the real aws-sdk-sqs and aws-sdk-sns: the right key gets in,
//! a wrong secret and an unknown key are refused with AWS's codes in each protocol's envelope, a
//! profile's session token is required, an unsigned request is refused; then the same over TLS
//! with a CA made in the test, and a client that does not trust it cannot connect.

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials as SdkCredentials;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::{Region, retry::RetryConfig};
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use sqsbench_emulator::auth::Credentials;
use sqsbench_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

use crate::sdk::code;
use crate::test_ca::test_ca;

const KEYS: &str = "[default]\naws_access_key_id = AKIDRIGHT\naws_secret_access_key = right-secret\n\n[temporary]\naws_access_key_id = ASIATEMP\naws_secret_access_key = temp-secret\naws_session_token = the-token\n";

async fn locked(tls: Option<sqsbench_emulator::TlsIdentity>) -> EmulatorHandle {
    Emulator::start(EmulatorConfig {
        auth: Some(Credentials::parse(KEYS).unwrap()),
        tls,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator starts")
}

fn key(id: &str, secret: &str, token: Option<&str>) -> SdkCredentials {
    SdkCredentials::new(id, secret, token.map(str::to_string), None, "test")
}

fn sqs(endpoint: &str, key: SdkCredentials, trust: Option<&str>) -> Client {
    let mut config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(key)
        .retry_config(RetryConfig::disabled());
    if let Some(ca) = trust {
        let context = TlsContext::builder()
            .with_trust_store(TrustStore::empty().with_pem_certificate(ca.as_bytes()))
            .build()
            .expect("a TLS context");
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(context)
            .build_https();
        config = config.http_client(http);
    }
    Client::from_conf(config.build())
}

fn sns(endpoint: &str, key: SdkCredentials) -> aws_sdk_sns::Client {
    let config = aws_sdk_sns::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_sns::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(key)
        .retry_config(aws_sdk_sns::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sns::Client::from_conf(config)
}

/// The code a refused call got, and its HTTP status.
async fn refused(client: &Client) -> (String, u16) {
    let e = client
        .create_queue()
        .queue_name("q")
        .send()
        .await
        .expect_err("the call is refused");
    let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    (code(&e), status)
}

/// The right key's round trip, then each refusal.
async fn the_keys_decide(endpoint: &str, trust: Option<&str>) {
    let right = sqs(endpoint, key("AKIDRIGHT", "right-secret", None), trust);
    let url = right
        .create_queue()
        .queue_name("locked")
        .send()
        .await
        .unwrap();
    let url = url.queue_url().unwrap();
    right
        .send_message()
        .queue_url(url)
        .message_body("in")
        .send()
        .await
        .unwrap();
    let got = right.receive_message().queue_url(url).send().await.unwrap();
    assert_eq!(got.messages()[0].body(), Some("in"));
    let cases = [
        (
            key("AKIDRIGHT", "wrong-secret", None),
            "SignatureDoesNotMatch",
            403,
        ),
        (
            key("AKIDWHO", "right-secret", None),
            "InvalidClientTokenId",
            403,
        ),
        (
            key("ASIATEMP", "temp-secret", None),
            "InvalidClientTokenId",
            403,
        ),
    ];
    for (k, expected, status) in cases {
        let client = sqs(endpoint, k, trust);
        assert_eq!(refused(&client).await, (expected.to_string(), status));
    }
    let temporary = sqs(
        endpoint,
        key("ASIATEMP", "temp-secret", Some("the-token")),
        trust,
    );
    temporary
        .get_queue_url()
        .queue_name("locked")
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_signed_requests_with_a_known_key_get_in() {
    let server = locked(None).await;
    the_keys_decide(&server.endpoint(), None).await;
    // SNS's query protocol carries the same refusal in its own envelope.
    let wrong = sns(&server.endpoint(), key("AKIDRIGHT", "wrong-secret", None));
    let e = wrong.create_topic().name("t").send().await.unwrap_err();
    assert_eq!(
        aws_sdk_sns::error::ProvideErrorMetadata::code(&e),
        Some("SignatureDoesNotMatch")
    );
    let right = sns(&server.endpoint(), key("AKIDRIGHT", "right-secret", None));
    right.create_topic().name("t").send().await.unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_request_is_refused_in_each_protocol() {
    let server = locked(None).await;
    let http = raw_post(
        &server,
        &[
            ("x-amz-target", "AmazonSQS.ListQueues"),
            ("content-type", "application/x-amz-json-1.0"),
        ],
        "{}",
    );
    let (status, body) = http.await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("MissingAuthenticationToken"), "{body}");
    let (status, body) = raw_post(
        &server,
        &[("content-type", "application/x-www-form-urlencoded")],
        "Action=ListTopics&Version=2010-03-31",
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("<Code>MissingAuthenticationToken</Code>")
            && body.contains("sns.amazonaws.com"),
        "{body}"
    );
    server.shutdown().await;
}

/// A plain HTTP/1.1 POST of `body` to the server, unsigned: its status and body.
async fn raw_post(server: &EmulatorHandle, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let mut request = format!(
        "POST / HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-length: {}\r\n",
        server.addr(),
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_with_a_ca_made_in_the_test() {
    let ca = test_ca();
    let server = locked(Some(ca.server.clone())).await;
    let endpoint = server.endpoint();
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    the_keys_decide(&endpoint, Some(&ca.ca_pem)).await;
    // A client that does not trust the test CA cannot connect at all.
    let untrusting = sqs(&endpoint, key("AKIDRIGHT", "right-secret", None), None);
    let e = untrusting.list_queues().send().await.unwrap_err();
    assert!(
        matches!(e, aws_sdk_sqs::error::SdkError::DispatchFailure(_)),
        "{e:?}"
    );
    // Nor does one speaking plain HTTP to the TLS port.
    let plain = sqs(
        &endpoint.replace("https", "http"),
        key("AKIDRIGHT", "right-secret", None),
        None,
    );
    assert!(plain.list_queues().send().await.is_err());
    server.shutdown().await;
}

#[tokio::test]
async fn an_unusable_tls_identity_is_refused_at_start() {
    let ca = test_ca();
    let mut swapped = ca.server.clone();
    swapped.key_pem = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec();
    for (identity, says) in [
        (swapped, "key"),
        (
            sqsbench_emulator::TlsIdentity {
                cert_pem: Vec::new(),
                key_pem: ca.server.key_pem.clone(),
            },
            "CERTIFICATE",
        ),
    ] {
        let e = Emulator::start(EmulatorConfig {
            tls: Some(identity),
            ..EmulatorConfig::default()
        })
        .await
        .err()
        .expect("refused");
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains(says), "{e}");
    }
}
