//! Malformed requests never crash the emulator: random bytes, JSON of the wrong types and
//! shapes, unknown targets and oversized bodies all get SQS-shaped errors (JSON with `__type`
//! and `message`, the query-error header, a 4xx status), and the server keeps serving.

use std::io::{Read, Write};
use std::net::TcpStream;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use sqsbench_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

const TARGETS: &[&str] = &[
    "CreateQueue",
    "GetQueueUrl",
    "GetQueueAttributes",
    "SetQueueAttributes",
    "ListQueues",
    "DeleteQueue",
    "PurgeQueue",
    "SendMessage",
    "SendMessageBatch",
    "ReceiveMessage",
    "DeleteMessage",
    "DeleteMessageBatch",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "TagQueue",
    "UntagQueue",
    "ListQueueTags",
    "ListDeadLetterSourceQueues",
    "AddPermission",
    "RemovePermission",
    "StartMessageMoveTask",
    "CancelMessageMoveTask",
    "ListMessageMoveTasks",
    "Bogus",
];

const FIELDS: &[&str] = &[
    "QueueUrl",
    "QueueName",
    "MessageBody",
    "Entries",
    "Attributes",
    "AttributeNames",
    "MaxNumberOfMessages",
    "WaitTimeSeconds",
    "VisibilityTimeout",
    "ReceiptHandle",
    "MessageAttributes",
    "MessageGroupId",
    "MessageDeduplicationId",
    "DelaySeconds",
    "Id",
    "MaxResults",
    "NextToken",
    "Tags",
    "TagKeys",
    "MessageSystemAttributes",
    "ReceiveRequestAttemptId",
    "Label",
    "AWSAccountIds",
    "Actions",
    "SourceArn",
    "DestinationArn",
    "MaxNumberOfMessagesPerSecond",
    "TaskHandle",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::String),
        Just(json!("http://127.0.0.1/000000000000/fuzz")),
        Just(json!("http://127.0.0.1/000000000000/fuzz.fifo")),
        Just(json!("arn:aws:sqs:us-east-1:000000000000:fuzz")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    proptest::sample::select(FIELDS).prop_map(str::to_string),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        proptest::collection::vec((proptest::sample::select(FIELDS), json_value()), 1..8).prop_map(
            |kv| {
                let object: serde_json::Map<String, Value> =
                    kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                serde_json::to_vec(&Value::Object(object)).unwrap()
            }
        ),
    ]
}

/// An emulator on a runtime of its own (these tests drive raw sockets, synchronously); keep the
/// runtime alive as long as the handle.
fn served() -> (tokio::runtime::Runtime, EmulatorHandle, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let handle = runtime
        .block_on(Emulator::start(EmulatorConfig::default()))
        .unwrap();
    let addr = handle.addr().to_string();
    (runtime, handle, addr)
}

/// One raw HTTP/1.1 exchange: (status, headers, body).
fn exchange(addr: &str, target: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    exchange_with(addr, target, "", body)
}

/// The same, with extra header lines (each ending in CRLF).
fn exchange_with(addr: &str, target: &str, extra: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: {target}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP response");
    let headers = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = headers[9..12].parse().unwrap();
    (
        status,
        headers.to_ascii_lowercase(),
        raw[split + 4..].to_vec(),
    )
}

fn assert_sqs_shaped(status: u16, headers: &str, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(
        status == 200 || (400..500).contains(&status),
        "status {} for a client mistake",
        status
    );
    if status != 200 {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| TestCaseError::fail(format!("error body is not JSON: {e}")))?;
        prop_assert!(
            v["__type"].as_str().is_some_and(|t| t.contains('#')),
            "{}",
            v
        );
        prop_assert!(v["message"].is_string(), "{}", v);
        prop_assert!(headers.contains("x-amzn-query-error: "), "{}", headers);
    }
    Ok(())
}

#[test]
fn malformed_requests_get_sqs_shaped_errors() {
    let (_runtime, handle, addr) = served();
    for (target, body) in [
        ("AmazonSQS.CreateQueue", json!({"QueueName": "fuzz"})),
        (
            "AmazonSQS.CreateQueue",
            json!({"QueueName": "fuzz.fifo", "Attributes": {"FifoQueue": "true"}}),
        ),
    ] {
        assert_eq!(
            exchange(&addr, target, &serde_json::to_vec(&body).unwrap()).0,
            200
        );
    }
    let mut runner = TestRunner::new(Config {
        cases: 600,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(proptest::sample::select(TARGETS), body()),
            |(target, body)| {
                let (status, headers, response) =
                    exchange(&addr, &format!("AmazonSQS.{target}"), &body);
                assert_sqs_shaped(status, &headers, &response)
            },
        )
        .unwrap();
    // Wrong or missing target header, a body past the limit: still SQS-shaped.
    let (status, headers, body) = exchange(&addr, "Nonsense", b"{}");
    assert_eq!(status, 400);
    assert_sqs_shaped(status, &headers, &body).unwrap();
    let huge = vec![b'x'; 9 * 1024 * 1024];
    let (status, headers, body) = exchange(&addr, "AmazonSQS.SendMessage", &huge);
    assert_eq!(status, 413);
    assert_sqs_shaped(413, &headers, &body).unwrap();
    assert!(String::from_utf8_lossy(&body).contains("RequestEntityTooLarge"));
    // Still alive after all that.
    assert_eq!(exchange(&addr, "AmazonSQS.ListQueues", b"{}").0, 200);
    drop(handle);
}

/// One raw query-protocol exchange: a form-encoded POST to `path`.
fn query_exchange(addr: &str, path: &str, form: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

const QUERY_ACTIONS: &[&str] = &[
    "CreateQueue",
    "SendMessage",
    "SendMessageBatch",
    "ReceiveMessage",
    "DeleteMessageBatch",
    "GetQueueAttributes",
    "SetQueueAttributes",
    "TagQueue",
    "ListQueues",
    "NoSuchAction",
];

fn form_pair() -> impl Strategy<Value = (String, String)> {
    let names = proptest::sample::select(vec![
        "QueueName",
        "QueueUrl",
        "MessageBody",
        "DelaySeconds",
        "Attribute.1.Name",
        "Attribute.1.Value",
        "Attribute.x.Name",
        "AttributeName.1",
        "SendMessageBatchRequestEntry.1.Id",
        "SendMessageBatchRequestEntry.1.MessageBody",
        "SendMessageBatchRequestEntry.0.Id",
        "MessageAttribute.1.Name",
        "MessageAttribute.1.Value.DataType",
        "MessageAttribute.1.Value.StringValue",
        "Tag.1.Key",
        "Entries",
        "MaxNumberOfMessages",
    ]);
    (names, "[a-z0-9%&=. <>]{0,12}").prop_map(|(n, v)| (n.to_string(), v))
}

/// Query requests, good and bad: a form-encoded round trip answers XML with the body back, and
/// random parameter sets get an XML reply or an XML `ErrorResponse` with a 4xx, never a 500 or
/// a JSON body.
#[test]
fn query_requests_get_xml_answers() {
    let (_runtime, handle, addr) = served();
    let (status, created) = query_exchange(&addr, "/", "Action=CreateQueue&QueueName=q1");
    assert_eq!(status, 200, "{created}");
    assert!(
        created.contains("<CreateQueueResult><QueueUrl>http://"),
        "{created}"
    );
    let (status, sent) = query_exchange(
        &addr,
        "/000000000000/q1",
        "Action=SendMessage&MessageBody=a%26b%0D%0Ac&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v",
    );
    assert_eq!(status, 200, "{sent}");
    assert!(sent.contains("<MD5OfMessageAttributes>"), "{sent}");
    let (_, received) = query_exchange(
        &addr,
        "/000000000000/q1",
        "Action=ReceiveMessage&MessageAttributeName.1=All&AttributeName.1=All",
    );
    assert!(
        received.contains("<Body>a&amp;b&#xD;\nc</Body>"),
        "{received}"
    );
    assert!(received.contains("<MessageAttribute><Name>k</Name><Value><DataType>String</DataType><StringValue>v</StringValue></Value></MessageAttribute>"), "{received}");
    let (status, missing) = query_exchange(&addr, "/", "Action=GetQueueUrl&QueueName=nope");
    assert_eq!(status, 400);
    assert!(
        missing.contains("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"),
        "{missing}"
    );
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let request = (
        proptest::sample::select(QUERY_ACTIONS),
        proptest::collection::vec(form_pair(), 0..6),
    );
    runner
        .run(&request, |(action, pairs)| {
            let mut form = format!("Action={action}");
            for (k, v) in pairs {
                form += &format!("&{k}={v}");
            }
            let (status, body) = query_exchange(&addr, "/000000000000/q1", &form);
            prop_assert!(
                status == 200 || (400..500).contains(&status),
                "{} {}",
                status,
                body
            );
            prop_assert!(body.starts_with("<?xml"), "{}", body);
            if status != 200 {
                prop_assert!(body.contains("<ErrorResponse"), "{}", body);
            }
            Ok(())
        })
        .unwrap();
    drop(handle);
}

/// X-Amzn-Trace-Id on a send becomes the message's AWSTraceHeader system attribute, unless the
/// message sets its own; the digest of system attributes is answered only for the latter.
#[test]
fn the_trace_header_becomes_aws_trace_header() {
    let (_runtime, handle, addr) = served();
    let call = |target: &str, extra: &str, body: Value| {
        let (status, _, reply) = exchange_with(
            &addr,
            &format!("AmazonSQS.{target}"),
            extra,
            &serde_json::to_vec(&body).unwrap(),
        );
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
        serde_json::from_slice::<Value>(&reply).unwrap()
    };
    let url = call("CreateQueue", "", json!({"QueueName": "traced"}))["QueueUrl"].clone();
    let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    let sent = call(
        "SendMessage",
        &format!("X-Amzn-Trace-Id: {trace}\r\n"),
        json!({"QueueUrl": url, "MessageBody": "a"}),
    );
    assert!(sent.get("MD5OfMessageSystemAttributes").is_none(), "{sent}");
    let own = call(
        "SendMessage",
        &format!("X-Amzn-Trace-Id: {trace}\r\n"),
        json!({"QueueUrl": url, "MessageBody": "b", "MessageSystemAttributes":
            {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=own"}}}),
    );
    assert!(own["MD5OfMessageSystemAttributes"].is_string(), "{own}");
    let got = call(
        "ReceiveMessage",
        "",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "MessageSystemAttributeNames": ["AWSTraceHeader"]}),
    );
    let mut traces: Vec<(String, String)> = got["Messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["Body"].as_str().unwrap().to_string(),
                m["Attributes"]["AWSTraceHeader"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    traces.sort();
    assert_eq!(
        traces,
        vec![
            ("a".to_string(), trace.to_string()),
            ("b".to_string(), "Root=own".to_string())
        ]
    );
    drop(handle);
}

/// A raw query-protocol GET of `path_and_query`: (status, body).
fn query_get(addr: &str, path_and_query: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head =
        format!("GET {path_and_query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

/// The query protocol's own wording, and the attribute rules on this protocol too.
#[test]
fn the_query_protocol_answers_as_sqs_words_it() {
    let (_runtime, handle, addr) = served();
    let invalid = "<Type>Sender</Type><Code>InvalidAction</Code><Message>The action FooBar is not valid for this endpoint.</Message>";
    let (status, body) = query_exchange(&addr, "/", "Action=FooBar");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains(invalid), "{body}");
    let (status, body) = query_get(&addr, "/000000000000/any?Action=FooBar");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains(invalid), "{body}");

    let (status, body) = query_exchange(
        &addr,
        "/000000000000/nope",
        "Action=GetQueueAttributes&AttributeName.1=All",
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist for this wsdl version.</Message>"),
        "{body}"
    );

    let (status, body) = query_exchange(&addr, "/", "Action=CreateQueue&QueueName=plain");
    assert_eq!(status, 200, "{body}");
    let (status, body) = query_exchange(
        &addr,
        "/000000000000/plain",
        "Action=SetQueueAttributes&Attribute.1.Name=DeduplicationScope&Attribute.1.Value=queue",
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("<Code>InvalidAttributeName</Code><Message>You can specify the DeduplicationScope only when FifoQueue is set to true.</Message>"),
        "{body}"
    );

    let (status, body) = query_exchange(
        &addr,
        "/",
        "Action=CreateQueue&QueueName=q.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=True&Attribute.2.Name=ContentBasedDeduplication&Attribute.2.Value=True",
    );
    assert_eq!(status, 200, "booleans in any case: {body}");
    let (status, body) = query_exchange(
        &addr,
        "/000000000000/q.fifo",
        "Action=SetQueueAttributes&Attribute.1.Name=FifoQueue&Attribute.1.Value=false",
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("<Code>InvalidAttributeValue</Code><Message>Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.</Message>"),
        "{body}"
    );

    let attribute = |n: u32, name: &str| {
        format!(
            "&MessageAttribute.{n}.Name={name}&MessageAttribute.{n}.Value.DataType=String&MessageAttribute.{n}.Value.StringValue=v"
        )
    };
    let send = format!(
        "Action=SendMessage&MessageBody=p{}{}{}",
        attribute(1, "Hello"),
        attribute(2, "Help.Me"),
        attribute(3, "World")
    );
    let (status, body) = query_exchange(&addr, "/000000000000/plain", &send);
    assert_eq!(status, 200, "{body}");
    let (_, received) = query_exchange(
        &addr,
        "/000000000000/plain",
        "Action=ReceiveMessage&MessageAttributeName.1=Hel.*",
    );
    assert!(
        received.contains("<Name>Hello</Name>") && received.contains("<Name>Help.Me</Name>"),
        "{received}"
    );
    assert!(!received.contains("<Name>World</Name>"), "{received}");
    drop(handle);
}

/// SendMessageBatch's size rules on the query protocol: 1 MiB in all is accepted, a byte more
/// is BatchRequestTooLong for the whole batch; an entry over a limit of its own fails alone.
#[test]
fn the_query_protocol_applies_the_batch_size_limits() {
    let (_runtime, handle, addr) = served();
    let (status, body) = query_exchange(&addr, "/", "Action=CreateQueue&QueueName=sizes");
    assert_eq!(status, 200, "{body}");
    let batch = |second: usize| {
        format!(
            "Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody={}&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody={}",
            "a".repeat(524_288),
            "b".repeat(second)
        )
    };
    let (status, body) = query_exchange(&addr, "/000000000000/sizes", &batch(524_288));
    assert_eq!(status, 200, "{}", &body[..body.len().min(500)]);
    assert_eq!(
        body.matches("<SendMessageBatchResultEntry>").count(),
        2,
        "{body}"
    );
    let (status, body) = query_exchange(&addr, "/000000000000/sizes", &batch(524_289));
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("<Code>AWS.SimpleQueueService.BatchRequestTooLong</Code><Message>Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.</Message>"),
        "{body}"
    );

    let (status, body) = query_exchange(
        &addr,
        "/000000000000/sizes",
        "Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=ok&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.2.Id=late&SendMessageBatchRequestEntry.2.MessageBody=x&SendMessageBatchRequestEntry.2.DelaySeconds=901",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body.matches("<SendMessageBatchResultEntry>").count(),
        1,
        "{body}"
    );
    let failed = body
        .split("<BatchResultErrorEntry>")
        .nth(1)
        .expect("one failed entry");
    for part in [
        "<Id>late</Id>",
        "<SenderFault>true</SenderFault>",
        "<Code>InvalidParameterValue</Code>",
    ] {
        assert!(failed.contains(part), "{part} in {body}");
    }
    drop(handle);
}
