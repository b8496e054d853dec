//! Limits checked before any traffic, after memory (`limits`): the connections a scenario will
//! hold at its peak and the file descriptors they take, against what the process may open
//! (`RLIMIT_NOFILE`, its soft limit raised to the hard one at start) and the local ports one
//! client address has for one server. Pure arithmetic on a `Scenario`, plus reading the limits
//! from the process and /proc; no traffic.

use std::path::Path;

use super::limits::{Parts, largest_fleets, problem};
use super::types::{Scenario, Target};
use sqsbench_keys::document::Problem;

/// Connections besides the fleets': setup, the queue-depth polls of the drain, cleanup, a
/// fan-out's topic calls. Each is one call at a time from the run's control task.
pub(crate) const CONTROL_CONNECTIONS: u64 = 4;

/// Descriptors the process holds besides its connections: standard streams, the runtimes'
/// epoll and wake-up handles, the embedded emulator's listener, the results files being
/// written and the metrics server with a scraper or two. Measured: 24 in all, its connections
/// included, at the peak of a 1-producer, 1-consumer embedded run with live metrics (/proc's fd
/// count sampled every 100 ms); the rest is headroom for the files written at the end.
pub(crate) const PROCESS_DESCRIPTORS: u64 = 64;

/// The peak connections of one run of `s`: every producer task has at most one call in flight
/// and every consumer task (poller or Lambda-style, a fan-out's subscriptions' included) one
/// receive or delete at a time, long polls holding theirs for up to `wait_time`. The SDK's
/// pool shares connections among tasks, so a fast target needs fewer; a stalled one needs
/// them all.
pub(crate) fn connections(s: &Scenario) -> Parts {
    let producers: Vec<u64> = s.producers.iter().map(|p| u64::from(p.count)).collect();
    let consumers: Vec<u64> = s.consumers.iter().map(|c| u64::from(c.count)).collect();
    let part =
        |section: &str, counts: &[u64]| (largest_fleets(section, counts), counts.iter().sum());
    Parts {
        parts: vec![
            part("producers", &producers),
            part("consumers", &consumers),
            ("setup and drain".to_string(), CONTROL_CONNECTIONS),
        ],
        unit: thousands,
    }
}

/// The peak file descriptors of one run: one per connection, two on the embedded target (the
/// process holds the server's end too), and the process's own.
#[derive(Debug, Clone)]
pub(crate) struct Descriptors {
    pub per_connection: u64,
    pub connections: Parts,
}

impl Descriptors {
    pub(crate) fn total(&self) -> u64 {
        self.per_connection * self.connections.total() + PROCESS_DESCRIPTORS
    }

    /// "2 per connection on the embedded target × 10,004 connections: producers[0].count
    /// 5,000 + …; + 64 for the process, results and metrics".
    pub(crate) fn describe(&self) -> String {
        let per = if self.per_connection == 2 {
            "2 per connection on the embedded target"
        } else {
            "1 per connection"
        };
        format!(
            "{per} × {} connections: {}; + {PROCESS_DESCRIPTORS} for the process, results and metrics",
            thousands(self.connections.total()),
            self.connections.describe()
        )
    }
}

pub(crate) fn descriptors(s: &Scenario) -> Descriptors {
    Descriptors {
        per_connection: match s.target {
            Target::Embedded => 2,
            _ => 1,
        },
        connections: connections(s),
    }
}

/// What the process may open, as read at start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OpenLimits {
    /// File descriptors: the hard `RLIMIT_NOFILE`, which the soft limit is raised to at start.
    pub descriptors: u64,
    /// The soft limit the process was started with, when lower than the hard one.
    pub raised_from: Option<u64>,
    /// Local ports for the connections to one server address (`ip_local_port_range`).
    pub ports: u64,
}

impl OpenLimits {
    /// The process's limits, with the soft descriptor limit the process began with
    /// (`raise_descriptor_limit` records it).
    pub(crate) fn read() -> OpenLimits {
        let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap_or((1024, 1024));
        let first_soft = *STARTED_WITH.get().unwrap_or(&soft);
        OpenLimits {
            descriptors: hard,
            raised_from: (first_soft < hard).then_some(first_soft),
            ports: local_ports(Path::new("/proc/sys/net/ipv4/ip_local_port_range"))
                .unwrap_or(28_232),
        }
    }

    /// Where the descriptor limit comes from: "RLIMIT_NOFILE", or "RLIMIT_NOFILE's hard
    /// limit; the soft limit of 1,024 is raised to it at start".
    pub(crate) fn descriptor_source(&self) -> String {
        match self.raised_from {
            Some(soft) => format!(
                "RLIMIT_NOFILE's hard limit; the soft limit of {} is raised to it at start",
                thousands(soft)
            ),
            None => "RLIMIT_NOFILE".to_string(),
        }
    }
}

/// The soft `RLIMIT_NOFILE` the process started with, before `raise_descriptor_limit`.
static STARTED_WITH: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (what a run may then open is the hard
/// limit), remembering the soft one for `validate` to say. A failure leaves the limit as it
/// was; the check against it then refuses what does not fit.
pub(crate) fn raise_descriptor_limit() {
    let Ok((soft, hard)) = rlimit::getrlimit(rlimit::Resource::NOFILE) else {
        return;
    };
    let _ = STARTED_WITH.set(soft);
    if soft < hard {
        let _ = rlimit::setrlimit(rlimit::Resource::NOFILE, hard, hard);
    }
}

/// `32768\t60999` → 28,232 ports.
pub(crate) fn parse_port_range(text: &str) -> Option<u64> {
    let mut bounds = text.split_whitespace().map(str::parse::<u64>);
    let (low, high) = (bounds.next()?.ok()?, bounds.next()?.ok()?);
    (high >= low).then(|| high - low + 1)
}

fn local_ports(path: &Path) -> Option<u64> {
    parse_port_range(&std::fs::read_to_string(path).ok()?)
}

/// Problems with the scenario's connections: more descriptors than the process may open, or
/// more connections to the target than there are local ports.
pub(crate) fn check(s: &Scenario, limits: &OpenLimits) -> Vec<Problem> {
    let mut problems = Vec::new();
    let need = descriptors(s);
    if need.total() > limits.descriptors {
        let said = format!(
            "the run would open about {} file descriptors ({}), more than the {} it may open ({}); lower the counts, or raise the hard limit (ulimit -Hn, prlimit, LimitNOFILE in a systemd unit)",
            thousands(need.total()),
            need.describe(),
            thousands(limits.descriptors),
            limits.descriptor_source()
        );
        problems.push(problem("producers, consumers", said));
    }
    let conns = need.connections;
    if conns.total() > limits.ports {
        let said = format!(
            "the run would hold about {} connections to one target ({}), more than the {} local ports one client address has for it (net.ipv4.ip_local_port_range); lower the counts, or split the run into shards (sqsbench run --shard I/N on several machines)",
            thousands(conns.total()),
            conns.describe(),
            thousands(limits.ports)
        );
        problems.push(problem("producers, consumers", said));
    }
    problems
}

/// `20000` → `20,000`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::limits::tests::scenario;

    fn limits(descriptors: u64) -> OpenLimits {
        OpenLimits {
            descriptors,
            raised_from: None,
            ports: 28_232,
        }
    }

    #[test]
    fn every_task_holds_a_connection_and_the_embedded_target_both_ends() {
        let s = scenario(&["producers.count=300", "consumers.count=200"]);
        assert_eq!(connections(&s).total(), 500 + CONTROL_CONNECTIONS);
        assert_eq!(
            descriptors(&s).total(),
            2 * (500 + CONTROL_CONNECTIONS) + PROCESS_DESCRIPTORS
        );
        let remote = scenario(&[
            "producers.count=300",
            "consumers.count=200",
            "target.kind=\"endpoint\"",
            "target.endpoint=\"http://127.0.0.1:1\"",
        ]);
        assert_eq!(
            descriptors(&remote).total(),
            500 + CONTROL_CONNECTIONS + PROCESS_DESCRIPTORS
        );
    }

    #[test]
    fn a_run_over_the_descriptor_limit_is_refused_naming_fleets_need_and_limit() {
        // The scenario: 5,000 producers and 5,000 consumers, embedded, limit 20,000.
        let s = scenario(&["producers.count=5000", "consumers.count=5000"]);
        let problems = check(&s, &limits(20_000));
        assert_eq!(problems.len(), 1, "{problems:?}");
        let text = problems[0].to_string();
        for part in [
            "20,072 file descriptors",
            "producers[0].count 5,000",
            "consumers[0].count 5,000",
            "the 20,000 it may open (RLIMIT_NOFILE)",
            "2 per connection on the embedded target × 10,004 connections",
            "ulimit -Hn",
        ] {
            assert!(text.contains(part), "{part:?} in {text}");
        }
        assert!(check(&s, &limits(20_072)).is_empty());
    }

    #[test]
    fn more_connections_than_local_ports_are_refused() {
        let s = scenario(&[
            "producers.count=6000",
            "consumers.count=6000",
            "target.kind=\"endpoint\"",
            "target.endpoint=\"http://127.0.0.1:1\"",
        ]);
        let few_ports = OpenLimits {
            ports: 10_000,
            ..limits(1 << 20)
        };
        let problems = check(&s, &few_ports);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let text = problems[0].to_string();
        assert!(text.contains("12,004 connections"), "{text}");
        assert!(text.contains("10,000 local ports"), "{text}");
        assert!(check(&s, &limits(1 << 20)).is_empty());
    }

    #[test]
    fn a_raised_limit_says_where_it_came_from() {
        let raised = OpenLimits {
            raised_from: Some(1024),
            ..limits(524_288)
        };
        assert_eq!(
            raised.descriptor_source(),
            "RLIMIT_NOFILE's hard limit; the soft limit of 1,024 is raised to it at start"
        );
    }

    #[test]
    fn port_ranges_and_thousands() {
        assert_eq!(parse_port_range("32768\t60999\n"), Some(28_232));
        assert_eq!(parse_port_range("60999 32768"), None);
        assert_eq!(parse_port_range(""), None);
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
