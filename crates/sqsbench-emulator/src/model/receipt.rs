//! Receipt handles: opaque to clients, but they encode which queue, which message and which
//! receive they came from, so a stale or foreign handle is recognised without a lookup table.

/// The parts of a receipt handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Receipt {
    pub queue_tag: u32,
    pub key: u64,
    pub generation: u32,
}

use super::message::{AsciiText, write_hex};

const LEN: usize = 8 + 16 + 8;

/// The text of a receipt handle, held inline.
pub(crate) type ReceiptText = AsciiText<LEN>;

impl Receipt {
    /// Fixed-width lowercase hex of the three parts, on the stack. Written digit by digit
    /// rather than with `format!`: every received message gets one, and the formatter (and
    /// then the heap string) showed in profiles.
    pub(crate) fn encode(&self) -> ReceiptText {
        let mut out = [0u8; LEN];
        write_hex(&self.queue_tag.to_be_bytes(), &mut out[0..8]);
        write_hex(&self.key.to_be_bytes(), &mut out[8..24]);
        write_hex(&self.generation.to_be_bytes(), &mut out[24..32]);
        AsciiText::from_ascii(out)
    }

    pub(crate) fn decode(handle: &str) -> Option<Receipt> {
        if handle.len() != LEN || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Receipt {
            queue_tag: u32::from_str_radix(&handle[0..8], 16).ok()?,
            key: u64::from_str_radix(&handle[8..24], 16).ok()?,
            generation: u32::from_str_radix(&handle[24..32], 16).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trips(queue_tag: u32, key: u64, generation: u32) {
            let r = Receipt { queue_tag, key, generation };
            prop_assert_eq!(Receipt::decode(&r.encode()), Some(r));
        }

        #[test]
        fn encodes_like_the_formatter(queue_tag: u32, key: u64, generation: u32) {
            let r = Receipt { queue_tag, key, generation };
            prop_assert_eq!(&*r.encode(), format!("{queue_tag:08x}{key:016x}{generation:08x}"));
        }

        #[test]
        fn never_panics_on_garbage(s in ".{0,64}") {
            let _ = Receipt::decode(&s);
        }
    }
}
