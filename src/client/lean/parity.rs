//! Parity of the lean client with aws-sdk-sqs: both clients call a scripted server that
//! answers each request with the next step of a fixed sequence (each error code and status,
//! throttles, a reset before the answer, a stall past the attempt timeout, a slow body, a body
//! cut short, malformed JSON, a wrong MD5) or find no server at all, and every call must end
//! the same for both, with retries off and with the SDK's standard mode on. The one difference
//! is intended: a wrong MD5 fails the lean call; the Rust SDK checks no digest.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{BatchAnswer, Failure, LeanClient, RetryPolicy, Settings};
use crate::client::hot::{Outgoing, QueueClient};

const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(400);
const OK_BATCH: &str = r#"{"Successful":[{"Id":"0","MessageId":"m0","MD5OfMessageBody":"0cc175b9c0f1b6a831c399e269772661"},{"Id":"1","MessageId":"m1","MD5OfMessageBody":"92eb5ffee6ae2fec3ad71c777531578f"}],"Failed":[]}"#;

#[derive(Clone)]
enum Step {
    Answer(u16, &'static [(&'static str, &'static str)], &'static str),
    /// The answer's body in three pieces, 50 ms apart.
    Slowly(&'static str),
    /// Headers promising more body than is sent, then the connection closes.
    CutShort,
    /// The connection is reset after the request is read.
    Reset,
    /// No answer, ever.
    Stall,
}

type Script = Arc<Mutex<VecDeque<Step>>>;

async fn serve(listener: TcpListener, script: Script) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(connection(stream, script.clone()));
    }
}

/// Answers each request on one connection with the script's next step.
async fn connection(mut stream: TcpStream, script: Script) {
    let mut buffer = Vec::new();
    loop {
        if !read_request(&mut stream, &mut buffer).await {
            return;
        }
        let step = script.lock().unwrap().pop_front();
        let Some(step) = step else { return };
        match step {
            Step::Answer(status, headers, body) => {
                let _ = stream.write_all(&head(status, headers, body.len())).await;
                let _ = stream.write_all(body.as_bytes()).await;
            }
            Step::Slowly(body) => {
                let _ = stream.write_all(&head(200, &[], body.len())).await;
                let third = body.len() / 3;
                for piece in [&body[..third], &body[third..2 * third], &body[2 * third..]] {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let _ = stream.write_all(piece.as_bytes()).await;
                }
            }
            Step::CutShort => {
                let _ = stream.write_all(&head(200, &[], 500)).await;
                let _ = stream.write_all(b"{\"Successful\":[").await;
                return;
            }
            Step::Reset => {
                // SO_LINGER 0: close with a reset, not a FIN.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                return;
            }
            Step::Stall => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return;
            }
        }
    }
}

pub(super) fn head(status: u16, headers: &[(&str, &str)], length: usize) -> Vec<u8> {
    let mut h = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {length}\r\n"
    );
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    h.into_bytes()
}

/// Reads one request (headers and a content-length body); false when the peer closed.
pub(super) async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                buffer.drain(..end + 4 + length);
                return true;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Both clients on `endpoint`, with retries as the SDK's standard mode (1 ms initial backoff,
/// so a test does not wait) or off. A region of its own gives the SDK a fresh retry quota.
fn clients(endpoint: &str, retries: bool, region: &str) -> [QueueClient; 2] {
    let retry = if retries {
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
    } else {
        RetryConfig::disabled()
    };
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build();
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(aws_credential_types::Credentials::new(
            "a", "b", None, None, "t",
        ))
        .retry_config(retry)
        .timeout_config(timeouts)
        .build();
    let sdk = aws_sdk_sqs::Client::from_conf(config);
    let credentials = aws_credential_types::provider::SharedCredentialsProvider::new(
        aws_credential_types::Credentials::new("a", "b", None, None, "t"),
    );
    let lean = LeanClient::new(Settings {
        endpoint: endpoint.to_string(),
        region: region.to_string(),
        credentials: Some(credentials),
        retry: if retries {
            RetryPolicy::standard(3, Duration::from_millis(1))
        } else {
            RetryPolicy::disabled()
        },
        connect_timeout: Duration::from_secs(2),
        attempt_timeout: ATTEMPT_TIMEOUT,
        extra_roots: None,
    })
    .unwrap();
    [
        QueueClient {
            sdk: sdk.clone(),
            lean: None,
            count_attempts: true,
        },
        QueueClient {
            sdk,
            lean: Some(Arc::new(lean)),
            count_attempts: true,
        },
    ]
}

/// A call's end in words: what both clients must agree on.
fn verdict(result: &Result<BatchAnswer, Failure>, attempts: u32) -> String {
    let end = match result {
        Ok(a) => format!("ok {:?} failed {}", a.succeeded, a.failed),
        Err(Failure::Dispatch { timeout }) => format!("dispatch timeout={timeout}"),
        Err(Failure::Service { code, .. }) => format!("service {}", code.as_deref().unwrap_or("-")),
        Err(other) => format!("{other:?}"),
    };
    format!("{end} after {attempts}")
}

struct Server {
    endpoint: String,
    script: Script,
    task: tokio::task::JoinHandle<()>,
}

async fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let script: Script = Arc::default();
    let task = tokio::spawn(serve(listener, script.clone()));
    Server {
        endpoint,
        script,
        task,
    }
}

/// Each client makes one SendMessageBatch of two messages against `steps`.
async fn both(server: &Server, clients: &[QueueClient; 2], steps: &[Step]) -> [String; 2] {
    let messages = [
        Outgoing {
            body: "a",
            group: None,
            dedup: None,
        },
        Outgoing {
            body: "b",
            group: None,
            dedup: None,
        },
    ];
    let mut out = [String::new(), String::new()];
    for (i, client) in clients.iter().enumerate() {
        *server.script.lock().unwrap() = steps.iter().cloned().collect();
        let called = client.send_batch("http://q/1/q", &messages).await;
        out[i] = verdict(&called.result, called.attempts);
    }
    out
}

const QUERY_NONEXISTENT: &[(&str, &str)] = &[(
    "x-amzn-query-error",
    "AWS.SimpleQueueService.NonExistentQueue;Sender",
)];
const QUERY_THROTTLED: &[(&str, &str)] = &[("x-amzn-query-error", "RequestThrottled;Sender")];

fn cases_without_retries() -> Vec<(&'static str, Vec<Step>, &'static str)> {
    [answers(), service_errors(), transport_failures()].concat()
}

/// 2xx answers, whole, slow or with a failed entry.
fn answers() -> Vec<(&'static str, Vec<Step>, &'static str)> {
    use Step::*;
    vec![
        (
            "ok",
            vec![Answer(200, &[], OK_BATCH)],
            "ok [0, 1] failed 0 after 1",
        ),
        (
            "an entry failed",
            vec![Answer(
                200,
                &[],
                r#"{"Successful":[{"Id":"1","MessageId":"m","MD5OfMessageBody":"92eb5ffee6ae2fec3ad71c777531578f"}],"Failed":[{"Id":"0","SenderFault":false,"Code":"InternalError"}]}"#,
            )],
            "ok [1] failed 1 after 1",
        ),
        (
            "slow body",
            vec![Slowly(OK_BATCH)],
            "ok [0, 1] failed 0 after 1",
        ),
    ]
}

/// Error answers: each way an error code reaches a client, and bodies that say nothing.
fn service_errors() -> Vec<(&'static str, Vec<Step>, &'static str)> {
    use Step::*;
    vec![
        (
            "no such queue",
            vec![Answer(
                400,
                QUERY_NONEXISTENT,
                r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"x"}"#,
            )],
            "service AWS.SimpleQueueService.NonExistentQueue after 1",
        ),
        (
            "throttled (403, legacy code)",
            vec![Answer(
                403,
                QUERY_THROTTLED,
                r#"{"__type":"com.amazonaws.sqs#RequestThrottled"}"#,
            )],
            "service RequestThrottled after 1",
        ),
        (
            "throttled (400, shape name)",
            vec![Answer(
                400,
                &[],
                r#"{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}"#,
            )],
            "service ThrottlingException after 1",
        ),
        (
            "errortype header",
            vec![Answer(
                400,
                &[("x-amzn-errortype", "OverLimit:http://internal/")],
                r#"{"message":"x"}"#,
            )],
            "service OverLimit after 1",
        ),
        (
            "internal error",
            vec![Answer(
                500,
                &[],
                r#"{"__type":"InternalError","message":"x"}"#,
            )],
            "service InternalError after 1",
        ),
        (
            "unavailable, no body",
            vec![Answer(503, &[], "")],
            "service - after 1",
        ),
        (
            "a 2xx of malformed JSON",
            vec![Answer(200, &[], "{\"Successful\":")],
            "service - after 1",
        ),
    ]
}

/// No answer, or half of one.
fn transport_failures() -> Vec<(&'static str, Vec<Step>, &'static str)> {
    use Step::*;
    vec![
        ("body cut short", vec![CutShort], "Response after 1"),
        (
            "reset before the answer",
            vec![Reset],
            "dispatch timeout=false after 1",
        ),
        (
            "stall past the attempt timeout",
            vec![Stall],
            "Timeout after 1",
        ),
    ]
}

fn cases_with_retries() -> Vec<(&'static str, Vec<Step>, &'static str)> {
    use Step::*;
    let internal = Answer(500, &[], r#"{"__type":"InternalError"}"#);
    let throttled = Answer(
        403,
        QUERY_THROTTLED,
        r#"{"__type":"com.amazonaws.sqs#RequestThrottled"}"#,
    );
    let ok = Answer(200, &[], OK_BATCH);
    vec![
        (
            "500, 500, ok",
            vec![internal.clone(), internal.clone(), ok.clone()],
            "ok [0, 1] failed 0 after 3",
        ),
        (
            "500 three times",
            vec![internal.clone(), internal.clone(), internal.clone()],
            "service InternalError after 3",
        ),
        (
            "throttled, ok",
            vec![throttled.clone(), ok.clone()],
            "ok [0, 1] failed 0 after 2",
        ),
        (
            "no such queue: not retried",
            vec![
                Answer(
                    400,
                    QUERY_NONEXISTENT,
                    r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist"}"#,
                ),
                ok.clone(),
            ],
            "service AWS.SimpleQueueService.NonExistentQueue after 1",
        ),
        (
            "reset, ok",
            vec![Reset, ok.clone()],
            "ok [0, 1] failed 0 after 2",
        ),
        (
            "stall, ok",
            vec![Stall, ok.clone()],
            "ok [0, 1] failed 0 after 2",
        ),
        (
            "malformed: not retried",
            vec![Answer(200, &[], "{"), ok.clone()],
            "service - after 1",
        ),
        (
            "cut short, ok",
            vec![CutShort, ok.clone()],
            "ok [0, 1] failed 0 after 2",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_ends_the_same_on_both_clients_without_retries() {
    let s = server().await;
    let clients = clients(&s.endpoint, false, "parity-off");
    for (name, steps, expected) in cases_without_retries() {
        let [sdk, lean] = both(&s, &clients, &steps).await;
        assert_eq!(sdk, expected, "{name}: the SDK");
        assert_eq!(lean, expected, "{name}: the lean client");
    }
    s.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_ends_the_same_on_both_clients_with_standard_retries() {
    let s = server().await;
    let clients = clients(&s.endpoint, true, "parity-on");
    for (name, steps, expected) in cases_with_retries() {
        let [sdk, lean] = both(&s, &clients, &steps).await;
        assert_eq!(sdk, expected, "{name}: the SDK");
        assert_eq!(lean, expected, "{name}: the lean client");
    }
    s.task.abort();
}

/// The retry quota: 500 tokens, 10 per transient retry, so 25 calls that fail three times
/// each spend it, and later calls make one attempt, on both clients.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retry_quota_runs_out_after_the_same_calls() {
    let s = server().await;
    let clients = clients(&s.endpoint, true, "parity-quota");
    let unavailable = Step::Answer(503, &[], "");
    let mut attempts = [Vec::new(), Vec::new()];
    for _ in 0..28 {
        let [sdk, lean] = both(
            &s,
            &clients,
            &[
                unavailable.clone(),
                unavailable.clone(),
                unavailable.clone(),
            ],
        )
        .await;
        attempts[0].push(sdk);
        attempts[1].push(lean);
    }
    let expected: Vec<String> = (0..28)
        .map(|i| format!("service - after {}", if i < 25 { 3 } else { 1 }))
        .collect();
    assert_eq!(attempts[0], expected, "the SDK");
    assert_eq!(attempts[1], expected, "the lean client");
    s.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_a_dispatch_failure_on_both() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let s = server().await;
    for retries in [false, true] {
        let clients = clients(&endpoint, retries, &format!("parity-refused-{retries}"));
        let [sdk, lean] = both(&s, &clients, &[]).await;
        let expected = format!(
            "dispatch timeout=false after {}",
            if retries { 3 } else { 1 }
        );
        assert_eq!(sdk, expected, "the SDK");
        assert_eq!(lean, expected, "the lean client");
    }
    s.task.abort();
}

/// The intended difference: the lean client checks MD5OfMessageBody as the Java, Go and JS
/// SDKs do; the Rust SDK does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_md5_fails_only_the_lean_call() {
    let s = server().await;
    let clients = clients(&s.endpoint, false, "parity-md5");
    let wrong = r#"{"Successful":[{"Id":"0","MessageId":"m0","MD5OfMessageBody":"00000000000000000000000000000000"},{"Id":"1","MessageId":"m1","MD5OfMessageBody":"92eb5ffee6ae2fec3ad71c777531578f"}],"Failed":[]}"#;
    let [sdk, lean] = both(&s, &clients, &[Step::Answer(200, &[], wrong)]).await;
    assert_eq!(sdk, "ok [0, 1] failed 0 after 1");
    assert_eq!(lean, "Checksum after 1");
    s.task.abort();
}

/// ReceiveMessage and DeleteMessageBatch read their answers the same way on both clients.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receives_and_deletes_read_the_same_on_both_clients() {
    let s = server().await;
    let clients = clients(&s.endpoint, false, "parity-receive");
    let received = r#"{"Messages":[{"MessageId":"m","ReceiptHandle":"h","MD5OfBody":"0cc175b9c0f1b6a831c399e269772661","Body":"a","Attributes":{"ApproximateReceiveCount":"2","ApproximateFirstReceiveTimestamp":"1700000000000"}}]}"#;
    let mut seen = Vec::new();
    for client in &clients {
        *s.script.lock().unwrap() = [
            Step::Answer(200, &[], received),
            Step::Answer(200, &[], "{}"),
            Step::Answer(400, QUERY_NONEXISTENT, r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist"}"#),
            Step::Answer(200, &[], r#"{"Successful":[{"Id":"1"}],"Failed":[{"Id":"0","SenderFault":true,"Code":"ReceiptHandleIsInvalid"}]}"#),
        ]
        .into();
        let url = "http://q/1/q";
        let one = client
            .receive(url, 10, Duration::ZERO, false)
            .await
            .result
            .unwrap();
        let none = client
            .receive(url, 10, Duration::ZERO, false)
            .await
            .result
            .unwrap();
        let refused = client.receive(url, 10, Duration::ZERO, false).await;
        let deleted = client.delete_batch(url, &["h0", "h1"]).await;
        let m = &one[0];
        seen.push(format!(
            "{} {} {} {} {:?} | {} | {} | {}",
            m.message_id,
            m.receipt_handle,
            m.body,
            m.receive_count,
            m.first_receive_ms,
            none.len(),
            refused
                .result
                .err()
                .and_then(|f| f.code().map(str::to_string))
                .unwrap_or_default(),
            verdict(&deleted.result, deleted.attempts),
        ));
    }
    let expected = "m h a 2 Some(1700000000000) | 0 | AWS.SimpleQueueService.NonExistentQueue | ok [1] failed 1 after 1";
    assert_eq!(seen, [expected, expected]);
    s.task.abort();
}
