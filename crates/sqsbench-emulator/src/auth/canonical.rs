//! SigV4's arithmetic, as AWS's "Create a signed AWS API request" page lays it out: the canonical
//! request (method, URI, query, headers, signed-header list, payload hash), the string to sign,
//! the signing key derived from the secret by four HMACs, and the signature. Pure: the request's
//! parts in, hex out; knows nothing of credentials files or clocks.

use hmac::{Hmac, KeyInit, Mac};
use hyper::HeaderMap;
use sha2::{Digest, Sha256};

use super::parse::{ALGORITHM, Scope};
use crate::model::message::hex;

/// The parts of an HTTP request a signature covers.
pub(crate) struct Request<'r> {
    pub(crate) method: &'r str,
    /// The path as it came on the wire (still percent-encoded).
    pub(crate) path: &'r str,
    pub(crate) query: Option<&'r str>,
    pub(crate) headers: &'r HeaderMap,
    pub(crate) body: &'r [u8],
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// RFC 3986's unreserved characters stay; every other byte becomes `%XX` (upper-case hex).
fn encode(bytes: &[u8], keep_slash: bool, out: &mut String) {
    for &b in bytes {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The path with `.` and `..` segments removed, then encoded once more: services other than S3
/// sign the already-encoded path encoded again (the SDKs' "double encoding").
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let normalized = segments.join("/");
    let normalized = if normalized.starts_with('/') {
        normalized
    } else {
        format!("/{normalized}")
    };
    let mut out = String::with_capacity(normalized.len());
    encode(normalized.as_bytes(), true, &mut out);
    out
}

/// Every parameter but the signature itself, decoded, re-encoded strictly and sorted by name,
/// then value.
fn canonical_query(query: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let decode = |s: &str| percent_encoding::percent_decode_str(s).collect::<Vec<u8>>();
        let (name, value) = (decode(name), decode(value));
        if name == b"X-Amz-Signature" {
            continue;
        }
        let (mut n, mut v) = (String::new(), String::new());
        encode(&name, false, &mut n);
        encode(&value, false, &mut v);
        pairs.push((n, v));
    }
    pairs.sort();
    let said: Vec<String> = pairs.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
    said.join("&")
}

/// A header's values, each trimmed with inner runs of spaces made one, joined by commas.
fn header_value(headers: &HeaderMap, name: &str) -> String {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    values.join(",")
}

/// The canonical request: what both sides must agree on byte for byte.
pub(crate) fn canonical_request(
    request: &Request,
    signed_headers: &[String],
    payload_hash: &str,
) -> String {
    let mut out = String::new();
    out.push_str(request.method);
    out.push('\n');
    out.push_str(&canonical_uri(request.path));
    out.push('\n');
    out.push_str(&canonical_query(request.query));
    out.push('\n');
    for name in signed_headers {
        out.push_str(name);
        out.push(':');
        out.push_str(&header_value(request.headers, name));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(payload_hash);
    out
}

pub(crate) fn string_to_sign(amz_date: &str, scope: &Scope, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{}\n{}",
        scope.line(),
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The signature of `string_to_sign` by `secret`, for the scope's date, region and service.
pub(crate) fn signature(secret: &str, scope: &Scope, string_to_sign: &str) -> String {
    let key = hmac(format!("AWS4{secret}").as_bytes(), scope.date.as_bytes());
    let key = hmac(&key, scope.region.as_bytes());
    let key = hmac(&key, scope.service.as_bytes());
    let key = hmac(&key, b"aws4_request");
    hex(&hmac(&key, string_to_sign.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `get-vanilla-query-order-key-case` case of AWS's SigV4 test suite (AKIDEXAMPLE, the
    /// documented example secret, 20150830T123600Z, us-east-1, service "service").
    #[test]
    fn the_aws_test_suite_s_get_with_query() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "example.amazonaws.com".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        let request = Request {
            method: "GET",
            path: "/",
            query: Some("Param2=value2&Param1=value1"),
            headers: &headers,
            body: b"",
        };
        let signed = vec!["host".to_string(), "x-amz-date".to_string()];
        let canonical = canonical_request(&request, &signed, &sha256_hex(b""));
        assert_eq!(
            canonical,
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let scope = Scope {
            access_key: "AKIDEXAMPLE".into(),
            date: "20150830".into(),
            region: "us-east-1".into(),
            service: "service".into(),
        };
        let sts = string_to_sign("20150830T123600Z", &scope, &canonical);
        assert_eq!(
            signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &scope, &sts),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
    }

    #[test]
    fn paths_are_normalized_and_encoded_again() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a/./b/../c"), "/a/c");
        assert_eq!(
            canonical_uri("/000000000000/q%20x"),
            "/000000000000/q%2520x"
        );
        assert_eq!(
            canonical_query(Some("b=%20&a=x+y&X-Amz-Signature=s&c")),
            "a=x%2By&b=%20&c="
        );
    }
}
