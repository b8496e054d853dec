//! What requests cost: SQS and SNS bill per request, each 64 KiB of a request's payload
//! counting as one. The estimate before a run, the counted cost after it, a fan-out's SNS share
//! and the `[run] budget_usd` guard all price here, and round through `round`.
//!
//! Depends only on `round`; the prices themselves are the scenario's `[cost]` table.

use crate::round;

/// The payload SQS and SNS bill as one request.
pub const CHUNK_BYTES: f64 = 65_536.0;

/// Billed requests for one call carrying `bytes` of payload (at least one).
pub fn chunks(bytes: f64) -> f64 {
    (bytes / CHUNK_BYTES).ceil().max(1.0)
}

/// `units` (requests, deliveries) at `per_million` US dollars per million.
pub fn usd(units: f64, per_million: f64) -> f64 {
    units * per_million / 1e6
}

/// What a million messages cost at `usd` for `messages` (0 when nothing was sent), unrounded.
pub fn per_million_messages(usd: f64, messages: f64) -> f64 {
    if messages > 0.0 {
        usd / messages * 1e6
    } else {
        0.0
    }
}

/// A run's cost as summary.json states it: `usd` rounded, and per million of the `messages`
/// sent (warmup included: requests are billed for those too).
pub fn stated(usd: f64, messages: u64) -> (f64, f64) {
    (
        round::usd(usd),
        round::usd_per_million(per_million_messages(usd, messages as f64)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_billed_per_started_64_kib() {
        assert_eq!(chunks(0.0), 1.0);
        assert_eq!(chunks(65_536.0), 1.0);
        assert_eq!(chunks(65_537.0), 2.0);
        assert_eq!(usd(3000.0, 0.40), 3000.0 * 0.40 / 1e6);
        assert_eq!(stated(0.0, 0), (0.0, 0.0));
        assert_eq!(stated(0.002_416_4, 20_000), (0.002_416, 0.1208));
    }
}
