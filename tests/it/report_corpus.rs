//! `sqsbench report` on the damaged results directories of tests/results-corpus/: each is
//! refused with exit 2, naming the file and what is wrong, and leaves the directory's
//! report.html as it was; the undamaged one re-renders with exit 0, and so does a directory
//! written by the previous release.

use std::path::Path;
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/results-corpus");

/// The CI gate's baseline: a results directory written by an earlier release (its summary.json
/// says which), kept to show that newer releases still read it.
const PREVIOUS_RELEASE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scripts/baselines/batch-sizes-10"
);

/// Copies a corpus directory to a scratch place with a sentinel report.html.
fn scratch(name: &str) -> std::path::PathBuf {
    copy_of(&Path::new(CORPUS).join(name), name)
}

fn copy_of(source: &Path, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sqsbench-corpus-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    std::fs::write(dir.join("report.html"), "the good report").unwrap();
    dir
}

fn report(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .arg("report")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn damaged_directories_are_refused_naming_the_file_and_kept_as_they_were() {
    let cases = [
        ("truncated-hlog", "histograms.hlog is damaged", "truncated"),
        (
            "byte-flipped-hlog",
            "histograms.hlog is damaged",
            "corrupt deflate",
        ),
        ("empty-hlog", "histograms.hlog is damaged", "header"),
        (
            "missing-timeseries",
            "timeseries.csv is missing",
            "cannot be rebuilt",
        ),
        (
            "summary-mismatch",
            "summary.json does not match",
            "101 samples in the summary, 100 in the log",
        ),
    ];
    for (name, file, what) in cases {
        let dir = scratch(name);
        let (code, stderr) = report(&dir);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(
            stderr.contains(file) && stderr.contains(what),
            "{name}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("report.html")).unwrap(),
            "the good report",
            "{name}: report.html was replaced"
        );
        assert!(
            !dir.join("latency.hgrm").exists(),
            "{name}: nothing is written"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn the_undamaged_directory_re_renders() {
    let dir = scratch("good");
    let (code, stderr) = report(&dir);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    assert!(dir.join("latency.hgrm").is_file() && dir.join("charts/throughput.png").is_file());
    // Written by schema_version 1, which named the p99 check by key and unit: read by its key.
    assert!(
        html.contains("max_e2e_p99") && !html.contains("max_e2e_p99_us"),
        "the old name is read as the key"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_results_directory_of_the_previous_release_still_reports_and_compares() {
    let dir = copy_of(Path::new(PREVIOUS_RELEASE), "previous-release");
    let (code, stderr) = report(&dir);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("batch-sizes"), "{}", &html[..200]);
    let summary_csv = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    assert!(summary_csv.starts_with("scenario,run_id,"), "{summary_csv}");
    let compared = Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .arg("compare")
        .arg(PREVIOUS_RELEASE)
        .arg(&dir)
        .args([
            "--fail-if",
            "messages.lost:>0",
            "--fail-if",
            "throughput.received_per_sec:-1%",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&compared.stdout);
    assert_eq!(
        compared.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&compared.stderr)
    );
    assert!(stdout.contains("throughput.received_per_sec"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
