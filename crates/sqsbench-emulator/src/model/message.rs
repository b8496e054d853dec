//! A stored message and the rules for what may be sent: attributes, body characters, sizes and
//! the two MD5 digests SDKs check (`MD5OfMessageBody`, `MD5OfMessageAttributes`).

use std::sync::Arc;

use md5::{Digest, Md5};

use crate::error::{ErrorCode, SqsError, SqsResult};

/// Microseconds since the Unix epoch: the only notion of time the model has.
pub(crate) type Micros = u64;

pub(crate) const MICROS_PER_SEC: u64 = 1_000_000;

/// A message attribute value: `StringValue` (String and Number types) or raw `BinaryValue` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    Text(String),
    Binary(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageAttribute {
    pub data_type: String,
    pub value: AttributeValue,
}

/// Attributes sorted by name (the order the MD5 algorithm needs), shared between deliveries.
pub(crate) type Attributes = Arc<[(String, MessageAttribute)]>;

/// What a sender supplies for one message.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewMessage {
    /// Shared, not owned: the stored message and every delivery of it point at this one copy.
    pub body: Arc<str>,
    pub delay_seconds: Option<i64>,
    pub attributes: Vec<(String, MessageAttribute)>,
    /// `AWSTraceHeader`, the one system attribute a sender may set.
    pub trace_header: Option<String>,
    pub group_id: Option<String>,
    pub deduplication_id: Option<String>,
    /// MD5 of `body` when the caller has already computed it (the broker hashes a batch's
    /// bodies side by side, see `md5_lanes`); `None`: the queue computes it.
    pub body_md5: Option<[u8; 16]>,
}

/// Where a stored message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Delayed,
    Ready,
    InFlight { generation: u32, deadline: Micros },
}

/// A message as the queue keeps it. Bodies and attributes are shared so a delivery clones
/// reference counts, not bytes.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub key: u64,
    pub id: MessageId,
    pub body: Arc<str>,
    pub body_md5: [u8; 16],
    pub attributes: Attributes,
    pub attributes_md5: Option<[u8; 16]>,
    pub trace_header: Option<Arc<str>>,
    pub group_id: Option<Arc<str>>,
    pub deduplication_id: Option<Arc<str>>,
    pub sequence_number: Option<u128>,
    pub dead_letter_source_arn: Option<Arc<str>>,
    pub sent_at: Micros,
    pub visible_at: Micros,
    pub receive_count: u32,
    pub first_received_at: Option<Micros>,
    /// The receive that set the current visibility deadline; stale receipt handles carry older ones.
    pub generation: u32,
    /// The latest a visibility deadline may reach: 12 hours after the receive that started it.
    pub deadline_ceiling: Micros,
    pub state: State,
}

impl Message {}

pub(crate) fn attributes_size(attributes: &[(String, MessageAttribute)]) -> usize {
    attributes
        .iter()
        .map(|(name, a)| {
            name.len()
                + a.data_type.len()
                + match &a.value {
                    AttributeValue::Text(s) => s.len(),
                    AttributeValue::Binary(b) => b.len(),
                }
        })
        .sum()
}

pub fn md5_of(bytes: &[u8]) -> [u8; 16] {
    Md5::digest(bytes).into()
}

/// MD5OfMessageAttributes: names sorted ascending; name, data type and value each prefixed with a
/// 4-byte big-endian length; a raw transport byte (1 for text, 2 for binary) before the value.
pub fn attributes_md5(attributes: &[(String, MessageAttribute)]) -> Option<[u8; 16]> {
    if attributes.is_empty() {
        return None;
    }
    let mut sorted: Vec<&(String, MessageAttribute)> = attributes.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut buffer = Vec::with_capacity(64 + attributes_size(attributes) + 13 * attributes.len());
    let field = |buffer: &mut Vec<u8>, bytes: &[u8]| {
        buffer.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        buffer.extend_from_slice(bytes);
    };
    for (name, attribute) in sorted {
        field(&mut buffer, name.as_bytes());
        field(&mut buffer, attribute.data_type.as_bytes());
        match &attribute.value {
            AttributeValue::Text(s) => {
                buffer.push(1);
                field(&mut buffer, s.as_bytes());
            }
            AttributeValue::Binary(b) => {
                buffer.push(2);
                field(&mut buffer, b);
            }
        }
    }
    Some(md5_of(&buffer))
}

/// Writes `bytes` as lowercase hex into `out`, which holds exactly two digits per byte: the one
/// hex writer behind digests, uuids, receipt handles and deduplication ids.
pub(crate) fn write_hex(bytes: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    debug_assert_eq!(out.len(), 2 * bytes.len());
    for (b, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = DIGITS[(b >> 4) as usize];
        pair[1] = DIGITS[(b & 15) as usize];
    }
}

/// `bytes` as a lowercase hex string.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; 2 * bytes.len()];
    write_hex(bytes, &mut out);
    String::from_utf8(out).expect("hex digits are ASCII")
}

/// A message id: 128 bits kept inline (a heap string each was an allocation per message and
/// a tenth of a stored message's memory), shown to clients as a version-4 uuid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct MessageId(u128);

impl MessageId {
    pub(crate) fn from_bits(bits: u128) -> MessageId {
        MessageId(bits)
    }

    /// The uuid text clients see.
    pub(crate) fn text(&self) -> UuidText {
        uuid_text(self.0)
    }
}

/// Fixed-width ASCII text held on the stack (uuids, receipt handles, hex digests): every sent
/// message and every response needs several, and building them in place saves an allocation
/// and the formatter each time. Reads as a `&str`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct AsciiText<const N: usize>([u8; N]);

impl<const N: usize> AsciiText<N> {
    /// `bytes` must be ASCII (the hex writer and hyphens are all that fill one).
    pub(crate) fn from_ascii(bytes: [u8; N]) -> AsciiText<N> {
        debug_assert!(bytes.is_ascii());
        AsciiText(bytes)
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("built from ASCII only")
    }
}

impl<const N: usize> std::ops::Deref for AsciiText<N> {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> std::fmt::Debug for AsciiText<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A random-looking, RFC 4122 version-4 formatted id.
pub(crate) type UuidText = AsciiText<36>;

/// The uuid text of `bits`, with the version 4 and variant bits set over them.
pub(crate) fn uuid_text(bits: u128) -> UuidText {
    let mut bytes = bits.to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = [b'-'; 36];
    // 8-4-4-4-12 digits: (bytes, text) ranges of each group.
    for (from, to) in [
        (0..4, 0..8),
        (4..6, 9..13),
        (6..8, 14..18),
        (8..10, 19..23),
        (10..16, 24..36),
    ] {
        write_hex(&bytes[from], &mut out[to]);
    }
    AsciiText::from_ascii(out)
}

/// One shared empty attribute list: most messages have none, and an `Arc` of nothing still
/// costs an allocation per message.
pub(crate) fn no_attributes() -> Attributes {
    static EMPTY: std::sync::OnceLock<Attributes> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::from(Vec::new())).clone()
}

/// SQS accepts only XML-safe characters in bodies and string attribute values.
pub(crate) fn valid_characters(text: &str) -> bool {
    // Fast path: printable ASCII plus tab, newline and carriage return, folded without
    // short-circuiting so the compiler can vectorise it: every body sent goes through here.
    if text.bytes().fold(true, |ok, b| {
        ok & ((0x20..0x7f).contains(&b) | (b == b'\t') | (b == b'\n') | (b == b'\r'))
    }) {
        return true;
    }
    text.chars().all(|c| {
        matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
    })
}

/// Checks a group or deduplication id: 1–128 alphanumerics or ASCII punctuation.
pub(crate) fn check_token(parameter: &str, value: &str) -> SqsResult<()> {
    if value.is_empty() || value.len() > 128 || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SqsError::invalid_parameter(format!(
            "Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length."
        )));
    }
    Ok(())
}

/// Validates message attributes: count, names, data types and values.
pub(crate) fn check_attributes(attributes: &[(String, MessageAttribute)]) -> SqsResult<()> {
    if attributes.len() > 10 {
        return Err(SqsError::invalid_parameter(
            "Number of message attributes [".to_string()
                + &attributes.len().to_string()
                + "] exceeds the allowed maximum [10].",
        ));
    }
    for (name, attribute) in attributes {
        check_attribute_name(name)?;
        let base = attribute.data_type.split('.').next().unwrap_or("");
        let bad = |reason: &str| {
            Err(SqsError::invalid_parameter(format!(
                "The message attribute '{name}' {reason}"
            )))
        };
        if attribute.data_type.is_empty() {
            return bad("must contain a non-empty message attribute type.");
        }
        if attribute.data_type.len() > 256 {
            return bad("has a data type longer than 256 characters.");
        }
        match (base, &attribute.value) {
            ("String", AttributeValue::Text(s)) => {
                if s.is_empty() {
                    return Err(SqsError::new(
                        ErrorCode::InvalidParameterValue,
                        format!(
                            "Message (user) attribute '{name}' must contain a non-empty value of type 'String'."
                        ),
                    ));
                }
                if !valid_characters(s) {
                    return bad("contains invalid characters.");
                }
            }
            ("Number", AttributeValue::Text(s)) => {
                if !is_sqs_number(s) {
                    return bad(
                        "has an invalid message attribute value for message attribute type 'Number'.",
                    );
                }
            }
            ("Binary", AttributeValue::Binary(b)) => {
                if b.is_empty() {
                    return Err(SqsError::new(
                        ErrorCode::InvalidParameterValue,
                        format!(
                            "Message (user) attribute '{name}' must contain a non-empty value of type 'Binary'."
                        ),
                    ));
                }
            }
            ("String" | "Number", AttributeValue::Binary(_))
            | ("Binary", AttributeValue::Text(_)) => {
                return bad("has a value that does not match its data type.");
            }
            _ => {
                return Err(SqsError::invalid_parameter(format!(
                    "The type of message (user) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String."
                )));
            }
        }
    }
    let mut names: Vec<&str> = attributes.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err(SqsError::invalid_parameter(
            "Message attribute names must be unique.",
        ));
    }
    Ok(())
}

fn check_attribute_name(name: &str) -> SqsResult<()> {
    let ok = crate::names::attribute_name_problem(name, crate::names::Letters::AnyScript).is_none();
    if ok {
        Ok(())
    } else {
        Err(SqsError::new(
            ErrorCode::InvalidParameterValue,
            format!("Message attribute name '{name}' is invalid."),
        ))
    }
}

/// SQS numbers: an optional sign, digits with at most one decimal point, up to 38 digits.
fn is_sqs_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut seen_point = false;
    let mut count = 0;
    for c in digits.chars() {
        match c {
            '0'..='9' => count += 1,
            '.' if !seen_point => seen_point = true,
            _ => return false,
        }
    }
    count > 0 && count <= 38
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(data_type: &str, value: &str) -> MessageAttribute {
        MessageAttribute {
            data_type: data_type.into(),
            value: AttributeValue::Text(value.into()),
        }
    }

    #[test]
    fn body_md5_matches_recorded_digests() {
        assert_eq!(hex(&md5_of(b"hello")), "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(hex(&md5_of(b"msg")), "6e2baaf3b97dbeef01c0043275f9a0e7");
        assert_eq!(hex(&md5_of(b"a")), "0cc175b9c0f1b6a831c399e269772661");
    }

    #[test]
    fn attribute_md5_matches_recorded_digests() {
        let cases = [
            (
                vec![("k".to_string(), text("String", "x"))],
                "a45daa70926828a2f0a1db3418e6feb4",
            ),
            (
                vec![("Foo".to_string(), text("String", "Bar"))],
                "ae7155c6026991b6d54b11589678bf9c",
            ),
            (
                vec![("attribName1".to_string(), text("String", "attribValue 1"))],
                "19e27d4e946b072f3f58da80d94fd778",
            ),
            (
                vec![(
                    "customNumberTypeAttrib".to_string(),
                    text("Number.float", "4563442423554324324264524243.32543234"),
                )],
                "9fe1b90bbd9965bdf77bac517c7d2495",
            ),
            (
                vec![(
                    "binaryAttribute".to_string(),
                    MessageAttribute {
                        data_type: "Binary".into(),
                        value: AttributeValue::Binary(b"Hello binary world!".to_vec()),
                    },
                )],
                "31a92b15d92f8db860eda32aceb656c3",
            ),
        ];
        for (attributes, expected) in cases {
            assert_eq!(hex(&attributes_md5(&attributes).unwrap()), expected);
        }
        assert_eq!(attributes_md5(&[]), None);
    }

    #[test]
    fn uuids_are_version_4_shaped() {
        let text = uuid_text(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let id = text.as_str();
        assert_eq!(id, "01234567-89ab-4def-8123-456789abcdef");
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    proptest::proptest! {
        #[test]
        fn uuid_text_is_the_hyphenated_hex_of_the_versioned_bits(bits: u128) {
            let versioned = (bits & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
            let h = format!("{versioned:032x}");
            let expected = format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]);
            let text = uuid_text(bits);
            proptest::prop_assert_eq!(text.as_str(), expected);
        }
    }

    #[test]
    fn rejects_bad_attribute_names_and_types() {
        for name in ["", ".a", "a.", "a..b", "AWS.x", "amazon.y", "sp ace"] {
            assert!(
                check_attributes(&[(name.to_string(), text("String", "v"))]).is_err(),
                "{name}"
            );
        }
        assert!(check_attributes(&[("n".into(), text("Number", "12.5"))]).is_ok());
        assert!(check_attributes(&[("n".into(), text("Number", "abc"))]).is_err());
        assert!(check_attributes(&[("n".into(), text("Date", "x"))]).is_err());
        assert!(check_attributes(&[("n".into(), text("String.custom", "x"))]).is_ok());
    }

    #[test]
    fn body_characters() {
        assert!(valid_characters("hello\tworld\n"));
        assert!(!valid_characters("bad\u{0}"));
        assert!(!valid_characters("bad\u{FFFF}"));
    }
}
