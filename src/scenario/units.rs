//! Human units in scenario files: durations (`250ms`, `30s`, `5m`, via humantime), sizes
//! (`100B`, `1KiB`, `256KiB`) and rates (`3000/s`, `180000/m`). Each parser returns a message
//! that says what was expected, for the problem list.

/// Durations: one grammar for the scenario and the emulator's settings, kept with the keys
/// framework both are read by.
pub(crate) use sqsbench_keys::units::{format_duration, parse_duration};

/// Bytes, from `100B`, `1KiB`, `1KB` (= 1000), `1MiB`, or a bare number of bytes.
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let bad = || format!("{text:?} is not a size (write e.g. \"100B\", \"1KiB\", \"256KiB\")");
    let n: f64 = number.parse().map_err(|_| bad())?;
    let factor: f64 = match unit.trim() {
        "" | "B" => 1.0,
        "KB" | "kB" => 1e3,
        "KiB" => 1024.0,
        "MB" => 1e6,
        "MiB" => 1024.0 * 1024.0,
        "GB" => 1e9,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TB" => 1e12,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    let bytes = n * factor;
    if !bytes.is_finite() || bytes.fract() != 0.0 || bytes > u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// The highest offered rate a fleet may ask for, in messages per second: ten times the largest
/// documented SQS figure (a high-throughput FIFO queue's 70,000 batched calls/s × 10).
pub(crate) const MAX_RATE_PER_SEC: f64 = 7_000_000.0;

/// Messages per second, from `3000/s`, `180000/m`, `50/min`, `1000/h`.
pub(crate) fn parse_rate(text: &str) -> Result<f64, String> {
    let bad = || format!("{text:?} is not a rate (write e.g. \"3000/s\" or \"180000/m\")");
    let (number, unit) = text.trim().split_once('/').ok_or_else(bad)?;
    let n: f64 = number.trim().replace('_', "").parse().map_err(|_| bad())?;
    let per_second = match unit.trim() {
        "s" | "sec" => n,
        "m" | "min" => n / 60.0,
        "h" => n / 3600.0,
        _ => return Err(bad()),
    };
    if !per_second.is_finite() {
        return Err(format!("{text:?} is not a finite rate"));
    }
    if per_second <= 0.0 {
        return Err(format!("{text:?}: a rate must be above zero"));
    }
    if per_second > MAX_RATE_PER_SEC {
        return Err(format!(
            "{text:?} is above {}/s, more than any SQS queue takes (a high-throughput FIFO queue: 700,000 msg/s); split a larger load into shards",
            MAX_RATE_PER_SEC as u64
        ));
    }
    Ok(per_second)
}

/// Formats a duration the way scenario files write them.
pub(crate) fn format_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{}MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{}KiB", bytes / 1024)
    } else {
        format!("{bytes}B")
    }
}

pub(crate) fn format_rate(per_second: f64) -> String {
    if per_second.fract() == 0.0 {
        format!("{}/s", per_second as u64)
    } else {
        format!("{per_second}/s")
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("fast").unwrap_err().contains("\"fast\""));
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_secs(60)), "60s");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100B"), Ok(100));
        assert_eq!(parse_size("1KiB"), Ok(1024));
        assert_eq!(parse_size("256KiB"), Ok(262_144));
        assert_eq!(parse_size("1MiB"), Ok(1_048_576));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert_eq!(parse_size("2KB"), Ok(2000));
        assert!(parse_size("1 parsec").is_err());
        assert_eq!(format_size(262_144), "256KiB");
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("3000/s"), Ok(3000.0));
        assert_eq!(parse_rate("180000/m"), Ok(3000.0));
        assert!(parse_rate("3000").is_err());
        assert!(parse_rate("0/s").is_err());
        assert!(
            parse_rate("inf/s")
                .unwrap_err()
                .contains("not a finite rate")
        );
        assert!(
            parse_rate("NaN/s")
                .unwrap_err()
                .contains("not a finite rate")
        );
        assert!(
            parse_rate("1e12/s")
                .unwrap_err()
                .contains("above 7000000/s")
        );
        assert!(parse_rate("1e300/s").is_err());
        assert_eq!(parse_rate("7000000/s"), Ok(7e6));
        assert_eq!(format_rate(2000.0), "2000/s");
    }
}
