//! The examples each subcommand's `--help` ends with: 2 to 4 commands a user can copy. A test
//! parses every one with the real command definition, so an example cannot name a flag that
//! does not exist, and keeps each within 70 characters, so a man page on an 80-column terminal
//! does not fill and hyphenate it.

pub(super) const TOP: &str = "\
Examples:
  sqsbench init first.toml && sqsbench run first.toml
  sqsbench run scenarios/quickstart.toml
  sqsbench validate scenario.toml --set producers.rate=500/s
  sqsbench compare base cand --fail-if 'messages.lost:>0'";

pub(super) const RUN: &str = "\
Examples:
  sqsbench run scenarios/quickstart.toml
  sqsbench run scenario.toml --set producers.rate=500/s --duration 30s
  sqsbench run scenario.toml --target http://127.0.0.1:9324 --repeat 3
  sqsbench run scenario.toml --metrics 127.0.0.1:9464 --quiet";

pub(super) const VALIDATE: &str = "\
Examples:
  sqsbench validate scenarios/quickstart.toml
  sqsbench validate scenario.toml --set producers.batch_size=5
  sqsbench validate scenarios/distributed.toml --shard 0/4";

pub(super) const REPORT: &str = "\
Examples:
  sqsbench report results/quickstart-20261123T135203Z
  sqsbench report results/batch-sizes";

pub(super) const SERVE: &str = "\
Examples:
  sqsbench serve
  sqsbench serve --bind 127.0.0.1:4566 --quota aws
  sqsbench serve --faults faults.toml --metrics 127.0.0.1:9465";

pub(super) const COMPARE: &str = "\
Examples:
  sqsbench compare results/baseline results/candidate
  sqsbench compare base cand --fail-if 'latency_us.end_to_end.p99:+10%'
  sqsbench compare base cand --markdown summary.md";

pub(super) const CLEANUP: &str = "\
Examples:
  sqsbench cleanup --run-id launch-42 --target aws --dry-run
  sqsbench cleanup --run-id launch-42 --target aws --region eu-west-1";

pub(super) const MERGE: &str = "\
Examples:
  sqsbench merge results/shard-0 results/shard-1 --out results/merged
  sqsbench merge results/shard-* --out merged --correct-clock-offset
  sqsbench merge results/shard-* --out partial --allow-missing";

pub(super) const INIT: &str = "\
Examples:
  sqsbench init
  sqsbench init orders.toml --template fifo-limits
  sqsbench init fanout.toml --template fanout";

pub(super) const SCHEMA: &str = "\
Examples:
  sqsbench schema > scenarios/sqsbench.schema.json
  sqsbench schema";

pub(super) const COMPLETIONS: &str = "\
Examples:
  sqsbench completions bash > /etc/bash_completion.d/sqsbench
  sqsbench completions zsh > ~/.zfunc/_sqsbench
  sqsbench completions fish > ~/.config/fish/completions/sqsbench.fish";

pub(super) const MAN: &str = "\
Examples:
  sqsbench man | man -l -
  sqsbench man --dir /usr/local/share/man/man1";
