//! SigV4 for the lean client's fixed-shape requests (a POST of JSON with `content-type`, `host`
//! and `x-amz-target`), over credentials from the SDK config's provider chain, cached here and
//! refreshed a minute before they expire (the SDK's identity cache lives inside its
//! orchestrator, so it cannot serve these calls).
//!
//! Written here rather than calling aws-sigv4 because of a measurement: in a perf profile of
//! `client = "lean"` against `sqsbench serve` (256 B, batches of 10), aws-sigv4's `sign` was
//! 15% of the client's CPU — a canonical request built through `fmt`, a dozen `String`s and a
//! fresh four-HMAC signing key per call. Here the signing key is derived once a day, the date
//! stamp once a second, and the canonical request and string to sign are streamed into their
//! hashes without being built. The tests prove every signature equal to aws-sigv4's.
//!
//! The cached key is read on every call without a lock (`ArcSwap`); only a credentials refresh
//! takes one. Depends on aws-credential-types, sha2 and hmac, nothing of the run.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwapOption;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use hmac::{Hmac, KeyInit, Mac};
use http::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use sha2::{Digest, Sha256};

/// Refresh this long before the credentials expire, so no call is signed with stale ones.
const REFRESH_BEFORE: Duration = Duration::from_secs(60);
const SECONDS_PER_DAY: u64 = 86_400;
const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");
/// The content type every lean request carries (and signs).
pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

pub(crate) struct Signer {
    region: String,
    /// The `host` header's value, signed as sent.
    host: String,
    /// The endpoint's path, already canonical (see [`Signer::new`]).
    path: String,
    provider: SharedCredentialsProvider,
    current: ArcSwapOption<Keyed>,
    refreshing: tokio::sync::Mutex<()>,
}

/// What signing within one second needs: the credentials, their signing key for the day, and
/// the date stamps.
struct Keyed {
    credentials: Credentials,
    second: u64,
    /// `20261206T001500Z`
    amz_date: HeaderValue,
    /// `AKID/20261206/us-east-1/sqs/aws4_request`
    credential: String,
    /// Where the scope (`20261206/us-east-1/sqs/aws4_request`) starts in `credential`.
    scope_start: usize,
    /// HMAC keyed with the day's signing key; cloned per signature.
    key: Hmac<Sha256>,
    token: Option<HeaderValue>,
}

impl Signer {
    /// A signer for POSTs to `host` + `path`. Only a path of RFC 3986 unreserved characters and
    /// `/`, with no `.`, `..` or empty segment and no query, is accepted: SigV4 would normalize and
    /// re-encode anything else, and no SQS endpoint needs it.
    pub(crate) fn new(
        region: String,
        uri: &http::Uri,
        provider: SharedCredentialsProvider,
    ) -> Result<Signer, String> {
        let host = uri.authority().ok_or("has no host")?.as_str();
        let path = uri.path();
        let plain = path.bytes().all(|b| unreserved(b) || b == b'/')
            && path.split('/').all(|s| s != "." && s != "..")
            && !path.contains("//")
            && uri.query().is_none();
        if !plain {
            return Err(
                "the lean client signs only endpoints whose path is plain (letters, \
                 digits, `-._~/`) with no query: set [target] client = \"sdk\""
                    .to_string(),
            );
        }
        Ok(Signer {
            region,
            host: host.to_string(),
            path: if path.is_empty() { "/" } else { path }.to_string(),
            provider,
            current: ArcSwapOption::empty(),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    /// Adds `x-amz-date`, `x-amz-security-token` (with temporary credentials) and
    /// `authorization` to a request of `target` carrying `body`.
    pub(crate) async fn sign(
        &self,
        headers: &mut HeaderMap,
        target: &str,
        body: &[u8],
    ) -> Result<(), String> {
        let keyed = self.keyed(SystemTime::now()).await?;
        let authorization = self.authorization(&keyed, target, body);
        headers.insert(X_AMZ_DATE, keyed.amz_date.clone());
        if let Some(token) = &keyed.token {
            headers.insert(X_AMZ_SECURITY_TOKEN, token.clone());
        }
        let value = HeaderValue::try_from(authorization).map_err(|e| e.to_string())?;
        headers.insert(AUTHORIZATION, value);
        Ok(())
    }

    /// The `authorization` header's value: the canonical request and the string to sign are
    /// streamed into their hashes, never built.
    fn authorization(&self, keyed: &Keyed, target: &str, body: &[u8]) -> String {
        let date = keyed.amz_date.as_bytes();
        let signed_headers = match keyed.token {
            Some(_) => "content-type;host;x-amz-date;x-amz-security-token;x-amz-target",
            None => "content-type;host;x-amz-date;x-amz-target",
        };
        let mut request = Sha256::new();
        for part in [
            b"POST\n" as &[u8],
            self.path.as_bytes(),
            b"\n\ncontent-type:",
        ] {
            request.update(part);
        }
        for part in [CONTENT_TYPE.as_bytes(), b"\nhost:", self.host.as_bytes()] {
            request.update(part);
        }
        for part in [b"\nx-amz-date:" as &[u8], date, b"\n"] {
            request.update(part);
        }
        if let Some(token) = &keyed.token {
            for part in [b"x-amz-security-token:" as &[u8], token.as_bytes(), b"\n"] {
                request.update(part);
            }
        }
        for part in [b"x-amz-target:", target.as_bytes(), b"\n\n"] {
            request.update(part);
        }
        request.update(signed_headers.as_bytes());
        request.update(b"\n");
        request.update(hex(&Sha256::digest(body)));

        let mut to_sign = keyed.key.clone();
        for part in [b"AWS4-HMAC-SHA256\n" as &[u8], date, b"\n"] {
            to_sign.update(part);
        }
        to_sign.update(&keyed.credential.as_bytes()[keyed.scope_start..]);
        to_sign.update(b"\n");
        to_sign.update(&hex(&request.finalize()));
        let signature = hex(&to_sign.finalize().into_bytes());

        let mut out = String::with_capacity(200 + keyed.credential.len());
        out.push_str("AWS4-HMAC-SHA256 Credential=");
        out.push_str(&keyed.credential);
        out.push_str(", SignedHeaders=");
        out.push_str(signed_headers);
        out.push_str(", Signature=");
        out.push_str(std::str::from_utf8(&signature).expect("hex is ASCII"));
        out
    }

    /// This second's key: the cached one, one re-stamped for a new second (re-keyed for a new
    /// day), or one of freshly provided credentials.
    async fn keyed(&self, now: SystemTime) -> Result<Arc<Keyed>, String> {
        let second = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        if let Some(keyed) = self.reusable(now, second) {
            return Ok(keyed);
        }
        let _one_refresh = self.refreshing.lock().await;
        if let Some(keyed) = self.reusable(now, second) {
            return Ok(keyed);
        }
        let credentials = self
            .provider
            .provide_credentials()
            .await
            .map_err(|e| format!("credentials: {e}"))?;
        let keyed = Arc::new(Keyed::new(credentials, second, &self.region));
        self.current.store(Some(keyed.clone()));
        Ok(keyed)
    }

    fn reusable(&self, now: SystemTime, second: u64) -> Option<Arc<Keyed>> {
        let keyed = self
            .current
            .load_full()
            .filter(|k| fresh(&k.credentials, now))?;
        if keyed.second == second {
            return Some(keyed);
        }
        let next = Arc::new(keyed.at(second, &self.region));
        self.current.store(Some(next.clone()));
        Some(next)
    }
}

impl Keyed {
    fn new(credentials: Credentials, second: u64, region: &str) -> Keyed {
        let amz_date = amz_date(second);
        let key = signing_key(credentials.secret_access_key(), &amz_date[..8], region);
        Keyed::with_key(credentials, second, amz_date, key, region)
    }

    /// The same credentials at another second: the key is derived again only on a new day.
    fn at(&self, second: u64, region: &str) -> Keyed {
        if second / SECONDS_PER_DAY != self.second / SECONDS_PER_DAY {
            return Keyed::new(self.credentials.clone(), second, region);
        }
        let amz_date = amz_date(second);
        Keyed::with_key(
            self.credentials.clone(),
            second,
            amz_date,
            self.key.clone(),
            region,
        )
    }

    fn with_key(
        credentials: Credentials,
        second: u64,
        amz_date: String,
        key: Hmac<Sha256>,
        region: &str,
    ) -> Keyed {
        let credential = format!(
            "{}/{}/{region}/sqs/aws4_request",
            credentials.access_key_id(),
            &amz_date[..8]
        );
        let token = credentials
            .session_token()
            .and_then(|t| HeaderValue::from_str(t).ok());
        Keyed {
            amz_date: HeaderValue::from_str(&amz_date).expect("a date stamp is ASCII"),
            scope_start: credentials.access_key_id().len() + 1,
            credentials,
            second,
            credential,
            key,
            token,
        }
    }
}

/// `YYYYMMDDTHHMMSSZ`, UTC.
fn amz_date(second: u64) -> String {
    let time = UNIX_EPOCH + Duration::from_secs(second);
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .replace(['-', ':'], "")
}

/// The four HMACs from the secret to the day's key for SQS in `region`, as an HMAC keyed
/// with it.
fn signing_key(secret: &str, day: &str, region: &str) -> Hmac<Sha256> {
    let mut key = hmac_of(format!("AWS4{secret}").as_bytes(), day.as_bytes());
    for part in [region.as_bytes(), b"sqs", b"aws4_request"] {
        key = hmac_of(&key, part);
    }
    Hmac::new_from_slice(&key).expect("HMAC takes a key of any length")
}

fn hmac_of(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in bytes.iter().take(32).enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 0xf)];
    }
    out
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn fresh(credentials: &Credentials, now: SystemTime) -> bool {
    credentials
        .expiry()
        .is_none_or(|at| now + REFRESH_BEFORE < at)
}

#[cfg(test)]
mod tests;
