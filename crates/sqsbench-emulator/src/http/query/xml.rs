//! The query protocol's XML, for every service: one writer (`XmlWriter`) with the escaping
//! rule, the response document (`<ActionResponse xmlns=…><ActionResult>…</ActionResult>` with the
//! request id in `ResponseMetadata`), the one `<ErrorResponse>` envelope, and `Members`, a
//! builder for results in SNS's and STS's shapes (maps as `entry`/`key`/`value`, lists as
//! `member`). Depends on the error vocabulary and the service list only.

use std::collections::BTreeMap;
use std::fmt::{Display, Write};

use crate::error::{Code, Error};
use crate::http::actions::Service;

/// Appends elements and escaped text to one buffer.
#[derive(Default)]
pub(crate) struct XmlWriter(String);

impl XmlWriter {
    pub(crate) fn open(&mut self, name: &str) -> &mut Self {
        let _ = write!(self.0, "<{name}>");
        self
    }

    pub(crate) fn close(&mut self, name: &str) -> &mut Self {
        let _ = write!(self.0, "</{name}>");
        self
    }

    /// Text, with markup characters as entities and carriage returns as `&#xD;`, so that an XML
    /// parser's line-end normalization gives the text back byte for byte.
    pub(crate) fn escaped(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                '\'' => self.0.push_str("&apos;"),
                '\r' => self.0.push_str("&#xD;"),
                c => self.0.push(c),
            }
        }
        self
    }

    /// `<name>text</name>`, the text escaped.
    pub(crate) fn text(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name).escaped(text).close(name)
    }

    /// `<name>value</name>` for a value with nothing to escape (numbers, booleans).
    pub(crate) fn plain(&mut self, name: &str, value: impl Display) -> &mut Self {
        let _ = write!(self.0, "<{name}>{value}</{name}>");
        self
    }
}

/// A whole response: `result` is `None` for actions without output, which have no result
/// element at all.
pub(crate) fn document(
    service: Service,
    action: &str,
    result: Option<XmlWriter>,
    request_id: &str,
) -> String {
    let namespace = service.xml_namespace();
    let mut out = format!("<?xml version=\"1.0\"?><{action}Response xmlns=\"{namespace}\">");
    if let Some(XmlWriter(members)) = result {
        let _ = write!(out, "<{action}Result>{members}</{action}Result>");
    }
    let _ = write!(
        out,
        "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    );
    out
}

/// `<ErrorResponse>`: the side at fault, the service's query code and the message.
pub(crate) fn error_document<C: Code>(service: Service, e: &Error<C>, request_id: &str) -> String {
    let mut w = XmlWriter(format!(
        "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"{}\">",
        service.xml_namespace()
    ));
    w.open("Error")
        .text("Type", e.code.side())
        .text("Code", e.code.query_code())
        .text("Message", &e.message);
    if service.error_detail() {
        w.0.push_str("<Detail/>");
    }
    w.close("Error").text("RequestId", request_id);
    w.close("ErrorResponse");
    w.0
}

/// Builds one result's members in SNS's shapes, by value so that a result reads as one chain.
#[derive(Default)]
pub(crate) struct Members(XmlWriter);

impl Members {
    pub(crate) fn text(mut self, name: &str, value: &str) -> Members {
        self.0.text(name, value);
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
        self.0.open(name);
        for (key, value) in entries {
            self.0
                .open("entry")
                .text("key", key)
                .text("value", value)
                .close("entry");
        }
        self.0.close(name);
        self
    }

    /// A list of structures, each built by `item`.
    pub(crate) fn list<T>(
        mut self,
        name: &str,
        items: impl IntoIterator<Item = T>,
        item: impl Fn(Members, T) -> Members,
    ) -> Members {
        self.0.open(name);
        for i in items {
            self.0.open("member");
            self = item(self, i);
            self.0.close("member");
        }
        self.0.close(name);
        self
    }

    pub(crate) fn into_writer(self) -> XmlWriter {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, SqsError};
    use crate::topics::{SnsCode, SnsError};

    #[test]
    fn text_is_escaped_so_that_it_reads_back_byte_for_byte() {
        let mut w = XmlWriter::default();
        w.text("Body", "a<b&'\"\r\n>").plain("N", 3);
        assert_eq!(
            w.0,
            "<Body>a&lt;b&amp;&apos;&quot;&#xD;\n&gt;</Body><N>3</N>"
        );
    }

    #[test]
    fn one_envelope_in_each_service_s_shape() {
        let sqs = SqsError::new(
            ErrorCode::QueueDoesNotExist,
            "The specified queue does not exist.",
        );
        assert_eq!(
            error_document(Service::Sqs, &sqs, "r"),
            "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">\
<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>\
<Message>The specified queue does not exist.</Message><Detail/></Error><RequestId>r</RequestId></ErrorResponse>"
        );
        let sns = SnsError::new(SnsCode::InternalError, "a <b>");
        assert_eq!(
            error_document(Service::Sns, &sns, "r"),
            "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\
<Error><Type>Receiver</Type><Code>InternalError</Code><Message>a &lt;b&gt;</Message></Error>\
<RequestId>r</RequestId></ErrorResponse>"
        );
    }

    #[test]
    fn members_and_documents() {
        let attrs = BTreeMap::from([("k".to_string(), "v&".to_string())]);
        let result = Members::default()
            .text("TopicArn", "arn")
            .optional("Missing", None)
            .map("Attributes", &attrs)
            .list("Tags", [("a", "1")], |m, (k, v)| {
                m.text("Key", k).text("Value", v)
            });
        assert_eq!(
            document(Service::Sns, "Act", Some(result.into_writer()), "id"),
            "<?xml version=\"1.0\"?><ActResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><ActResult>\
<TopicArn>arn</TopicArn><Attributes><entry><key>k</key><value>v&amp;</value></entry></Attributes>\
<Tags><member><Key>a</Key><Value>1</Value></member></Tags></ActResult>\
<ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></ActResponse>"
        );
        assert!(!document(Service::Sqs, "DeleteQueue", None, "id").contains("Result>"));
    }
}
