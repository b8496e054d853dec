//! A run's page: every section `sections::RUN` lists, in its order, from the summary and the
//! files already in its directory.

use std::path::Path;

use super::figures::{batches, expectations, fleets, headline, integrity, latencies, requests};
use super::shards::shards;
use super::shell::{charts, page};
use super::verdict::{title_block, verdict};
use crate::measure::ledger::Integrity;
use crate::measure::summary::{RunSummary, ShardInfo};
use crate::report::chart::kind::Chart;
use crate::report::results_dir::File;
use crate::report::sections::{RUN, Section};
use crate::report::wording::escape;

/// A results file a page shows, or why it cannot be shown.
pub(super) fn results_file(dir: &Path, name: &str) -> Result<String, String> {
    std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: {e}"))
}

pub(super) fn scenario_text(dir: &Path) -> String {
    results_file(dir, File::Scenario.name()).unwrap_or_else(|e| format!("Not shown: {e}"))
}

/// What a run's page reads from its directory besides the summary.
pub(super) struct Saved {
    /// integrity.json, or why it cannot be shown (a shard has none).
    integrity: Result<Integrity, String>,
    scenario: String,
    charts: std::path::PathBuf,
}

/// A run's page: every section `sections::RUN` lists, in its order.
pub(crate) fn run_page(s: &RunSummary, dir: &Path) -> String {
    let integrity = results_file(dir, File::Integrity.name()).and_then(|t| {
        serde_json::from_str(&t).map_err(|e| format!("{}: {e}", File::Integrity.name()))
    });
    let saved = Saved {
        integrity,
        scenario: scenario_text(dir),
        charts: dir.join(File::Charts.name()),
    };
    let body: String = RUN
        .iter()
        .map(|section| self::section(s, *section, &saved))
        .collect();
    page(&format!("sqsbench: {}", s.scenario.name), &body)
}

pub(super) fn section(s: &RunSummary, section: Section, saved: &Saved) -> String {
    let integrity = saved.integrity.as_ref().ok();
    let whole = s.shard.is_none();
    match section {
        Section::Title => title_block(s),
        Section::Verdict if whole => verdict(s, integrity),
        Section::Headline => headline(s),
        Section::Merged => s
            .shards
            .as_ref()
            .map(|sh| shards(s, sh))
            .unwrap_or_default(),
        Section::Expectations if whole => format!("<h2>Expectations</h2>{}", expectations(s)),
        Section::Charts => format!("<h2>Charts</h2>{}", charts(&saved.charts, &Chart::RUN)),
        Section::Latency => format!("<h2>Latency</h2>{}{}", latencies(s), fleets(s)),
        Section::Integrity => match &s.shard {
            Some(shard) => shard_note(s, shard),
            None => integrity_section(s, &saved.integrity),
        },
        Section::Requests => format!("<h2>Requests and cost</h2>{}", requests(s)),
        Section::Scenario => format!(
            "<h2>Resolved scenario</h2><pre>{}</pre>",
            escape(&saved.scenario)
        ),
        Section::Verdict | Section::Expectations => String::new(),
    }
}

/// A shard's page says where the verdict is made instead of an integrity section.
pub(super) fn shard_note(s: &RunSummary, shard: &ShardInfo) -> String {
    format!(
        "<p>Shard {} of {} of run <code>{}</code>: other shards receive its messages, so losses, \
FIFO order and <code>[expect]</code> are judged over every shard's results, not here.</p>",
        shard.index,
        shard.count,
        escape(&s.run_id)
    )
}

pub(super) fn integrity_section(s: &RunSummary, saved: &Result<Integrity, String>) -> String {
    let note = match saved {
        Ok(_) => String::new(),
        Err(e) => format!("<p class=\"fail\">Not shown: {}</p>", escape(e)),
    };
    format!(
        "<h2>Integrity</h2>{note}{}{}{}",
        crate::report::subscriptions::html(s),
        integrity(s, saved.as_ref().ok()),
        batches(s)
    )
}
