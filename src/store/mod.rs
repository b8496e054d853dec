//! Results in object storage: `s3://bucket/prefix` as the place a run, a shard or a merge
//! writes (`mirror`: the local copy written as always, then sent on, streamed files in segments
//! as they grow, summary.json last), and as the place `merge`, `report` and `compare` read
//! from (`fetch`: brought to the local disk first).
//!
//! Depends on `client` (the CA bundle), `measure` (the ledger journal's frames) and `report`
//! (the results directory's names); the commands in `cli` use it, nothing else does.

pub mod bridge;
pub mod fetch;
pub mod location;
pub mod mirror;
pub mod s3;
pub mod segments;

pub use location::{Input, Location, S3Prefix};

/// The write probe's object names start so; a fetch never takes one for a result.
pub const PROBE_PREFIX: &str = ".sqsbench-write-probe-";

/// Checks that results can be written at `at` before anything runs: with `must_be_empty`, no
/// object may be there yet (as a local `--out` must be empty); then a probe object is put and
/// deleted. The error names the location and why (a missing bucket, access denied, no
/// credentials); a probe that could be put but not deleted is a warning.
pub async fn probe(
    s3: &s3::S3,
    at: &S3Prefix,
    must_be_empty: bool,
) -> Result<Option<String>, String> {
    let empty = s3
        .is_empty(at)
        .await
        .map_err(|why| format!("{at}: {why}"))?;
    if must_be_empty && !empty {
        return Err(format!("{at} already holds objects; choose another --out"));
    }
    let key = at.key(&format!(
        "{PROBE_PREFIX}{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    s3.put(&at.bucket, &key, Vec::new())
        .await
        .map_err(|why| format!("{at} cannot be written: {why}"))?;
    Ok(s3.delete(&at.bucket, &key).await.err().map(|why| {
        format!(
            "the write probe {} could not be deleted: {why}",
            at.url_of(&key)
        )
    }))
}
