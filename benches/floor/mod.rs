//! Transport floors for the server-CPU benchmark: servers that answer the benchmark's load with
//! canned, precomputed responses and do no SQS work at all. What they cost per message is the
//! least any server on this machine's loopback TCP could cost under the same client load; one
//! speaks HTTP through hyper (the emulator's stack), one through a hand-rolled read/write loop.
//! Each runs as a process of its own (this benchmark binary re-executed), serving from one
//! thread with a single-threaded runtime like the emulator.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use md5::{Digest, Md5};
use std::convert::Infallible;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Response bodies for the operations the benchmark calls.
#[derive(Clone)]
pub struct Canned {
    create: Bytes,
    send: Bytes,
    receive: Bytes,
    delete: Bytes,
}

impl Canned {
    pub fn new(port: u16, body: &str) -> Canned {
        let md5: String = Md5::digest(body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let send: Vec<String> = (0..10)
            .map(|i| {
                format!(
                    r#"{{"Id":"m{i}","MessageId":"00000000-0000-4000-8000-00000000000{i}","MD5OfMessageBody":"{md5}"}}"#
                )
            })
            .collect();
        let receive: Vec<String> = (0..10)
            .map(|i| {
                format!(
                    r#"{{"MessageId":"00000000-0000-4000-8000-00000000000{i}","ReceiptHandle":"AQEB{i}canned","MD5OfBody":"{md5}","Body":"{body}"}}"#
                )
            })
            .collect();
        let delete: Vec<String> = (0..10).map(|i| format!(r#"{{"Id":"d{i}"}}"#)).collect();
        Canned {
            create: Bytes::from(format!(
                r#"{{"QueueUrl":"http://127.0.0.1:{port}/000000000000/bench"}}"#
            )),
            send: Bytes::from(format!(
                r#"{{"Successful":[{}],"Failed":[]}}"#,
                send.join(",")
            )),
            receive: Bytes::from(format!(r#"{{"Messages":[{}]}}"#, receive.join(","))),
            delete: Bytes::from(format!(
                r#"{{"Successful":[{}],"Failed":[]}}"#,
                delete.join(",")
            )),
        }
    }

    fn for_target(&self, target: &[u8]) -> Bytes {
        let op = target.strip_prefix(b"AmazonSQS.").unwrap_or(target);
        match op {
            b"SendMessageBatch" => self.send.clone(),
            b"ReceiveMessage" => self.receive.clone(),
            b"DeleteMessageBatch" => self.delete.clone(),
            _ => self.create.clone(),
        }
    }
}

#[derive(Clone, Copy)]
pub enum Stack {
    Hyper,
    Raw,
}

/// The environment variable that turns the benchmark binary into a floor server, so a floor
/// runs as a process of its own like `sqsbench serve` and fauxqs, measured the same way.
pub const SERVE_VAR: &str = "SQSBENCH_BENCH_FLOOR";

impl Stack {
    pub fn name(self) -> &'static str {
        match self {
            Stack::Hyper => "hyper",
            Stack::Raw => "raw",
        }
    }

    pub fn from_name(name: &str) -> Option<Stack> {
        [Stack::Hyper, Stack::Raw]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// Serves until killed: binds 127.0.0.1:0, prints the port on stdout, then answers from one
/// thread with a single-threaded runtime (the emulator's shape).
pub fn serve_forever(stack: Stack, body: &str) -> ! {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    println!("{port}");
    let canned = Canned::new(port, body);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let listener = TcpListener::from_std(listener).unwrap();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            stream.set_nodelay(true).unwrap();
            let canned = canned.clone();
            tokio::spawn(async move {
                match stack {
                    Stack::Hyper => serve_hyper(stream, canned).await,
                    Stack::Raw => serve_raw(stream, canned).await,
                }
            });
        }
    })
}

async fn serve_hyper(stream: TcpStream, canned: Canned) {
    let service = service_fn(move |request: Request<hyper::body::Incoming>| {
        let canned = canned.clone();
        async move {
            let body = canned.for_target(
                request
                    .headers()
                    .get("x-amz-target")
                    .map(|v| v.as_bytes())
                    .unwrap_or_default(),
            );
            let _ = request.into_body().collect().await;
            let mut response = Response::new(Full::new(body));
            response.headers_mut().insert(
                "content-type",
                hyper::header::HeaderValue::from_static("application/x-amz-json-1.0"),
            );
            Ok::<_, Infallible>(response)
        }
    });
    // Configured as the emulator's connections are.
    let _ = http1::Builder::new()
        .keep_alive(true)
        .writev(false)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// One read per request when the client sends it in one segment; one write per response.
async fn serve_raw(mut stream: TcpStream, canned: Canned) {
    let mut buffer: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(16 * 1024);
    loop {
        let Some((head_len, body_len, target)) = complete_request(&buffer) else {
            let mut chunk = [0u8; 16 * 1024];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
            continue;
        };
        let body = canned.for_target(&buffer[target.0..target.1]);
        buffer.drain(..head_len + body_len);
        out.clear();
        out.extend_from_slice(
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&body);
        if stream.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// (header length, body length, x-amz-target value range) once a whole request is buffered.
fn complete_request(buffer: &[u8]) -> Option<(usize, usize, (usize, usize))> {
    let end = buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut length = 0;
    let mut target = (0, 0);
    let mut at = 0;
    for line in buffer[..end].split(|&b| b == b'\n') {
        let start = at;
        at += line.len() + 1;
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = &line[..colon];
        let value = line[colon + 1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") {
            length = std::str::from_utf8(value).ok()?.parse().ok()?;
        } else if name.eq_ignore_ascii_case(b"x-amz-target") {
            let offset = start
                + colon
                + 1
                + (line[colon + 1..].len() - line[colon + 1..].trim_ascii_start().len());
            target = (offset, offset + value.len());
        }
    }
    (buffer.len() >= end + length).then_some((end, length, target))
}
