//! Receipt handles: opaque to clients, but they encode which queue, which message and which
//! receive they came from, so a stale or foreign handle is recognised without a lookup table.

/// The parts of a receipt handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub queue_tag: u32,
    pub key: u64,
    pub generation: u32,
}

const LEN: usize = 8 + 16 + 8;

impl Receipt {
    /// Fixed-width lowercase hex of the three parts. Written digit by digit rather than with
    /// `format!`: every received message gets one, and the formatter showed in profiles.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(LEN);
        push_hex(&mut out, self.queue_tag as u64, 8);
        push_hex(&mut out, self.key, 16);
        push_hex(&mut out, self.generation as u64, 8);
        out
    }

    pub fn decode(handle: &str) -> Option<Receipt> {
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

fn push_hex(out: &mut String, value: u64, digits: u32) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        out.push(DIGITS[((value >> (4 * i)) & 15) as usize] as char);
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
            prop_assert_eq!(r.encode(), format!("{queue_tag:08x}{key:016x}{generation:08x}"));
        }

        #[test]
        fn never_panics_on_garbage(s in ".{0,64}") {
            let _ = Receipt::decode(&s);
        }
    }
}
