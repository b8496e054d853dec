//! Results files are whole or absent: each is written to a temporary name beside its final
//! one, flushed to disk and renamed over it, so a full disk or a kill mid-write never leaves a
//! truncated file (or replaces a good one with a partial one). Depends on std only.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How every write failure's message begins (the streamed files' failures say it the same way).
pub(crate) const WRITE_FAILED: &str = "could not write";

/// A results file that could not be written: its path and the OS error.
#[derive(Debug, thiserror::Error)]
#[error("could not write {}: {source}", path.display())]
pub(crate) struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// The temporary name a file is first written under. It keeps the final extension, because
/// the PNG encoder picks its format by extension.
pub(crate) fn temporary_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".tmp-{}-{name}", std::process::id()))
}

/// Writes `bytes` to `path` atomically: temporary file, `sync_all`, rename.
pub(crate) fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), WriteError> {
    let temporary = temporary_name(path);
    let written = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes.as_ref())?;
        file.sync_all()
    })();
    commit(&temporary, path, written)
}

/// Renames a finished temporary file over `path`, or removes it when writing it failed.
pub(crate) fn commit(
    temporary: &Path,
    path: &Path,
    written: std::io::Result<()>,
) -> Result<(), WriteError> {
    let renamed = written.and_then(|()| std::fs::rename(temporary, path));
    renamed.map_err(|source| {
        let _ = std::fs::remove_file(temporary);
        WriteError {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sqsbench-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn replaces_the_file_whole_and_leaves_no_temporary() {
        let dir = scratch("ok");
        let path = dir.join("summary.json");
        std::fs::write(&path, "old").unwrap();
        write(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_write_names_the_path_and_keeps_the_old_file() {
        let dir = scratch("fail");
        let path = dir.join("summary.json");
        std::fs::write(&path, "good").unwrap();
        let failure = commit(
            &temporary_name(&path),
            &path,
            Err(std::io::Error::from_raw_os_error(28)),
        )
        .unwrap_err();
        let text = failure.to_string();
        assert!(text.contains("summary.json"), "{text}");
        assert!(text.contains("No space left on device"), "{text}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "good");
        let missing = write(&dir.join("no-such-dir/x.csv"), "x").unwrap_err();
        assert!(missing.to_string().contains("no-such-dir/x.csv"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
