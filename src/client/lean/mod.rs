//! The lean client: SendMessage(Batch), ReceiveMessage and DeleteMessage(Batch) straight on
//! hyper, at a fraction of aws-sdk-sqs's CPU per call (`cargo bench --bench harness`), so a
//! run measures the target rather than its own client. It speaks SQS's JSON protocol on
//! HTTP/1.1 keep-alive connections each call drives itself (`conn`; rustls on aws-lc-rs for
//! https), signs SigV4 itself (`sign`, proven equal to aws-sigv4), reads errors as the SDK
//! reads them (`failure`), retries as the SDK's standard mode does (`retry`), and checks SQS's
//! MD5 digests (`digest`). Control-plane calls stay on the SDK.
//! Depends on the recorder's `Outcome` (through `failure`) only; never on workloads.

mod conn;
mod digest;
mod failure;
mod retry;
mod sign;
pub(crate) mod wire;

#[cfg(test)]
mod parity;

use std::time::Duration;

use aws_credential_types::provider::SharedCredentialsProvider;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, HeaderName};
use http::{HeaderValue, Method, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) use failure::Failure;
use retry::Next;
pub(crate) use retry::RetryPolicy;
use sign::Signer;
use wire::{DeleteBatch, DeleteEntry, DeleteOne, Receive, SendBatch, SendEntry, SendOne};

/// The result of one call, with the HTTP attempts it took.
pub(crate) struct Call<T> {
    pub result: Result<T, Failure>,
    pub attempts: u32,
}

/// A batch call's answer: the entries that succeeded (by their place in the request) and how
/// many failed.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct BatchAnswer {
    pub succeeded: Vec<usize>,
    pub failed: usize,
}

pub(crate) struct Settings {
    /// The service endpoint (the SDK's resolved one): every call is a POST to it.
    pub endpoint: String,
    pub region: String,
    /// `None` leaves requests unsigned (the embedded emulator checks no signature).
    pub credentials: Option<SharedCredentialsProvider>,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    pub attempt_timeout: Duration,
    /// Certificates trusted besides the system's (`AWS_CA_BUNDLE`), PEM.
    pub extra_roots: Option<Vec<u8>>,
}

pub(crate) struct LeanClient {
    connections: conn::Connections,
    endpoint: Uri,
    /// The request target: the endpoint's path, in origin form.
    path: Uri,
    host: HeaderValue,
    signer: Option<Signer>,
    retry: RetryPolicy,
    attempt_timeout: Duration,
    /// The state of the retry waits' jitter (splitmix64): only failures draw from it.
    jitter: AtomicU64,
}

impl std::fmt::Debug for LeanClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LeanClient({})", self.endpoint)
    }
}

const JSON_1_0: HeaderValue = HeaderValue::from_static(sign::CONTENT_TYPE);
const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");

impl LeanClient {
    pub(crate) fn new(s: Settings) -> anyhow::Result<LeanClient> {
        let endpoint: Uri = s
            .endpoint
            .parse()
            .map_err(|e| anyhow::anyhow!("endpoint {}: {e}", s.endpoint))?;
        let authority = endpoint
            .authority()
            .ok_or_else(|| anyhow::anyhow!("endpoint {} has no host", s.endpoint))?;
        let host = HeaderValue::from_str(authority.as_str())?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(s.connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config(s.extra_roots.as_deref())?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let signer = match s.credentials {
            Some(c) => Some(
                Signer::new(s.region, &endpoint, c)
                    .map_err(|e| anyhow::anyhow!("endpoint {}: {e}", s.endpoint))?,
            ),
            None => None,
        };
        let path = endpoint
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse()?;
        Ok(LeanClient {
            connections: conn::Connections::new(https, endpoint.clone()),
            endpoint,
            path,
            host,
            signer,
            retry: s.retry,
            attempt_timeout: s.attempt_timeout,
            jitter: AtomicU64::new(0x5eed_1ea4),
        })
    }

    pub(crate) async fn send_batch(
        &self,
        url: &str,
        entries: &[SendEntry<'_>],
    ) -> Call<BatchAnswer> {
        let size: usize = entries.iter().map(|e| e.message_body.len() + 96).sum();
        let mut body = Vec::with_capacity(size + url.len() + 32);
        SendBatch {
            queue_url: url,
            entries,
        }
        .write_json(&mut body);
        let body = Bytes::from(body);
        self.call("AmazonSQS.SendMessageBatch", body, |bytes| {
            let out: wire::BatchResult<wire::SendResultEntry<'_>> = parse(bytes)?;
            let mut answer = BatchAnswer {
                succeeded: Vec::with_capacity(out.successful.len()),
                failed: out.failed.len(),
            };
            for ok in &out.successful {
                let Some(i) = entries.iter().position(|e| e.id == ok.id) else {
                    continue;
                };
                let body = entries[i].message_body;
                if !digest::matches(ok.md5_of_message_body.as_deref(), || digest::of_body(body)) {
                    return Err(Failure::Checksum);
                }
                answer.succeeded.push(i);
            }
            Ok(answer)
        })
        .await
    }

    pub(crate) async fn send_one(&self, url: &str, entry: wire::SendOneFields<'_>) -> Call<()> {
        let message = entry.message_body;
        let body = json(
            &SendOne {
                queue_url: url,
                entry,
            },
            message.len() + url.len() + 96,
        );
        self.call("AmazonSQS.SendMessage", body, |bytes| {
            let out: wire::SendOneResult<'_> = parse(bytes)?;
            match digest::matches(out.md5_of_message_body.as_deref(), || {
                digest::of_body(message)
            }) {
                true => Ok(()),
                false => Err(Failure::Checksum),
            }
        })
        .await
    }

    pub(crate) async fn receive(
        &self,
        url: &str,
        max: u32,
        wait_seconds: u32,
        attribute_names: &[&str],
    ) -> Call<Vec<wire::ReceivedMessage>> {
        let request = Receive {
            queue_url: url,
            max_number_of_messages: max,
            wait_time_seconds: wait_seconds,
            message_system_attribute_names: attribute_names,
        };
        let body = json(&request, url.len() + 160);
        self.call("AmazonSQS.ReceiveMessage", body, |bytes| {
            let out: wire::ReceiveResult = parse(bytes)?;
            match out.messages.iter().all(digest::message_intact) {
                true => Ok(out.messages),
                false => Err(Failure::Checksum),
            }
        })
        .await
    }

    pub(crate) async fn delete_batch(
        &self,
        url: &str,
        entries: &[DeleteEntry<'_>],
    ) -> Call<BatchAnswer> {
        let size: usize = entries.iter().map(|e| e.receipt_handle.len() + 40).sum();
        let body = json(
            &DeleteBatch {
                queue_url: url,
                entries,
            },
            size + url.len(),
        );
        self.call("AmazonSQS.DeleteMessageBatch", body, |bytes| {
            let out: wire::BatchResult<wire::DeleteResultEntry<'_>> = parse(bytes)?;
            Ok(BatchAnswer {
                succeeded: out
                    .successful
                    .iter()
                    .filter_map(|ok| entries.iter().position(|e| e.id == ok.id))
                    .collect(),
                failed: out.failed.len(),
            })
        })
        .await
    }

    pub(crate) async fn delete_one(&self, url: &str, receipt_handle: &str) -> Call<()> {
        let request = DeleteOne {
            queue_url: url,
            receipt_handle,
        };
        let body = json(&request, url.len() + receipt_handle.len() + 48);
        self.call("AmazonSQS.DeleteMessage", body, |_| Ok(())).await
    }

    /// One call: attempts until one succeeds or the retry policy gives up.
    async fn call<T>(
        &self,
        target: &'static str,
        body: Bytes,
        read: impl Fn(&[u8]) -> Result<T, Failure>,
    ) -> Call<T> {
        let mut attempts = 0;
        let mut last_cost = None;
        loop {
            attempts += 1;
            let answer = tokio::time::timeout(self.attempt_timeout, self.attempt(target, &body));
            let result = match answer.await {
                Err(_elapsed) => Err(Failure::Timeout),
                Ok(Err(failure)) => Err(failure),
                Ok(Ok(bytes)) => read(&bytes),
            };
            let failure = match result {
                Ok(value) => {
                    self.retry.succeeded(last_cost);
                    return Call {
                        result: Ok(value),
                        attempts,
                    };
                }
                Err(failure) => failure,
            };
            let jitter = self.jitter();
            match self.retry.after_failure(attempts, &failure, jitter) {
                Next::GiveUp => {
                    return Call {
                        result: Err(failure),
                        attempts,
                    };
                }
                Next::RetryAfter(wait, cost) => {
                    last_cost = Some(cost);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// A draw in [0, 1) for a retry's wait.
    fn jitter(&self) -> f64 {
        let mut z = self
            .jitter
            .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as f64 / (u64::MAX as f64 + 1.0)
    }

    /// One HTTP exchange: the 2xx body, or why there is none.
    async fn attempt(&self, target: &'static str, body: &Bytes) -> Result<Bytes, Failure> {
        let mut request = http::Request::new(Full::new(body.clone()));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.path.clone();
        let headers = request.headers_mut();
        headers.reserve(6);
        headers.insert(HOST, self.host.clone());
        headers.insert(CONTENT_TYPE, JSON_1_0);
        headers.insert(X_AMZ_TARGET, HeaderValue::from_static(target));
        if let Some(signer) = &self.signer {
            signer
                .sign(headers, target, body)
                .await
                .map_err(Failure::Construction)?;
        }
        let (parts, bytes) = self.connections.exchange(request).await?;
        if parts.status.is_success() {
            Ok(bytes)
        } else {
            Err(Failure::service(
                parts.status.as_u16(),
                &parts.headers,
                &bytes,
            ))
        }
    }
}

fn json(value: &impl serde::Serialize, capacity: usize) -> Bytes {
    let mut out = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut out, value).expect("the request types always serialize");
    Bytes::from(out)
}

/// A 2xx body. One that does not parse ends as the SDK ends it: an unhandled service error
/// with no code, not retried.
fn parse<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Failure> {
    serde_json::from_slice(bytes).map_err(|_| Failure::Service {
        status: 200,
        code: None,
        retry_after: None,
    })
}

/// The system's roots and any extra PEM certificates, on the aws-lc-rs provider.
pub(super) fn tls_config(extra: Option<&[u8]>) -> anyhow::Result<rustls::ClientConfig> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(pem) = extra {
        for cert in CertificateDer::pem_slice_iter(pem) {
            roots.add(cert?)?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    // hyper-rustls sets ALPN itself (http/1.1 only, `enable_http1`).
    Ok(config)
}
