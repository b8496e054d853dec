//! Adding ledgers of parts of one run: the seconds of one shard's journal, then the shards.
//! Every set is a union and every count a sum, except two things only the union knows: a
//! message delivered fresh in two parts has one extra fresh delivery, and a message delivered in
//! two parts is a duplicate the parts could not see (kept as an example).

use super::book::{Delivery, Ledger};

impl Ledger {
    /// Adds `part`, a ledger of other events of the same run. The acknowledged and settled
    /// counts (the drain's progress) are left for `recount`: keeping them current costs a pass
    /// over the whole sets per part (see docs/measured.md's merge figures).
    pub fn absorb(&mut self, part: Ledger) {
        for (producer, theirs) in part.sets {
            let ours = self.sets.entry(producer).or_default();
            for sequence in (&ours.fresh & &theirs.fresh).iter() {
                *self.fresh_extra.entry((producer, sequence)).or_default() += 1;
            }
            if self.examples.duplicates.len() < super::LIMIT {
                for sequence in (&ours.seen & &theirs.seen).iter().take(super::LIMIT) {
                    self.examples.duplicate(Delivery {
                        producer,
                        sequence,
                        ..Delivery::default()
                    });
                }
            }
            ours.sent |= theirs.sent;
            ours.seen |= theirs.seen;
            ours.fresh |= theirs.fresh;
            ours.deleted |= theirs.deleted;
            ours.dead |= theirs.dead;
        }
        for (key, n) in part.extra_sends {
            *self.extra_sends.entry(key).or_default() += n;
        }
        for (key, n) in part.fresh_extra {
            *self.fresh_extra.entry(key).or_default() += n;
        }
        self.deliveries += part.deliveries;
        self.redelivered += part.redelivered;
        self.order_violations += part.order_violations;
        if let Some(theirs) = part.receipts {
            self.receipts.get_or_insert_with(Vec::new).extend(theirs);
        }
        self.examples.absorb(part.examples);
    }

    /// Recomputes the acknowledged and settled counts from the sets (after `absorb`).
    pub fn recount(&mut self) {
        self.acknowledged = self.sets.values().map(|s| s.sent.len()).sum();
        self.settled = self.sets.values().map(settled_in).sum();
    }

    /// The receipts kept (see `Ledger::keeping_receipts`); empty for standard queues.
    pub fn receipts(&self) -> &[super::Receipt] {
        self.receipts.as_deref().unwrap_or(&[])
    }

    /// Order judged again over every part: the count and examples replace the parts' own.
    pub fn set_order_violations(&mut self, count: u64, examples: Vec<super::Example>) {
        self.order_violations = count;
        self.examples.replace_order_violations(examples);
    }
}

fn settled_in(s: &super::book::Sets) -> u64 {
    (&s.sent & &(&s.deleted | &s.dead)).len()
}
