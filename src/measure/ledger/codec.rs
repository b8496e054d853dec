//! A ledger as bytes, for a shard's journal: little-endian counts, each bitmap in roaring's
//! portable format, the examples as JSON. Decoding checks every length against the bytes left,
//! so damaged input is an error, never a panic or a huge allocation. The arrival-order FIFO
//! state is not kept: a merge judges order from the receipts.

use std::collections::BTreeMap;

use roaring::RoaringTreemap;

use super::book::{Ledger, Receipt, Sets};

const VERSION: u8 = 1;
/// Bytes of one receipt: producer, group, sequence, timestamp, call, position.
const RECEIPT_BYTES: usize = 4 + 4 + 8 + 8 + 8 + 4;

pub(super) fn encode(ledger: &Ledger) -> Vec<u8> {
    let mut out = vec![VERSION, ledger.fifo as u8, ledger.receipts.is_some() as u8];
    for n in [
        ledger.deliveries,
        ledger.redelivered,
        ledger.order_violations,
    ] {
        out.extend(n.to_le_bytes());
    }
    out.extend((ledger.sets.len() as u32).to_le_bytes());
    for (producer, s) in &ledger.sets {
        out.extend(producer.to_le_bytes());
        for bitmap in [&s.sent, &s.seen, &s.fresh, &s.deleted, &s.dead] {
            out.extend((bitmap.serialized_size() as u64).to_le_bytes());
            bitmap
                .serialize_into(&mut out)
                .expect("writing to memory cannot fail");
        }
    }
    for counts in [&ledger.extra_sends, &ledger.fresh_extra] {
        out.extend((counts.len() as u32).to_le_bytes());
        // Sorted, so equal ledgers are equal bytes.
        let mut sorted: Vec<_> = counts.iter().collect();
        sorted.sort_unstable();
        for ((producer, sequence), n) in sorted {
            out.extend(producer.to_le_bytes());
            out.extend(sequence.to_le_bytes());
            out.extend(n.to_le_bytes());
        }
    }
    let receipts = ledger.receipts.as_deref().unwrap_or(&[]);
    out.extend((receipts.len() as u64).to_le_bytes());
    for r in receipts {
        out.extend(r.producer.to_le_bytes());
        out.extend(r.group.to_le_bytes());
        out.extend(r.sequence.to_le_bytes());
        out.extend(r.first_receive_ms.to_le_bytes());
        out.extend(r.call.to_le_bytes());
        out.extend(r.position.to_le_bytes());
    }
    let examples = serde_json::to_vec(&ledger.examples).expect("examples always serialize");
    out.extend((examples.len() as u32).to_le_bytes());
    out.extend(examples);
    out
}

/// Reads what `encode` wrote.
pub(super) fn decode(bytes: &[u8]) -> Result<Ledger, String> {
    let mut r = Reader { bytes };
    let [version, fifo, receipts] = r.array::<3>("the header")?;
    if version != VERSION {
        return Err(format!(
            "version {version} (this sqsbench reads version {VERSION})"
        ));
    }
    let mut ledger = if receipts == 1 {
        Ledger::keeping_receipts(fifo == 1)
    } else {
        Ledger::new(fifo == 1)
    };
    ledger.deliveries = r.u64("the delivery count")?;
    ledger.redelivered = r.u64("the redelivery count")?;
    ledger.order_violations = r.u64("the order violation count")?;
    let mut sets = BTreeMap::new();
    for _ in 0..r.count(4, "the producer count")? {
        let producer = r.u32("a producer id")?;
        let mut bitmap = || r.bitmap(producer);
        let s = Sets {
            sent: bitmap()?,
            seen: bitmap()?,
            fresh: bitmap()?,
            deleted: bitmap()?,
            dead: bitmap()?,
        };
        sets.insert(producer, s);
    }
    let mut parts = Ledger::new(ledger.fifo);
    parts.sets = sets;
    for counts in [&mut ledger.extra_sends, &mut ledger.fresh_extra] {
        for _ in 0..r.count(16, "a count of copies")? {
            let key = (r.u32("a producer id")?, r.u64("a sequence")?);
            counts.insert(key, r.u32("a copy count")?);
        }
    }
    let n = r.u64("the receipt count")?;
    if n > (r.bytes.len() / RECEIPT_BYTES) as u64 {
        return Err(format!("{n} receipts do not fit in the bytes left"));
    }
    let mut kept = Vec::with_capacity(n as usize);
    for _ in 0..n {
        kept.push(Receipt {
            producer: r.u32("a receipt")?,
            group: r.u32("a receipt")?,
            sequence: r.u64("a receipt")?,
            first_receive_ms: r.u64("a receipt")?,
            call: r.u64("a receipt")?,
            position: r.u32("a receipt")?,
        });
    }
    if let Some(receipts) = &mut ledger.receipts {
        *receipts = kept;
    }
    let len = r.u32("the examples' length")? as usize;
    ledger.examples = serde_json::from_slice(r.take(len, "the examples")?)
        .map_err(|e| format!("the examples do not parse: {e}"))?;
    if !r.bytes.is_empty() {
        return Err(format!("{} bytes follow the ledger", r.bytes.len()));
    }
    ledger.absorb(parts);
    ledger.recount();
    Ok(ledger)
}

struct Reader<'b> {
    bytes: &'b [u8],
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'b [u8], String> {
        if self.bytes.len() < n {
            return Err(format!("it ends inside {what}"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        Ok(self.take(N, what)?.try_into().expect("took N bytes"))
    }

    fn u32(&mut self, what: &str) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A u32 count of items of at least `item_bytes` each, refused if they cannot fit.
    fn count(&mut self, item_bytes: usize, what: &str) -> Result<u32, String> {
        let n = self.u32(what)?;
        if n as usize > self.bytes.len() / item_bytes {
            return Err(format!("{what} ({n}) does not fit in the bytes left"));
        }
        Ok(n)
    }

    fn bitmap(&mut self, producer: u32) -> Result<RoaringTreemap, String> {
        let what = format!("producer {producer}'s sets");
        let len = self.u64(&what)?;
        let bytes = self.take(usize::try_from(len).unwrap_or(usize::MAX), &what)?;
        RoaringTreemap::deserialize_from(bytes).map_err(|e| format!("{what}: {e}"))
    }
}
