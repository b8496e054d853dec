//! The sections of a run's report, in the one order the terminal summary and report.html both
//! follow. A section a medium cannot show (charts in a terminal) it leaves out; none is
//! placed differently.
//!
//! A leaf of `report`.

/// One section of a run's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    /// What ran where; a fan-out's topic and settle; an interruption.
    Title,
    /// The verdict banner (report.html).
    Verdict,
    /// The measured phase's throughput (the terminal's line, the page's cards).
    Headline,
    /// A merge's shards and clocks.
    Merged,
    Expectations,
    /// report.html only.
    Charts,
    /// Latency percentiles, the clock and each fleet's figures.
    Latency,
    /// Messages, duplicates, losses, order, the accounting; or a shard's note; subscriptions;
    /// Lambda-style batches.
    Integrity,
    /// Requests by action, cost, the budget and what the emulator injected.
    Requests,
    /// The resolved scenario (report.html).
    Scenario,
}

/// A run's report, top to bottom.
pub(crate) const RUN: [Section; 10] = [
    Section::Title,
    Section::Verdict,
    Section::Headline,
    Section::Merged,
    Section::Expectations,
    Section::Charts,
    Section::Latency,
    Section::Integrity,
    Section::Requests,
    Section::Scenario,
];
