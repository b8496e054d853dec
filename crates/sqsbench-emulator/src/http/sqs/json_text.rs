//! The ReceiveMessage and SendMessageBatch responses written by hand: the hottest responses the
//! emulator sends, and most of their bytes are message bodies, ids and digests. serde_json
//! escapes a string byte by byte; this checks eight bytes at a time and copies runs that need no
//! escaping, and writes digests without looking at them. Output is byte-for-byte what serde_json
//! writes for the same values (property tests hold it to that). Nested attribute maps and batch
//! failures, rare on the hot path, still go through serde_json. Pure: no I/O, no state.

use super::wire::{BatchOutput, MessageOutput, ReceiveOutput, SendResultOutput};
use crate::model::message::AsciiText;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes is a control character, a quote or a backslash.
fn needs_escape(word: u64) -> bool {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v;
    (below_space | zero_in(word ^ (ONES * b'"' as u64)) | zero_in(word ^ (ONES * b'\\' as u64)))
        & HIGHS
        != 0
}

/// Appends `text` as a JSON string literal, escaped as serde_json escapes it.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if i + 8 <= bytes.len() {
            let word = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"));
            if !needs_escape(word) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..0x20 => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 15) as usize],
            ],
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn write_key(out: &mut Vec<u8>, first: bool, key: &str) {
    if !first {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

fn write_serde<T: serde::Serialize>(out: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    serde_json::to_writer(&mut *out, value)
}

/// Uuids and digests: hex digits and hyphens never need escaping.
fn write_ascii<const N: usize>(out: &mut Vec<u8>, text: AsciiText<N>) {
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

fn write_send_result(out: &mut Vec<u8>, r: &SendResultOutput) {
    out.push(b'{');
    let mut first = true;
    if let Some(id) = &r.id {
        write_key(out, first, "Id");
        write_str(out, id);
        first = false;
    }
    write_key(out, first, "MessageId");
    write_ascii(out, r.message_id.text());
    write_key(out, false, "MD5OfMessageBody");
    write_ascii(out, r.md5_of_message_body.text());
    if let Some(d) = &r.md5_of_message_attributes {
        write_key(out, false, "MD5OfMessageAttributes");
        write_ascii(out, d.text());
    }
    if let Some(d) = &r.md5_of_message_system_attributes {
        write_key(out, false, "MD5OfMessageSystemAttributes");
        write_ascii(out, d.text());
    }
    if let Some(n) = &r.sequence_number {
        write_key(out, false, "SequenceNumber");
        write_str(out, n);
    }
    out.push(b'}');
}

/// The SendMessageBatch response body.
pub(crate) fn send_batch_output(
    output: &BatchOutput<SendResultOutput>,
) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64 + 160 * output.successful.len());
    out.push(b'{');
    write_key(&mut out, true, "Successful");
    out.push(b'[');
    for (i, r) in output.successful.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_send_result(&mut out, r);
    }
    out.push(b']');
    // SQS leaves out an empty Failed list.
    if !output.failed.is_empty() {
        write_key(&mut out, false, "Failed");
        write_serde(&mut out, &output.failed)?;
    }
    out.push(b'}');
    Ok(out)
}

fn write_message(out: &mut Vec<u8>, m: &MessageOutput) -> serde_json::Result<()> {
    out.push(b'{');
    write_key(out, true, "MessageId");
    write_ascii(out, m.message_id.text());
    write_key(out, false, "ReceiptHandle");
    write_str(out, m.receipt_handle);
    write_key(out, false, "MD5OfBody");
    write_ascii(out, m.md5_of_body.text());
    write_key(out, false, "Body");
    write_str(out, m.body);
    if !m.attributes.is_empty() {
        write_key(out, false, "Attributes");
        write_serde(out, &m.attributes)?;
    }
    if let Some(md5) = &m.md5_of_message_attributes {
        write_key(out, false, "MD5OfMessageAttributes");
        write_str(out, md5);
    }
    if !m.message_attributes.is_empty() {
        write_key(out, false, "MessageAttributes");
        write_serde(out, &m.message_attributes)?;
    }
    out.push(b'}');
    Ok(())
}

/// The ReceiveMessage response body.
pub(crate) fn receive_output(
    output: &ReceiveOutput,
    capacity: usize,
) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(capacity);
    out.push(b'{');
    if !output.messages.is_empty() {
        write_key(&mut out, true, "Messages");
        out.push(b'[');
        for (i, m) in output.messages.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_message(&mut out, m)?;
        }
        out.push(b']');
    }
    out.push(b'}');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::sqs::wire::{AttributeValueOutput, BatchFailure, HexDigest};
    use crate::model::message::MessageId;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn written(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_like_serde_json() {
        for text in [
            "",
            "plain ascii body",
            "quote \" backslash \\ newline \n tab \t cr \r",
            "\u{8}\u{c}\u{0}\u{1f}\u{7f}",
            "ünïcødé ✓ 𝄞 and \"quotes\" after eight bytes",
            "0123456\"",
            "01234567\\",
        ] {
            assert_eq!(
                written(text),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_like_serde_json(text in "(?s).{0,80}") {
            prop_assert_eq!(written(&text), serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn any_string_of_ascii_and_controls_is_escaped_like_serde_json(
            bytes in proptest::collection::vec(0u8..0x80, 0..80)
        ) {
            let text = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(written(&text), serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn send_batch_responses_match_serde_json(
            entries in proptest::collection::vec(
                ("[a-zA-Z0-9_-]{1,12}", any::<[u8; 16]>(), proptest::option::of(any::<[u8; 16]>()),
                 proptest::option::of(any::<[u8; 16]>()), proptest::option::of(any::<u64>())),
                0..11,
            ),
            failures in 0usize..3,
            single in any::<bool>(),
        ) {
            let successful = entries
                .into_iter()
                .map(|(id, body, attributes, system, sequence)| SendResultOutput {
                    id: (!single).then_some(id),
                    message_id: MessageId::from_bits(u128::from(body[0]) << 100 | 0xabc),
                    md5_of_message_body: HexDigest(body),
                    md5_of_message_attributes: attributes.map(HexDigest),
                    md5_of_message_system_attributes: system.map(HexDigest),
                    sequence_number: sequence.map(|n| n.to_string()),
                })
                .collect();
            let failed = (0..failures)
                .map(|i| BatchFailure {
                    id: format!("f{i}"),
                    sender_fault: i % 2 == 0,
                    code: "InvalidParameterValue",
                    message: "Message \"quoted\" reason".to_string(),
                })
                .collect();
            let output = BatchOutput { successful, failed };
            prop_assert_eq!(
                String::from_utf8(send_batch_output(&output).unwrap()).unwrap(),
                serde_json::to_string(&output).unwrap()
            );
        }

        #[test]
        fn responses_match_serde_json(
            bodies in proptest::collection::vec("(?s).{0,40}", 0..4),
            with_attributes in any::<bool>(),
        ) {
            let messages = bodies
                .iter()
                .enumerate()
                .map(|(i, body)| {
                    let mut attributes = BTreeMap::new();
                    let mut message_attributes = BTreeMap::new();
                    if with_attributes {
                        attributes.insert("SentTimestamp", "1700000000000".to_string());
                        message_attributes.insert(
                            "name",
                            AttributeValueOutput {
                                data_type: "String",
                                string_value: Some(body.as_str()),
                                binary_value: None,
                            },
                        );
                    }
                    MessageOutput {
                        message_id: MessageId::from_bits(i as u128 * 0x1234_5678_9abc_def0),
                        receipt_handle: "00000001000000000000000200000003",
                        md5_of_body: HexDigest([7; 16]),
                        body,
                        attributes,
                        md5_of_message_attributes: with_attributes.then(|| "ab".repeat(16)),
                        message_attributes,
                    }
                })
                .collect();
            let output = ReceiveOutput { messages };
            prop_assert_eq!(
                String::from_utf8(receive_output(&output, 0).unwrap()).unwrap(),
                serde_json::to_string(&output).unwrap()
            );
        }
    }
}
