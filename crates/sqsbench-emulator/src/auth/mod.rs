//! `serve --auth sigv4`: every request's SigV4 checked against the keys of a credentials file,
//! and refused as AWS refuses it (`MissingAuthenticationToken`, `IncompleteSignature`,
//! `InvalidClientTokenId`, `SignatureDoesNotMatch`, `RequestExpired`). Both places a signature
//! can be are read: the `Authorization` header (either protocol) and a presigned URL's query
//! string. Pure: the request's parts and the time are passed in; the wire layer decides which
//! service's envelope carries a refusal. Depends on `error`'s code table and the crate's hex.

pub(crate) mod canonical;
pub(crate) mod credentials;
pub(crate) mod parse;

use std::time::{Duration, SystemTime};

pub use credentials::Credentials;

use crate::error::{AuthCode, Error};
use canonical::Request;
use parse::{Claimed, Incomplete};

pub(crate) type AuthError = Error<AuthCode>;

/// How far a request's time may be from the server's, either way (AWS: 15 minutes).
const SKEW: Duration = Duration::from_secs(15 * 60);

/// The signing service the request names, when its signature holds.
pub(crate) fn verify(
    keys: &Credentials,
    request: &Request,
    now: SystemTime,
) -> Result<String, AuthError> {
    let header = request
        .headers
        .get(hyper::header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let claimed = match (&header, request.query.and_then(parse::presigned)) {
        (Some(header), _) => parse::authorization(header),
        (None, Some(presigned)) => presigned,
        (None, None) => {
            return Err(Error::new(
                AuthCode::MissingAuthenticationToken,
                "Request is missing Authentication Token",
            ));
        }
    }
    .map_err(|Incomplete(m)| Error::new(AuthCode::IncompleteSignature, m))?;
    let secret = keys.keys.get(&claimed.scope.access_key).ok_or_else(|| {
        Error::new(
            AuthCode::InvalidClientTokenId,
            "The security token included in the request is invalid.",
        )
    })?;
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let (amz_date, token) = match &claimed.presigned {
        Some(p) => (Some(p.date.clone()), p.token.clone()),
        None => (header("x-amz-date"), header("x-amz-security-token")),
    };
    if token != secret.session_token {
        return Err(Error::new(
            AuthCode::InvalidClientTokenId,
            "The security token included in the request is invalid.",
        ));
    }
    let amz_date = amz_date.ok_or_else(|| {
        Error::new(
            AuthCode::IncompleteSignature,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    let signed_at = basic_time(&amz_date).ok_or_else(|| {
        Error::new(
            AuthCode::IncompleteSignature,
            format!("X-Amz-Date must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z': '{amz_date}'."),
        )
    })?;
    check_time(&claimed, &amz_date, signed_at, now)?;
    let payload_hash =
        header("x-amz-content-sha256").unwrap_or_else(|| canonical::sha256_hex(request.body));
    let canonical = canonical::canonical_request(request, &claimed.signed_headers, &payload_hash);
    let to_sign = canonical::string_to_sign(&amz_date, &claimed.scope, &canonical);
    let expected = canonical::signature(&secret.secret, &claimed.scope, &to_sign);
    if !same(expected.as_bytes(), claimed.signature.as_bytes()) {
        return Err(Error::new(
            AuthCode::SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(claimed.scope.service)
}

/// The scope's date is the request's, and the request is within the skew (and a presigned
/// URL within its expiry).
fn check_time(
    claimed: &Claimed,
    amz_date: &str,
    signed_at: SystemTime,
    now: SystemTime,
) -> Result<(), AuthError> {
    if !amz_date.starts_with(&claimed.scope.date) {
        return Err(Error::new(
            AuthCode::SignatureDoesNotMatch,
            format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
                claimed.scope.date,
                &amz_date[..amz_date.len().min(8)]
            ),
        ));
    }
    let expired = |message: String| Err(Error::new(AuthCode::RequestExpired, message));
    if let Some(p) = &claimed.presigned {
        if now > signed_at + Duration::from_secs(p.expires) {
            return expired("Request has expired".into());
        }
        if signed_at > now + SKEW {
            return expired(format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
                basic(now + SKEW),
                basic(now)
            ));
        }
        return Ok(());
    }
    if signed_at + SKEW < now {
        return expired(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
            basic(now - SKEW),
            basic(now)
        ));
    }
    if signed_at > now + SKEW {
        return expired(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
            basic(now + SKEW),
            basic(now)
        ));
    }
    Ok(())
}

/// Equal in time that does not depend on where they first differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `20261205T120000Z` → a time.
fn basic_time(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    if !b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit) {
        return None;
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &text[0..4],
        &text[4..6],
        &text[6..8],
        &text[9..11],
        &text[11..13],
        &text[13..15]
    );
    humantime::parse_rfc3339(&rfc3339).ok()
}

/// A time → `20261205T120000Z`.
fn basic(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t)
        .to_string()
        .replace(['-', ':'], "")
}

#[cfg(test)]
mod tests;
