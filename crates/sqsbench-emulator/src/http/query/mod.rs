//! The query protocol, shared by every service that speaks it (SQS beside AWS JSON 1.0, SNS,
//! STS): a form-encoded POST, or a GET with `Action=` in its URL, answered in XML. Here is what
//! the services share: the parameters decoded once (`params`) and the XML, with its one writer
//! and its one `<ErrorResponse>` envelope (`xml`). Which service a request is for is the
//! router's; each service's operations read their own shapes from `Params`. Depends on the
//! error vocabulary and the service list only.

pub(crate) mod params;
pub(crate) mod xml;

pub(crate) use params::Params;

pub(crate) const XML_TYPE: &str = "text/xml";

/// Whether a request without `X-Amz-Target` speaks the query protocol.
pub(crate) fn is_query(content_type: Option<&str>, uri_query: Option<&str>) -> bool {
    content_type.is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
        || uri_query
            .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(name, _)| name == "Action"))
}
