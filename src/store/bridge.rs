//! What the commands call: an `s3://` output opened before anything runs (connected, probed,
//! its local copy chosen) and sent at the end; `s3://` inputs brought to the local disk. The
//! commands then work on local directories exactly as without S3.
//!
//! Depends on the rest of `store`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::fetch::{self, Wanted};
use super::location::{Input, Location, S3Prefix};
use super::mirror::{self, Mirror, Streaming};
use super::s3::S3;
use crate::report::results_dir::File;
use crate::report::shard_file::ShardFile;

/// An `s3://` output: where it goes, and the local copy written first.
pub struct Output {
    pub s3: Arc<S3>,
    pub at: S3Prefix,
    pub local: PathBuf,
}

impl Output {
    /// Connects and probes `at` (empty, writable) before anything runs; the error names the
    /// location (exit 2). Warnings (a probe left behind) are printed here.
    pub async fn open(at: S3Prefix, local: PathBuf) -> Result<Output, String> {
        let s3 = S3::connect().await.map_err(|e| format!("{at}: {e:#}"))?;
        if let Some(warning) = super::probe(&s3, &at, true).await? {
            eprintln!("warning: {warning}");
        }
        Ok(Output {
            s3: Arc::new(s3),
            at,
            local,
        })
    }

    pub fn mirror(&self) -> Mirror {
        Mirror::new(self.s3.clone(), self.at.clone(), self.local.clone())
    }

    /// The mirror ticking every `every` while the command runs.
    pub fn stream(&self, every: Duration) -> Streaming {
        mirror::stream(self.mirror(), every)
    }
}

/// Sends every file of the local copy (summary.json last). On success, the line that says
/// where the results went; on failure, each object not sent and where the local copy is.
pub async fn send(mirror: Mirror) -> Result<String, Vec<String>> {
    let (to, local) = (mirror.to().clone(), mirror.local().to_path_buf());
    let finished = mirror.finish().await;
    if finished.failures.is_empty() {
        return Ok(format!("uploaded: {to} ({} files)", finished.files));
    }
    let mut failures: Vec<String> = finished
        .failures
        .into_iter()
        .map(|f| format!("not uploaded: {f}"))
        .collect();
    failures.push(match finished.complete {
        true => format!(
            "{to} is complete (every file went at the end); the local copy is at {}",
            local.display()
        ),
        false => format!(
            "{to} is incomplete (no summary.json was uploaded); the local copy is complete at {}",
            local.display()
        ),
    });
    Err(failures)
}

/// Inputs on the local disk: local paths as given, `s3://` ones (and every folder a `*`
/// matches) fetched under `scratch`, the files `wanted` picks.
pub async fn localize(
    inputs: &[Input],
    scratch: &Path,
    wanted: Wanted,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut s3 = None;
    let mut dirs = Vec::new();
    for input in inputs {
        match input {
            Input::One(Location::Local(path)) => dirs.push(path.clone()),
            Input::One(Location::S3(at)) => {
                let into = scratch.join(format!("{}", dirs.len()));
                fetch::fetch(client(&mut s3).await?, at, &into, wanted).await?;
                dirs.push(into);
            }
            Input::S3Glob { parent, stem } => {
                for at in expand(client(&mut s3).await?, parent, stem).await? {
                    let into = scratch.join(format!("{}", dirs.len()));
                    fetch::fetch(client(&mut s3).await?, &at, &into, wanted).await?;
                    dirs.push(into);
                }
            }
        }
    }
    Ok(dirs)
}

/// The folders under `parent` whose names start with `stem`, in order; none is an error.
pub async fn expand(s3: &S3, parent: &S3Prefix, stem: &str) -> anyhow::Result<Vec<S3Prefix>> {
    let folders = s3
        .folders(parent)
        .await
        .map_err(|why| anyhow::anyhow!("{parent}: {why}"))?;
    let matched: Vec<S3Prefix> = folders
        .iter()
        .filter_map(|f| f.strip_prefix(&parent.prefix))
        .filter(|name| name.starts_with(stem))
        .map(|name| parent.child(name))
        .collect();
    if matched.is_empty() {
        anyhow::bail!("{parent}{stem}*: no folder matches");
    }
    Ok(matched)
}

/// Waits (checking every 5 s) until every shard of the run the inputs hold has written its
/// summary.json, or until `until`; says what it found. Inputs not there yet count as
/// unfinished: a pod may not have started.
pub async fn wait_for_shards(inputs: &[Input], until: SystemTime) -> String {
    let mut s3 = None;
    loop {
        let (finished, count) = shards_finished(&mut s3, inputs).await;
        if count.is_some_and(|n| finished >= n) {
            return format!("merge: all {finished} shards finished");
        }
        let now = SystemTime::now();
        let Ok(left) = until.duration_since(now) else {
            let count = count.map_or("?".to_string(), |n| n.to_string());
            return format!(
                "merge: {finished} of {count} shards finished by --wait-until; merging what is there"
            );
        };
        tokio::time::sleep(left.min(Duration::from_secs(5))).await;
    }
}

/// How many of the inputs' shards have a summary.json, and the run's shard count (from any
/// shard.json found).
async fn shards_finished(s3: &mut Option<S3>, inputs: &[Input]) -> (u32, Option<u32>) {
    let (mut finished, mut count) = (0, None);
    for input in inputs {
        let folders = match input {
            Input::One(Location::Local(dir)) => {
                finished += dir.join(File::Summary.name()).is_file() as u32;
                count = count
                    .or_else(|| shard_count(&std::fs::read(dir.join(File::Shard.name())).ok()?));
                continue;
            }
            Input::One(Location::S3(at)) => vec![at.clone()],
            Input::S3Glob { parent, stem } => match client(s3).await {
                Ok(c) => expand(c, parent, stem).await.unwrap_or_default(),
                Err(_) => Vec::new(),
            },
        };
        let Ok(c) = client(s3).await else {
            continue;
        };
        for at in folders {
            let summary = at.key(File::Summary.name());
            finished += c.exists(&at.bucket, &summary).await.unwrap_or(false) as u32;
            if count.is_none() {
                let shard = c
                    .get_small(&at.bucket, &at.key(File::Shard.name()), 1 << 16)
                    .await;
                count = shard.ok().and_then(|bytes| shard_count(&bytes));
            }
        }
    }
    (finished, count)
}

fn shard_count(shard_json: &[u8]) -> Option<u32> {
    let record: ShardFile = serde_json::from_slice(shard_json).ok()?;
    Some(record.shard.count)
}

async fn client(s3: &mut Option<S3>) -> anyhow::Result<&S3> {
    if s3.is_none() {
        *s3 = Some(S3::connect().await?);
    }
    Ok(s3.as_ref().expect("just made"))
}

/// A folder of its own under the system's temporary folder, for fetched inputs.
pub fn scratch(what: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!("sqsbench-{what}-{}-{nanos}", std::process::id()))
}

/// A runtime for the commands that are otherwise synchronous (merge, report, compare).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}
