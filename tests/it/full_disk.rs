//! A run whose results directory fills up: on a 160 KiB tmpfs, `sqsbench run` exits 4 (results
//! incomplete), names each file it could not write with the OS error, leaves no temporary
//! file, and never a truncated one. Needs root to mount the tmpfs (as CI runs); elsewhere the
//! same path is covered by `report::atomic`'s injected failure.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = std::env::temp_dir().join(format!("sqsbench-full-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Tmpfs(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

fn files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_full_disk_exits_4_naming_the_files() {
    let Some(tmpfs) = Tmpfs::mount("160k") else {
        eprintln!(
            "skipped: cannot mount a tmpfs here (not root); report::atomic tests cover the path"
        );
        return;
    };
    let out = tmpfs.0.join("results");
    let output = Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "scenarios/quickstart.toml", "--duration", "2s"])
        .args(["--set", "run.warmup=1s", "--set", "producers.rate=100/s"])
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        // Which file the disk runs out on first depends on the sizes written before it (a
        // chart, when the histograms take the space): each is named with its OS error.
        stderr.contains("results incomplete: ")
            && stderr.contains("could not write")
            && stderr.contains("No space left on device"),
        "{stderr}"
    );
    assert!(
        stderr.contains(out.to_str().unwrap()),
        "the path is named: {stderr}"
    );
    let mut all = files(&out);
    all.extend(files(&out.join("charts")));
    assert!(
        all.iter().all(|f| !f.starts_with(".tmp-")),
        "no temporary file left: {all:?}"
    );
    // Whatever was written is whole: summary.json, when present, parses.
    if let Ok(text) = std::fs::read_to_string(out.join("summary.json")) {
        serde_json::from_str::<serde_json::Value>(&text).expect("a whole summary.json");
    }
}
