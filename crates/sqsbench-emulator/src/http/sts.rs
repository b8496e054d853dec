//! STS on the emulator's port: `GetCallerIdentity`, which SNS frameworks (tomodachi) call on the
//! same endpoint to learn the account. The query protocol, through the one pipeline, with a
//! service and error table of its own so that its answers carry STS's namespace.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;

use super::actions::{Service, ServiceAction, actions};
use super::pipeline;
use super::query::Params;
use super::query::xml::{Members, XmlWriter};
use super::sns::SnsAction;
use super::sqs::SqsAction;
use crate::broker::Broker;
use crate::error::{Code, Error};

actions! {
    /// Every STS action the emulator knows by name.
    StsAction {
        GetCallerIdentity,
    }
}

impl ServiceAction for StsAction {
    type Code = StsCode;
    const SERVICE: Service = Service::Sts;

    fn name(self) -> &'static str {
        StsAction::name(self)
    }

    fn slot(self) -> usize {
        SqsAction::ALL.len() + SnsAction::ALL.len() + self.index()
    }

    fn faultable(self) -> bool {
        false
    }

    fn injected_error() -> Error<StsCode> {
        Error::new(StsCode::InternalError, "Internal Error")
    }
}

/// STS's error codes, as far as this emulator answers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StsCode {
    InvalidAction,
    InternalError,
}

impl Code for StsCode {
    fn query_code(self) -> &'static str {
        match self {
            StsCode::InvalidAction => "InvalidAction",
            StsCode::InternalError => "InternalError",
        }
    }

    fn http_status(self) -> u16 {
        match self {
            StsCode::InvalidAction => 400,
            StsCode::InternalError => 500,
        }
    }

    fn sender_fault(self) -> bool {
        self == StsCode::InvalidAction
    }

    fn is_throttle(self) -> bool {
        false
    }
}

/// A query-protocol request to STS.
pub(crate) async fn query(broker: &Arc<Broker>, params: &Params) -> Response<Full<Bytes>> {
    let name = params.action().unwrap_or("");
    let Some(action) = StsAction::from_name(name) else {
        let e = Error::new(
            StsCode::InvalidAction,
            format!("The action {name} is not valid for this web service."),
        );
        return pipeline::query_error(Service::Sts, &e);
    };
    let reply = pipeline::run(broker, action, async { Ok(answer(broker, action)) }).await;
    pipeline::query_answer(action, reply)
}

fn answer(broker: &Broker, action: StsAction) -> Option<XmlWriter> {
    match action {
        StsAction::GetCallerIdentity => {
            let account = broker.topics.account();
            let members = Members::default()
                .text("Arn", &format!("arn:aws:iam::{account}:root"))
                .text("UserId", account)
                .text("Account", account);
            Some(members.into_writer())
        }
    }
}
