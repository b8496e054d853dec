//! How busy the emulator thread is, for the `auto` idle mode: the requests it answered since
//! it last ran out of work, and how long its last sleep lasted. Per thread: the emulator's
//! runtime is single-threaded, so the gauge needs no atomics or locks. Imports nothing.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// A sleep shorter than this means requests arrive faster than one per millisecond or so:
/// the next one is likely to be on its way, and yielding lets it (and others) gather.
const BUSY_SLEEP: Duration = Duration::from_micros(500);

thread_local! {
    static SERVED: Cell<u32> = const { Cell::new(0) };
    static ASLEEP_SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
    static LAST_SLEEP: Cell<Duration> = const { Cell::new(Duration::MAX) };
}

/// Called once per request answered.
pub(crate) fn served_one() {
    SERVED.with(|n| n.set(n.get().saturating_add(1)));
}

/// Called when the thread has no work left, before it sleeps: whether to give way to other
/// runnable threads first. Starts a new count and notes when the sleep began.
pub(crate) fn before_sleep() -> bool {
    let served = SERVED.with(|n| n.replace(0));
    let last_sleep = LAST_SLEEP.with(Cell::get);
    ASLEEP_SINCE.with(|t| t.set(Some(Instant::now())));
    busy(served, last_sleep)
}

/// Called when the thread wakes up: notes how long it slept.
pub(crate) fn after_sleep() {
    if let Some(since) = ASLEEP_SINCE.with(Cell::take) {
        LAST_SLEEP.with(|d| d.set(since.elapsed()));
    }
}

/// Busy: several requests were answered in one wake-up, or the last sleep was short. A lone
/// request after a long sleep is light load, where yielding saves nothing and only delays.
fn busy(served: u32, last_sleep: Duration) -> bool {
    served > 1 || (served == 1 && last_sleep < BUSY_SLEEP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_requests_per_wake_up_or_short_sleeps_are_busy() {
        assert!(busy(2, Duration::MAX));
        assert!(busy(1, Duration::from_micros(100)));
        assert!(!busy(1, Duration::from_millis(5)));
        assert!(!busy(0, Duration::ZERO), "woken by a timer, nothing served");
    }

    #[test]
    fn the_count_starts_again_at_each_sleep() {
        served_one();
        served_one();
        assert!(before_sleep());
        after_sleep();
        assert!(!before_sleep(), "nothing served since");
    }
}
