//! A scaled fleet's size as its policy last set it, and the gate its tasks pass before each
//! receive: task `i` of the fleet polls only while `i` is below the size. The gate is one
//! atomic load per receive; a task above the size parks on a `Notify` until the size grows or
//! the run stops. A task above a shrunk size finishes the batch in hand first, as a service
//! that is scaled in finishes its work before it exits. Must not depend on clients or
//! measurement.

use std::sync::atomic::{AtomicU32, Ordering};

use tokio::sync::{Notify, watch};

#[derive(Debug, Default)]
pub(crate) struct FleetSize {
    running: AtomicU32,
    grown: Notify,
}

impl FleetSize {
    pub(crate) fn new(running: u32) -> FleetSize {
        FleetSize {
            running: AtomicU32::new(running),
            grown: Notify::new(),
        }
    }

    pub(crate) fn get(&self) -> u32 {
        self.running.load(Ordering::Relaxed)
    }

    pub(crate) fn set(&self, running: u32) {
        let before = self.running.swap(running, Ordering::Relaxed);
        if running > before {
            self.grown.notify_waiters();
        }
    }

    /// Waits until task `task` of the fleet may poll; false when the run stopped first.
    pub(crate) async fn admitted(&self, task: u32, stop: &mut watch::Receiver<bool>) -> bool {
        loop {
            if *stop.borrow() {
                return false;
            }
            let grown = self.grown.notified();
            tokio::pin!(grown);
            // Registered before the check, so a `set` between the check and the wait is seen.
            grown.as_mut().enable();
            if task < self.get() {
                return true;
            }
            tokio::select! {
                _ = grown => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        return false;
                    }
                }
            }
        }
    }
}

/// A consumer task's place in its scaled fleet.
#[derive(Debug, Clone)]
pub(crate) struct Scaled {
    pub size: std::sync::Arc<FleetSize>,
    /// The task's number within its fleet (0-based).
    pub task: u32,
}

/// A fleet's running consumers: its task count, or its scaler's latest size.
#[derive(Debug, Clone)]
pub(crate) enum Running {
    Fixed(u32),
    Scaled(std::sync::Arc<FleetSize>),
}

impl Running {
    pub(crate) fn now(&self) -> u32 {
        match self {
            Running::Fixed(n) => *n,
            Running::Scaled(size) => size.get(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn a_parked_task_is_admitted_when_the_fleet_grows_past_it() {
        let size = Arc::new(FleetSize::new(1));
        let (_stop, mut stopped) = watch::channel(false);
        assert!(size.admitted(0, &mut stopped).await, "task 0 of 1 runs");
        let waiting = tokio::spawn({
            let size = size.clone();
            let mut stopped = stopped.clone();
            async move { size.admitted(3, &mut stopped).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "task 3 of 1 waits");
        size.set(4);
        assert!(waiting.await.unwrap());
    }

    #[tokio::test]
    async fn a_parked_task_leaves_when_the_run_stops() {
        let size = Arc::new(FleetSize::new(0));
        let (stop, stopped) = watch::channel(false);
        let waiting = tokio::spawn({
            let size = size.clone();
            let mut stopped = stopped.clone();
            async move { size.admitted(0, &mut stopped).await }
        });
        tokio::task::yield_now().await;
        stop.send(true).unwrap();
        assert!(!waiting.await.unwrap());
    }
}
