//! Memory per producer/consumer task: the peak RSS of a real `sqsbench run` (embedded target)
//! with 1, 2,000 and 10,000 producer tasks (plus a tenth as many consumers), and the cost per
//! task from the difference. `BENCH_BASELINE_BIN=path/to/older/sqsbench` measures that build in
//! the same run, for a before/after on the same machine load.
//! Run: `cargo bench --bench task_memory` (about a minute).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const TASKS: [u32; 3] = [1, 2_000, 10_000];

mod support;

/// The peak resident set (VmHWM) of a command's process, polled until it exits.
fn peak_rss_kib(mut command: Command) -> (u64, bool) {
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sqsbench starts");
    support::peak_rss_kib(child, Duration::from_secs(120))
}

fn scenario(dir: &Path, producers: u32) -> std::path::PathBuf {
    let consumers = (producers / 10).max(1);
    let path = dir.join(format!("tasks-{producers}.toml"));
    std::fs::write(
        &path,
        format!(
            "name = \"task-memory\"\n[run]\nwarmup = \"1s\"\nduration = \"4s\"\ndrain_timeout = \"5s\"\n\
             [[producers]]\ncount = {producers}\nrate = \"{producers}/s\"\nbatch_size = 1\nmessage_size = \"256B\"\n\
             [[consumers]]\ncount = {consumers}\nbatch_size = 10\nwait_time = \"1s\"\n"
        ),
    )
    .expect("scenario written");
    path
}

fn main() {
    let dir = std::env::temp_dir().join(format!("sqsbench-task-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let mut binaries = vec![("this build", env!("CARGO_BIN_EXE_sqsbench").to_string())];
    if let Ok(baseline) = std::env::var("BENCH_BASELINE_BIN") {
        binaries.push(("baseline", baseline));
    }
    println!("| build | producer tasks | consumer tasks | peak RSS MiB | KiB per task over 1 |");
    println!("|---|---|---|---|---|");
    for (label, bin) in &binaries {
        let mut first = None;
        for producers in TASKS {
            let out = dir.join(format!("out-{label}-{producers}").replace(' ', "-"));
            let _ = std::fs::remove_dir_all(&out);
            let mut command = Command::new(bin);
            command
                .arg("run")
                .arg(scenario(&dir, producers))
                .arg("--out")
                .arg(&out)
                .arg("--quiet");
            let (kib, ok) = peak_rss_kib(command);
            let tasks = producers + (producers / 10).max(1);
            let base = *first.get_or_insert((kib, tasks));
            let per_task = if tasks > base.1 {
                format!(
                    "{:.1}",
                    kib.saturating_sub(base.0) as f64 / (tasks - base.1) as f64
                )
            } else {
                "-".into()
            };
            println!(
                "| {label} | {producers} | {} | {:.1}{} | {per_task} |",
                (producers / 10).max(1),
                kib as f64 / 1024.0,
                if ok { "" } else { " (run failed)" }
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
