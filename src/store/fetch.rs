//! A results directory in S3 brought to the local disk, for the commands that read one
//! (`merge`, `report`, `compare`): each object becomes its file, and a streamed file with no
//! whole object (a shard still running, or killed) is put back together from its segments, in
//! order, refusing a gap.
//!
//! Depends on `s3` and `segments`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::Context;

use super::location::S3Prefix;
use super::s3::S3;
use super::segments::{self, Segment};

/// What a fetch brought.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Fetched {
    pub files: usize,
    /// The streamed files put together from segments (no whole object yet).
    pub from_segments: Vec<String>,
}

/// Which files of the directory a command needs (`rel`: the file's path inside it).
pub type Wanted = fn(rel: &str) -> bool;

pub fn everything(_: &str) -> bool {
    true
}

/// Brings the directory at `from` into `to` (created), the files `wanted` picks.
pub async fn fetch(s3: &S3, from: &S3Prefix, to: &Path, wanted: Wanted) -> anyhow::Result<Fetched> {
    let objects = s3
        .list(from)
        .await
        .map_err(|why| anyhow::anyhow!("{from}: {why}"))?;
    if objects.is_empty() {
        anyhow::bail!("{from} holds no results: no object has that prefix");
    }
    let mut whole = Vec::new();
    let mut parts: BTreeMap<String, Vec<Segment>> = BTreeMap::new();
    for o in objects {
        let rel = o.key[from.prefix.len()..].to_string();
        match segments::parse(&rel) {
            Some((file, offset)) if wanted(file) => {
                parts.entry(file.to_string()).or_default().push(Segment {
                    key: o.key.clone(),
                    offset,
                    size: o.size,
                })
            }
            Some(_) => {}
            None if wanted(&rel) && !rel.starts_with(super::PROBE_PREFIX) => {
                whole.push((rel, o.key))
            }
            None => {}
        }
    }
    let mut fetched = Fetched::default();
    for (rel, key) in &whole {
        let path = local_path(to, rel, &from.url_of(key))?;
        s3.get_to(&from.bucket, key, &path)
            .await
            .with_context(|| from.url_of(key))?;
        fetched.files += 1;
    }
    for (rel, parts) in parts {
        if whole.iter().any(|(w, _)| *w == rel) {
            continue;
        }
        let path = local_path(to, &rel, &from.url_of(&from.key(&rel)))?;
        join(s3, from, parts, &path).await?;
        fetched.files += 1;
        fetched.from_segments.push(rel);
    }
    Ok(fetched)
}

/// The segments of one file, in order, appended into `path`.
async fn join(s3: &S3, from: &S3Prefix, parts: Vec<Segment>, path: &Path) -> anyhow::Result<()> {
    let parts = segments::in_order(parts).map_err(|e| anyhow::anyhow!("{}: {e}", from))?;
    let mut file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let piece = path.with_extension("segment");
    for s in parts {
        s3.get_to(&from.bucket, &s.key, &piece)
            .await
            .with_context(|| from.url_of(&s.key))?;
        let bytes =
            std::fs::read(&piece).with_context(|| format!("reading {}", piece.display()))?;
        file.write_all(&bytes)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let _ = std::fs::remove_file(&piece);
    Ok(())
}

/// Where the object `rel` goes under `to` (its folders made); a key that is not a plain
/// relative path (`..`, an absolute path) is refused, never written outside `to`.
fn local_path(to: &Path, rel: &str, url: &str) -> anyhow::Result<PathBuf> {
    let plain = !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        && !rel.split('/').any(|part| part.is_empty() || part == ".");
    if !plain {
        anyhow::bail!("{url}: the key is not a plain path inside the results directory; refused");
    }
    let path = to.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_inside_the_directory_are_written() {
        let to = std::env::temp_dir().join(format!("sqsbench-fetch-{}", std::process::id()));
        assert!(local_path(&to, "charts/a.png", "u").is_ok());
        for bad in ["../x", "/etc/x", "a//b", "", "a/./b", "charts/"] {
            let e = local_path(&to, bad, "s3://b/k").unwrap_err().to_string();
            assert!(
                e.contains("s3://b/k") && e.contains("refused"),
                "{bad}: {e}"
            );
        }
        let _ = std::fs::remove_dir_all(&to);
    }
}
