//! The run's ledgers: one per queue the consumers read — a queue run has one, a fan-out run one
//! per subscription — each its own owner task, so a subscription's figures (missing, duplicates,
//! order, dead letters) are exactly its own. The drain and the progress display see their sums.

use tokio::task::JoinHandle;

use crate::measure::ledger::{self, Journal, Ledger, LedgerHandle, Owned, Progress};

pub(crate) struct Ledgers {
    handles: Vec<LedgerHandle>,
    owners: Vec<JoinHandle<Owned>>,
}

impl Ledgers {
    /// One ledger per lane (at least one), each judging FIFO order when its queue is FIFO
    /// (`fifo[lane]`; a rule's target has its own type); the journal, if any, is the first's (a
    /// shard's run has one queue).
    pub(crate) fn spawn(fifo: &[bool], mut journal: Option<Journal>) -> Ledgers {
        let (handles, owners) = (0..fifo.len().max(1))
            .map(|lane| ledger::spawn(fifo.get(lane).copied().unwrap_or(false), journal.take()))
            .unzip();
        Ledgers { handles, owners }
    }

    pub(crate) fn handle(&self, lane: usize) -> &LedgerHandle {
        &self.handles[lane]
    }

    pub(crate) fn checkpoint(&self) {
        self.handles.iter().for_each(LedgerHandle::checkpoint);
    }

    pub(crate) fn duplicates(&self) -> u64 {
        self.handles.iter().map(LedgerHandle::duplicates).sum()
    }

    /// Every ledger's progress added up, once each has applied what was sent before; `None`
    /// when one stopped.
    pub(crate) async fn sync(&self) -> Option<Progress> {
        let mut sum = Progress::default();
        for h in &self.handles {
            let p = h.sync().await?;
            sum.acknowledged += p.acknowledged;
            sum.unique += p.unique;
            sum.settled += p.settled;
        }
        Some(sum)
    }

    /// Drops the handles and waits for each owner: its ledger, or why it failed.
    pub(crate) async fn finish(self) -> Vec<Result<Owned, String>> {
        drop(self.handles);
        let mut out = Vec::new();
        for owner in self.owners {
            out.push(owner.await.map_err(|e| e.to_string()));
        }
        out
    }

    /// A ledger in place of one that failed.
    pub(crate) fn empty(fifo: bool) -> Owned {
        Owned {
            ledger: Ledger::new(fifo),
            journal_failed: None,
        }
    }
}
