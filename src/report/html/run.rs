//! A run's page: every section `sections::RUN` lists, in its order, from the summary and the
//! files already in its directory.

use std::path::Path;

use super::build::{Html, Phrase};
use super::figures::{batches, expectations, fleets, headline, integrity, latencies, requests};
use super::queues::queues;
use super::shards::shards;
use super::shell::{charts, page};
use super::subscriptions::subscriptions;
use super::verdict::{title_block, verdict};
use crate::measure::ledger::Integrity;
use crate::measure::summary::{RunSummary, ShardInfo};
use crate::report::chart::kind::Chart;
use crate::report::results_dir::File;
use crate::report::sections::{RUN, Section};

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
    run_page_with(s, dir, "")
}

/// A run's page with `spread` (a repeated run's) just before its expectations.
pub(super) fn run_page_with(s: &RunSummary, dir: &Path, spread: &str) -> String {
    let integrity = results_file(dir, File::Integrity.name()).and_then(|t| {
        serde_json::from_str(&t).map_err(|e| format!("{}: {e}", File::Integrity.name()))
    });
    let saved = Saved {
        integrity,
        scenario: scenario_text(dir),
        charts: dir.join(File::Charts.name()),
    };
    let mut body = String::new();
    for section in RUN {
        if section == Section::Expectations {
            body += spread;
        }
        body += &self::section(s, section, &saved);
    }
    page(&format!("sqsbench: {}", s.scenario.name), &body)
}

pub(super) fn section(s: &RunSummary, section: Section, saved: &Saved) -> String {
    let integrity = saved.integrity.as_ref().ok();
    let whole = s.shard.is_none();
    let mut o = Html::new();
    match section {
        Section::Title => o.markup(&title_block(s)),
        Section::Verdict if whole => o.markup(&verdict(s, integrity)),
        Section::Headline => o.markup(&headline(s)),
        Section::Merged => o.markup(
            &s.shards
                .as_ref()
                .map(|sh| shards(s, sh))
                .unwrap_or_default(),
        ),
        Section::Expectations if whole => o.h2("Expectations").markup(&expectations(s)),
        Section::Charts => o.h2("Charts").markup(&charts(&saved.charts, &Chart::RUN)),
        Section::Latency => o.h2("Latency").markup(&latencies(s)).markup(&fleets(s)),
        Section::Integrity => match &s.shard {
            Some(shard) => o.markup(&shard_note(s, shard)),
            None => o.markup(&integrity_section(s, &saved.integrity)),
        },
        Section::Requests => o.h2("Requests and cost").markup(&requests(s)),
        Section::Scenario => o.h2("Resolved scenario").pre(&saved.scenario),
        Section::Verdict | Section::Expectations => &mut o,
    };
    o.finish()
}

/// A shard's page says where the verdict is made instead of an integrity section.
pub(super) fn shard_note(s: &RunSummary, shard: &ShardInfo) -> String {
    let note = Phrase::new()
        .t(format!("Shard {} of {} of run ", shard.index, shard.count))
        .code(&s.run_id)
        .t(": other shards receive its messages, so losses, FIFO order and ")
        .code("[expect]")
        .t(" are judged over every shard's results, not here.");
    Html::new().p(note).finish()
}

pub(super) fn integrity_section(s: &RunSummary, saved: &Result<Integrity, String>) -> String {
    let mut o = Html::new();
    o.h2("Integrity");
    if let Err(e) = saved {
        o.p_class("fail", format!("Not shown: {e}"));
    }
    o.markup(&subscriptions(s))
        .markup(&integrity(s, saved.as_ref().ok()))
        .markup(&queues(s))
        .markup(&batches(s))
        .markup(&super::backlog::backlog(s))
        .finish()
}
