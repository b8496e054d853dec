//! Stopping a run on signals. The first SIGINT or SIGTERM asks the run to stop: it writes its
//! results, deletes its queues and exits 130 within 10 s. A second signal forces the exit
//! within 2 s, after writing what `LastWords` holds (summary.json with `interrupted: "forced"`)
//! and printing the queues that may be left. Depends on `measure` and `report::atomic` only.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

use crate::measure::recorder::Counters;
use crate::measure::summary::{Interruption, RunSummary};
use crate::report::results_dir::File;
use crate::report::{atomic, terminal};

/// The exit code of an interrupted run, graceful or forced.
pub(crate) const INTERRUPTED_EXIT: u8 = 130;

/// What a forced exit can still write: the run's directory, its summary so far (whole seconds
/// of counts), and the queues it created and has not yet deleted. Shared by the run (which
/// keeps it current) and the signal listener (which reads it once, on the second signal).
#[derive(Clone, Default)]
pub struct LastWords(Arc<Mutex<Option<Partial>>>);

struct Partial {
    dir: PathBuf,
    summary: RunSummary,
    counters: Counters,
    queues: Vec<String>,
    /// The run's own summary.json, once written: a forced exit then only marks it forced.
    written: Option<RunSummary>,
}

impl LastWords {
    fn lock(&self) -> MutexGuard<'_, Option<Partial>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A run has its results directory and the summary's fixed parts.
    pub fn begin(&self, dir: PathBuf, summary: RunSummary) {
        *self.lock() = Some(Partial {
            dir,
            summary,
            counters: Counters::default(),
            queues: Vec::new(),
            written: None,
        });
    }

    pub fn created_queues(&self, urls: &[String]) {
        if let Some(p) = self.lock().as_mut() {
            p.queues = urls.to_vec();
        }
    }

    pub fn queue_deleted(&self, url: &str) {
        if let Some(p) = self.lock().as_mut() {
            p.queues.retain(|q| q != url);
        }
    }

    /// One more second of counts (called once a second, never per message).
    pub fn add_second(&self, counters: &Counters) {
        if let Some(p) = self.lock().as_mut() {
            p.counters.add(counters);
        }
    }

    pub fn summary_written(&self, summary: &RunSummary) {
        if let Some(p) = self.lock().as_mut() {
            p.written = Some(summary.clone());
        }
    }

    /// The run is over and its queues are handled: nothing left to say.
    pub fn end(&self) {
        *self.lock() = None;
    }

    /// Writes summary.json marked `interrupted: "forced"` (the run's own, when it had written
    /// one; else the counts so far) and returns what to tell the user.
    pub fn write_forced(&self) -> Vec<String> {
        let guard = self.lock();
        let Some(p) = guard.as_ref() else {
            return Vec::new();
        };
        let mut said = Vec::new();
        let summary = match &p.written {
            Some(written) => RunSummary {
                interrupted: Interruption::Forced,
                ..written.clone()
            },
            None => forced_summary(&p.summary, &p.counters),
        };
        let path = p.dir.join(File::Summary.name());
        match serde_json::to_string_pretty(&summary) {
            Ok(text) => match atomic::write(&path, text + "\n") {
                Ok(()) => said.push(format!("wrote {} (interrupted: forced)", path.display())),
                Err(e) => said.push(e.to_string()),
            },
            Err(e) => said.push(format!("could not encode {}: {e}", File::Summary.name())),
        }
        for url in &p.queues {
            said.push(format!("not deleted: {url}"));
        }
        if !p.queues.is_empty()
            && let Some(command) = terminal::cleanup_command(&p.summary)
        {
            said.push(format!("delete them later with: {command}"));
        }
        said
    }
}

fn forced_summary(base: &RunSummary, c: &Counters) -> RunSummary {
    let mut s = base.clone();
    s.interrupted = Interruption::Forced;
    s.incomplete = Some(format!(
        "forced exit: message counts cover whole seconds only; latencies, duplicates and losses were not computed ({} and {} hold what was recorded)",
        File::Timeseries.name(),
        File::Histograms.name()
    ));
    s.messages.sent = c.sent;
    s.messages.sent_including_warmup = c.sent_all;
    s.messages.send_failed = c.send_failed;
    s.messages.received = c.received;
    s.messages.deleted = c.deleted;
    s.messages.foreign = c.foreign;
    s
}

/// Listens for SIGINT and SIGTERM. The receiver turns true on the first; the second writes the
/// last words and exits the process with 130.
pub(crate) fn listen(last_words: LastWords) -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let mut signals = Signals::new();
        let first = signals.next().await;
        eprintln!(
            "\ninterrupted ({first}): stopping, writing results and deleting this run's queues (a second signal forces the exit)…"
        );
        // No receiver left means the run has already ended: nothing to stop.
        let _ = tx.send(true);
        let second = signals.next().await;
        eprintln!("\nforced exit ({second})");
        for line in last_words.write_forced() {
            eprintln!("{line}");
        }
        std::process::exit(i32::from(INTERRUPTED_EXIT));
    });
    rx
}

/// SIGINT and SIGTERM as one stream (Ctrl-C alone elsewhere than Unix). Both handlers are
/// installed when it is made, so a signal that arrives before the first `next` is not lost.
pub(crate) struct Signals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Listens from now on; a signal whose handler cannot be installed is said once.
    #[allow(clippy::new_without_default)] // it installs a handler: not a default value
    pub(crate) fn new() -> Signals {
        Signals {
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(|e| eprintln!("warning: SIGTERM cannot be caught ({e}); it will end the process without cleanup"))
                .ok(),
            #[cfg(unix)]
            interrupt: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(|e| eprintln!("warning: SIGINT cannot be caught ({e})"))
                .ok(),
        }
    }

    /// The next signal's name.
    pub(crate) async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        if let (Some(term), Some(int)) = (self.terminate.as_mut(), self.interrupt.as_mut()) {
            return tokio::select! {
                _ = int.recv() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            };
        }
        #[cfg(unix)]
        if let Some(term) = self.terminate.as_mut() {
            return tokio::select! {
                Some(name) = sigint() => name,
                _ = term.recv() => "SIGTERM",
            };
        }
        match sigint().await {
            Some(name) => name,
            None => std::future::pending().await,
        }
    }
}

/// The next SIGINT, or `None` (said once) when its handler cannot be installed.
async fn sigint() -> Option<&'static str> {
    match tokio::signal::ctrl_c().await {
        Ok(()) => Some("SIGINT"),
        Err(e) => {
            eprintln!("warning: SIGINT cannot be caught ({e})");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forced_exit_writes_the_counts_and_names_the_queues_left() {
        let dir = std::env::temp_dir().join(format!("sqsbench-lastwords-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let words = LastWords::default();
        assert!(
            words.write_forced().is_empty(),
            "nothing begun, nothing said"
        );
        words.begin(dir.clone(), RunSummary::default());
        words.created_queues(&["http://q/a".into(), "http://q/b".into()]);
        words.queue_deleted("http://q/a");
        let second = Counters {
            sent: 7,
            received: 5,
            ..Counters::default()
        };
        words.add_second(&second);
        words.add_second(&second);
        let said = words.write_forced();
        assert_eq!(said.len(), 2, "{said:?}");
        assert_eq!(said[1], "not deleted: http://q/b");
        let mut remote = RunSummary {
            run_id: "00000000000000ab".into(),
            ..RunSummary::default()
        };
        remote.target.kind = crate::scenario::TargetKind::Endpoint;
        remote.target.endpoint = "http://127.0.0.1:9324".into();
        assert_eq!(
            terminal::cleanup_command(&remote).as_deref(),
            Some("sqsbench cleanup --run-id 00000000000000ab --target http://127.0.0.1:9324")
        );
        let saved: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(saved["interrupted"], "forced");
        assert_eq!(saved["messages"]["sent"], 14);
        assert_eq!(saved["messages"]["received"], 10);
        assert!(
            saved["incomplete"]
                .as_str()
                .unwrap()
                .contains("forced exit")
        );
        let mut finished = RunSummary::default();
        finished.messages.sent = 99;
        words.summary_written(&finished);
        words.write_forced();
        let saved: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(saved["interrupted"], "forced");
        assert_eq!(
            saved["messages"]["sent"], 99,
            "the run's own summary, marked forced"
        );
        assert!(saved.get("incomplete").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn interruption_round_trips_as_false_true_or_forced() {
        for (value, text) in [
            (Interruption::None, "false"),
            (Interruption::Signal, "true"),
            (Interruption::Forced, "\"forced\""),
        ] {
            assert_eq!(serde_json::to_string(&value).unwrap(), text);
            assert_eq!(serde_json::from_str::<Interruption>(text).unwrap(), value);
        }
        let bad = serde_json::from_str::<Interruption>("\"maybe\"").unwrap_err();
        assert!(bad.to_string().contains("expected false, true"), "{bad}");
    }
}
