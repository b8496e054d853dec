//! The SQS query protocol beside AWS JSON 1.0 on the same port: a form-encoded POST (or a GET
//! with `Action=`) without `X-Amz-Target`, as older SDKs and SNS speak it (SNS's actions are
//! handed to `sns`). A request's
//! parameters become the JSON body of the same request (`request`), go through the same
//! operations, and the JSON reply becomes the query API's XML (`response`). Selected per
//! request, only when the JSON protocol's header is absent, so the JSON path is unchanged.

pub(crate) mod request;
pub(crate) mod response;

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

use super::op::{Action, Op};
use super::ops;
use crate::broker::Broker;
use crate::error::{ErrorCode, SqsError, SqsResult};

pub(crate) const XML_TYPE: &str = "text/xml";

/// Whether a request without `X-Amz-Target` speaks the query protocol.
pub(crate) fn is_query(content_type: Option<&str>, uri_query: Option<&str>) -> bool {
    content_type.is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
        || uri_query
            .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(name, _)| name == "Action"))
}

/// Where a query request came from: its host (for queue URLs), the path it was sent to (a
/// queue's URL path names the queue when `QueueUrl` is absent) and its URL query string.
pub(crate) struct QueryRequest<'r> {
    pub(crate) host: &'r str,
    pub(crate) path: &'r str,
    pub(crate) uri_query: Option<&'r str>,
    pub(crate) trace: Option<&'r str>,
}

pub(crate) async fn handle(
    broker: &Arc<Broker>,
    r: &QueryRequest<'_>,
    body: &Bytes,
) -> Response<Full<Bytes>> {
    let params: Vec<(String, String)> =
        form_urlencoded::parse(r.uri_query.unwrap_or("").as_bytes())
            .chain(form_urlencoded::parse(body))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let action = params.iter().find(|(k, _)| k == "Action").map(|(_, v)| v);
    if let Some(action) = action.filter(|a| super::sns::serves(a)) {
        return super::sns::handle(broker, &action.clone(), &params);
    }
    let id = super::request_id();
    let id = id.as_str();
    match reply(broker, r, params).await {
        Ok((action, json)) => super::respond_as(
            StatusCode::OK,
            XML_TYPE,
            response::xml(action.name(), &json, id).into_bytes(),
            id,
        ),
        Err(e) => {
            let status =
                StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
            super::respond_as(
                status,
                XML_TYPE,
                response::error_xml(&e, id).into_bytes(),
                id,
            )
        }
    }
}

async fn reply(
    broker: &Arc<Broker>,
    r: &QueryRequest<'_>,
    mut params: Vec<(String, String)>,
) -> SqsResult<(Action, Vec<u8>)> {
    let name = params
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| SqsError::missing("Action"))?;
    let action = Action::from_name(&name).ok_or_else(|| {
        SqsError::new(
            ErrorCode::UnknownOperation,
            format!("The action {name} is not valid for this web service."),
        )
    })?;
    if r.path != "/" && !params.iter().any(|(k, _)| k == "QueueUrl") {
        params.push(("QueueUrl".into(), format!("http://{}{}", r.host, r.path)));
    }
    let reply = if action.moves_messages() && broker.faults.fail_request() {
        Err(super::injected_error())
    } else {
        answer(broker, r, action, &params).await
    };
    super::count(broker, action, &reply);
    Ok((action, reply?))
}

/// The operation's JSON reply to the request's parameters.
async fn answer(
    broker: &Arc<Broker>,
    r: &QueryRequest<'_>,
    action: Action,
    params: &[(String, String)],
) -> SqsResult<Vec<u8>> {
    let json = request::to_json(
        action.name(),
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )?;
    let origin = ops::Origin {
        host: r.host,
        trace: r.trace,
    };
    let op = Op::from_json(action, &json)?;
    ops::dispatch(broker, &origin, op).await
}
