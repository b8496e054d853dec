//! SNS's query responses: `<ActionResponse xmlns=…><ActionResult>…</ActionResult>` with the
//! request id in `ResponseMetadata`, members in SNS's shapes (maps as `entry`/`key`/`value`,
//! lists as `member`), and `<ErrorResponse>` for errors.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::super::query::response::escape_into;
use crate::topics::SnsError;

pub(crate) const SNS_NAMESPACE: &str = "http://sns.amazonaws.com/doc/2010-03-31/";

/// Builds one result's members.
#[derive(Default)]
pub(crate) struct Members(String);

impl Members {
    pub(crate) fn text(mut self, name: &str, value: &str) -> Members {
        let _ = write!(self.0, "<{name}>");
        escape_into(&mut self.0, value);
        let _ = write!(self.0, "</{name}>");
        self
    }

    pub(crate) fn optional(self, name: &str, value: Option<&str>) -> Members {
        match value {
            Some(v) => self.text(name, v),
            None => self,
        }
    }

    /// A `key`/`value` map.
    pub(crate) fn map(mut self, name: &str, entries: &BTreeMap<String, String>) -> Members {
        let _ = write!(self.0, "<{name}>");
        for (key, value) in entries {
            self.0.push_str("<entry>");
            self = self.text("key", key).text("value", value);
            self.0.push_str("</entry>");
        }
        let _ = write!(self.0, "</{name}>");
        self
    }

    /// A list of structures, each built by `item`.
    pub(crate) fn list<T>(
        mut self,
        name: &str,
        items: impl IntoIterator<Item = T>,
        item: impl Fn(Members, T) -> Members,
    ) -> Members {
        let _ = write!(self.0, "<{name}>");
        for i in items {
            self.0.push_str("<member>");
            self = item(self, i);
            self.0.push_str("</member>");
        }
        let _ = write!(self.0, "</{name}>");
        self
    }
}

/// A whole response: `result` is `None` for actions without output.
pub(crate) fn response(action: &str, namespace: &str, result: Option<Members>, id: &str) -> String {
    let mut out = format!("<?xml version=\"1.0\"?><{action}Response xmlns=\"{namespace}\">");
    if let Some(Members(members)) = result {
        let _ = write!(out, "<{action}Result>{members}</{action}Result>");
    }
    let _ = write!(
        out,
        "<ResponseMetadata><RequestId>{id}</RequestId></ResponseMetadata></{action}Response>"
    );
    out
}

pub(crate) fn error(e: &SnsError, id: &str) -> String {
    let side = if e.code.sender_fault() {
        "Sender"
    } else {
        "Receiver"
    };
    let mut out = format!(
        "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"{SNS_NAMESPACE}\"><Error><Type>{side}</Type><Code>{}</Code><Message>",
        e.code.name()
    );
    escape_into(&mut out, &e.message);
    let _ = write!(
        out,
        "</Message></Error><RequestId>{id}</RequestId></ErrorResponse>"
    );
    out
}
