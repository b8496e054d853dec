//! What a run is given besides its scenario, and what it hands back.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::distributed::Distributed;
use super::shutdown::LastWords;
use crate::live::LiveRun;
use crate::measure::summary::RunSummary;

#[derive(Clone, Default)]
pub struct RunOptions {
    /// `--out DIR`: the results directory itself.
    pub out: Option<PathBuf>,
    /// Kept current as the run goes, for a forced exit (a second signal) to write.
    pub last_words: LastWords,
    /// `--shard`, `--run-id`, `--start-at`: the default is a whole run that starts when ready.
    pub distributed: Distributed,
    /// `--metrics`: the live metrics this run feeds once a second.
    pub live: Option<LiveRun>,
    /// With `--out s3://`: how often the streamed files' new parts are uploaded (shard.json
    /// says it, for the merge).
    pub segments_every: Option<Duration>,
}

pub struct RunOutcome {
    pub summary: RunSummary,
    pub dir: PathBuf,
    /// Non-fatal problems (a queue that could not be deleted, the DLQ could not be read).
    pub warnings: Vec<String>,
    /// Results files that could not be written, each naming its path and the OS error: the
    /// directory is incomplete (exit 4).
    pub write_failures: Vec<String>,
}

impl RunOutcome {
    pub fn expectations_failed(&self) -> bool {
        self.summary.expectations.iter().any(|e| !e.passed)
    }
}

/// `secs` after the epoch as a compact UTC stamp, `20261201T100000Z` (ISO 8601 basic format):
/// it names results directories, so it has no `:` (not allowed in Windows paths).
/// Time since the Unix epoch. A clock set before 1970 reads as the epoch itself: the time only
/// names the results directory and seeds the run id.
pub fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

pub fn utc_stamp(secs: u64) -> String {
    let time = std::time::UNIX_EPOCH + Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .replace(['-', ':'], "")
}

#[cfg(test)]
mod tests {
    use super::utc_stamp;

    #[test]
    fn utc_stamps() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        assert_eq!(utc_stamp(1_795_432_055), "20261123T110735Z");
        assert_eq!(utc_stamp(951_782_400), "20000229T000000Z");
    }
}
