//! Which service and protocol a request is for, decided once per request. The service comes
//! from the SigV4 credential scope when the request is signed (`…/us-east-1/sns/aws4_request`,
//! in the Authorization header or a presigned URL's `X-Amz-Credential`). Names such as
//! `TagResource` exist in more than one service, so the signature decides first. An unsigned
//! request (the embedded target does not sign) is placed by its JSON `X-Amz-Target` prefix
//! (`AmazonSQS.` for SQS, `AWSEvents.` for EventBridge), or
//! else by its query `Action`. The protocol: AWS JSON when `X-Amz-Target` is present, the query
//! protocol for a form POST or a GET with `Action=`; any other GET is one of the emulator's own
//! pages. Reads headers and the URL only; it answers nothing itself.

use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::{HeaderMap, Method, Uri};

use super::actions::Service;
use super::query;
use super::sns::SnsAction;
use super::sts::StsAction;

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Route<'r> {
    /// A GET that asks for no action: the emulator's own pages.
    Page,
    /// AWS JSON 1.0 for SQS: the operation after `AmazonSQS.`.
    SqsJson(&'r str),
    /// AWS JSON 1.1 for EventBridge: the operation after `AWSEvents.`.
    EventsJson(&'r str),
    /// Neither a query request nor an `X-Amz-Target` a service here answers.
    UnknownTarget,
    /// The query protocol; the service when the signature names it, else placed by its action
    /// once the body is read (`query_service`).
    Query(Option<Service>),
}

pub(crate) fn route<'r>(method: &Method, headers: &'r HeaderMap, uri: &'r Uri) -> Route<'r> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = signing_service(
        headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()),
        uri.query(),
    );
    let target = header("x-amz-target");
    let query = target.is_none() && query::is_query(header(CONTENT_TYPE.as_str()), uri.query());
    if query {
        return Route::Query(signed);
    }
    if method == Method::GET {
        return Route::Page;
    }
    let target = target.unwrap_or("");
    if let Some(operation) = target.strip_prefix("AmazonSQS.")
        && signed.is_none_or(|s| s == Service::Sqs)
    {
        return Route::SqsJson(operation);
    }
    if let Some(operation) = target.strip_prefix("AWSEvents.")
        && signed.is_none_or(|s| s == Service::Events)
    {
        return Route::EventsJson(operation);
    }
    Route::UnknownTarget
}

/// The service of a query request: the one its signature names, else the one whose action it
/// asks for (SQS for an action no service has, which SQS then refuses).
pub(crate) fn query_service(signed: Option<Service>, action: Option<&str>) -> Service {
    signed.unwrap_or_else(|| match action {
        Some(a) if SnsAction::from_name(a).is_some() => Service::Sns,
        Some(a) if StsAction::from_name(a).is_some() => Service::Sts,
        _ => Service::Sqs,
    })
}

/// The service a SigV4 credential scope names: `Credential=AKID/DATE/REGION/SERVICE/aws4_request`
/// in the Authorization header, or a presigned URL's `X-Amz-Credential`.
fn signing_service(authorization: Option<&str>, uri_query: Option<&str>) -> Option<Service> {
    let scope_service = |credential: &str| {
        let service = credential.split('/').nth(3)?;
        Service::from_signing_name(service)
    };
    if let Some(auth) = authorization {
        let (_, rest) = auth.split_once("Credential=")?;
        return scope_service(rest.split([',', ' ']).next()?);
    }
    let presigned = form_urlencoded::parse(uri_query?.as_bytes())
        .find(|(name, _)| name == "X-Amz-Credential")?
        .1;
    scope_service(&presigned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed(method: Method, headers: &[(&'static str, &str)], uri: &str) -> String {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        let uri: Uri = uri.parse().unwrap();
        format!("{:?}", route(&method, &map, &uri))
    }

    const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

    fn signed(service: &str) -> (&'static str, String) {
        (
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20261204/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
            ),
        )
    }

    #[test]
    fn the_signature_decides_the_service_first() {
        let (name, value) = signed("sns");
        assert_eq!(
            routed(Method::POST, &[FORM, (name, &value)], "/"),
            "Query(Some(Sns))"
        );
        let (name, value) = signed("sts");
        assert_eq!(
            routed(Method::POST, &[FORM, (name, &value)], "/"),
            "Query(Some(Sts))"
        );
        // A service this emulator does not serve leaves the decision to the action.
        let (name, value) = signed("s3");
        assert_eq!(
            routed(Method::POST, &[FORM, (name, &value)], "/"),
            "Query(None)"
        );
        assert_eq!(
            routed(
                Method::GET,
                &[],
                "/q?Action=SendMessage&X-Amz-Credential=AKID%2F20261204%2Fus-east-1%2Fsqs%2Faws4_request"
            ),
            "Query(Some(Sqs))"
        );
    }

    #[test]
    fn unsigned_requests_by_target_then_action() {
        assert_eq!(
            routed(
                Method::POST,
                &[("x-amz-target", "AmazonSQS.SendMessage")],
                "/"
            ),
            "SqsJson(\"SendMessage\")"
        );
        assert_eq!(
            routed(
                Method::POST,
                &[("x-amz-target", "AWSEvents.PutEvents")],
                "/"
            ),
            "EventsJson(\"PutEvents\")"
        );
        assert_eq!(routed(Method::POST, &[FORM], "/"), "Query(None)");
        assert_eq!(
            routed(Method::GET, &[], "/123/q?Action=ReceiveMessage"),
            "Query(None)"
        );
        assert_eq!(routed(Method::GET, &[], "/_sqsbench/injected"), "Page");
        assert_eq!(routed(Method::POST, &[], "/"), "UnknownTarget");
        assert_eq!(query_service(None, Some("Publish")), Service::Sns);
        assert_eq!(query_service(None, Some("GetCallerIdentity")), Service::Sts);
        assert_eq!(query_service(None, Some("SendMessage")), Service::Sqs);
        assert_eq!(query_service(None, Some("FooBar")), Service::Sqs);
        assert_eq!(query_service(None, None), Service::Sqs);
        assert_eq!(
            query_service(Some(Service::Sns), Some("SendMessage")),
            Service::Sns
        );
    }

    #[test]
    fn a_json_target_signed_for_another_service_is_not_sqs_s() {
        let (name, value) = signed("sns");
        assert_eq!(
            routed(
                Method::POST,
                &[("x-amz-target", "AmazonSQS.SendMessage"), (name, &value)],
                "/"
            ),
            "UnknownTarget"
        );
    }
}
