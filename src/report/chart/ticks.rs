//! Tick labels for humans: rates SI-abbreviated (`40k/s`), times as `0s 10s 1m`, latencies in
//! µs, ms or s chosen by the axis's range, percentiles as `p50 p99 p99.9`, and never a trailing
//! `.0`. Pure formatting: must not depend on plotters or on any result type.

/// A number with at most `decimals` decimals and no trailing zeros (`2.50` → `2.5`, `3.0` → `3`).
pub(crate) fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A count SI-abbreviated: `950`, `1.5k`, `40k`, `1.2M` (999,999 reads `1M`, not `1000k`).
pub(crate) fn si(v: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G")];
    let mut unit = UNITS
        .iter()
        .rposition(|(scale, _)| v.abs() >= *scale)
        .unwrap_or(0);
    loop {
        let (scale, suffix) = UNITS[unit];
        let scaled = v / scale;
        let decimals = if scaled.abs() >= 100.0 || suffix.is_empty() && scaled.abs() >= 10.0 {
            0
        } else {
            1
        };
        let shown = trimmed(scaled, decimals);
        let rounds_up = shown.trim_start_matches('-').parse::<f64>().unwrap_or(0.0) >= 1000.0;
        if rounds_up && unit + 1 < UNITS.len() {
            unit += 1;
            continue;
        }
        return format!("{shown}{suffix}");
    }
}

/// A rate per second: `40k/s`.
pub(crate) fn rate(v: f64) -> String {
    format!("{}/s", si(v))
}

/// Seconds since the start as `0s`, `45s`, `1m`, `1m30s`, `1h`, `1h5m`.
pub(crate) fn elapsed(seconds: f64) -> String {
    let s = seconds.round().max(0.0) as u64;
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    match (h, m, sec) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, sec) => format!("{m}m{sec}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// The unit a latency axis reads in, chosen from the largest value it shows (in ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LatencyUnit {
    Micros,
    Millis,
    Seconds,
}

impl LatencyUnit {
    pub(crate) fn for_range(max_ms: f64) -> LatencyUnit {
        if max_ms < 1.0 {
            LatencyUnit::Micros
        } else if max_ms < 2_000.0 {
            LatencyUnit::Millis
        } else {
            LatencyUnit::Seconds
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            LatencyUnit::Micros => "µs",
            LatencyUnit::Millis => "ms",
            LatencyUnit::Seconds => "s",
        }
    }

    /// A latency given in ms, as a tick in this unit: `250µs`, `12ms`, `0.5ms`, `1.5s`.
    pub(crate) fn label(self, ms: f64) -> String {
        let v = match self {
            LatencyUnit::Micros => ms * 1000.0,
            LatencyUnit::Millis => ms,
            LatencyUnit::Seconds => ms / 1000.0,
        };
        let decimals = if v.abs() >= 100.0 || v == v.round() {
            0
        } else if v.abs() >= 1.0 {
            1
        } else {
            3
        };
        format!("{}{}", trimmed(v, decimals), self.name())
    }
}

/// A latency given in ms, on an axis that spans decades (a log axis): each tick names its own
/// unit, so `0.1 ms … 10 s` reads `100µs 1ms 10ms 100ms 1s 10s`.
pub(crate) fn latency(ms: f64) -> String {
    let unit = if ms < 1.0 {
        LatencyUnit::Micros
    } else if ms < 1_000.0 {
        LatencyUnit::Millis
    } else {
        LatencyUnit::Seconds
    };
    unit.label(ms)
}

/// The description of a latency axis whose ticks name their own units.
pub(crate) const LOG_LATENCY_DESC: &str = "latency (log scale; ticks in µs, ms, s)";

/// A percentile from its "nines" position (1/(1−p): 2 = p50, 10 = p90, 100 = p99, …), or
/// nothing between the marked ones.
pub(crate) fn percentile(inverse_tail: f64) -> String {
    let marked = [
        (1.0, "p0"),
        (2.0, "p50"),
        (10.0, "p90"),
        (100.0, "p99"),
        (1_000.0, "p99.9"),
        (10_000.0, "p99.99"),
        (100_000.0, "p99.999"),
        (1_000_000.0, "p99.9999"),
    ];
    marked
        .iter()
        .find(|(at, _)| (inverse_tail / at - 1.0).abs() < 1e-6)
        .map_or(String::new(), |(_, label)| label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What users read on the axes, in one table: a change here is a change they see.
    #[test]
    fn tick_labels() {
        let mut table = String::new();
        for v in [
            0.0,
            7.0,
            42.0,
            950.0,
            1_000.0,
            1_500.0,
            12_345.0,
            40_000.0,
            35_000.0,
            999_999.0,
            1_200_000.0,
        ] {
            table += &format!("rate {v} -> {}\n", rate(v));
        }
        for s in [0.0, 2.0, 10.0, 59.6, 60.0, 90.0, 600.0, 3_600.0, 3_900.0] {
            table += &format!("elapsed {s} -> {}\n", elapsed(s));
        }
        for (max, values) in [
            (0.8, vec![0.05, 0.25, 0.5]),
            (40.0, vec![0.5, 1.0, 2.5, 10.0, 40.0]),
            (60_000.0, vec![500.0, 1_000.0, 1_500.0, 30_000.0]),
        ] {
            let unit = LatencyUnit::for_range(max);
            let labels: Vec<String> = values.iter().map(|v| unit.label(*v)).collect();
            table += &format!("latency axis up to {max} ms -> {}\n", labels.join(" "));
        }
        let nines: Vec<String> = [1.0, 2.0, 5.0, 10.0, 100.0, 1_000.0, 10_000.0]
            .iter()
            .map(|x| format!("{x}:{:?}", percentile(*x)))
            .collect();
        table += &format!("percentiles {}\n", nines.join(" "));
        insta::assert_snapshot!(table);
        assert!(!table.contains(".0 ") && !table.contains(".0s") && !table.contains(".0k"));
    }
}
