//! A request's SigV4 fields as the client sent them: from the `Authorization` header
//! (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`) or from a presigned URL's
//! `X-Amz-*` query parameters. Reads text only; what the fields are checked against is
//! `verify`'s. Every field is bounded by the request's own size.

/// The one algorithm SigV4 names.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// `AKID/YYYYMMDD/REGION/SERVICE/aws4_request`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub(crate) access_key: String,
    pub(crate) date: String,
    pub(crate) region: String,
    pub(crate) service: String,
}

impl Scope {
    fn parse(credential: &str) -> Option<Scope> {
        let mut parts = credential.split('/');
        let scope = Scope {
            access_key: parts.next()?.to_string(),
            date: parts.next()?.to_string(),
            region: parts.next()?.to_string(),
            service: parts.next()?.to_string(),
        };
        (parts.next()? == "aws4_request" && parts.next().is_none()).then_some(scope)
    }

    /// The scope line of the string to sign (without the key).
    pub(crate) fn line(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// What a signed request says of its own signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claimed {
    pub(crate) scope: Scope,
    /// Lower-case header names, in the order the client listed them.
    pub(crate) signed_headers: Vec<String>,
    /// Hex, as sent.
    pub(crate) signature: String,
    /// Presigned only: `X-Amz-Date`, `X-Amz-Expires` (seconds) and `X-Amz-Security-Token`; a
    /// header-signed request carries these as headers.
    pub(crate) presigned: Option<Presigned>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Presigned {
    pub(crate) date: String,
    pub(crate) expires: u64,
    pub(crate) token: Option<String>,
}

/// Why a request's SigV4 fields cannot be read: AWS's `IncompleteSignature` wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Incomplete(pub(crate) String);

/// The `Authorization` header's fields. The parameters are comma-separated, in any order, with
/// optional spaces, as AWS accepts them.
pub(crate) fn authorization(header: &str) -> Result<Claimed, Incomplete> {
    let rest = header
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            Incomplete(format!(
                "Authorization header requires the algorithm {ALGORITHM}, followed by a space."
            ))
        })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let Some((name, value)) = part.trim().split_once('=') else {
            continue;
        };
        match name {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed = Some(value),
            "Signature" => signature = Some(value),
            _ => {}
        }
    }
    claimed(credential, signed, signature, None, "Authorization header")
}

/// A presigned URL's fields, or `None` when the query string carries no `X-Amz-Algorithm` or
/// `X-Amz-Credential` (the request is not presigned at all).
pub(crate) fn presigned(query: &str) -> Option<Result<Claimed, Incomplete>> {
    let mut fields: [Option<String>; 7] = Default::default();
    const NAMES: [&str; 7] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-Security-Token",
    ];
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if let Some(i) = NAMES.iter().position(|n| *n == name) {
            fields[i] = Some(value.into_owned());
        }
    }
    let [
        algorithm,
        credential,
        signed,
        signature,
        date,
        expires,
        token,
    ] = fields;
    if algorithm.is_none() && credential.is_none() {
        return None;
    }
    Some(presigned_fields(
        algorithm, credential, signed, signature, date, expires, token,
    ))
}

fn presigned_fields(
    algorithm: Option<String>,
    credential: Option<String>,
    signed: Option<String>,
    signature: Option<String>,
    date: Option<String>,
    expires: Option<String>,
    token: Option<String>,
) -> Result<Claimed, Incomplete> {
    if algorithm.as_deref() != Some(ALGORITHM) {
        return Err(Incomplete(format!(
            "X-Amz-Algorithm only supports \"{ALGORITHM}\"."
        )));
    }
    let missing = |name: &str| {
        Incomplete(format!(
            "AWS query-string parameters must include '{name}'. Re-examine the query-string parameters."
        ))
    };
    let date = date.ok_or_else(|| missing("X-Amz-Date"))?;
    let expires = expires.ok_or_else(|| missing("X-Amz-Expires"))?;
    let expires = expires
        .parse::<u64>()
        .ok()
        .filter(|s| *s <= 604_800)
        .ok_or_else(|| {
            Incomplete("X-Amz-Expires must be a whole number of seconds from 0 to 604800.".into())
        })?;
    let presigned = Presigned {
        date,
        expires,
        token,
    };
    claimed(
        credential.as_deref(),
        signed.as_deref(),
        signature.as_deref(),
        Some(presigned),
        "AWS query-string parameters",
    )
}

fn claimed(
    credential: Option<&str>,
    signed: Option<&str>,
    signature: Option<&str>,
    presigned: Option<Presigned>,
    whose: &str,
) -> Result<Claimed, Incomplete> {
    let require = |value: Option<&str>, name: &str| {
        value
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| Incomplete(format!("{whose} requires '{name}' parameter.")))
    };
    let credential = require(credential, "Credential")?;
    let signed = require(signed, "SignedHeaders")?;
    let signature = require(signature, "Signature")?;
    let scope = Scope::parse(&credential).ok_or_else(|| {
        Incomplete(format!(
            "Credential should be scoped to a valid region, a service and 'aws4_request', as AKID/YYYYMMDD/REGION/SERVICE/aws4_request: '{credential}'."
        ))
    })?;
    Ok(Claimed {
        scope,
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature,
        presigned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_header_in_any_order_and_spacing() {
        let c = authorization(
            "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date,Signature=abc12, Credential=AKID/20150830/us-east-1/sqs/aws4_request",
        )
        .unwrap();
        assert_eq!(c.scope.access_key, "AKID");
        assert_eq!(c.scope.line(), "20150830/us-east-1/sqs/aws4_request");
        assert_eq!(c.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(c.signature, "abc12");
        assert_eq!(c.presigned, None);
    }

    #[test]
    fn incomplete_headers_are_named() {
        for (header, says) in [
            ("Bearer x", "algorithm"),
            (
                "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=a",
                "'Credential'",
            ),
            (
                "AWS4-HMAC-SHA256 Credential=A/1/r/s/aws4_request, Signature=a",
                "'SignedHeaders'",
            ),
            (
                "AWS4-HMAC-SHA256 Credential=A/1/r/s/aws4_request, SignedHeaders=host",
                "'Signature'",
            ),
            (
                "AWS4-HMAC-SHA256 Credential=A/1/r/aws4_request, SignedHeaders=host, Signature=a",
                "scoped",
            ),
            (
                "AWS4-HMAC-SHA256 Credential=A/1/r/s/aws4_request/x, SignedHeaders=host, Signature=a",
                "scoped",
            ),
        ] {
            let Incomplete(message) = authorization(header).unwrap_err();
            assert!(message.contains(says), "{header}: {message}");
        }
    }

    #[test]
    fn a_presigned_query_or_none() {
        assert_eq!(presigned("Action=SendMessage&MessageBody=x"), None);
        let c = presigned("Action=GetQueueUrl&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261205%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Date=20261205T120000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=ff&X-Amz-Security-Token=tok")
            .unwrap()
            .unwrap();
        assert_eq!(c.scope.service, "sqs");
        assert_eq!(
            c.presigned,
            Some(Presigned {
                date: "20261205T120000Z".into(),
                expires: 300,
                token: Some("tok".into())
            })
        );
        let Incomplete(m) = presigned("X-Amz-Credential=a").unwrap().unwrap_err();
        assert!(m.contains("X-Amz-Algorithm"), "{m}");
        let Incomplete(m) =
            presigned("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=1&X-Amz-Expires=604801")
                .unwrap()
                .unwrap_err();
        assert!(m.contains("604800"), "{m}");
    }
}
