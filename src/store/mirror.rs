//! S3 as one more results sink: the local copy is written as always, and the mirror sends it
//! on. While a run goes, each tick sends the files written at its start once and every
//! streamed file's new whole lines or frames as a segment; at the end every file goes whole,
//! summary.json last of all, so that its presence marks a complete directory. An object that
//! could not be sent is named, and the local copy stays.
//!
//! Depends on `s3`, `segments` and `report::results_dir`; never reads what the files say.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::location::S3Prefix;
use super::s3::S3;
use super::segments;
use crate::report::results_dir::File;

/// How many whole files are sent at once at the end.
const AT_ONCE: usize = 8;

pub struct Mirror {
    s3: Arc<S3>,
    to: S3Prefix,
    local: PathBuf,
    /// Per streamed file (its path inside the directory), the bytes sent so far.
    sent: BTreeMap<String, u64>,
    started: BTreeSet<String>,
    /// Objects that could not be sent (and were not sent later), with why.
    failed: BTreeMap<String, String>,
}

/// What the end of the mirror did.
#[derive(Debug, Default)]
pub struct Finished {
    pub files: usize,
    /// Each object that could not be sent (at the end, or a segment during the run), named,
    /// with why; empty when all went.
    pub failures: Vec<String>,
    /// Every file went whole at the end, summary.json last: the directory in S3 is complete.
    pub complete: bool,
}

impl Mirror {
    pub fn new(s3: Arc<S3>, to: S3Prefix, local: PathBuf) -> Mirror {
        Mirror {
            s3,
            to,
            local,
            sent: BTreeMap::new(),
            started: BTreeSet::new(),
            failed: BTreeMap::new(),
        }
    }

    pub fn local(&self) -> &Path {
        &self.local
    }

    pub fn to(&self) -> &S3Prefix {
        &self.to
    }

    /// One round: the start files not yet sent, and each streamed file's new part.
    pub async fn tick(&mut self) {
        for rel in files_under(&self.local) {
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            if segments::streamed(name) {
                self.send_segment(&rel).await;
            } else if segments::at_start(name) && !self.started.contains(&rel) {
                let key = self.to.key(&rel);
                if self.put_file(&key, &self.local.join(&rel)).await {
                    self.started.insert(rel);
                }
            }
        }
    }

    async fn send_segment(&mut self, rel: &str) {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let offset = self.sent.get(rel).copied().unwrap_or(0);
        let Ok(tail) = read_from(&self.local.join(rel), offset) else {
            return;
        };
        let n = segments::sendable(name, &tail, offset);
        if n == 0 {
            return;
        }
        let key = self.to.key(&segments::key(rel, offset));
        let mut tail = tail;
        tail.truncate(n);
        let sent = self.s3.put(&self.to.bucket, &key, tail).await;
        if self.noted(&key, sent) {
            self.sent.insert(rel.to_string(), offset + n as u64);
        }
    }

    async fn put_file(&mut self, key: &str, path: &Path) -> bool {
        let sent = self.s3.put_file(&self.to.bucket, key, path).await;
        self.noted(key, sent)
    }

    /// Keeps a failure until the same object is sent after all.
    fn noted(&mut self, key: &str, sent: Result<(), String>) -> bool {
        match sent {
            Ok(()) => {
                self.failed.remove(key);
                true
            }
            Err(why) => {
                self.failed.insert(key.to_string(), why);
                false
            }
        }
    }

    /// Every file whole, the summary.json files after all the others (a run's inside a
    /// campaign's before the campaign's own); when a file could not be sent, no summary.json
    /// is, so the directory in S3 is never marked complete when it is not. A segment that
    /// failed during the run is still reported.
    pub async fn finish(self) -> Finished {
        self.finish_where(|_| true).await
    }

    /// `finish` for the files `keep` picks (`report`: the ones it rewrote).
    pub async fn finish_where(mut self, keep: impl Fn(&str) -> bool) -> Finished {
        let mut during_run = std::mem::take(&mut self.failed);
        let (summaries, rest): (Vec<String>, Vec<String>) = files_under(&self.local)
            .into_iter()
            .filter(|rel| keep(rel))
            .partition(|rel| rel.rsplit('/').next() == Some(File::Summary.name()));
        let files = summaries.len() + rest.len();
        let sent: Vec<(String, Result<(), String>)> = futures_util::stream::iter(rest)
            .map(|rel| {
                let (s3, key, path) = (self.s3.clone(), self.to.key(&rel), self.local.join(&rel));
                let bucket = self.to.bucket.clone();
                async move {
                    let sent = s3.put_file(&bucket, &key, &path).await;
                    (key, sent)
                }
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        for (key, result) in sent {
            if self.noted(&key, result) {
                during_run.remove(&key);
            }
        }
        let mut summaries = summaries;
        summaries.sort_by_key(|rel| std::cmp::Reverse(rel.matches('/').count()));
        for rel in summaries {
            if !self.failed.is_empty() {
                break;
            }
            let key = self.to.key(&rel);
            self.put_file(&key, &self.local.join(&rel)).await;
        }
        let complete = self.failed.is_empty();
        self.failed.extend(during_run);
        Finished {
            files,
            failures: self.failures(),
            complete,
        }
    }

    /// The objects still not sent, each as `s3://bucket/key: why`.
    pub fn failures(&self) -> Vec<String> {
        self.failed
            .iter()
            .map(|(key, why)| format!("{}: {why}", self.to.url_of(key)))
            .collect()
    }
}

/// The mirror ticking in the background while a run goes.
pub struct Streaming {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Mirror>,
}

/// Ticks `mirror` every `every` (the first at once) until stopped.
pub fn stream(mut mirror: Mirror, every: Duration) -> Streaming {
    let (stop, mut stopped) = oneshot::channel();
    let task = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => mirror.tick().await,
                _ = &mut stopped => break,
            }
        }
        mirror
    });
    Streaming { stop, task }
}

impl Streaming {
    /// Stops ticking (a tick under way is finished first) and hands the mirror back.
    pub async fn stop(self) -> Mirror {
        let _ = self.stop.send(());
        self.task.await.expect("the mirror's task does not panic")
    }
}

/// Every file under `root`, as '/'-separated paths inside it, in a stable order; a folder that
/// cannot be read (not made yet) holds nothing.
pub fn files_under(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut folders = vec![String::new()];
    while let Some(rel) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            match entry.file_type() {
                Ok(t) if t.is_dir() => folders.push(path),
                Ok(t) if t.is_file() && !is_temporary(&path) => found.push(path),
                _ => {}
            }
        }
    }
    found.sort();
    found
}

/// Each file's size and modification time, to tell afterwards which ones were rewritten.
pub fn snapshot(root: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    files_under(root)
        .into_iter()
        .filter_map(|rel| {
            let at = snapshot_of(root, &rel)?;
            Some((rel, at))
        })
        .collect()
}

/// One file's size and modification time (`snapshot`'s entry), if it is there.
pub fn snapshot_of(root: &Path, rel: &str) -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(root.join(rel)).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// A file being written under a temporary name (`atomic::write`'s), not yet a result.
fn is_temporary(rel: &str) -> bool {
    rel.rsplit('/')
        .next()
        .is_some_and(|n| n.starts_with(".tmp-"))
}

/// The bytes of `path` from `offset` to its current end.
fn read_from(path: &Path, offset: u64) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)?;
    Ok(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_under_a_folder_is_found_but_temporary_ones() {
        let root = std::env::temp_dir().join(format!("sqsbench-mirror-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("charts")).unwrap();
        for f in ["summary.json", "charts/a.png", ".tmp-1-summary.json"] {
            std::fs::write(root.join(f), b"x").unwrap();
        }
        assert_eq!(files_under(&root), ["charts/a.png", "summary.json"]);
        assert!(files_under(&root.join("absent")).is_empty());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
